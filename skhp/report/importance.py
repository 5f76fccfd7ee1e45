"""Which hyperparameters matter: permutation importance of a surrogate forest."""

import numpy as np

from .._optional import import_optional
from .axes import category_label, is_absent, param_scale, sorted_categories
from .frame import as_frame

__all__ = ["parameter_importance"]

# Fewer successful candidates than this cannot tell anything about importance.
_MIN_CANDIDATES = 5


def _encode(frame, params):
    """A float matrix: numbers (log10 on log scales), categories as codes."""
    columns = []
    for param in params:
        values = frame[param]
        scale = param_scale(values)
        if scale == "category":
            code = {label: i for i, label in enumerate(sorted_categories(values))}
            columns.append(
                [
                    np.nan if is_absent(value) else code[category_label(value)]
                    for value in values
                ]
            )
        else:
            numbers = values.to_numpy(dtype=float)
            columns.append(np.log10(numbers) if scale == "log" else numbers)
    return np.asarray(columns, dtype=float).T.reshape(len(frame), len(params))


def importances(results, *, metric=None, n_repeats=10, random_state=0):
    """Mean and standard deviation of each parameter's importance.

    See :func:`parameter_importance`; this also returns the spread over the
    repeats, which the bar chart shows as error bars.
    """
    pd = import_optional("pandas", extra="plot", purpose="results tables")
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.inspection import permutation_importance

    frame = as_frame(results, metric=metric)
    metric = frame.attrs["metric"]
    params = list(frame.attrs["params"])
    if not params:
        raise ValueError(
            "The results have no hyperparameter (every `params` dict is empty), "
            "so there is no importance to compute."
        )
    scores = frame[f"mean_test_{metric}"].to_numpy(dtype=float)
    ok = (frame["status"].to_numpy() == "ok") & np.isfinite(scores)
    if ok.sum() < _MIN_CANDIDATES:
        raise ValueError(
            f"Parameter importance needs at least {_MIN_CANDIDATES} successful "
            f"candidates, but the results have {int(ok.sum())}; run a longer "
            "search (larger `n_iter` or grid)."
        )
    frame = frame[ok]
    X = _encode(frame, params)
    y = scores[ok]
    if np.ptp(y) == 0:
        zeros = pd.Series(0.0, index=params, name="importance")
        return zeros, zeros.rename("std")
    forest = RandomForestRegressor(
        n_estimators=100, random_state=random_state, n_jobs=1
    ).fit(X, y)
    result = permutation_importance(
        forest, X, y, n_repeats=n_repeats, random_state=random_state, n_jobs=1
    )
    mean = pd.Series(
        np.clip(result.importances_mean, 0.0, None), index=params, name="importance"
    )
    std = pd.Series(result.importances_std, index=params, name="std")
    order = mean.sort_values(ascending=False, kind="stable").index
    return mean[order], std[order]


def parameter_importance(results, *, metric=None, n_repeats=10, random_state=0):
    """How much each hyperparameter matters for the score.

    The method: a random forest (scikit-learn's ``RandomForestRegressor``,
    100 trees) is fitted to predict the mean CV score of the successful
    candidates from their hyperparameters (numbers as they are, or their
    log10 when they span more than two decades; categories as ordinal codes;
    a parameter absent from a conditional branch as a missing value). Then
    ``sklearn.inspection.permutation_importance`` shuffles one parameter at
    a time and measures how much the forest's R² drops. A parameter the
    score does not depend on gets an importance near 0; the importances are
    comparable with each other, not with other searches. Negative values
    (noise) are reported as 0.

    Parameters
    ----------
    results : fitted search, dict, DataFrame, or list or dict of these
        As in :func:`results_frame`, or a frame it returned. The candidates
        of several searchers are pooled.
    metric : str, default=None
        The score to explain, for multi-metric results (as in
        :func:`results_frame`).
    n_repeats : int, default=10
        Shuffles per parameter.
    random_state : int, default=0
        Seeds the forest and the shuffles, so that the result is the same
        on every call.

    Returns
    -------
    importance : pandas.Series
        Drop in R² per parameter, indexed by parameter name, largest first.

    Raises
    ------
    ValueError
        When fewer than 5 candidates succeeded, or there is no parameter.
    """
    mean, _ = importances(
        results, metric=metric, n_repeats=n_repeats, random_state=random_state
    )
    return mean
