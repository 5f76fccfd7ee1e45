"""The examples of docs/results.md run as written."""

import re
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "results.md"


@pytest.mark.slow
def test_results_page_examples_run(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    assert len(blocks) == 9
    monkeypatch.chdir(tmp_path)
    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unconverged solvers at tiny C
        for block in blocks:
            exec(compile(block, str(DOC), "exec"), namespace)
    plt.close("all")
    assert (tmp_path / "convergence.png").exists()
    assert namespace["path"] == Path("report") / "report.md"
    report = (tmp_path / "report" / "report.md").read_text()
    assert "| bayes |" in report or "| **bayes** |" in report
