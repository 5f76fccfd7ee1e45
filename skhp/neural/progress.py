"""Whether training progress should be printed (``verbose="auto"``)."""

from .._compat import inside_cross_validation

__all__ = ["inside_cross_validation", "resolve_verbose"]


def resolve_verbose(verbose):
    """Map the estimators' ``verbose`` parameter to skorch's integer verbosity.

    Parameters
    ----------
    verbose : "auto", bool or int
        ``"auto"`` prints the per-epoch table when the estimator is fitted on
        its own and stays quiet inside a search or cross-validation.

    Returns
    -------
    verbose : int
    """
    if verbose == "auto":
        return 0 if inside_cross_validation() else 1
    return int(verbose)
