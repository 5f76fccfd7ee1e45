"""Experiment files: a search described in TOML (or YAML), run from the shell.

``skhp run EXPERIMENT.toml`` checks the file (:func:`load_experiment`), runs
each searcher with a journal in the output folder, and writes per-searcher
tables and a report; ``skhp resume FOLDER`` finishes an interrupted run and
``skhp report FOLDER`` rebuilds the report from the journal. See
docs/experiments.md for the file format.
"""

from .files import load_experiment
from .runner import execute, rebuild_report, resume, run
from .schema import Experiment, ExperimentError, check_experiment

__all__ = [
    "Experiment",
    "ExperimentError",
    "check_experiment",
    "execute",
    "load_experiment",
    "rebuild_report",
    "resume",
    "run",
]
