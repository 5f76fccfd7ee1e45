"""What defines a search, as text, to refuse resuming a study with another one."""

import re

import numpy as np

__all__ = ["SECRET_PARAMS", "describe", "search_fingerprint"]

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

#: Parameters whose values are secrets (credentials): left out of fingerprints,
#: so that they never reach the journal or a JournalMismatchError, and so that
#: changing them (a rotated key) does not block a resume.
SECRET_PARAMS = frozenset({"api_key"})


def describe(value):
    """Stable text for a value: equal values give equal text across runs."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        params = value.get_params(deep=False)
        inner = ", ".join(
            f"{k}={describe(params[k])}"
            for k in sorted(params)
            if k not in SECRET_PARAMS
        )
        return f"{type(value).__module__}.{type(value).__qualname__}({inner})"
    if hasattr(value, "dist") and hasattr(value, "args") and hasattr(value, "kwds"):
        # A frozen scipy.stats distribution: its repr holds a memory address.
        args = ", ".join(describe(a) for a in value.args)
        kwds = ", ".join(f"{k}={describe(v)}" for k, v in sorted(value.kwds.items()))
        return f"scipy.stats.{value.dist.name}({args}; {kwds})"
    if isinstance(value, dict):
        items = ", ".join(
            f"{k!r}: {describe(value[k])}" for k in sorted(value, key=str)
        )
        return "{" + items + "}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(describe(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, np.random.RandomState):
        return "RandomState(...)"
    if isinstance(value, np.ndarray):
        return f"array({value.tolist()!r})"
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '?')}.{value.__qualname__}"
    return _ADDRESS.sub("", repr(value))


def describe_data(data):
    """Shape and content hash of ``(X, y)``."""
    import joblib

    if data is None:
        return "unknown"
    X, y = data
    shape = getattr(X, "shape", None) or (len(X),)
    return f"X of shape {tuple(shape)}, hash {joblib.hash((X, y))}"


def search_fingerprint(search, space, data=None):
    """The parts of a search that give a recorded score its meaning.

    The data, estimator, space, cv and scoring are in; the budget
    (``n_iter``), ``n_jobs``, the random seed and the optimiser's settings
    are left out: changing them and resuming is legitimate.
    """
    return {
        "data": describe_data(data),
        "estimator": describe(search.estimator),
        "space": describe(space),
        "cv": describe(search.cv),
        "scoring": describe(search.scoring),
        "return_train_score": describe(search.return_train_score),
    }
