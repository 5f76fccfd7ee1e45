"""Tiny transformers built offline: a GPT-2 for LLM search, a BERT to fine-tune.

Both are saved with ``save_pretrained`` into a folder, so that skhp's
estimators load them by ``model=<folder>`` through the same code as a model
from the Hugging Face hub. torch, transformers and tokenizers are imported
when a model is built (``pip install "skhp[torch,hf]"``).
"""

import os
import re

import numpy as np

from .._optional import import_optional
from .toy_tasks import (
    TOY_CLASSIFY_PROMPT,
    TOY_EXTRACT_PROMPT,
    TOY_LABELS,
    make_toy_classification,
    make_toy_extraction,
)

__all__ = ["make_tiny_bert", "train_tiny_gpt2"]

_EXAMPLE = "Text: {text}\nAnswer: {label}\n"
_EOS = "<|endoftext|>"
_BERT_SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _corpus(n, rng):
    """``(prompt, answer)`` pairs of both toy tasks, some with few-shot examples."""
    labels = ", ".join(TOY_LABELS)
    texts = []
    Xc, yc = make_toy_classification(n, random_state=int(rng.integers(1 << 30)))
    Xe, ye = make_toy_extraction(n, random_state=int(rng.integers(1 << 30)))
    for template, X, y, extra in (
        (TOY_CLASSIFY_PROMPT, Xc, yc, {"labels": labels}),
        (TOY_EXTRACT_PROMPT, Xe, ye, {}),
    ):
        for i, (text, label) in enumerate(zip(X, y)):
            # A few-shot block on a third of the samples, so that templates with
            # {examples} are in-distribution too.
            k = int(rng.integers(0, 3)) if i % 3 == 0 else 0
            shots = "".join(
                _EXAMPLE.format(text=X[j], label=y[j])
                for j in rng.integers(0, len(X), size=k)
            )
            prompt = template.format(text=text, examples=shots, **extra)
            texts.append((prompt, " " + label + _EOS))
    return texts


def _byte_level_bpe(tokenizers, texts):
    """A GPT-2 style byte-level BPE tokenizer trained on ``texts``."""
    tok = tokenizers.Tokenizer(tokenizers.models.BPE())
    tok.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = tokenizers.decoders.ByteLevel()
    tok.post_processor = tokenizers.processors.ByteLevel(trim_offsets=False)
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=400,
        min_frequency=2,
        show_progress=False,
        special_tokens=[_EOS],
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def train_tiny_gpt2(path, *, steps=300, random_state=0):
    """Train a 2-layer GPT-2 on the toy tasks and save it to ``path``.

    The model learns both prompts of :mod:`skhp.testing` (classification with
    :data:`~skhp.testing.TOY_CLASSIFY_PROMPT`, extraction with
    :data:`~skhp.testing.TOY_EXTRACT_PROMPT`), with and without few-shot
    examples. After the default 300 steps greedy decoding classifies the
    toy task almost perfectly, so decoding settings (temperature, sampling)
    change its accuracy measurably.

    Parameters
    ----------
    path : str or os.PathLike
        Folder to save the model and tokenizer to (``save_pretrained``).
    steps : int, default=300
        Optimizer steps of 32 sequences (about 20 s on one CPU core). A fixed
        count, not a time budget, so the model is the same on any machine.
    random_state : int, default=0
        Seed for data, initialisation and batching (it also seeds torch's
        global generator).

    Returns
    -------
    path : str
        The folder, loadable with ``model=path``.

    Examples
    --------
    >>> from skhp.llm import LLMClassifier
    >>> from skhp.testing import make_toy_classification, train_tiny_gpt2
    >>> path = train_tiny_gpt2("tiny-gpt2")  # doctest: +SKIP
    >>> X, y = make_toy_classification(20, random_state=1)
    >>> LLMClassifier(model=path).fit(X, y).score(X, y)  # doctest: +SKIP
    """
    torch = import_optional("torch", purpose="the tiny GPT-2")
    transformers = import_optional("transformers", purpose="the tiny GPT-2")
    tokenizers = import_optional("tokenizers", purpose="the tiny GPT-2")

    rng = np.random.default_rng(random_state)
    torch.manual_seed(random_state)
    corpus = _corpus(600, rng)

    bpe = _byte_level_bpe(tokenizers, [p + a for p, a in corpus])
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        bos_token=_EOS,
        eos_token=_EOS,
        pad_token=_EOS,
        unk_token=_EOS,
    )
    config = transformers.GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=256,
        n_embd=64,
        n_layer=2,
        n_head=4,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.eos_token_id,
    )
    model = transformers.GPT2LMHeadModel(config)
    model.train()
    optim = torch.optim.AdamW(model.parameters(), lr=3e-3)
    tokenizer.padding_side = "right"
    for _ in range(steps):
        batch = [corpus[i] for i in rng.integers(0, len(corpus), size=32)]
        enc = tokenizer([p + a for p, a in batch], return_tensors="pt", padding=True)
        ids, mask = enc["input_ids"], enc["attention_mask"]
        # The answer is 1-2 of ~30 tokens; weighting it up makes the model
        # learn the task (not just the template) within a few hundred steps.
        weight = mask.float().clone()
        for r, (prompt, _) in enumerate(batch):
            weight[r, len(tokenizer(prompt).input_ids) :] *= 8.0
        logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1]
        nll = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            ids[:, 1:].reshape(-1),
            reduction="none",
        ).view(ids.shape[0], -1)
        w = weight[:, 1:]
        loss = (nll * w).sum() / w.sum()
        optim.zero_grad()
        loss.backward()
        optim.step()
    model.eval()
    os.makedirs(path, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)


