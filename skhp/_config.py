"""skhp's global settings, in the manner of :func:`sklearn.set_config`."""

import contextlib
import os
import threading
import warnings

__all__ = ["config_context", "get_config", "set_config"]

#: The environment variable that sets ``progress`` when skhp is imported.
PROGRESS_ENV = "SKHP_PROGRESS"

_ON = {"1", "true", "yes", "on"}
_OFF = {"0", "false", "no", "off"}
_AUTO = {"", "auto"}


def _progress_from_env():
    raw = os.environ.get(PROGRESS_ENV)
    if raw is None or raw.strip().lower() in _AUTO:
        return None
    value = raw.strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    warnings.warn(
        f"{PROGRESS_ENV}={raw!r} is not understood and is ignored; use one of "
        f"{sorted(_ON)} to show progress bars, {sorted(_OFF)} to hide them, or "
        "'auto' (bars where `verbose >= 1`).",
        UserWarning,
        stacklevel=2,
    )
    return None


_global_config = {"progress": _progress_from_env(), "fit_warnings": "summary"}
_threadlocal = threading.local()


def _get_threadlocal_config():
    if not hasattr(_threadlocal, "global_config"):
        _threadlocal.global_config = _global_config.copy()
    return _threadlocal.global_config


def get_config():
    """Return skhp's current settings.

    Returns
    -------
    config : dict
        Keys are the parameters of :func:`set_config`.

    Examples
    --------
    >>> import skhp
    >>> sorted(skhp.get_config())
    ['fit_warnings', 'progress']
    """
    return _get_threadlocal_config().copy()


def _check_progress(progress):
    if progress is not None and not isinstance(progress, bool):
        raise ValueError(
            "`progress` must be True (a bar for every search), False (never a "
            f"bar) or None (a bar where `verbose >= 1`), but got {progress!r}."
        )


def _check_fit_warnings(fit_warnings):
    if fit_warnings not in ("summary", "all"):
        raise ValueError(
            "`fit_warnings` must be 'summary' (one line per kind of warning and "
            "search) or 'all' (every warning of every fit, as scikit-learn "
            f"shows them), but got {fit_warnings!r}."
        )


_UNSET = object()


def set_config(progress=_UNSET, fit_warnings=_UNSET):
    """Set skhp's global settings.

    Parameters
    ----------
    progress : bool or None, default=None
        Progress bars of skhp's searchers (:class:`~skhp.GridSearchCV`,
        :class:`~skhp.RandomizedSearchCV`, :class:`~skhp.BayesSearchCV`):
        candidates done out of the budget, best score so far, elapsed and
        remaining time, one line per search, in a terminal or (with
        ``ipywidgets``) as a notebook widget in Jupyter.

        - None: scikit-learn's convention; a bar where the search has
          ``verbose >= 1`` and someone watches (a terminal or a notebook).
        - True: a bar for every search, whatever its ``verbose``, also when
          the output goes to a log file.
        - False: never a bar.

        The environment variable ``SKHP_PROGRESS`` (``1``/``0``/``auto``)
        gives its value when skhp is imported, for CI jobs and scripts.
        Leaving it out keeps the current value.
    fit_warnings : {"summary", "all"}, default="summary"
        Warnings that the fits of a skhp search raise (``ConvergenceWarning``,
        a library's ``FutureWarning``, ...). "summary": each fit's warnings
        are counted rather than printed, and when the search ends one
        warning per kind says how many candidates (and what share) raised
        it, with the first message, in the original category (so
        ``warnings.filterwarnings("ignore", category=ConvergenceWarning)``
        still silences it, and "error" filters still fail the fit). "all":
        every warning of every fit, as scikit-learn shows them.

    See Also
    --------
    config_context : The same settings, for the length of a ``with`` block.
    get_config : The current settings.

    Examples
    --------
    >>> import skhp
    >>> skhp.set_config(progress=True)
    >>> skhp.get_config()["progress"]
    True
    >>> skhp.set_config(progress=None)
    """
    local_config = _get_threadlocal_config()
    if progress is not _UNSET:
        _check_progress(progress)
        local_config["progress"] = progress
    if fit_warnings is not _UNSET:
        _check_fit_warnings(fit_warnings)
        local_config["fit_warnings"] = fit_warnings


@contextlib.contextmanager
def config_context(*, progress=_UNSET, fit_warnings=_UNSET):
    """Change skhp's settings inside a ``with`` block only.

    Parameters
    ----------
    progress : bool or None
        As in :func:`set_config`. Left out: unchanged.
    fit_warnings : {"summary", "all"}
        As in :func:`set_config`. Left out: unchanged.

    Yields
    ------
    None

    Examples
    --------
    >>> import skhp
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> search = skhp.GridSearchCV(LogisticRegression(), {"C": [0.1, 1]})
    >>> with skhp.config_context(progress=False):  # this search only
    ...     search = search.fit(X, y)
    """
    old = get_config()
    set_config(progress=progress, fit_warnings=fit_warnings)
    try:
        yield
    finally:
        set_config(**old)
