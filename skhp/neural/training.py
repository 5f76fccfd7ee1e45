"""Training hyperparameters shared by skhp's neural estimators.

The estimators are plain scikit-learn ``BaseEstimator`` subclasses that build a
skorch net inside ``fit`` (stored as ``net_``). Keeping skorch out of the
class hierarchy lets ``import skhp.neural`` work without torch and keeps
``get_params``/``clone``/pickling to what scikit-learn knows, while
skorch-style prefixed parameters (``module__dropout``, ``optimizer__nesterov``,
``criterion__delta``, ``lr_scheduler__gamma``, ``iterator_train__drop_last``)
are still accepted by ``__init__``/``set_params`` and can be put in a search
space.
"""

import inspect
import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skhp._compat import Interval, StrOptions
from skhp._optional import import_optional
from skhp._torch_threads import torch_threads
from skhp.neural.prefixed import PrefixedParams
from skhp.neural.progress import resolve_verbose

__all__ = [
    "CLASSIFIER_CONSTRAINTS",
    "LR_SCHEDULES",
    "OPTIMIZERS",
    "PREFIXES",
    "REGRESSION_CRITERIA",
    "TRAINING_CONSTRAINTS",
    "NeuralEstimator",
]

OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"}
CLASSIFICATION_CRITERIA = {"cross_entropy": "CrossEntropyLoss"}
REGRESSION_CRITERIA = {
    "mse": "MSELoss",
    "squared_error": "MSELoss",
    "huber": "HuberLoss",
    "smooth_l1": "SmoothL1Loss",
    "l1": "L1Loss",
    "absolute_error": "L1Loss",
}
LR_SCHEDULES = ("constant", "step", "cosine", "exponential", "linear", "plateau")
PREFIXES = (
    "module",
    "optimizer",
    "criterion",
    "lr_scheduler",
    "iterator_train",
    "iterator_valid",
)

TRAINING_CONSTRAINTS = {
    "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
    "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "optimizer": [str, type],
    "lr": [Interval(numbers.Real, 0, None, closed="neither")],
    "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
    "momentum": [Interval(numbers.Real, 0, 1, closed="left"), None],
    "criterion": [str, type],
    "patience": [Interval(numbers.Integral, 1, None, closed="left"), None],
    "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
    "lr_schedule": [StrOptions(set(LR_SCHEDULES)), type, None],
    "device": [str],
    "random_state": ["random_state"],
    "verbose": [
        StrOptions({"auto"}),
        "boolean",
        Interval(numbers.Integral, 0, None, closed="left"),
    ],
    "torch_num_threads": [Interval(numbers.Integral, 1, None, closed="left"), None],
}

CLASSIFIER_CONSTRAINTS = {
    "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left")],
    "class_weight": [StrOptions({"balanced"}), dict, None],
}


def _softmax(logits):
    """Turn logits into probabilities (skorch ``predict_nonlinearity``)."""
    return logits.softmax(dim=-1)


