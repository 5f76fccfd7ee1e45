"""Fine-tuning with Hugging Face's ``Trainer``, tuned by TrainingArguments' names."""

import contextlib
import copy
import dataclasses
import difflib
import numbers
import os
import random
import shutil
import tempfile

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from skhp._compat import HasMethods, Interval, StrOptions, fit_context, param_names
from skhp._optional import import_optional
from skhp._text_input import check_texts, text_input_tags
from skhp._torch_threads import torch_threads
from skhp.neural.prefixed import PrefixedParams
from skhp.neural.progress import resolve_verbose
from skhp.neural.training import ClassifierSupport
from skhp.neural.transformers import (
    _MODULE_SETTINGS,
    LORA_CONSTRAINTS,
    ensure_pad_token,
)

__all__ = ["TrainerClassifier"]

PREFIX = "training_args__"

#: Plain parameters passed to ``TrainingArguments`` under the same name.
TRAINING_ARGUMENTS = (
    "learning_rate",
    "num_train_epochs",
    "per_device_train_batch_size",
    "per_device_eval_batch_size",
    "optim",
    "lr_scheduler_type",
    "warmup_ratio",
    "weight_decay",
    "gradient_accumulation_steps",
    "seed",
)

#: TrainingArguments fields set from other parameters of the estimator.
_OWN_FIELDS = {
    "output_dir": "output_dir",
    "label_smoothing_factor": "label_smoothing_factor",
    "disable_tqdm": "verbose",
}

LOSSES = ("cross_entropy", "class_weighted")


def _did_you_mean(name, choices):
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


