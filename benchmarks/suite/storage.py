"""Results on disk: one JSON file per searcher label, merged on load.

A file holds ``{"label", "searcher", "kwargs", "runs": {problem: {seed:
run}}}``, a run being what :func:`searchers.run_one` returns plus its
``budget``. Several files may hold the same label (runs split between
machines or sessions: ``random.json``, ``random--part2.json``); they are merged
when loaded, a later file's run replacing an earlier one's for the same problem
and seed.
"""

import json
import os
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def path_for(label, part=None, root=RESULTS):
    """The file a run of ``label`` is written to."""
    name = label if part is None else f"{label}--{part}"
    return Path(root) / f"{name}.json"


def read(path):
    """One results file, or an empty one when it does not exist yet."""
    path = Path(path)
    if not path.exists():
        return None
    with open(path) as fh:
        return json.load(fh)


def write(path, data):
    """Write a results file atomically (a finished run is never half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=None, separators=(",", ":"), sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)


def add_run(path, label, searcher, kwargs, problem, seed, run):
    """Add one run to a results file (created if needed) and save it."""
    data = read(path) or {
        "label": label,
        "searcher": searcher,
        "kwargs": kwargs,
        "runs": {},
    }
    data["runs"].setdefault(problem, {})[str(seed)] = run
    write(path, data)


def load_all(root=RESULTS):
    """Every stored run, merged by label.

    Returns
    -------
    dict
        ``{label: {problem: {seed (int): run}}}``.
    """
    out = {}
    for path in sorted(Path(root).glob("*.json")):
        data = read(path)
        runs = out.setdefault(data["label"], {})
        for problem, by_seed in data["runs"].items():
            for seed, run in by_seed.items():
                runs.setdefault(problem, {})[int(seed)] = run
    return out
