"""Multi-layer perceptrons for tabular data, trained with skorch."""

import numbers

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from skhp._compat import (
    Interval,
    StrOptions,
    fit_context,
    validate_estimator_params,
)
from skhp._optional import import_optional
from skhp.neural.training import (
    CLASSIFIER_CONSTRAINTS,
    REGRESSION_CRITERIA,
    TRAINING_CONSTRAINTS,
    ClassifierSupport,
    NeuralEstimator,
    _softmax,
)

__all__ = ["MLPClassifier", "MLPRegressor"]

ACTIVATION_NAMES = (
    "relu",
    "tanh",
    "logistic",
    "identity",
    "gelu",
    "leaky_relu",
    "elu",
    "silu",
)
MODULE_SETTINGS = (
    "hidden_layer_sizes",
    "width",
    "depth",
    "activation",
    "dropout",
    "batch_norm",
)

MLP_CONSTRAINTS = {
    "hidden_layer_sizes": [
        tuple,
        list,
        Interval(numbers.Integral, 1, None, closed="left"),
    ],
    "width": [Interval(numbers.Integral, 1, None, closed="left"), None],
    "depth": [Interval(numbers.Integral, 0, None, closed="left"), None],
    "activation": [StrOptions(set(ACTIVATION_NAMES))],
    "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
    "batch_norm": ["boolean"],
    **TRAINING_CONSTRAINTS,
}

_DOC_MLP_PARAMETERS = """
    hidden_layer_sizes : tuple of int or int, default=(100,)
        Width of each hidden layer; ``()`` gives a linear model. Also settable
        as ``module__hidden_layer_sizes``.
    width : int, default=None
        When set, every hidden layer has this width (overrides the sizes in
        ``hidden_layer_sizes``). Convenient in a search space.
    depth : int, default=None
        When set, the number of hidden layers, each of size ``width`` or, when
        ``width`` is None, of size ``hidden_layer_sizes[0]``.
    activation : {"relu", "tanh", "logistic", "identity", "gelu", \
"leaky_relu", "elu", "silu"}, default="relu"
        Hidden-layer activation.
    dropout : float, default=0.0
        Dropout probability after each hidden activation.
    batch_norm : bool, default=False
        Put a ``BatchNorm1d`` before each hidden activation."""

_DOC_TRAINING = """
    max_epochs : int, default=20
        Passes over the training data (epochs).
    batch_size : int, default=64
        Samples per mini-batch.
    optimizer : {"sgd", "adam", "adamw", "rmsprop"} or type, default="adam"
        Optimizer name (case-insensitive) or a ``torch.optim.Optimizer``
        subclass; its other arguments are ``optimizer__<name>`` parameters.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    momentum : float, default=None
        Momentum of SGD/RMSprop (None: 0.9 for SGD as in scikit-learn, 0 for
        RMSprop) and ``beta1`` of Adam/AdamW (None: torch's 0.9).
    patience : int, default=None
        Early stopping: stop after this many epochs without improvement of the
        loss on a held-out ``validation_fraction`` of the training data and
        restore the best weights. None trains for ``max_epochs`` on all data.
    validation_fraction : float, default=0.1
        Held-out fraction used when ``patience`` is set.
    lr_schedule : {"constant", "step", "cosine", "exponential", "linear", \
"plateau"}, type or None, default=None
        Learning-rate schedule stepped once per epoch: "step" divides the rate
        by 10 every ``max_epochs // 3`` epochs, "cosine" anneals it to 0 over
        ``max_epochs``, "exponential" multiplies it by 0.9, "linear" decays it
        linearly to 0, "plateau" divides it by 10 after 2 epochs without
        improvement. A ``torch.optim.lr_scheduler`` class is also accepted.
        Override the scheduler's arguments with ``lr_scheduler__<name>``.
        None means constant.
    device : str, default="auto"
        "auto" uses CUDA when available, else the CPU; or any torch device.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split; makes CPU fits reproducible. Torch's global random state is
        left as it was.
    verbose : "auto", bool or int, default="auto"
        Print a table of per-epoch losses. "auto" prints when fitted on its
        own and is quiet inside a search or cross-validation.
    torch_num_threads : int, default=None
        Torch intra-op threads during fit and predict (restored afterwards).
        None leaves torch's setting; joblib already limits threads in the
        worker processes of a search with ``n_jobs``.
    **kwargs
        skorch-style prefixed parameters: ``module__*``, ``optimizer__*``,
        ``criterion__*``, ``lr_scheduler__*``, ``iterator_train__*``,
        ``iterator_valid__*``. They can be tuned like any other parameter."""

_DOC_ATTRIBUTES = """
    net_ : skorch.NeuralNet
        The fitted skorch net (``net_.module_`` is the torch module,
        ``net_.history`` the training history).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when X was a DataFrame with string column names.
    n_iter_ : int
        Epochs run.
    loss_curve_ : list of float
        Mean training loss of each epoch.
    validation_loss_curve_ : list of float
        Validation loss of each epoch (only when ``patience`` is set).
    device_ : str
        Device used for fitting.
    n_params_ : int
        Parameters of the fitted module.
    n_trainable_params_ : int
        Parameters updated during training."""


