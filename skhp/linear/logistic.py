"""Logistic regression with the classic ``penalty`` parameter, on any scikit-learn.

scikit-learn 1.8 deprecated ``LogisticRegression(penalty=...)`` (removal in
1.10): ``l1_ratio=0`` now means an L2 penalty, ``l1_ratio=1`` L1, values in
between elastic-net, and ``C=np.inf`` no penalty. People still think, and
search, in penalties. :class:`LogisticRegression` here keeps the classic
parameters and translates them for the installed scikit-learn, so a search
over ``penalty`` works without deprecation warnings before and after 1.8.
"""

import numbers

import numpy as np
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression as _SkLogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._compat import SKLEARN_VERSION, Interval, StrOptions, fit_context, parse_version

__all__ = ["PENALTIES", "SOLVERS", "SOLVER_PENALTIES", "LogisticRegression"]

PENALTIES = ("l1", "l2", "elasticnet", "none")
SOLVERS = ("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")

#: Which penalties each solver supports (checked against the installed
#: scikit-learn by the test suite).
SOLVER_PENALTIES = {
    "lbfgs": ("l2", "none"),
    "liblinear": ("l1", "l2"),
    "newton-cg": ("l2", "none"),
    "newton-cholesky": ("l2", "none"),
    "sag": ("l2", "none"),
    "saga": ("l1", "l2", "elasticnet", "none"),
}

_PENALTY_DEPRECATED = SKLEARN_VERSION >= parse_version("1.8")


