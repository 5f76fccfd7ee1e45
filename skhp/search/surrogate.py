"""What a Bayesian search believes: its surrogate models, queryable.

After :class:`~skhp.BayesSearchCV` has run, each branch of its search space
(one for a plain dict, one per dict of a conditional space) has a surrogate
model of the cross-validated score: a Gaussian process by default. The model
gives, for any candidate, a predicted mean score and an uncertainty (a
standard deviation), i.e. a belief ``P(score | hyperparameters)``, and the
acquisition function built on it says which candidate the search would try
next and why.

:class:`BranchSurrogate` wraps one branch's optimiser and speaks in
parameter dicts and score units (higher is better), where the optimiser
speaks in encoded points and minimises the negated score.
:func:`predict_score` routes candidates of any branch to the right surrogate;
``BayesSearchCV.predict_score`` calls it.

Examples
--------
>>> from sklearn.datasets import load_iris
>>> from sklearn.svm import SVC
>>> from skhp import BayesSearchCV, Real
>>> X, y = load_iris(return_X_y=True)
>>> search = BayesSearchCV(
...     SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")},
...     n_iter=12, cv=3, random_state=0,
... ).fit(X, y)  # doctest: +SKIP
>>> mean, std = search.predict_score([{"C": 0.1}, {"C": 10.0}])  # doctest: +SKIP
"""

import numbers
from collections.abc import Mapping

import numpy as np
from sklearn.exceptions import NotFittedError

from ..space import Categorical
from .optimizer_names import SURROGATE_ACQ_FUNCS

__all__ = ["BranchSurrogate", "predict_score"]


def _describe_keys(names):
    return "[" + ", ".join(repr(n) for n in names) + "]"


