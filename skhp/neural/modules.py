"""Torch modules behind skhp's neural estimators.

This module imports torch at import time; :mod:`skhp.neural` only imports it
from inside ``fit`` so that ``import skhp.neural`` works without torch.
"""

import warnings

import torch
from torch import nn

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "TextCNN",
    "TextEmbeddingBag",
    "TextGRU",
    "SequenceClassifier",
]

# Names follow sklearn's MLP ('logistic', 'identity') plus the usual torch ones.
ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "identity": nn.Identity,
    "gelu": nn.GELU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "silu": nn.SiLU,
}


class MLP(nn.Module):
    """Fully connected network for tabular data.

    Parameters
    ----------
    n_features : int
        Number of input features.
    n_outputs : int
        Number of outputs (classes for a classifier, targets for a regressor).
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer; ``()`` gives a linear model.
    activation : str, default="relu"
        A key of :data:`ACTIVATIONS`.
    dropout : float, default=0.0
        Dropout probability after each hidden activation.
    batch_norm : bool, default=False
        Whether to put a ``BatchNorm1d`` before each hidden activation.
    """

    def __init__(
        self,
        n_features,
        n_outputs,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
    ):
        super().__init__()
        layers = []
        n_in = n_features
        for width in hidden_layer_sizes:
            layers.append(nn.Linear(n_in, width))
            if batch_norm:
                layers.append(nn.BatchNorm1d(width))
            layers.append(ACTIVATIONS[activation]())
            if dropout:
                layers.append(nn.Dropout(dropout))
            n_in = width
        layers.append(nn.Linear(n_in, n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        return self.layers(X)


class TextEmbeddingBag(nn.Module):
    """Mean of token embeddings followed by a linear layer (fastText style).

    Input is a ``(batch, length)`` tensor of token ids where 0 is padding.
    """

    def __init__(self, vocab_size, n_outputs, embedding_dim=64, dropout=0.0):
        super().__init__()
        self.embedding = nn.EmbeddingBag(
            vocab_size, embedding_dim, mode="mean", padding_idx=0
        )
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(embedding_dim, n_outputs)

    def forward(self, X):
        return self.out(self.dropout(self.embedding(X)))


class TextCNN(nn.Module):
    """Token embeddings, one 1-d convolution, max over time, linear output."""

    def __init__(
        self,
        vocab_size,
        n_outputs,
        embedding_dim=64,
        hidden_size=64,
        kernel_size=3,
        dropout=0.0,
    ):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.conv = nn.Conv1d(
            embedding_dim, hidden_size, kernel_size, padding=kernel_size // 2
        )
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, n_outputs)

    def forward(self, X):
        mask = (X != 0).unsqueeze(1)
        h = torch.relu(self.conv(self.embedding(X).transpose(1, 2)))
        h = h[..., : X.shape[1]]
        # Padding positions must not win the max; an all-padding (empty)
        # document then pools to zeros.
        h = h.masked_fill(~mask, float("-inf")).amax(dim=2)
        h = torch.nan_to_num(h, neginf=0.0)
        return self.out(self.dropout(h))


class TextGRU(nn.Module):
    """Token embeddings, a (bidirectional) GRU, masked mean pooling, linear."""

    def __init__(
        self,
        vocab_size,
        n_outputs,
        embedding_dim=64,
        hidden_size=64,
        bidirectional=True,
        dropout=0.0,
    ):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.gru = nn.GRU(
            embedding_dim,
            hidden_size,
            batch_first=True,
            bidirectional=bidirectional,
        )
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size * (2 if bidirectional else 1), n_outputs)

    def forward(self, X):
        mask = (X != 0).unsqueeze(2).to(torch.float32)
        h, _ = self.gru(self.embedding(X))
        pooled = (h * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.out(self.dropout(pooled))


class SequenceClassifier(nn.Module):
    """A Hugging Face sequence-classification model returning logits.

    Parameters
    ----------
    model_name_or_path : str or path-like
        Passed to ``AutoModelForSequenceClassification.from_pretrained``.
    n_outputs : int
        Number of classes; the classification head is (re)initialised to it.
    lora : bool, default=False
        Wrap the model with a peft LoRA adapter.
    lora_r, lora_alpha, lora_dropout, lora_target_modules
        LoRA settings, see :class:`skhp.neural.TransformerClassifier`.
    freeze_base : bool, default=False
        Freeze every parameter of the base model; only the classification head
        (and the LoRA adapters, when ``lora=True``) are trained.
    model_kwargs : dict, default=None
        Extra keyword arguments for ``from_pretrained``.
    quiet : bool, default=False
        Silence transformers' load report and progress bars while loading.
    """

    def __init__(
        self,
        model_name_or_path,
        n_outputs,
        lora=False,
        lora_r=8,
        lora_alpha=16,
        lora_dropout=0.0,
        lora_target_modules=None,
        freeze_base=False,
        model_kwargs=None,
        quiet=False,
    ):
        super().__init__()
        from transformers import AutoModelForSequenceClassification
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        bars = hf_logging.is_progress_bar_enabled()
        if quiet:
            # The load report (re-initialised head) and progress bars would be
            # printed once per candidate and fold inside a search.
            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
        try:
            model = AutoModelForSequenceClassification.from_pretrained(
                model_name_or_path, num_labels=n_outputs, **(model_kwargs or {})
            )
        finally:
            hf_logging.set_verbosity(verbosity)
            if bars:
                hf_logging.enable_progress_bar()
        if freeze_base:
            head = _classification_head_names(model)
            for name, param in model.named_parameters():
                param.requires_grad = any(name.startswith(h) for h in head)
        if lora:
            import peft

            config = peft.LoraConfig(
                task_type=peft.TaskType.SEQ_CLS,
                r=lora_r,
                lora_alpha=lora_alpha,
                lora_dropout=lora_dropout,
                target_modules=(
                    list(lora_target_modules)
                    if isinstance(lora_target_modules, (list, tuple))
                    else lora_target_modules
                ),
            )
            with warnings.catch_warnings():
                # peft asks transformers a deprecated question; nothing to act on.
                warnings.filterwarnings(
                    "ignore",
                    message=".*is_gradient_checkpointing.*",
                    category=FutureWarning,
                )
                model = peft.get_peft_model(model, config)
        self.model = model

    def forward(self, input_ids, attention_mask=None, **kwargs):
        if attention_mask is not None and not kwargs:
            # The texts are padded to the longest of the whole data set; a
            # batch of shorter ones drops its all-padding columns (about 2x
            # faster on short texts). Masked positions change nothing.
            keep = attention_mask.any(dim=0)
            if not bool(keep.all()):
                input_ids, attention_mask = input_ids[:, keep], attention_mask[:, keep]
        return self.model(
            input_ids=input_ids, attention_mask=attention_mask, **kwargs
        ).logits


def _classification_head_names(model):
    """Parameter-name prefixes of the randomly initialised classification head."""
    # transformers records the head in `_keys_to_ignore_on_save`-free ways that
    # differ by architecture; the common attribute names cover BERT, RoBERTa,
    # DistilBERT, DeBERTa, GPT-2, Llama-style and ELECTRA heads.
    candidates = ("classifier", "score", "pre_classifier", "logits_proj")
    names = tuple(c for c in candidates if hasattr(model, c))
    if not names:
        raise ValueError(
            f"freeze_base=True could not find the classification head of "
            f"{type(model).__name__} (looked for attributes {candidates}); "
            "use freeze_base=False or lora=True instead."
        )
    return names