def sklearn_logistic_params(penalty, C, l1_ratio):
    """Translate classic ``penalty``/``C``/``l1_ratio`` for the installed sklearn.

    Returns the keyword arguments of :class:`sklearn.linear_model.LogisticRegression`
    that mean the same model: ``l1_ratio`` and ``C`` from scikit-learn 1.8 on,
    ``penalty`` before.
    """
    if not _PENALTY_DEPRECATED:
        params = {"penalty": None if penalty == "none" else penalty, "C": C}
        if penalty == "elasticnet":
            params["l1_ratio"] = l1_ratio
        return params
    ratio = {"l1": 1.0, "l2": 0.0, "none": 0.0, "elasticnet": l1_ratio}[penalty]
    return {"C": np.inf if penalty == "none" else C, "l1_ratio": float(ratio)}


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression searched by ``penalty``, on every scikit-learn version.

    A thin wrapper over :class:`sklearn.linear_model.LogisticRegression` that
    keeps the parameters people search over (``penalty``, ``C``, ``solver``,
    ``l1_ratio``, ``max_iter``, ``fit_intercept``) with their classic meaning
    and translates them for the installed scikit-learn (see
    :func:`skhp.presets.logistic_regression` for a ready search space).

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet", "none"}, default="l2"
        The regularisation. "none" fits without one (``C`` is then unused).
    C : float, default=1.0
        Inverse regularisation strength; smaller is stronger.
    l1_ratio : float, default=None
        Elastic-net mixing in [0, 1] (0 is L2, 1 is L1). Required with
        ``penalty="elasticnet"`` and refused with any other penalty.
    solver : {"lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", \
"saga"}, default="lbfgs"
        Optimisation algorithm; each supports some penalties only (see
        ``SOLVER_PENALTIES``). "liblinear" suits small data; "sag" and "saga"
        are fastest on large, standardised data. With three classes or more
        "liblinear" fits one binary model per class (one-vs-rest), as
        scikit-learn itself did before 1.8.
    max_iter : int, default=100
        Maximum number of solver iterations.
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    tol : float, default=1e-4
        Stopping tolerance.
    class_weight : dict or "balanced", default=None
        Class weights, as in scikit-learn.
    random_state : int, RandomState instance or None, default=None
        Used by "sag", "saga" and "liblinear" to shuffle the data.

    Attributes
    ----------
    estimator_ : estimator
        The fitted scikit-learn model (a ``OneVsRestClassifier`` for
        multiclass "liblinear").
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of shape (1,)
        Solver iterations (the most over the one-vs-rest models).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Only when X has string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from skhp.linear import LogisticRegression
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = LogisticRegression(penalty="l1", solver="liblinear", C=0.5).fit(X, y)
    >>> clf.classes_
    array([0, 1])
    """

    _parameter_constraints: dict = {
        "penalty": [StrOptions(set(PENALTIES))],
        "C": [Interval(numbers.Real, 0, None, closed="neither")],
        "l1_ratio": [Interval(numbers.Real, 0, 1, closed="both"), None],
        "solver": [StrOptions(set(SOLVERS))],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "fit_intercept": ["boolean"],
        "tol": [Interval(numbers.Real, 0, None, closed="neither")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        penalty="l2",
        *,
        C=1.0,
        l1_ratio=None,
        solver="lbfgs",
        max_iter=100,
        fit_intercept=True,
        tol=1e-4,
        class_weight=None,
        random_state=None,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.solver = solver
        self.max_iter = max_iter
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.class_weight = class_weight
        self.random_state = random_state

    def _check_combination(self):
        allowed = SOLVER_PENALTIES[self.solver]
        if self.penalty not in allowed:
            good = [s for s, p in SOLVER_PENALTIES.items() if self.penalty in p]
            raise ValueError(
                f"solver={self.solver!r} supports penalty in {allowed}, but got "
                f"penalty={self.penalty!r}. Use one of those penalties, or a solver "
                f"that supports {self.penalty!r}: {good}."
            )
        if self.penalty == "elasticnet" and self.l1_ratio is None:
            raise ValueError(
                "penalty='elasticnet' needs l1_ratio in [0, 1] (0 is L2, 1 is L1), "
                "but got l1_ratio=None."
            )
        if self.penalty != "elasticnet" and self.l1_ratio is not None:
            raise ValueError(
                f"l1_ratio is used only with penalty='elasticnet', but got "
                f"l1_ratio={self.l1_ratio!r} with penalty={self.penalty!r}. Set "
                "l1_ratio=None or penalty='elasticnet'."
            )

    def _make_model(self):
        return _SkLogisticRegression(
            solver=self.solver,
            max_iter=self.max_iter,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            class_weight=self.class_weight,
            random_state=self.random_state,
            **sklearn_logistic_params(self.penalty, self.C, self.l1_ratio),
        )

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        self : LogisticRegression
            The fitted estimator.
        """
        self._check_combination()
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) == 1:
            only = classes[0].item() if hasattr(classes[0], "item") else classes[0]
            raise ValueError(
                "LogisticRegression needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {only!r}."
            )
        model = self._make_model()
        if self.solver == "liblinear" and len(classes) > 2:
            model = self._fit_one_vs_rest(model, X, y, sample_weight)
        elif sample_weight is None:
            model.fit(X, y)
        else:
            model.fit(X, y, sample_weight=sample_weight)
        self.estimator_ = model
        self.classes_ = model.classes_
        self.n_features_in_ = model.n_features_in_
        if hasattr(model, "feature_names_in_"):
            self.feature_names_in_ = model.feature_names_in_
        if isinstance(model, OneVsRestClassifier):
            inner = model.estimators_
            self.coef_ = np.vstack([e.coef_ for e in inner])
            self.intercept_ = np.concatenate(
                [np.atleast_1d(e.intercept_) for e in inner]
            )
            self.n_iter_ = np.array([max(int(np.max(e.n_iter_)) for e in inner)])
        else:
            self.coef_ = model.coef_
            self.intercept_ = model.intercept_
            self.n_iter_ = model.n_iter_
        return self

    def _fit_one_vs_rest(self, model, X, y, sample_weight):
        if self.class_weight is not None:
            # Inside one-vs-rest the inner models see 0/1 labels, so the weights
            # of the original classes are passed on as per-sample weights.
            weights = compute_sample_weight(self.class_weight, y)
            if sample_weight is not None:
                weights = weights * np.asarray(sample_weight, dtype=float)
            sample_weight = weights
            model.set_params(class_weight=None)
        if sample_weight is None:
            return OneVsRestClassifier(model).fit(X, y)
        # OneVsRestClassifier passes sample_weight on through metadata routing.
        with config_context(enable_metadata_routing=True):
            model.set_fit_request(sample_weight=True)
            return OneVsRestClassifier(model).fit(X, y, sample_weight=sample_weight)

    def decision_function(self, X):
        """Signed distance to the decision boundary, per class."""
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def predict(self, X):
        """Predict class labels for X."""
        check_is_fitted(self)
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        """Class probabilities for X, columns ordered as ``classes_``."""
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