class BranchSurrogate:
    """The surrogate model of one branch of a Bayesian search, in score units.

    Parameters
    ----------
    encoding : skhp.search.encoding.BranchEncoding
        How the branch's parameter dicts map to the optimiser's points.
    optimizer : skhp.search.optimizer.SurrogateOptimizer or None
        The branch's optimiser, or None for a branch with no free parameter
        (nothing to model: its one candidate is evaluated once).
    sign : {-1, 1}, default=-1
        Factor from the values told to the optimiser to scores. The search
        tells the negated score (the optimiser minimises), hence -1.

    Attributes
    ----------
    dimensions : dict of str -> Dimension
        The free parameters of the branch, the ones the surrogate models.
    fixed : dict
        The parameters with a single value on this branch.
    names : tuple of str
        Every parameter name of the branch, free and fixed, in the order of
        the search space.

    Examples
    --------
    >>> from skhp import Real
    >>> from skhp.search.encoding import BranchEncoding
    >>> from skhp.search.optimizer import SurrogateOptimizer
    >>> from skhp.search.surrogate import BranchSurrogate
    >>> enc = BranchEncoding({"C": Real(1e-3, 1e3, prior="log-uniform")})
    >>> opt = SurrogateOptimizer(enc.skopt_dimensions(), n_initial_points=3,
    ...                          random_state=0)
    >>> opt.tell([[0.01], [1.0], [100.0]], [-0.6, -0.9, -0.7])
    >>> surrogate = BranchSurrogate(enc, opt)
    >>> surrogate.contains({"C": 3.0})
    True
    >>> mean, std = surrogate.predict([{"C": 1.0}])
    >>> bool(abs(mean[0] - 0.9) < 0.05)
    True
    """

    def __init__(self, encoding, optimizer, sign=-1):
        if sign not in (-1, 1):
            raise ValueError(f"sign must be -1 or 1, but got sign={sign!r}.")
        self.encoding = encoding
        self.optimizer = optimizer
        self.sign = sign

    # -- what the branch is ----------------------------------------------------

    @property
    def dimensions(self):
        """Free parameters, ``{name: Dimension}``."""
        return {name: self.encoding.dimensions[name] for name in self.encoding.free}

    @property
    def fixed(self):
        """Parameters with one value on this branch, ``{name: value}``."""
        return dict(self.encoding.fixed)

    @property
    def names(self):
        """All parameter names of the branch, in the search space's order."""
        return tuple(self.encoding.dimensions)

    @property
    def model_ready(self):
        """Whether a surrogate model has been fitted on this branch."""
        return self.optimizer is not None and self.optimizer.model_ready

    @property
    def n_observed(self):
        """Number of evaluations told to this branch's optimiser."""
        return 0 if self.optimizer is None else self.optimizer.n_told

    def __repr__(self):
        return (
            f"BranchSurrogate(free={list(self.encoding.free)}, "
            f"fixed={self.fixed!r}, n_observed={self.n_observed})"
        )

    def why_not(self, params):
        """Why ``params`` is not a candidate of this branch, or None if it is.

        Parameters
        ----------
        params : dict
            A candidate, ``{name: value}``.

        Returns
        -------
        reason : str or None
            A sentence naming the missing or unexpected keys, or the value
            outside its dimension; None when the branch contains ``params``.
        """
        return self.encoding.why_not(params)

    def contains(self, params):
        """Whether ``params`` is a candidate of this branch.

        It is when it has exactly the branch's parameter names and each value
        lies in its dimension.

        Parameters
        ----------
        params : dict
            A candidate, ``{name: value}``.

        Returns
        -------
        contained : bool
        """
        return self.why_not(params) is None

    # -- what the model says ---------------------------------------------------

    def _check_model(self):
        if self.optimizer is None:
            raise ValueError(
                f"This branch (parameters {_describe_keys(self.names)}) has no free "
                "parameter, so there is no surrogate to query: its one candidate "
                f"{self.fixed!r} was evaluated directly (see cv_results_)."
            )
        if not self.optimizer.model_ready:
            raise NotFittedError(
                "No surrogate has been fitted on this branch (parameters "
                f"{_describe_keys(self.names)}) yet: it has "
                f"{self.n_observed} evaluation(s) and the first model is fitted "
                f"after n_initial_points={self.optimizer.n_initial_points}. Run "
                "the search with a larger n_iter (or fewer n_initial_points)."
            )

    def _points(self, params_list):
        if isinstance(params_list, Mapping):
            params_list = [params_list]
        params_list = list(params_list)
        for params in params_list:
            reason = self.why_not(params)
            if reason is not None:
                raise ValueError(
                    f"{params!r} is not a candidate of this branch (parameters "
                    f"{_describe_keys(self.names)}): {reason}."
                )
        return [self.encoding.encode(p) for p in params_list]

    def _model_inputs(self, params_list):
        self._check_model()
        opt = self.optimizer
        points = self._points(params_list)
        return opt.model, opt.space.transform(points) if points else None

    def predict(self, params_list):
        """Predicted score and its uncertainty at candidates.

        Parameters
        ----------
        params_list : dict or list of dict
            Candidates of this branch.

        Returns
        -------
        mean : ndarray of shape (n_candidates,)
            Predicted score, in the scorer's units (higher is better).
        std : ndarray of shape (n_candidates,)
            Standard deviation of the prediction. For the Gaussian process it
            is the posterior standard deviation of the (noise-free) score,
            mapped back from the warped values the model is fitted to (see
            :meth:`SurrogateOptimizer.predict`); for
            the tree models it is the spread of the trees (or of the
            quantiles for "gbrt").

        Raises
        ------
        ValueError
            If a candidate is not in this branch, or the branch has no free
            parameter.
        sklearn.exceptions.NotFittedError
            If no model has been fitted yet.
        """
        self._check_model()
        points = self._points(params_list)
        if not points:
            return np.empty(0), np.empty(0)
        mean, std = self.optimizer.predict(points)
        return self.sign * mean, std

    def acquisition(self, params_list, acq_func="EI", *, xi=None, kappa=None):
        """Acquisition function at candidates, as the optimiser sees it.

        Higher is better.

        With a Gaussian process the optimiser models warped values (see
        :mod:`skhp.search.warping`): "EI" and its ``xi`` are then in the
        warped units (standardised, so comparable between candidates of one
        search but not a number of score points); "PI" is a probability, the
        same in both; "LCB" is mapped back to score units. Tree surrogates
        model the raw values, so there all three are in score units.

        Parameters
        ----------
        params_list : dict or list of dict
            Candidates of this branch.
        acq_func : {"EI", "PI", "LCB"}, default="EI"
            "EI": expected improvement over the best told so far, plus
            ``xi``. "PI": probability of such an improvement. "LCB": the
            optimiser's lower confidence bound of the negated score, so the
            optimistic (upper) bound of the score (``mean + kappa * std``
            in the modelled units).
        xi : float, default=None
            Improvement asked for by "EI" and "PI", in the modelled units.
            None: the optimiser's (0.01 unless set through
            ``optimizer_kwargs``).
        kappa : float, default=None
            Width of the "LCB" bound. None: the optimiser's (1.96 unless set
            through ``optimizer_kwargs``).

        Returns
        -------
        values : ndarray of shape (n_candidates,)
            The acquisition values, computed by scikit-optimize's functions
            on the optimiser's last model. The search's next candidate
            maximises them (over the whole branch).
        """
        from skopt.acquisition import gaussian_ei, gaussian_lcb, gaussian_pi

        if acq_func not in SURROGATE_ACQ_FUNCS:
            raise ValueError(
                f"acq_func must be one of {list(SURROGATE_ACQ_FUNCS)}, but got "
                f"acq_func={acq_func!r}. (A 'gp_hedge' search mixes the three; "
                "look at them one by one.)"
            )
        model, X = self._model_inputs(params_list)
        if X is None:
            return np.empty(0)
        kwargs = self.optimizer.acq_func_kwargs
        xi = kwargs.get("xi", 0.01) if xi is None else xi
        kappa = kwargs.get("kappa", 1.96) if kappa is None else kappa
        for name, value in (("xi", xi), ("kappa", kappa)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"{name} must be a number, but got {name}={value!r}.")
        y_opt = float(np.min(self.optimizer.y_modelled))
        if acq_func == "EI":
            values = gaussian_ei(X, model, y_opt=y_opt, xi=xi)
        elif acq_func == "PI":
            values = gaussian_pi(X, model, y_opt=y_opt, xi=xi)
        else:
            # skopt's LCB is in the units the model was fitted to (warped
            # values to minimise); map back, then flip to scores.
            values = self.sign * self.optimizer.unwarp(
                gaussian_lcb(X, model, kappa=kappa)
            )
        return np.asarray(values, dtype=float).ravel()

    # -- what was evaluated ----------------------------------------------------

    def observed(self):
        """Candidates told to this branch's optimiser and their scores.

        A candidate whose fits all failed is told a score a bit worse than
        the worst success (so the model steers away from it); that value is
        what appears here.

        Returns
        -------
        params : list of dict
            The candidates, in the order they were told.
        scores : ndarray of shape (n_observed,)
            Their cross-validated scores (higher is better).
        """
        if self.optimizer is None:
            return [], np.empty(0)
        params = [self.encoding.decode(x) for x in self.optimizer.x_told]
        return params, self.sign * self.optimizer.y_told

    def best(self):
        """The best candidate told so far and its score.

        Returns
        -------
        params : dict
        score : float

        Raises
        ------
        ValueError
            If nothing was told to this branch.
        """
        params, scores = self.observed()
        if not params:
            raise ValueError(
                f"Nothing was evaluated on this branch (parameters "
                f"{_describe_keys(self.names)})."
            )
        i = int(np.argmax(scores))
        return params[i], float(scores[i])

    def grid(self, name, n_points=50):
        """Values of one free parameter to draw a curve over.

        Parameters
        ----------
        name : str
            A free parameter of this branch.
        n_points : int, default=50
            Number of values for a Real (log-spaced for a log-uniform prior);
            an Integer gives at most that many distinct whole numbers and a
            Categorical all its choices.

        Returns
        -------
        values : list
        """
        dims = self.dimensions
        if name not in dims:
            raise ValueError(
                f"{name!r} is not a free parameter of this branch; the free "
                f"ones are {_describe_keys(dims)}"
                + (f" ({_describe_keys(self.fixed)} are fixed)." if self.fixed else ".")
            )
        dim = dims[name]
        if isinstance(dim, Categorical):
            return list(dim)
        return dim.grid(n_points)


