"""Text classification from raw strings: tokenisation plus a small torch model."""

import numbers

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_consistent_length

from skhp._compat import Interval, StrOptions, fit_context
from skhp._optional import import_optional
from skhp._text_input import check_texts, text_input_tags
from skhp.neural.training import (
    CLASSIFIER_CONSTRAINTS,
    TRAINING_CONSTRAINTS,
    ClassifierSupport,
    NeuralEstimator,
    _softmax,
)

__all__ = ["TextClassifier"]

# Module arguments each architecture takes (besides vocab_size, n_outputs).
_MODEL_SETTINGS = {
    "embedding_bag": ("embedding_dim", "dropout"),
    "cnn": ("embedding_dim", "hidden_size", "kernel_size", "dropout"),
    "gru": ("embedding_dim", "hidden_size", "bidirectional", "dropout"),
}
_MODULE_CLASSES = {
    "embedding_bag": "TextEmbeddingBag",
    "cnn": "TextCNN",
    "gru": "TextGRU",
}
_PAD, _OOV = 0, 1


class TextClassifier(ClassifierSupport, ClassifierMixin, NeuralEstimator):
    """Classifier of raw texts: word/n-gram tokenisation and a small torch net.

    The vocabulary is learnt in ``fit`` (scikit-learn's ``CountVectorizer``
    tokenisation); each text becomes a sequence of token ids fed to an
    embedding-bag (fastText-like), a 1-d CNN or a GRU. Use it alone or as the
    last step of a Pipeline, and tune it with GridSearchCV,
    RandomizedSearchCV or skhp.BayesSearchCV.

    Parameters
    ----------
    model : {"embedding_bag", "cnn", "gru"}, default="embedding_bag"
        Architecture.
    embedding_dim : int, default=64
        Size of the token embeddings.
    hidden_size : int, default=64
        Convolution filters ("cnn") or GRU units ("gru"); not used by
        "embedding_bag".
    dropout : float, default=0.0
        Dropout before the output layer.
    max_features : int, default=None
        Keep only the most frequent tokens; others map to an
        out-of-vocabulary id. None keeps all.
    min_df : int or float, default=1
        Ignore tokens in fewer documents (int) or a smaller fraction of the
        documents (float), as in ``CountVectorizer``.
    ngram_range : tuple of (int, int), default=(1, 1)
        Word n-grams used as tokens.
    lowercase : bool, default=True
        Lowercase before tokenising.
    max_length : int, default=256
        Tokens kept per text (the rest is truncated).
    max_epochs : int, default=20
        Passes over the training data.
    batch_size : int, default=32
        Texts per mini-batch.
    optimizer : {"sgd", "adam", "adamw", "rmsprop"} or type, default="adam"
        Optimizer name or ``torch.optim.Optimizer`` subclass.
    lr : float, default=5e-3
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    momentum : float, default=None
        Momentum of SGD/RMSprop, ``beta1`` of Adam/AdamW; see
        :class:`MLPClassifier`.
    criterion : "cross_entropy" or type, default="cross_entropy"
        Loss, or a ``torch.nn.Module`` loss class.
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy loss.
    class_weight : dict, "balanced" or None, default=None
        Class weights in the loss, keyed by the original labels.
    patience : int, default=None
        Early-stopping patience on a held-out ``validation_fraction``.
    validation_fraction : float, default=0.1
        Held-out fraction used when ``patience`` is set.
    lr_schedule : str, type or None, default=None
        Learning-rate schedule; see :class:`MLPClassifier`.
    device : str, default="auto"
        "auto" uses CUDA when available, else the CPU.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible CPU fits.
    verbose : "auto", bool or int, default="auto"
        Per-epoch table; "auto" is quiet inside a search.
    torch_num_threads : int, default=None
        Torch threads during fit and predict; None leaves torch's setting.
    **kwargs
        Prefixed parameters: ``module__kernel_size`` ("cnn"),
        ``module__bidirectional`` ("gru"), ``optimizer__*``, ``criterion__*``,
        ``lr_scheduler__*``, ``iterator_train__*``, ``iterator_valid__*``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    vectorizer_ : sklearn.feature_extraction.text.CountVectorizer
        The fitted tokeniser; ``vectorizer_.vocabulary_`` maps tokens to ids
        (offset by 2: 0 is padding, 1 out-of-vocabulary).
    net_ : skorch.NeuralNetClassifier
        The fitted skorch net.
    n_iter_ : int
        Epochs run.
    loss_curve_ : list of float
        Training loss per epoch.
    n_params_, n_trainable_params_ : int
        Parameters of the fitted module.

    Examples
    --------
    >>> from skhp.neural import TextClassifier
    >>> texts = ["great match and a late goal", "simmer the sauce with garlic"]
    >>> clf = TextClassifier(max_epochs=5, verbose=False).fit(
    ...     texts, ["sport", "food"])  # doctest: +SKIP
    >>> clf.predict(["the goal keeper"])  # doctest: +SKIP
    """

    _parameter_constraints = {
        "model": [StrOptions(set(_MODEL_SETTINGS))],
        "embedding_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "hidden_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "max_features": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "min_df": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(numbers.Real, 0, 1, closed="both"),
        ],
        "ngram_range": [tuple],
        "lowercase": ["boolean"],
        "max_length": [Interval(numbers.Integral, 1, None, closed="left")],
        **TRAINING_CONSTRAINTS,
        **CLASSIFIER_CONSTRAINTS,
    }
    _data_module_params = ("vocab_size", "n_outputs")

    def __init__(
        self,
        model="embedding_bag",
        embedding_dim=64,
        hidden_size=64,
        dropout=0.0,
        max_features=None,
        min_df=1,
        ngram_range=(1, 1),
        lowercase=True,
        max_length=256,
        max_epochs=20,
        batch_size=32,
        optimizer="adam",
        lr=5e-3,
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
        self.model = model
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.dropout = dropout
        self.max_features = max_features
        self.min_df = min_df
        self.ngram_range = ngram_range
        self.lowercase = lowercase
        self.max_length = max_length
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

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__())

    def _module_kwargs(self):
        plain = ("embedding_dim", "hidden_size", "dropout")
        settings = self._merge(
            "module",
            {name: getattr(self, name) for name in plain},
            {name: name for name in plain},
        )
        known = {name for names in _MODEL_SETTINGS.values() for name in names}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ValueError(
                f"module__{unknown[0]} is not a setting of any TextClassifier model; "
                f"use one of {', '.join('module__' + n for n in sorted(known))}."
            )
        # Settings of the other architectures (e.g. module__kernel_size while
        # model="gru") are not applicable rather than wrong, so that one
        # search space can span several architectures.
        accepted = _MODEL_SETTINGS[self.model]
        return {k: v for k, v in settings.items() if k in accepted}

    def _check_ngram_range(self):
        low_high = self.ngram_range
        if (
            len(low_high) != 2
            or not all(isinstance(n, numbers.Integral) for n in low_high)
            or not 1 <= low_high[0] <= low_high[1]
        ):
            raise ValueError(
                f"ngram_range={low_high!r} must be a tuple (min_n, max_n) of "
                "integers with 1 <= min_n <= max_n, e.g. (1, 2)."
            )

    def _encode_texts(self, texts):
        """Token ids of each text, padded to the longest (at most max_length)."""
        torch = import_optional("torch")
        analyzer = self.vectorizer_.build_analyzer()
        vocabulary = self.vectorizer_.vocabulary_
        # Ids 0 and 1 are reserved for padding and out-of-vocabulary tokens.
        sequences = [
            [
                vocabulary[token] + 2 if token in vocabulary else _OOV
                for token in analyzer(text)
            ][: self.max_length]
            for text in texts
        ]
        length = max(1, max(len(s) for s in sequences))
        ids = np.full((len(sequences), length), _PAD, dtype=np.int64)
        for row, sequence in zip(ids, sequences):
            row[: len(sequence)] = sequence
        return torch.from_numpy(ids)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Learn the vocabulary and train the network.

        Parameters
        ----------
        X : list, ndarray or pandas Series of str, of shape (n_samples,)
            Raw texts (a one-column DataFrame is accepted too).
        y : array-like of shape (n_samples,)
            Class labels (integers or strings).

        Returns
        -------
        self : TextClassifier
            The fitted classifier.
        """
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.utils.validation import column_or_1d

        self._check_prefixes()
        self._check_ngram_range()
        texts = check_texts(X, type(self).__name__)
        if y is None:
            raise ValueError(
                "TextClassifier requires y to be passed, but the target y is None."
            )
        y = column_or_1d(y, warn=True)
        check_consistent_length(texts, y)
        torch = import_optional("torch", purpose="TextClassifier")
        y_encoded = self._encode_labels(y)
        self.vectorizer_ = CountVectorizer(
            lowercase=self.lowercase,
            ngram_range=tuple(self.ngram_range),
            max_features=self.max_features,
            min_df=self.min_df,
        ).fit(texts)
        ids = self._encode_texts(texts)

        from skhp.neural import modules
        from skhp.neural.batching import TensorData

        module_kwargs = self._module_kwargs()
        module_kwargs.update(
            vocab_size=len(self.vectorizer_.vocabulary_) + 2,
            n_outputs=len(self.classes_),
        )
        criterion, criterion_kwargs = self._criterion_spec(torch, y_encoded)
        import_optional("skorch")
        from skhp.neural.nets import NetClassifier

        return self._build_and_fit(
            net_class=NetClassifier,
            module=getattr(modules, _MODULE_CLASSES[self.model]),
            module_kwargs=module_kwargs,
            criterion=criterion,
            criterion_kwargs=criterion_kwargs,
            dataset=TensorData(ids, torch.from_numpy(y_encoded)),
            stratify=True,
            net_kwargs={
                "classes": list(range(len(self.classes_))),
                "predict_nonlinearity": _softmax,
            },
        )

    def _model_input(self, X):
        from skhp.neural.batching import TensorData

        texts = check_texts(X, type(self).__name__)
        return TensorData(self._encode_texts(texts))
