"""Checks of an experiment against its data and estimator, before the first fit.

The experiment file is checked without the data (:mod:`.schema`); these
checks need the data or the estimator's own rules, and run when a run
starts: folds against class sizes, the space's values against the
estimator's parameter constraints, and one quick fit on a few rows where
that is cheap (scikit-learn estimators, skhp's linear models), so that a
mistake that would make every fit fail is reported in seconds, naming the
key, instead of after the whole search.
"""

import numpy as np

from .schema import ExperimentError

__all__ = ["check_frame", "preflight"]

# Estimators from these packages fit a few rows in well under a second.
_CHEAP = ("sklearn.", "skhp.linear")
_QUICK_ROWS = 60


def _check_folds(experiment, y, classifier, errors):
    cv = experiment.cv
    if len(y) < cv:
        errors.append(
            f"cv: {cv} folds, but the data have {len(y)} rows; lower cv to at most "
            f"{len(y)}"
        )
        return
    if classifier:
        labels, counts = np.unique(np.asarray(y, dtype=object), return_counts=True)
        small = [(label, n) for label, n in zip(labels, counts) if n < cv]
        if small:
            label, n = min(small, key=lambda t: t[1])
            n = int(n)
            errors.append(
                f"cv: {cv} stratified folds, but class {label!r} has only {n} "
                f"sample{'s' * (n != 1)} in the data (each fold needs one); lower "
                f"cv to {max(n, 2)} or drop the rare classes"
            )


def _space_values(space):
    """(where, name, value) of every choice and range end of the space."""
    branches = space if isinstance(space, list) else [space]
    for i, branch in enumerate(branches):
        prefix = f"space[{i}]" if isinstance(space, list) else "space"
        for name, dim in branch.items():
            if hasattr(dim, "choices"):
                values = list(dim.choices)
            else:
                values = [dim.low, dim.high]
            for value in values:
                if isinstance(value, np.generic):
                    value = value.item()
                yield f"{prefix}.{name}", name, value


def _check_space(experiment, inner, errors):
    """Every choice and range end against the estimator's own constraints."""
    from sklearn.base import clone

    from .._compat import (
        InvalidParameterError,
        validate_estimator_params,
        validates_params,
    )

    if not validates_params(inner):
        return
    reported = set()
    for where, name, value in _space_values(experiment.space):
        if "__" in name or where in reported:
            continue
        try:
            candidate = clone(inner).set_params(**{name: value})
            validate_estimator_params(candidate)
        except (InvalidParameterError, ValueError, TypeError) as exc:
            reported.add(where)
            errors.append(
                f"{where}: {value!r} is not a value {type(inner).__name__} accepts: "
                f"{exc}"
            )


def _few_rows(X, y, classifier):
    n = len(y)
    if n <= _QUICK_ROWS:
        return np.arange(n)
    if not classifier:
        return np.arange(_QUICK_ROWS)
    # A few of every class, so that classifiers see them all.
    y = np.asarray(y, dtype=object)
    per_class = max(_QUICK_ROWS // max(len(set(y.tolist())), 1), 2)
    rows = []
    for label in dict.fromkeys(y.tolist()):
        rows.extend(np.flatnonzero(y == label)[:per_class].tolist())
    return np.array(sorted(rows))


def _quick_fit(experiment, estimator, X, y, classifier, errors):
    from sklearn.base import clone

    if not experiment.estimator.path.startswith(_CHEAP):
        return
    rows = _few_rows(X, y, classifier)
    X_few = [X[i] for i in rows] if isinstance(X, list) else X[rows]
    try:
        clone(estimator).fit(X_few, np.asarray(y)[rows])
    except Exception as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        errors.append(
            f"estimator: a quick fit of {experiment.estimator.path} with the fixed "
            f"parameters on {len(rows)} rows of the data failed, so every fit of "
            f"the search would: {type(exc).__name__}: {message}. Check data "
            "(columns that are not numbers, missing values, text given to a "
            "tabular model) and estimator.params"
        )


def check_frame(frame, features, experiment, where):
    """Feature columns that are not numbers, or hold missing values.

    Parameters
    ----------
    frame : pandas.DataFrame
    features : list of str
    experiment : Experiment
    where : str
        The file, for the message.

    Raises
    ------
    ExperimentError
    """
    import pandas as pd

    errors = []
    not_numbers = [c for c in features if not pd.api.types.is_numeric_dtype(frame[c])]
    if not_numbers:
        examples = ", ".join(
            f"{c!r} (e.g. {frame[c].dropna().iloc[0]!r})"
            if frame[c].notna().any()
            else repr(c)
            for c in not_numbers[:5]
        )
        errors.append(
            f"data.columns: {len(not_numbers)} feature column(s) of {where} are not "
            f"numbers: {examples}; {experiment.estimator.path} takes numbers. "
            "Encode them, or leave them out with data.columns = [...]"
        )
    with_nan = [c for c in features if c not in not_numbers and frame[c].isna().any()]
    if with_nan and not _allows_nan(experiment):
        counts = ", ".join(
            f"{c!r} ({int(frame[c].isna().sum())} rows)" for c in with_nan[:5]
        )
        errors.append(
            f"data.path: missing values (empty or NaN) in {where}: {counts}; "
            f"{experiment.estimator.path} does not accept them. Fill or drop those "
            "rows, or leave the columns out with data.columns = [...]"
        )
    if errors:
        raise ExperimentError(errors, str(experiment.source or ""))


def _allows_nan(experiment):
    from sklearn.utils import get_tags

    from .runner import make_estimator

    try:
        return bool(get_tags(make_estimator(experiment)[0]).input_tags.allow_nan)
    except Exception:
        return False


def preflight(experiment, estimator, prefix, X, y):
    """Raise :class:`ExperimentError` listing what would make the fits fail.

    Parameters
    ----------
    experiment : Experiment
    estimator : estimator
        As the searchers get it (a pipeline when ``prefix``).
    prefix : str
        The pipeline prefix of parameter names, "" without a scaler.
    X, y : the data
    """
    from sklearn.base import is_classifier

    errors = []
    classifier = is_classifier(estimator)
    _check_folds(experiment, y, classifier, errors)
    inner = estimator.steps[-1][1] if prefix else estimator
    _check_space(experiment, inner, errors)
    if not errors:
        _quick_fit(experiment, estimator, X, y, classifier, errors)
    if errors:
        raise ExperimentError(errors, str(experiment.source or ""))
