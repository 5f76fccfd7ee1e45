"""Lazy imports of optional dependencies.

Heavy libraries (torch, transformers, dask, ...) are extras. Modules that need one
call :func:`import_optional` inside the function that uses it, so that
``import skhp`` stays fast and works with the core dependencies only.
"""

import importlib

__all__ = ["import_optional"]

# module name -> the extra of skhp that installs it
_EXTRA_OF = {
    "torch": "torch",
    "skorch": "torch",
    "transformers": "hf",
    "tokenizers": "hf",
    "safetensors": "hf",
    "peft": "hf",
    "gguf": "hf",
    "openai": "http",
    "dask": "dask",
    "distributed": "dask",
    "matplotlib": "plot",
    "pandas": "plot",
}


def import_optional(name, *, extra=None, purpose=None):
    """Import an optional dependency or explain how to install it.

    Parameters
    ----------
    name : str
        Module to import, e.g. ``"torch"`` or ``"matplotlib.pyplot"``.
    extra : str, default=None
        The skhp extra that provides it. Looked up from the top-level package
        name when omitted.
    purpose : str, default=None
        What the module is needed for, used in the error message.

    Returns
    -------
    module : module
        The imported module.

    Raises
    ------
    ImportError
        When the module is not installed, naming the ``pip install`` command
        that provides it.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        top = name.split(".")[0]
        extra = extra or _EXTRA_OF.get(top, "all")
        need = f" for {purpose}" if purpose else ""
        raise ImportError(
            f"{top!r} is required{need} but is not installed. "
            f'Install it with: pip install "skhp[{extra}]"'
        ) from exc