class _MLPBase(NeuralEstimator):
    _data_module_params = ("n_features", "n_outputs")

    def _module_kwargs(self):
        settings = self._merge(
            "module",
            {name: getattr(self, name) for name in MODULE_SETTINGS},
            {name: name for name in MODULE_SETTINGS},
        )
        unknown = sorted(set(settings) - set(MODULE_SETTINGS))
        if unknown:
            raise ValueError(
                f"module__{unknown[0]} is not a setting of the MLP module; use one "
                f"of {', '.join('module__' + n for n in MODULE_SETTINGS)}."
            )
        overridden = {k: v for k, v in settings.items() if v is not getattr(self, k)}
        if overridden:
            # module__ values bypass __init__; check them with the same rules.
            params = {**self.get_params(deep=False), **overridden}
            validate_estimator_params(type(self)(**params))

        sizes = settings.pop("hidden_layer_sizes")
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        for size in sizes:
            if not isinstance(size, numbers.Integral) or size < 1:
                raise ValueError(
                    f"hidden_layer_sizes={tuple(sizes)!r} must contain positive "
                    f"integers; got {size!r}."
                )
        width, depth = settings.pop("width"), settings.pop("depth")
        if depth is not None:
            if width is None and not sizes and depth > 0:
                raise ValueError(
                    f"depth={depth} needs a layer width: set width or a non-empty "
                    "hidden_layer_sizes."
                )
            sizes = [width if width is not None else sizes[0]] * depth
        elif width is not None:
            sizes = [width] * len(sizes)
        settings["hidden_layer_sizes"] = tuple(int(s) for s in sizes)
        settings["dropout"] = float(settings["dropout"])
        settings["batch_norm"] = bool(settings["batch_norm"])
        return settings

    def _check_X(self, X, reset, y="no_validation", **kwargs):
        torch = import_optional("torch", purpose=type(self).__name__)
        if isinstance(y, str) and y == "no_validation":  # predict
            X = validate_data(self, X, reset=reset, dtype=np.float32)
        else:  # fit: y=None must raise sklearn's "requires y" error
            X, y = validate_data(self, X, y, reset=reset, dtype=np.float32, **kwargs)
        if not X.flags.writeable or not X.flags.c_contiguous:
            X = np.array(X, order="C")
        return torch.from_numpy(X), y

    def _fit_mlp(self, X, y_tensor, n_outputs, criterion, criterion_kwargs, **kw):
        from skhp.neural.batching import TensorData
        from skhp.neural.modules import MLP

        module_kwargs = self._module_kwargs()
        module_kwargs.update(n_features=X.shape[1], n_outputs=n_outputs)
        return self._build_and_fit(
            module=MLP,
            module_kwargs=module_kwargs,
            criterion=criterion,
            criterion_kwargs=criterion_kwargs,
            dataset=TensorData(X, y_tensor),
            **kw,
        )


