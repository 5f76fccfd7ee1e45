"""Heavy dependencies stay optional: ``import skhp`` needs only the core."""

import subprocess
import sys

import pytest

from skhp._optional import import_optional

HEAVY = [
    "skopt",
    "torch",
    "skorch",
    "transformers",
    "peft",
    "dask",
    "distributed",
    "matplotlib",
    "openai",
]


def test_import_skhp_loads_no_heavy_dependency():
    code = (
        "import sys, skhp, skhp.space, skhp.search, skhp.presets, skhp.linear\n"
        "import skhp.report, skhp.journal, skhp.explain\n"
        "import skhp.cli, skhp.testing\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_import_skhp_works_when_heavy_dependencies_are_missing():
    # A finder that refuses the heavy packages, as if they were not installed.
    blocked = [m for m in HEAVY if m != "skopt"]  # skopt is a core dependency
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {blocked!r}:\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import skhp\n"
        "from skhp import BayesSearchCV, Real\n"
        "from sklearn.datasets import load_iris\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "X, y = load_iris(return_X_y=True)\n"
        "BayesSearchCV(LogisticRegression(), {'C': Real(0.1, 10)}, n_iter=3, cv=2)"
        ".fit(X, y)\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_missing_optional_dependency_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r'pip install "skhp\[torch\]"'):
        import_optional("torch", purpose="neural nets")
    # Also the submodule: earlier tests may have imported it already.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(
        ImportError, match=r"'matplotlib' is required for plots.*skhp\[plot\]"
    ):
        import_optional("matplotlib.pyplot", purpose="plots")
