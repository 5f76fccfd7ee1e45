"""All problems of the suite, the dev/test split and the quick subset."""

import json
from pathlib import Path

import numpy as np

from .problems_bbob import bbob_problems
from .problems_sklearn import sklearn_problems

SPLIT = Path(__file__).resolve().parent / "split.json"
SPLIT_SEED = 2026

# A few problems of each family that run in a few minutes (``--quick``).
QUICK = (
    "bbob_f001_i01_d02",
    "bbob_f008_i01_d02",
    "bbob_f015_i01_d02",
    "bbob_f021_i01_d05",
    "sk_SVM_wine_acc",
    "sk_DT_breast_nll",
    "sk_linear_diabetes_mse",
)


def all_problems():
    """Every problem, by name (BBOB first, then scikit-learn)."""
    return {**bbob_problems(), **sklearn_problems()}


def make_split(problems, seed=SPLIT_SEED):
    """Split problem names at random into two halves, per family.

    Parameters
    ----------
    problems : dict of str -> Problem
    seed : int

    Returns
    -------
    dict
        ``{"seed": seed, "dev": [...], "test": [...]}``, names sorted.
    """
    rng = np.random.default_rng(seed)
    dev, test = [], []
    for family in sorted({p.family for p in problems.values()}):
        names = sorted(n for n, p in problems.items() if p.family == family)
        order = rng.permutation(len(names))
        half = (len(names) + 1) // 2
        dev += [names[i] for i in order[:half]]
        test += [names[i] for i in order[half:]]
    return {"seed": seed, "dev": sorted(dev), "test": sorted(test)}


def load_split(path=SPLIT):
    """The stored split: ``{"dev": set, "test": set}``."""
    with open(path) as fh:
        data = json.load(fh)
    return {"dev": set(data["dev"]), "test": set(data["test"])}