class MLPClassifier(ClassifierSupport, ClassifierMixin, _MLPBase):
    __doc__ = (
        """Multi-layer perceptron classifier trained with torch through skorch.

    Tune it with GridSearchCV, RandomizedSearchCV or skhp.BayesSearchCV like
    any scikit-learn classifier; every parameter below, and every prefixed
    ``module__``/``optimizer__``/``criterion__`` parameter, can be searched.

    Parameters
    ----------"""
        + _DOC_MLP_PARAMETERS
        + _DOC_TRAINING.replace(
            "    patience :",
            """    criterion : "cross_entropy" or type, default="cross_entropy"
        Loss; a ``torch.nn.Module`` loss class taking logits and int64
        targets is also accepted.
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy loss, in [0, 1).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, keyed by the original labels;
        "balanced" weights them inversely to their frequency.
    patience :""",
            1,
        )
        + """

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, as given in ``y``."""
        + _DOC_ATTRIBUTES
        + """

    See Also
    --------
    MLPRegressor : The regressor counterpart.
    sklearn.neural_network.MLPClassifier : scikit-learn's numpy MLP.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skhp.neural import MLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> search = GridSearchCV(
    ...     MLPClassifier(max_epochs=5, random_state=0),
    ...     {"lr": [1e-3, 1e-2], "module__dropout": [0.0, 0.2]},
    ...     cv=3,
    ... ).fit(X, y)  # doctest: +SKIP
    """
    )

    _parameter_constraints = {**MLP_CONSTRAINTS, **CLASSIFIER_CONSTRAINTS}

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        width=None,
        depth=None,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        max_epochs=20,
        batch_size=64,
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        momentum=None,
        criterion="cross_entropy",
        label_smoothing=0.0,
        class_weight=None,
        patience=None,
        validation_fraction=0.1,
        lr_schedule=None,
        device="auto",
        random_state=None,
        verbose="auto",
        torch_num_threads=None,
        **kwargs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.width = width
        self.depth = depth
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.criterion = criterion
        self.label_smoothing = label_smoothing
        self.class_weight = class_weight
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.lr_schedule = lr_schedule
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.torch_num_threads = torch_num_threads
        self._store_prefixed(kwargs)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data: a numpy array of any numeric dtype or a DataFrame.
        y : array-like of shape (n_samples,)
            Class labels (integers or strings).

        Returns
        -------
        self : MLPClassifier
            The fitted classifier.
        """
        self._check_prefixes()
        X, y = self._check_X(X, reset=True, y=y)
        torch = import_optional("torch")
        y_encoded = self._encode_labels(y)
        criterion, criterion_kwargs = self._criterion_spec(torch, y_encoded)
        return self._fit_mlp(
            X,
            torch.from_numpy(y_encoded),
            len(self.classes_),
            criterion,
            criterion_kwargs,
            net_class=_net_class("NetClassifier"),
            stratify=True,
            net_kwargs={
                "classes": list(range(len(self.classes_))),
                "predict_nonlinearity": _softmax,
            },
        )

    def _model_input(self, X):
        from skhp.neural.batching import TensorData

        X, _ = self._check_X(X, reset=False)
        return TensorData(X)


class MLPRegressor(RegressorMixin, _MLPBase):
    __doc__ = (
        """Multi-layer perceptron regressor trained with torch through skorch.

    Supports one or several targets. Tune it with GridSearchCV,
    RandomizedSearchCV or skhp.BayesSearchCV like any scikit-learn regressor.

    Parameters
    ----------"""
        + _DOC_MLP_PARAMETERS
        + _DOC_TRAINING.replace(
            "    patience :",
            """    criterion : {"mse", "huber", "l1", "smooth_l1", "squared_error", \
"absolute_error"} or type, default="mse"
        Loss ("squared_error" and "absolute_error" are scikit-learn's names
        for "mse" and "l1"); e.g. ``criterion__delta`` sets Huber's delta.
        A ``torch.nn.Module`` loss class is also accepted.
    patience :""",
            1,
        )
        + """

    Attributes
    ----------
    n_outputs_ : int
        Number of targets."""
        + _DOC_ATTRIBUTES
        + """

    See Also
    --------
    MLPClassifier : The classifier counterpart.
    """
    )

    _parameter_constraints = dict(MLP_CONSTRAINTS)

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        width=None,
        depth=None,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        max_epochs=20,
        batch_size=64,
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        momentum=None,
        criterion="mse",
        patience=None,
        validation_fraction=0.1,
        lr_schedule=None,
        device="auto",
        random_state=None,
        verbose="auto",
        torch_num_threads=None,
        **kwargs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.width = width
        self.depth = depth
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.criterion = criterion
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.lr_schedule = lr_schedule
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.torch_num_threads = torch_num_threads
        self._store_prefixed(kwargs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _criterion_spec(self, torch):
        criterion = self.criterion
        if isinstance(criterion, str):
            if criterion not in REGRESSION_CRITERIA:
                names = ", ".join(repr(n) for n in REGRESSION_CRITERIA)
                raise ValueError(
                    f"criterion={criterion!r} is not supported by MLPRegressor; use "
                    f"one of {names} or a torch.nn.Module loss class."
                )
            cls = getattr(torch.nn, REGRESSION_CRITERIA[criterion])
        elif isinstance(criterion, type) and issubclass(criterion, torch.nn.Module):
            cls = criterion
        else:
            raise ValueError(
                f"criterion={criterion!r} is not supported; use one of "
                f"{', '.join(repr(n) for n in REGRESSION_CRITERIA)} or a "
                "torch.nn.Module loss class."
            )
        return cls, self._merge("criterion", {}, {})

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data: a numpy array of any numeric dtype or a DataFrame.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.

        Returns
        -------
        self : MLPRegressor
            The fitted regressor.
        """
        self._check_prefixes()
        X, y = self._check_X(X, reset=True, y=y, multi_output=True, y_numeric=True)
        torch = import_optional("torch")
        y = np.asarray(y, dtype=np.float32)
        y2d = y.reshape(len(y), -1)
        self.n_outputs_ = y2d.shape[1]
        criterion, criterion_kwargs = self._criterion_spec(torch)
        return self._fit_mlp(
            X,
            torch.from_numpy(np.ascontiguousarray(y2d)),
            self.n_outputs_,
            criterion,
            criterion_kwargs,
            net_class=_net_class("NetRegressor"),
            stratify=False,
            net_kwargs={"predict_nonlinearity": None},
        )

    def predict(self, X):
        """Predict target values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predictions (1-d when fitted on a single target).
        """
        from skhp.neural.batching import TensorData

        check_is_fitted(self, "net_")
        X, _ = self._check_X(X, reset=False)
        pred = self._forward(TensorData(X)).astype(np.float64, copy=False)
        return pred.ravel() if self.n_outputs_ == 1 else pred


def _net_class(name):
    import_optional("skorch")
    from skhp.neural import nets

    return getattr(nets, name)