def check_surrogates(search):
    """The ``surrogates_`` of a fitted Bayesian search, or a clear error."""
    if not hasattr(search, "search_spaces") or not hasattr(search, "n_initial_points"):
        raise TypeError(
            "predict_score needs a skhp.BayesSearchCV: only a Bayesian search "
            f"has a surrogate model, but got a {type(search).__name__}."
        )
    surrogates = getattr(search, "surrogates_", None)
    if surrogates is None:
        raise NotFittedError(
            f"This {type(search).__name__} has no surrogate yet: call fit(X, y) "
            "before querying its model."
        )
    return surrogates


def find_branch(surrogates, params):
    """Index of the first surrogate whose branch contains ``params``.

    Parameters
    ----------
    surrogates : list of BranchSurrogate
        One per branch, as in ``BayesSearchCV.surrogates_``.
    params : dict
        A candidate.

    Returns
    -------
    index : int

    Raises
    ------
    ValueError
        If no branch contains ``params``; the message says, for each branch,
        which keys are missing or unexpected or which value is out of range.
    """
    reasons = []
    for i, surrogate in enumerate(surrogates):
        reason = surrogate.why_not(params)
        if reason is None:
            return i
        reasons.append(
            f"branch {i} (parameters {_describe_keys(surrogate.names)}): {reason}"
        )
    raise ValueError(
        f"No branch of the search space contains {params!r}:\n  "
        + "\n  ".join(reasons)
        + "\nGive every parameter of one branch, each within its dimension."
    )