def _bert_tokenizer(tokenizers, texts, kind):
    if kind == "wordpiece":
        tok = tokenizers.Tokenizer(tokenizers.models.WordPiece(unk_token="[UNK]"))
    else:
        # Every word of the texts, in a fixed order: no training, so the same
        # texts always give the same vocabulary.
        words = sorted(
            {w for t in texts for w in re.findall(r"\w+|[^\w\s]", t.lower())}
        )
        vocab = {token: i for i, token in enumerate(_BERT_SPECIAL + words)}
        tok = tokenizers.Tokenizer(
            tokenizers.models.WordLevel(vocab, unk_token="[UNK]")
        )
    tok.normalizer = tokenizers.normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    if kind == "wordpiece":
        tok.train_from_iterator(
            texts,
            tokenizers.trainers.WordPieceTrainer(
                vocab_size=300, special_tokens=_BERT_SPECIAL, show_progress=False
            ),
        )
    tok.post_processor = tokenizers.processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[(t, tok.token_to_id(t)) for t in ("[CLS]", "[SEP]")],
    )
    return tok


def make_tiny_bert(
    path,
    texts,
    *,
    tokenizer="wordpiece",
    hidden_size=32,
    num_hidden_layers=2,
    dropout=0.1,
    random_state=0,
):
    """Save a randomly initialised small BERT and a tokenizer built on ``texts``.

    A stand-in for a pretrained encoder that needs no download: a
    ``BertForSequenceClassification`` with 2 attention heads, an
    intermediate size of ``2 * hidden_size`` and 64 positions, and a
    lowercasing BERT tokenizer (``[CLS] text [SEP]``) whose vocabulary comes
    from ``texts``. Since it has learnt nothing before fine-tuning, it shows
    how an estimator works, not how well a pretrained model would do.

    Parameters
    ----------
    path : str or os.PathLike
        Folder to save the model and tokenizer to (``save_pretrained``).
    texts : list of str
        The texts the vocabulary is built from.
    tokenizer : {"wordpiece", "words"}, default="wordpiece"
        ``"wordpiece"``: a WordPiece vocabulary of up to 300 pieces trained on
        ``texts``, which splits unseen words into known pieces (the
        tokenizers library's training may differ by a piece from run to
        run).
        ``"words"``: every word and punctuation mark of ``texts``, in sorted
        order; an unseen word is ``[UNK]``.
    hidden_size : int, default=32
        Width of the model.
    num_hidden_layers : int, default=2
        Number of transformer layers.
    dropout : float, default=0.1
        Dropout of the hidden states and of the attention probabilities
        (0 makes training steps deterministic given the data order).
    random_state : int, default=0
        Seed of the initial weights (it seeds torch's global generator).

    Returns
    -------
    path : str
        The folder, loadable with ``TransformerClassifier(path)``.

    Examples
    --------
    >>> from skhp.neural import TransformerClassifier
    >>> from skhp.testing import make_tiny_bert, make_topic_texts
    >>> X, y = make_topic_texts(40, seed=0)
    >>> path = make_tiny_bert("tiny-bert", X)  # doctest: +SKIP
    >>> TransformerClassifier(path, max_epochs=4).fit(X, y)  # doctest: +SKIP
    """
    if tokenizer not in ("wordpiece", "words"):
        raise ValueError(
            "tokenizer must be 'wordpiece' or 'words', but got "
            f"tokenizer={tokenizer!r}."
        )
    torch = import_optional("torch", purpose="the tiny BERT")
    transformers = import_optional("transformers", purpose="the tiny BERT")
    tokenizers = import_optional("tokenizers", purpose="the tiny BERT")

    tok = _bert_tokenizer(tokenizers, list(texts), tokenizer)
    transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    ).save_pretrained(path)
    config = transformers.BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=hidden_size,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=2,
        intermediate_size=2 * hidden_size,
        max_position_embeddings=64,
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
    )
    torch.manual_seed(random_state)
    transformers.BertForSequenceClassification(config).save_pretrained(path)
    return str(path)
