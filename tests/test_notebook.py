"""The example notebook runs in a real Jupyter kernel, bar and plots inline."""

import os
from pathlib import Path

import pytest

NOTEBOOK = (
    Path(__file__).resolve().parents[1] / "docs" / "examples" / "first_search.ipynb"
)


@pytest.mark.slow
def test_first_search_notebook_runs_with_progress_and_inline_plots(monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="needs nbformat (skhp[test])")
    nbclient = pytest.importorskip("nbclient", reason="needs nbclient (skhp[test])")
    pytest.importorskip("ipykernel", reason="needs ipykernel (skhp[test])")
    pytest.importorskip("matplotlib")
    pytest.importorskip("pandas")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    root = str(NOTEBOOK.parents[2])
    # The kernel imports this checkout's skhp, and draws with Jupyter's inline
    # backend (tests/conftest.py sets Agg for this process).
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.delenv("SKHP_PROGRESS", raising=False)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3")
    client.execute(cwd=root)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    # One bar per search; without ipywidgets tqdm draws it as text.
    for name in ("gridsearchcv", "randomizedsearchcv", "bayessearchcv"):
        assert name in text
    assert "8/8" in text
    assert "Winner:" in text or "Tie:" in text
    data = [o.get("data", {}) for o in outputs if "data" in o]
    assert any("text/html" in d for d in data)  # the table
    assert any("image/png" in d for d in data)  # the plot, inline
    assert not [o for o in outputs if o.output_type == "error"]