class NeuralEstimator(PrefixedParams, BaseEstimator):
    """Base class: turns the shared hyperparameters into a skorch net.

    Subclasses define ``__init__`` (listing every parameter, as scikit-learn
    requires) ending with ``self._store_prefixed(kwargs)``, and implement
    ``_module_spec`` and the data preparation.
    """

    _prefixes = PREFIXES
    # Parameters derived from the data, never set by users.
    _data_module_params = ()

    # --- validation helpers -------------------------------------------------

    def _default(self, name):
        return inspect.signature(type(self).__init__).parameters[name].default

    def _is_default(self, name):
        value = getattr(self, name)
        default = self._default(name)
        try:
            return bool(value == default)
        except (TypeError, ValueError):
            return value is default

    def _user_prefixed(self, prefix):
        start = prefix + "__"
        return {
            key[len(start) :]: value
            for key, value in self._prefixed_params().items()
            if key.startswith(start)
        }

    def _check_prefixes(self):
        for key in self._prefixed_params():
            prefix, sep, _ = key.partition("__")
            if not sep:
                raise ValueError(
                    f"{key!r} is not a parameter of {type(self).__name__}; see "
                    "get_params() for the parameters, or use a prefixed name such "
                    f"as 'module__{key}' for the torch module."
                )
            if prefix not in self._prefixes:
                allowed = ", ".join(f"'{p}__'" for p in self._prefixes)
                raise ValueError(
                    f"Parameter {key!r} of {type(self).__name__} has an unknown "
                    f"prefix {prefix!r}; prefixed parameters must start with one "
                    f"of {allowed}."
                )
        for name in self._data_module_params:
            if f"module__{name}" in self._prefixed_params():
                raise ValueError(
                    f"module__{name} is set from the training data by "
                    f"{type(self).__name__}; remove it from the parameters."
                )

    def _merge(self, prefix, derived, sources):
        """Overlay the user's ``prefix__*`` parameters on derived settings.

        ``sources`` maps a derived key to the plain parameter it comes from;
        setting both a non-default plain parameter and its prefixed twin is
        ambiguous and raises.
        """
        merged = dict(derived)
        for key, value in self._user_prefixed(prefix).items():
            source = sources.get(key)
            if source is not None and not self._is_default(source):
                raise ValueError(
                    f"{prefix}__{key}={value!r} conflicts with "
                    f"{source}={getattr(self, source)!r}; set only one of them."
                )
            merged[key] = value
        return merged

    def _resolve_device(self, torch):
        device = self.device
        if device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        try:
            parsed = torch.device(device)
        except RuntimeError as exc:
            raise ValueError(
                f"device={device!r} is not a valid torch device; use 'auto', "
                "'cpu', 'cuda' or 'cuda:<index>'."
            ) from exc
        if parsed.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available "
                "(torch.cuda.is_available() is False); use device='auto' or 'cpu'."
            )
        return device

    def _seed(self):
        if self.random_state is None:
            return None
        if isinstance(self.random_state, numbers.Integral):
            return int(self.random_state)
        return int(check_random_state(self.random_state).randint(2**31 - 1))

    def _optimizer_spec(self, torch):
        """Return the optimizer class and its keyword arguments."""
        optimizer = self.optimizer
        kwargs = {"weight_decay": self.weight_decay}
        sources = {"weight_decay": "weight_decay"}
        if isinstance(optimizer, str):
            key = optimizer.lower()
            if key not in OPTIMIZERS:
                names = ", ".join(repr(n) for n in OPTIMIZERS)
                raise ValueError(
                    f"optimizer={optimizer!r} is not supported; use one of {names} "
                    "or a torch.optim.Optimizer subclass."
                )
            cls = getattr(torch.optim, OPTIMIZERS[key])
            if key in ("sgd", "rmsprop"):
                # sklearn's MLP default momentum for SGD.
                default = 0.9 if key == "sgd" else 0.0
                kwargs["momentum"] = default if self.momentum is None else self.momentum
                sources["momentum"] = "momentum"
            elif self.momentum is not None:
                # Adam's beta1 is its momentum coefficient.
                kwargs["betas"] = (self.momentum, 0.999)
                sources["betas"] = "momentum"
        elif isinstance(optimizer, type) and issubclass(
            optimizer, torch.optim.Optimizer
        ):
            cls = optimizer
            accepted = inspect.signature(cls.__init__).parameters
            if "weight_decay" not in accepted:
                if self.weight_decay:
                    raise ValueError(
                        f"weight_decay={self.weight_decay!r} was given but "
                        f"{cls.__name__} takes no weight_decay; use weight_decay=0."
                    )
                del kwargs["weight_decay"]
            if self.momentum is not None:
                if "momentum" not in accepted:
                    raise ValueError(
                        f"momentum={self.momentum!r} was given but {cls.__name__} "
                        "takes no momentum; use momentum=None."
                    )
                kwargs["momentum"] = self.momentum
                sources["momentum"] = "momentum"
        else:
            raise ValueError(
                f"optimizer={optimizer!r} is not supported; use one of "
                f"{', '.join(repr(n) for n in OPTIMIZERS)} or a "
                "torch.optim.Optimizer subclass."
            )
        return cls, self._merge("optimizer", kwargs, sources)

    def _callbacks(self, skorch, torch, *, has_valid, verbose):
        callbacks = []
        if self.patience is not None:
            callbacks.append(
                (
                    "early_stopping",
                    skorch.callbacks.EarlyStopping(
                        monitor="valid_loss",
                        patience=self.patience,
                        load_best=True,
                        sink=print if verbose else _silent,
                    ),
                )
            )
        schedule = self.lr_schedule
        if schedule is None or schedule == "constant":
            if self._user_prefixed("lr_scheduler"):
                raise ValueError(
                    "lr_scheduler__* parameters were given but lr_schedule="
                    f"{schedule!r}; set lr_schedule to one of "
                    f"{', '.join(repr(s) for s in LR_SCHEDULES[1:])}."
                )
            return callbacks
        sched = torch.optim.lr_scheduler
        epochs = self.max_epochs
        if schedule == "step":
            policy, kwargs = sched.StepLR, {"step_size": max(1, epochs // 3)}
        elif schedule == "cosine":
            policy, kwargs = sched.CosineAnnealingLR, {"T_max": epochs}
        elif schedule == "exponential":
            policy, kwargs = sched.ExponentialLR, {"gamma": 0.9}
        elif schedule == "linear":
            policy = sched.LinearLR
            kwargs = {"start_factor": 1.0, "end_factor": 0.0, "total_iters": epochs}
        elif schedule == "plateau":
            policy, kwargs = sched.ReduceLROnPlateau, {"patience": 2}
        else:
            policy, kwargs = schedule, {}
        kwargs = self._merge("lr_scheduler", kwargs, {})
        monitor = "valid_loss" if has_valid else "train_loss"
        callbacks.append(
            (
                "lr_scheduler",
                skorch.callbacks.LRScheduler(policy=policy, monitor=monitor, **kwargs),
            )
        )
        return callbacks

    def _build_and_fit(
        self,
        *,
        net_class,
        module,
        module_kwargs,
        criterion,
        criterion_kwargs,
        dataset,
        stratify,
        net_kwargs=None,
    ):
        """Create the skorch net, fit it on ``dataset`` and set ``net_``."""
        torch = import_optional("torch")
        skorch = import_optional("skorch")
        from skhp.neural.batching import HoldoutSplit, TensorBatches

        seed = self._seed()
        verbose = resolve_verbose(self.verbose)
        device = self._resolve_device(torch)
        optimizer, optimizer_kwargs = self._optimizer_spec(torch)
        has_valid = self.patience is not None
        split = (
            HoldoutSplit(self.validation_fraction, stratify, seed)
            if has_valid
            else None
        )
        iterator_train = {"shuffle": True, **self._user_prefixed("iterator_train")}
        iterator_valid = self._user_prefixed("iterator_valid")
        params = dict(
            module=module,
            criterion=criterion,
            optimizer=optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=TensorBatches,
            iterator_valid=TensorBatches,
            train_split=split,
            callbacks=self._callbacks(
                skorch, torch, has_valid=has_valid, verbose=verbose
            ),
            verbose=verbose,
            device=device,
            **(net_kwargs or {}),
        )
        for prefix, values in (
            ("module", module_kwargs),
            ("criterion", criterion_kwargs),
            ("optimizer", optimizer_kwargs),
            ("iterator_train", iterator_train),
            ("iterator_valid", iterator_valid),
        ):
            params.update({f"{prefix}__{k}": v for k, v in values.items()})
        net = net_class(**params)

        parsed = torch.device(device)
        rng_devices = [parsed.index or 0] if parsed.type == "cuda" else []
        with (
            torch_threads(torch, self.torch_num_threads),
            torch.random.fork_rng(devices=rng_devices),
        ):
            if seed is not None and rng_devices:
                torch.manual_seed(seed)
            elif seed is not None:
                # CPU only: torch.manual_seed would also record a stack trace
                # for lazily seeding CUDA, a measurable cost per fit.
                torch.default_generator.manual_seed(seed)
            net.fit(dataset, y=None)

        self.net_ = net
        self.device_ = device
        history = net.history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        if has_valid:
            self.validation_loss_curve_ = [float(v) for v in history[:, "valid_loss"]]
        elif hasattr(self, "validation_loss_curve_"):
            del self.validation_loss_curve_  # from an earlier fit with patience
        return self

    def _forward(self, data):
        """Run the fitted net on ``data`` and return a numpy array."""
        check_is_fitted(self, "net_")
        torch = import_optional("torch")
        with torch_threads(torch, self.torch_num_threads):
            return self.net_.predict_proba(data)

    @property
    def n_trainable_params_(self):
        """Number of parameters updated by training (``requires_grad``)."""
        check_is_fitted(self, "net_")
        return sum(p.numel() for p in self.net_.module_.parameters() if p.requires_grad)

    @property
    def n_params_(self):
        """Total number of parameters of the fitted module."""
        check_is_fitted(self, "net_")
        return sum(p.numel() for p in self.net_.module_.parameters())


def _silent(*args, **kwargs):
    """Sink that drops early-stopping messages when fitting quietly."""


class ClassifierSupport:
    """Label encoding, probabilities and losses for the neural classifiers."""

    def _encode_labels(self, y):
        from sklearn.preprocessing import LabelEncoder
        from sklearn.utils.multiclass import check_classification_targets

        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; y has "
                f"1 class: {encoder.classes_.tolist()!r}."
            )
        self.classes_ = encoder.classes_
        return encoder.transform(y).astype(np.int64)

    def _criterion_spec(self, torch, y_encoded):
        criterion = self.criterion
        kwargs, sources = {}, {}
        weights = self._class_weights(y_encoded)
        if isinstance(criterion, str):
            if criterion not in CLASSIFICATION_CRITERIA:
                raise ValueError(
                    f"criterion={criterion!r} is not supported by "
                    f"{type(self).__name__}; use 'cross_entropy' or a "
                    "torch.nn.Module loss class."
                )
            cls = getattr(torch.nn, CLASSIFICATION_CRITERIA[criterion])
            kwargs["label_smoothing"] = float(self.label_smoothing)
            sources["label_smoothing"] = "label_smoothing"
            if weights is not None:
                kwargs["weight"] = weights
                sources["weight"] = "class_weight"
        elif isinstance(criterion, type) and issubclass(criterion, torch.nn.Module):
            cls = criterion
            accepted = inspect.signature(cls.__init__).parameters
            for name, param, value in (
                ("label_smoothing", "label_smoothing", self.label_smoothing or None),
                ("weight", "class_weight", weights),
            ):
                if value is None:
                    continue
                if name not in accepted:
                    raise ValueError(
                        f"{param}={getattr(self, param)!r} was given but "
                        f"{cls.__name__} takes no {name!r} argument; reset {param} "
                        "to its default or use criterion='cross_entropy'."
                    )
                kwargs[name] = value
                sources[name] = param
        else:
            raise ValueError(
                f"criterion={criterion!r} is not supported; use 'cross_entropy' or "
                "a torch.nn.Module loss class."
            )
        return cls, self._merge("criterion", kwargs, sources)

    def _class_weights(self, y_encoded):
        if self.class_weight is None:
            return None
        from sklearn.utils.class_weight import compute_class_weight

        torch = import_optional("torch")
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has labels {sorted(unknown, key=str)!r} that are "
                    f"not in y; the classes are {self.classes_.tolist()!r}."
                )
            weight = np.array(
                [float(self.class_weight.get(c, 1.0)) for c in self.classes_]
            )
        else:
            weight = compute_class_weight(
                "balanced", classes=np.arange(len(self.classes_)), y=y_encoded
            )
        return torch.as_tensor(weight, dtype=torch.float32)

    def _check_known_labels(self, y):
        y = np.asarray(y)
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels not seen during fit: {unseen.tolist()!r}; "
                f"{type(self).__name__} was fitted on classes_="
                f"{self.classes_.tolist()!r}. Refit with all labels present."
            )

    def _probabilities(self, data):
        return self._forward(data).astype(np.float64, copy=False)

    def _model_input(self, X):
        """Validate ``X`` and turn it into the net's input data (per estimator)."""
        raise NotImplementedError

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like or list of str
            Samples, as the estimator was fitted on (a 2-d array for the MLP,
            raw texts for the text classifiers).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, columns ordered as ``classes_``.
        """
        check_is_fitted(self, "net_")
        return self._probabilities(self._model_input(X))

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like or list of str
            Samples, as for :meth:`predict_proba`.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels, from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``X``, ``y``; labels unseen during fit raise.

        Parameters
        ----------
        X : array-like or list of str
            Test samples, as for :meth:`predict_proba`.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Accuracy.
        """
        check_is_fitted(self, "net_")
        self._check_known_labels(y)
        return super().score(X, y, sample_weight=sample_weight)
