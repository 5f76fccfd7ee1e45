"""The names of the surrogates and acquisition functions, defined once.

:class:`~skhp.BayesSearchCV` (its ``_parameter_constraints``),
:func:`~skhp.search.minimize.minimize`, the scikit-optimize
``optimizer_kwargs`` keys and the experiment files all take these names from
here. The module imports nothing, so that ``import skhp`` does not load
scikit-optimize to learn them.
"""

__all__ = ["ACQ_FUNCS", "FRONT_ACQUISITIONS", "OPTIMIZERS", "SURROGATE_ACQ_FUNCS"]

#: Surrogate models: skhp's Gaussian process, scikit-optimize's random forest,
#: extra trees and gradient-boosted quantile trees.
OPTIMIZERS = ("gp", "rf", "et", "gbrt")
#: The acquisition functions a fitted surrogate evaluates.
SURROGATE_ACQ_FUNCS = ("EI", "PI", "LCB")
#: What ``acq_func`` accepts: one of them, or a hedge over the three.
ACQ_FUNCS = (*SURROGATE_ACQ_FUNCS, "gp_hedge")
#: How BayesSearchCV proposes for a front of two objectives
#: (``optimizer_kwargs={"front_acquisition": ...}``): expected hypervolume
#: improvement (the default) or ParEGO's random scalarisations.
FRONT_ACQUISITIONS = ("ehvi", "parego")
