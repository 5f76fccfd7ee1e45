"""A ready search space for LLM classification, and where to start it."""

from ..space import Categorical, Integer, Real

__all__ = ["llm_classifier", "llm_classifier_initial_points"]


def llm_classifier(*, prompts=None, max_examples=4, prefix=""):
    """Search space for :class:`skhp.llm.LLMClassifier`: prompt and decoding.

    Two branches, by ``decoding``:

    - ``"generate"``: ``temperature`` in [0, 1.5] (0 is greedy), ``top_p``
      in [0.5, 1], ``n_examples`` and ``prompt``;
    - ``"loglik"``: the label with the highest log-likelihood, where
      sampling settings have no effect, so only ``n_examples`` and
      ``prompt``.

    Parameters
    ----------
    prompts : list of str or None, default=None
        Templates to choose from (see ``LLMClassifier(prompt=...)``); None
        stands for the estimator's plain default template and is always
        included. With ``max_examples > 0`` every template needs an
        ``{examples}`` placeholder.
    max_examples : int, default=4
        Largest number of few-shot examples (``n_examples`` from 0 to it);
        0 searches zero-shot prompts only.
    prefix : str, default=""
        Put before every name, for a model inside a Pipeline.

    Returns
    -------
    space : list of dict
        One dict per decoding.

    See Also
    --------
    llm_classifier_initial_points : A known-good first candidate.

    Examples
    --------
    >>> from skhp.presets import llm_classifier
    >>> [branch["decoding"][0] for branch in llm_classifier()]
    ['generate', 'loglik']
    """
    if isinstance(max_examples, bool) or not isinstance(max_examples, int):
        raise ValueError(
            f"`max_examples` must be an integer >= 0, but got "
            f"max_examples={max_examples!r}."
        )
    if max_examples < 0:
        raise ValueError(
            f"`max_examples` must be an integer >= 0, but got "
            f"max_examples={max_examples!r}."
        )
    templates = [None] + [p for p in (prompts or []) if p is not None]
    for p in templates[1:]:
        if not isinstance(p, str) or "{text}" not in p:
            raise ValueError(
                "Each of `prompts` must be a template string with a {text} "
                f"placeholder, but got {p!r}."
            )
        if max_examples and "{examples}" not in p:
            raise ValueError(
                f"With max_examples={max_examples}, each of `prompts` needs an "
                f"{{examples}} placeholder, but {p!r} has none. Add it or set "
                "max_examples=0."
            )
    n_examples = Integer(0, max_examples) if max_examples else Categorical([0])
    common = {"n_examples": n_examples, "prompt": Categorical(templates)}
    branches = [
        {
            "decoding": Categorical(["generate"]),
            "temperature": Real(0.0, 1.5),
            "top_p": Real(0.5, 1.0),
            **common,
        },
        {"decoding": Categorical(["loglik"]), **common},
    ]
    return [{prefix + name: dim for name, dim in b.items()} for b in branches]


def llm_classifier_initial_points(*, prefix=""):
    """Known-good first candidates for :func:`llm_classifier`.

    Greedy decoding (``temperature=0.0``, ``top_p=1.0``) with the plain
    template (``prompt=None``, LLMClassifier's "Choose one label from:
    {labels}. ... Answer:") and no few-shot examples: the defaults of
    :class:`skhp.llm.LLMClassifier`, and Hugging Face transformers' default
    for ``generate`` (``GenerationConfig(do_sample=False)``, i.e. greedy).
    Greedy decoding is deterministic, so the score of this candidate
    measures the prompt, not the sampling luck, and is the baseline any
    sampled or few-shot candidate must beat.

    Parameters
    ----------
    prefix : str, default=""
        The ``prefix`` given to :func:`llm_classifier`.

    Returns
    -------
    points : list of dict
        Candidates of ``llm_classifier()``.

    Examples
    --------
    >>> from skhp.presets import llm_classifier_initial_points
    >>> llm_classifier_initial_points()[0]["temperature"]
    0.0
    """
    point = {
        "decoding": "generate",
        "temperature": 0.0,
        "top_p": 1.0,
        "n_examples": 0,
        "prompt": None,
    }
    return [{prefix + name: value for name, value in point.items()}]
