"""Sphinx configuration of the skhp documentation.

Build (CI runs this through tests/test_docs.py; warnings are errors)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

Pages are Markdown (MyST); the API reference is generated from the numpydoc
docstrings by autodoc + numpydoc. Nothing here needs the network: no
intersphinx, no remote images, a theme that ships with its package.
"""

import inspect
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Build from a checkout without installing skhp too.
sys.path.insert(0, str(ROOT))
# autodoc imports skhp.neural / skhp.llm (which import nothing heavy), but be
# sure an accidental model lookup fails fast instead of retrying the hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import skhp  # noqa: E402

project = "skhp"
author = "the skhp developers"
copyright = "the skhp developers"
release = skhp.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "**/__pycache__"]

# MyST: "## Title" headings get anchors, so "page.md#title" links resolve.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# autodoc / numpydoc
# The API pages give :members: and :inherited-members: (e.g. predict_proba
# from skhp's base classes) per class; _skip_foreign_members drops what comes
# from scikit-learn or the standard library.
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # types are in the numpydoc "Parameters" sections
autosummary_generate = False  # the API pages list everything explicitly
numpydoc_show_class_members = False  # autodoc's :members: documents methods
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False


def _skip_foreign_members(app, what, name, obj, skip, options):
    # Methods inherited from scikit-learn or the standard library (get_params,
    # set_fit_request & co. made by metadata routing, Sequence.count, ...) are
    # documented there, and their docstrings point into those projects' docs.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    target = obj.fget if isinstance(obj, property) else obj
    if inspect.isroutine(target) or inspect.isclass(target):
        module = getattr(target, "__module__", None) or ""
        if not (module == "skhp" or module.startswith("skhp.")):
            return True
    return None


def _top_level_exports():
    return [getattr(skhp, n) for n in skhp.__all__ if not n.startswith("_")]


def _skip_reexports(app, what, name, obj, skip, options):
    # skhp.Real is skhp.space.Real: documented once, on the top-level page.
    if what == "module" and app.env.docname != "api/skhp":
        if any(obj is top for top in _top_level_exports()):
            return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_reexports)
    app.connect("autodoc-skip-member", _skip_foreign_members)


html_theme = "furo"
html_title = f"skhp {release}"
html_static_path = []
html_show_sourcelink = False
html_copy_source = False