def predict_score(search, params):
    """Predicted cross-validated score of candidates, with its uncertainty.

    Asks the surrogate model of a fitted :class:`~skhp.BayesSearchCV`, on
    whichever branch of the space contains each candidate.

    Parameters
    ----------
    search : skhp.BayesSearchCV
        A fitted Bayesian search.
    params : dict or list of dict
        One candidate or several, ``{name: value}`` with every parameter of
        one branch (e.g. entries of ``search.cv_results_["params"]``).

    Returns
    -------
    mean : ndarray of shape (n_candidates,)
        Predicted mean score (higher is better), in the units of the metric
        the search optimised.
    std : ndarray of shape (n_candidates,)
        Standard deviation of the prediction.

    Raises
    ------
    TypeError
        If ``search`` is not a Bayesian search.
    sklearn.exceptions.NotFittedError
        If it is not fitted, or the branch of a candidate has no model yet.
    ValueError
        If no branch contains a candidate, or its branch has no free
        parameter.

    Examples
    --------
    >>> mean, std = predict_score(search, {"C": 1.0})  # doctest: +SKIP
    """
    surrogates = check_surrogates(search)
    params_list = [params] if isinstance(params, Mapping) else list(params)
    mean = np.empty(len(params_list))
    std = np.empty(len(params_list))
    groups = {}
    for i, p in enumerate(params_list):
        groups.setdefault(find_branch(surrogates, p), []).append(i)
    for b, rows in groups.items():
        m, s = surrogates[b].predict([params_list[i] for i in rows])
        mean[rows] = m
        std[rows] = s
    return mean, std
