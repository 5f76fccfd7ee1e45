"""The per-process model registry.

Estimators hold only the *name* of their model. The loaded weights live here,
keyed by backend, model and loading options, so that ``clone``, pickling and a
search over decoding parameters never load or copy weights: every clone in a
process shares one backend instance.
"""

import threading
from collections import Counter

__all__ = ["clear_registry", "get_backend", "load_counts"]

_BACKENDS = {}
_LOCK = threading.Lock()
_LOADS = Counter()


def _backend_class(name):
    if name == "transformers":
        from .backends.transformers import TransformersBackend

        return TransformersBackend
    if name == "openai":
        from .backends.openai import OpenAIBackend

        return OpenAIBackend
    raise ValueError(
        f"The 'backend' parameter must be 'transformers' or 'openai', got {name!r}."
    )


def get_backend(name, model, **options):
    """Return the shared backend for ``model``, loading it on first use.

    Parameters
    ----------
    name : {"transformers", "openai"}
        Backend family.
    model : str or None
        Model name, folder or GGUF file (None: the embedded SmolLM2).
    **options
        Backend loading options (dtype, device, base_url, ...); part of the key.

    Returns
    -------
    backend : skhp.llm.backends.base.Backend
    """
    cls = _backend_class(name)
    model = cls.resolve_model(model)
    key = (name, model, tuple(sorted(options.items())))
    with _LOCK:
        backend = _BACKENDS.get(key)
        if backend is None:
            backend = cls(model, **options)
            _BACKENDS[key] = backend
            _LOADS[key] += 1
        return backend


def load_counts():
    """How many times each registry key was loaded in this process."""
    with _LOCK:
        return dict(_LOADS)


def clear_registry():
    """Forget all loaded models (they are freed once no one else holds them)."""
    with _LOCK:
        _BACKENDS.clear()
        _LOADS.clear()
