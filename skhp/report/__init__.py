"""Seeing what a search did: tables, plots and a readable report.

:func:`results_frame` turns one or several searches into a tidy pandas
DataFrame; the ``*Display`` classes plot it in scikit-learn's Display style
(``ConvergenceDisplay.from_results(search)``); :func:`write_report` writes
the tables and plots as one Markdown or HTML page. pandas and matplotlib are
imported only when used (``pip install "skhp[plot]"``).
"""

from .coverage import GridCoverageDisplay
from .dependence import PartialDependenceMatrixDisplay
from .document import winner_text, write_report
from .frame import results_frame
from .importance import parameter_importance
from .pareto import ParetoFrontDisplay, pareto_front_table
from .plots import (
    ConvergenceDisplay,
    ParallelCoordinatesDisplay,
    ParameterImportanceDisplay,
    ParameterScoreDisplay,
)
from .target import evaluations_to_target

__all__ = [
    "ConvergenceDisplay",
    "GridCoverageDisplay",
    "ParallelCoordinatesDisplay",
    "ParameterImportanceDisplay",
    "ParameterScoreDisplay",
    "ParetoFrontDisplay",
    "PartialDependenceMatrixDisplay",
    "evaluations_to_target",
    "parameter_importance",
    "pareto_front_table",
    "results_frame",
    "winner_text",
    "write_report",
]