class TrainerClassifier(
    ClassifierSupport, ClassifierMixin, PrefixedParams, BaseEstimator
):
    """Fine-tune a sequence classifier with Hugging Face's ``Trainer``.

    ``fit`` loads ``AutoModelForSequenceClassification`` and its tokenizer,
    builds ``TrainingArguments`` from the estimator's parameters and runs
    ``transformers.Trainer`` on the training fold. The parameters carry
    TrainingArguments' own names, so a Trainer script's arguments become a
    search space as they are: ``GridSearchCV(TrainerClassifier(),
    {"learning_rate": [2e-5, 5e-5], "optim": ["adamw_torch", "sgd"]})``. Any
    other TrainingArguments field is set with the ``training_args__`` prefix,
    e.g. ``training_args__adam_beta2=0.98`` or ``training_args__max_steps=50``.

    Fitting is quiet inside a search, never reports to a tracking service
    (``report_to="none"``), loads models from local files only and writes its
    output into a temporary folder removed after fit unless ``output_dir``
    is given.

    Parameters
    ----------
    model_name_or_path : str, path-like or None, default=None
        Directory saved with ``save_pretrained`` or a model name already in
        the local Hugging Face cache (nothing is downloaded). None (or
        ``"all-MiniLM-L6-v2"``) fine-tunes the embedded encoder, see
        :func:`skhp.neural.encoders.default_encoder_path`.
    tokenizer : str, path-like or tokenizer, default=None
        Tokenizer name/path or a loaded tokenizer; None loads the tokenizer of
        ``model_name_or_path``.
    max_length : int, default=128
        Maximum sequence length in tokens; longer texts are truncated.
    learning_rate : float, default=5e-5
        Initial learning rate (TrainingArguments).
    num_train_epochs : float, default=3.0
        Passes over the training fold (TrainingArguments).
    per_device_train_batch_size : int, default=8
        Texts per training batch and device (TrainingArguments).
    per_device_eval_batch_size : int, default=8
        Texts per batch in ``predict`` and ``predict_proba``.
    optim : str, default="adamw_torch"
        Optimizer, one of transformers' ``OptimizerNames`` ("adamw_torch",
        "adamw_torch_fused", "adafactor", "sgd", "adagrad", "rmsprop", ...).
    lr_scheduler_type : str, default="linear"
        Learning-rate schedule, one of transformers' ``SchedulerType``
        ("linear", "cosine", "constant", "constant_with_warmup", ...).
    warmup_ratio : float, default=0.0
        Fraction of the training steps with a linear warmup.
    weight_decay : float, default=0.0
        Weight decay (not applied to biases and LayerNorm weights).
    gradient_accumulation_steps : int, default=1
        Batches whose gradients are summed before each optimizer step.
    seed : int, default=42
        Seed set before the classification head is initialised and training
        starts; the global random states are restored after fit.
    loss : {"cross_entropy", "class_weighted"}, default="cross_entropy"
        Cross-entropy, or cross-entropy with "balanced" class weights
        (``n_samples / (n_classes * count)``, as scikit-learn's).
    label_smoothing_factor : float, default=0.0
        Label smoothing of the loss (TrainingArguments' name).
    lora : bool, default=False
        Train LoRA adapters (plus the classification head) instead of all
        weights; the adapters are merged into the model after fit.
    lora_r : int, default=8
        Rank of the LoRA update matrices.
    lora_alpha : float, default=16
        LoRA scaling numerator.
    lora_dropout : float, default=0.0
        Dropout on the LoRA input.
    lora_target_modules : list of str, str or None, default=None
        Modules that get adapters; None uses peft's default.
    freeze_base : bool, default=False
        Train only the classification head (and the adapters with LoRA).
    output_dir : str, path-like or None, default=None
        Where Trainer writes; the fitted model and tokenizer are saved there.
        None uses a temporary folder, removed after fit.
    verbose : "auto", bool or int, default="auto"
        Trainer's progress bar and logs; "auto" is quiet inside a search.
    torch_num_threads : int, default=None
        Torch threads during fit and predict; None leaves torch's setting.
    **kwargs
        ``training_args__<field>`` for any other field of
        ``transformers.TrainingArguments``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    tokenizer_ : transformers tokenizer
        The tokenizer.
    model_ : transformers model
        The fine-tuned ``...ForSequenceClassification`` model, in eval mode.
    n_params_ : int
        Parameters of the model.
    n_trainable_params_ : int
        Parameters updated during training.
    n_steps_ : int
        Optimizer steps taken.
    train_loss_ : float
        Mean training loss reported by Trainer.
    log_history_ : list of dict
        Trainer's ``state.log_history``.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skhp.neural import TrainerClassifier
    >>> search = GridSearchCV(
    ...     TrainerClassifier(num_train_epochs=3),  # all-MiniLM-L6-v2
    ...     {"learning_rate": [2e-5, 5e-5], "optim": ["adamw_torch", "adafactor"]},
    ...     cv=3,
    ... )  # doctest: +SKIP
    """

    _prefixes = ("training_args",)  # PREFIX, for set_params
    _parameter_constraints = {
        "model_name_or_path": [str, os.PathLike, None],
        "tokenizer": [str, os.PathLike, HasMethods(["__call__"]), None],
        "max_length": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "num_train_epochs": [Interval(numbers.Real, 0, None, closed="neither")],
        "per_device_train_batch_size": [
            Interval(numbers.Integral, 1, None, closed="left")
        ],
        "per_device_eval_batch_size": [
            Interval(numbers.Integral, 1, None, closed="left")
        ],
        "optim": [str],
        "lr_scheduler_type": [str],
        "warmup_ratio": [Interval(numbers.Real, 0, 1, closed="left")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "gradient_accumulation_steps": [
            Interval(numbers.Integral, 1, None, closed="left")
        ],
        "seed": [Interval(numbers.Integral, 0, None, closed="left")],
        "loss": [StrOptions(set(LOSSES))],
        "label_smoothing_factor": [Interval(numbers.Real, 0, 1, closed="left")],
        **LORA_CONSTRAINTS,
        "output_dir": [str, os.PathLike, None],
        "verbose": [
            StrOptions({"auto"}),
            "boolean",
            Interval(numbers.Integral, 0, None, closed="left"),
        ],
        "torch_num_threads": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        model_name_or_path=None,
        tokenizer=None,
        max_length=128,
        learning_rate=5e-5,
        num_train_epochs=3.0,
        per_device_train_batch_size=8,
        per_device_eval_batch_size=8,
        optim="adamw_torch",
        lr_scheduler_type="linear",
        warmup_ratio=0.0,
        weight_decay=0.0,
        gradient_accumulation_steps=1,
        seed=42,
        loss="cross_entropy",
        label_smoothing_factor=0.0,
        lora=False,
        lora_r=8,
        lora_alpha=16,
        lora_dropout=0.0,
        lora_target_modules=None,
        freeze_base=False,
        output_dir=None,
        verbose="auto",
        torch_num_threads=None,
        **kwargs,
    ):
        self.model_name_or_path = model_name_or_path
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.learning_rate = learning_rate
        self.num_train_epochs = num_train_epochs
        self.per_device_train_batch_size = per_device_train_batch_size
        self.per_device_eval_batch_size = per_device_eval_batch_size
        self.optim = optim
        self.lr_scheduler_type = lr_scheduler_type
        self.warmup_ratio = warmup_ratio
        self.weight_decay = weight_decay
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.seed = seed
        self.loss = loss
        self.label_smoothing_factor = label_smoothing_factor
        self.lora = lora
        self.lora_r = lora_r
        self.lora_alpha = lora_alpha
        self.lora_dropout = lora_dropout
        self.lora_target_modules = lora_target_modules
        self.freeze_base = freeze_base
        self.output_dir = output_dir
        self.verbose = verbose
        self.torch_num_threads = torch_num_threads
        # Stored as given; the names are checked in fit.
        self._store_prefixed(kwargs)

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__())

    # --- parameters ---------------------------------------------------------

    def _training_arguments(self, transformers, *, quiet, output_dir, use_cuda):
        """The keyword arguments of ``TrainingArguments``, validated."""
        fields = {
            f.name for f in dataclasses.fields(transformers.TrainingArguments) if f.init
        }
        extra = {}
        for key, value in self._prefixed_params().items():
            if not key.startswith(PREFIX):
                guess = _did_you_mean(key, param_names(type(self)))
                raise ValueError(
                    f"{key!r} is not a parameter of TrainerClassifier.{guess} Other "
                    f"TrainingArguments fields take the prefix {PREFIX!r}, e.g. "
                    f"'{PREFIX}{key}'."
                )
            name = key[len(PREFIX) :]
            if name in TRAINING_ARGUMENTS or name in _OWN_FIELDS:
                plain = _OWN_FIELDS.get(name, name)
                fix = f"{plain}={value!r}" if plain == name else f"{plain}=..."
                raise ValueError(
                    f"{key} is set by TrainerClassifier's parameter {plain!r}; "
                    f"use {fix} instead."
                )
            if name not in fields:
                raise ValueError(
                    f"{key}: {name!r} is not a field of transformers "
                    f"{transformers.__version__} TrainingArguments."
                    f"{_did_you_mean(name, fields)}"
                )
            extra[name] = value
        self._check_choice(
            "optim", [o.value for o in transformers.training_args.OptimizerNames]
        )
        self._check_choice(
            "lr_scheduler_type", [s.value for s in transformers.SchedulerType]
        )
        kwargs = {name: getattr(self, name) for name in TRAINING_ARGUMENTS}
        if "warmup_ratio" not in fields:
            # transformers 5 folded warmup_ratio into a fractional warmup_steps.
            ratio = kwargs.pop("warmup_ratio")
            if ratio and "warmup_steps" in extra:
                raise ValueError(
                    f"warmup_ratio={ratio!r} conflicts with {PREFIX}warmup_steps="
                    f"{extra['warmup_steps']!r}; set only one of them."
                )
            if ratio:
                kwargs["warmup_steps"] = float(ratio)
        kwargs.update(
            output_dir=output_dir,
            report_to="none",
            disable_tqdm=quiet,
            save_strategy="no",
            logging_strategy="no" if quiet else "epoch",
            dataloader_pin_memory=use_cuda,
            push_to_hub=False,
        )
        kwargs.update(extra)
        return kwargs

    def _check_choice(self, name, allowed):
        value = getattr(self, name)
        if value not in allowed:
            raise ValueError(
                f"{name}={value!r} is not one of transformers' choices "
                f"{sorted(allowed)!r}.{_did_you_mean(value, allowed)}"
            )

    def _loss_function(self, torch, y_encoded):
        weight = None
        if self.loss == "class_weighted":
            from sklearn.utils.class_weight import compute_class_weight

            weight = torch.as_tensor(
                compute_class_weight(
                    "balanced", classes=np.arange(len(self.classes_)), y=y_encoded
                ),
                dtype=torch.float32,
            )
        smoothing = float(self.label_smoothing_factor)

        def loss(outputs, labels, num_items_in_batch=None):
            logits = outputs["logits"].float()
            w = None if weight is None else weight.to(logits.device)
            if num_items_in_batch is None:
                return torch.nn.functional.cross_entropy(
                    logits, labels, weight=w, label_smoothing=smoothing
                )
            # Summed and divided by the samples of the whole accumulated step,
            # so gradient accumulation equals one larger batch.
            total = torch.nn.functional.cross_entropy(
                logits, labels, weight=w, label_smoothing=smoothing, reduction="sum"
            )
            return total / num_items_in_batch

        return loss

    # --- fit ----------------------------------------------------------------

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fine-tune the model with ``transformers.Trainer``.

        Parameters
        ----------
        X : list, ndarray or pandas Series of str, of shape (n_samples,)
            Raw texts.
        y : array-like of shape (n_samples,)
            Class labels (integers or strings).

        Returns
        -------
        self : TrainerClassifier
            The fitted classifier.
        """
        from sklearn.utils.validation import column_or_1d

        texts = check_texts(X, type(self).__name__)
        if y is None:
            raise ValueError(
                "TrainerClassifier requires y to be passed, but the target y is None."
            )
        y = column_or_1d(y, warn=True)
        check_consistent_length(texts, y)
        torch = import_optional("torch", purpose="TrainerClassifier")
        transformers = import_optional("transformers", purpose="TrainerClassifier")
        import_optional("accelerate", extra="hf", purpose="transformers.Trainer")
        if self.lora:
            import_optional("peft", purpose="LoRA fine-tuning (lora=True)")
        quiet = resolve_verbose(self.verbose) == 0
        scratch = None
        if self.output_dir is None:
            scratch = tempfile.mkdtemp(prefix="skhp-trainer-")
        try:
            args_kwargs = self._training_arguments(
                transformers,
                quiet=quiet,
                output_dir=os.fspath(self.output_dir or scratch),
                use_cuda=torch.cuda.is_available(),
            )
            y_encoded = self._encode_labels(y)
            with (
                torch_threads(torch, self.torch_num_threads),
                _restored_random_states(torch),
                _quiet_transformers(transformers, quiet),
            ):
                self._fit_trainer(torch, transformers, texts, y_encoded, args_kwargs)
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
        return self

    def _fit_trainer(self, torch, transformers, texts, y_encoded, args_kwargs):
        from skhp.neural.encoders import resolve_encoder
        from skhp.neural.modules import SequenceClassifier

        model_path = resolve_encoder(self.model_name_or_path)
        source = self.tokenizer if self.tokenizer is not None else model_path
        if isinstance(source, (str, os.PathLike)):
            tokenizer = transformers.AutoTokenizer.from_pretrained(
                source, local_files_only=True
            )
        else:
            tokenizer = copy.deepcopy(source)  # a pad token may be set on it
        tokenizer = ensure_pad_token(tokenizer, source)
        encoded = tokenizer(texts, truncation=True, max_length=self.max_length)
        dataset = [
            {
                **{key: values[i] for key, values in encoded.items()},
                "labels": int(label),
            }
            for i, label in enumerate(y_encoded)
        ]
        args = transformers.TrainingArguments(**args_kwargs)
        # Seeded before the classification head is initialised, as
        # Trainer(model_init=...) does, so that a fit is reproducible.
        transformers.set_seed(self.seed)
        wrapper = SequenceClassifier(
            model_path,
            n_outputs=len(self.classes_),
            **{name: getattr(self, name) for name in _MODULE_SETTINGS},
            model_kwargs={
                "pad_token_id": tokenizer.pad_token_id,
                "ignore_mismatched_sizes": True,
                "local_files_only": True,
            },
            quiet=args_kwargs["disable_tqdm"],
        )
        model = wrapper.model
        self.n_params_ = sum(p.numel() for p in model.parameters())
        self.n_trainable_params_ = sum(
            p.numel() for p in model.parameters() if p.requires_grad
        )
        trainer = transformers.Trainer(
            model=model,
            args=args,
            train_dataset=dataset,
            data_collator=transformers.DataCollatorWithPadding(tokenizer),
            compute_loss_func=self._loss_function(torch, y_encoded),
        )
        if args.disable_tqdm:
            # With the bar off, Trainer prints its logs (the final train
            # metrics) instead: once per candidate and fold in a search.
            trainer.remove_callback(transformers.trainer_callback.PrinterCallback)
        result = trainer.train()
        if self.output_dir is not None:
            trainer.save_model()
            tokenizer.save_pretrained(args.output_dir)
        model = trainer.model
        if self.lora:
            model = model.merge_and_unload()
        self.model_ = model.eval()
        self.tokenizer_ = tokenizer
        self.n_steps_ = int(result.global_step)
        self.train_loss_ = float(result.training_loss)
        self.log_history_ = list(trainer.state.log_history)

    # --- predict ------------------------------------------------------------

    def _model_input(self, X):
        return check_texts(X, type(self).__name__)

    def _probabilities(self, texts):
        torch = import_optional("torch", purpose="TrainerClassifier")
        device = next(self.model_.parameters()).device
        batch = self.per_device_eval_batch_size
        chunks = []
        with torch_threads(torch, self.torch_num_threads), torch.inference_mode():
            for start in range(0, len(texts), batch):
                inputs = self.tokenizer_(
                    texts[start : start + batch],
                    truncation=True,
                    max_length=self.max_length,
                    padding=True,
                    return_tensors="pt",
                ).to(device)
                logits = self.model_(**inputs).logits
                chunks.append(logits.float().softmax(dim=-1).cpu().numpy())
        return np.concatenate(chunks).astype(np.float64, copy=False)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : list, ndarray or pandas Series of str, of shape (n_samples,)
            Raw texts.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, columns ordered as ``classes_``.
        """
        check_is_fitted(self, "model_")
        return self._probabilities(self._model_input(X))

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``X``, ``y``; labels unseen during fit raise.

        Parameters
        ----------
        X : list, ndarray or pandas Series of str, of shape (n_samples,)
            Test texts.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Accuracy.
        """
        check_is_fitted(self, "model_")
        self._check_known_labels(y)
        return ClassifierMixin.score(self, X, y, sample_weight=sample_weight)

    # --- pickling -----------------------------------------------------------

    def __getstate__(self):
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        model = state.pop("model_", None)
        if model is not None:
            safetensors_torch = import_optional("safetensors.torch")
            tensors = {
                # Cloned: safetensors refuses tensors that share memory.
                name: tensor.detach().cpu().clone().contiguous()
                for name, tensor in model.state_dict().items()
            }
            state["_model_state"] = {
                "config": model.config.to_dict(),
                "weights": safetensors_torch.save(tensors),
            }
        return state

    def __setstate__(self, state):
        saved = state.pop("_model_state", None)
        super().__setstate__(state)
        if saved is not None:
            transformers = import_optional("transformers")
            safetensors_torch = import_optional("safetensors.torch")
            config = dict(saved["config"])
            config = transformers.AutoConfig.for_model(
                config.pop("model_type"), **config
            )
            model = transformers.AutoModelForSequenceClassification.from_config(config)
            model.load_state_dict(safetensors_torch.load(saved["weights"]))
            self.model_ = model.eval()


@contextlib.contextmanager
def _restored_random_states(torch):
    """Trainer seeds Python's, numpy's and torch's global generators: undo it."""
    python_state = random.getstate()
    numpy_state = np.random.get_state()  # noqa: NPY002 (the global one Trainer seeds)
    devices = (
        list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    )
    with torch.random.fork_rng(devices=devices):
        try:
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)  # noqa: NPY002


@contextlib.contextmanager
def _quiet_transformers(transformers, quiet):
    """transformers' warnings and info logs off for the length of a quiet fit."""
    if not quiet:
        yield
        return
    logging = transformers.utils.logging
    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()
    try:
        yield
    finally:
        logging.set_verbosity(verbosity)
