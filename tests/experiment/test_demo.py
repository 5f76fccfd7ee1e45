"""The demo's parts are ordinary experiment files."""

import pytest

from skhp.cli import main
from skhp.experiment import demo, load_experiment
from skhp.experiment.budget import grid_for_budget
from skhp.experiment.catalog import PRESETS, missing_modules


@pytest.mark.parametrize("part", ["lr", "mlp", "llm", "transformer"])
def test_each_part_is_a_valid_experiment_with_the_same_budget(tmp_path, part):
    # Skipped only where the demo itself skips the part: a missing extra or
    # embedded model. Any other mistake in the file fails the test.
    missing, install = missing_modules(PRESETS[demo.PARTS[part][0]], {})
    if missing:
        pytest.skip(f"part {part!r} needs {', '.join(missing)}: {install}")
    path = tmp_path / "e.toml"
    path.write_text(demo.experiment_text(part, budget=30, cv=2))
    exp = load_experiment(path)
    assert [(s.kind, s.n_iter) for s in exp.searchers] == [
        ("grid", 30),
        ("random", 30),
        ("bayes", 30),
    ]
    from sklearn.model_selection import ParameterGrid

    assert 0.5 * 30 <= len(ParameterGrid(grid_for_budget(exp.space, 30))) <= 30


def test_parts_with_missing_extras_are_skipped_with_the_install_command(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(
        demo, "missing_modules", lambda *a: (["torch"], 'pip install "skhp[torch]"')
    )
    code = main(["demo", "--parts", "mlp", "--output", str(tmp_path / "d")])
    err = capsys.readouterr().err
    assert code == 1
    assert "skipping part 'mlp': it needs torch; install with: pip install" in err
    assert "skhp[torch]" in (tmp_path / "d" / "summary.md").read_text()


def test_budget_note_says_what_the_grid_holds(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text(demo.experiment_text("lr", budget=30, cv=2))
    note = demo.budget_note("lr", path, 30)
    assert note.startswith("part lr: budget 30 candidates per searcher; grid: 29 ")
    assert "varies solver, C, penalty, l1_ratio" in note
    assert note.endswith("one value of max_iter, fit_intercept")
