"""A real small text-classification task built from Python's own docstrings.

Each sample is the first sentence of the docstring of a public function,
class or method of a standard-library module, and its label is the area of
the standard library the module belongs to (maths, files, networking, text,
time, concurrency). The text ships with every Python (the Python Software
Foundation License allows its use and redistribution), so the task needs no
download; it was written by people, about real topics, and is not separable
by a handful of keywords: on four areas and 80 training sentences a TF-IDF
logistic regression reaches 0.71 test accuracy where the embedded pretrained
encoder, frozen or fine-tuned, reaches 0.84-0.85 (docs/benchmarks.md).

The sentences are read from the running interpreter, so the set changes a
little between Python versions (docstrings are edited between releases); the
benchmarks name the Python version they ran on.
"""

import importlib
import inspect
import re

import numpy as np

__all__ = ["AREAS", "load_stdlib_topics"]

#: Area label -> standard-library modules whose docstrings it gets.
AREAS = {
    "math": ("math", "cmath", "statistics", "fractions", "decimal", "random"),
    "files": (
        "os.path",
        "shutil",
        "pathlib",
        "glob",
        "fnmatch",
        "tempfile",
        "filecmp",
        "zipfile",
        "tarfile",
    ),
    "network": (
        "socket",
        "ssl",
        "http.client",
        "http.server",
        "http.cookies",
        "urllib.request",
        "urllib.parse",
        "smtplib",
        "ftplib",
        "ipaddress",
    ),
    "text": ("string", "re", "textwrap", "difflib", "unicodedata", "html", "codecs"),
    "time": ("datetime", "time", "calendar", "zoneinfo"),
    "concurrency": (
        "threading",
        "multiprocessing",
        "concurrent.futures",
        "queue",
        "subprocess",
        "sched",
    ),
}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def _first_sentence(obj):
    """The docstring's first sentence, or None when it is not prose."""
    doc = inspect.getdoc(obj)
    if not doc:
        return None
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    first_word = paragraph.split(" ")[0]
    if "(" in first_word or "->" in paragraph or "-->" in paragraph:
        return None  # a signature line such as "sin(x) -> float"
    sentence = _SENTENCE_END.split(paragraph)[0]
    if len(sentence.split()) < 4:
        return None
    return sentence


def _documented(module_name):
    """(qualified name, object) of the public callables defined by a module."""
    module = importlib.import_module(module_name)
    package = module.__name__.split(".")[0]
    for name, obj in sorted(vars(module).items()):
        if name.startswith("_") or not callable(obj):
            continue
        owner = getattr(obj, "__module__", None) or module.__name__
        if not owner.lstrip("_").startswith(package):
            continue  # imported from elsewhere (e.g. os.path's "os" names)
        yield f"{module_name}.{name}", obj
        if inspect.isclass(obj):
            for attr, member in sorted(vars(obj).items()):
                if not attr.startswith("_") and callable(member):
                    yield f"{module_name}.{name}.{attr}", member


def _all_sentences():
    """{sentence: (area, qualified name)}, sentences of several areas dropped."""
    found, clashes = {}, set()
    for area, modules in AREAS.items():
        for module_name in modules:
            for qualname, obj in _documented(module_name):
                sentence = _first_sentence(obj)
                if sentence is None:
                    continue
                if sentence in found and found[sentence][0] != area:
                    clashes.add(sentence)
                found.setdefault(sentence, (area, qualname))
    return {s: v for s, v in found.items() if s not in clashes}


def load_stdlib_topics(
    *, areas=None, n_per_class=None, random_state=0, return_names=False
):
    """Docstring sentences of the standard library, labelled by area.

    Parameters
    ----------
    areas : list of str, default=None
        Labels to keep, among :data:`AREAS`; None keeps all six.
    n_per_class : int, default=None
        Samples drawn per area (without replacement); None keeps every
        sentence (the areas are then unbalanced: about 70 to 270 each).
    random_state : int, default=0
        Seeds which sentences are drawn and the order of the samples.
    return_names : bool, default=False
        Also return the qualified name of the object each sentence documents.

    Returns
    -------
    X : list of str
        The sentences.
    y : ndarray of object
        Their areas.
    names : list of str
        Only with ``return_names=True``: e.g. ``"math.cos"``.

    Examples
    --------
    >>> from skhp.experiment.stdlib_topics import load_stdlib_topics
    >>> X, y = load_stdlib_topics(areas=["math", "files"], n_per_class=3)
    >>> len(X), sorted(set(y))
    (6, ['files', 'math'])
    """
    areas = list(AREAS) if areas is None else list(areas)
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        raise ValueError(
            f"areas={unknown!r} are not areas of the standard-library task; use "
            f"some of {list(AREAS)}."
        )
    rng = np.random.RandomState(random_state)
    by_area = {a: [] for a in areas}
    for sentence, (area, name) in sorted(_all_sentences().items()):
        if area in by_area:
            by_area[area].append((sentence, name))
    rows = []
    for area in areas:
        items = by_area[area]
        if n_per_class is not None:
            if n_per_class > len(items):
                raise ValueError(
                    f"n_per_class={n_per_class} is more than the {len(items)} "
                    f"sentences of area {area!r} on this Python; use at most "
                    f"{min(len(v) for v in by_area.values())}."
                )
            picked = rng.choice(len(items), size=n_per_class, replace=False)
            items = [items[i] for i in sorted(picked)]
        rows += [(s, area, n) for s, n in items]
    order = rng.permutation(len(rows))
    X = [rows[i][0] for i in order]
    y = np.array([rows[i][1] for i in order], dtype=object)
    if return_names:
        return X, y, [rows[i][2] for i in order]
    return X, y
