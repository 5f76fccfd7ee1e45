"""The examples in skhp's docstrings run and print what they show."""

import doctest
import importlib

import pytest

MODULES = [
    "skhp._text_input",
    "skhp.space.dimensions",
    "skhp.space.conversion",
    "skhp.space.grid",
    "skhp.search.bayes",
    "skhp.search.warping",
    "skhp.linear.logistic",
    "skhp.presets.logistic",
    "skhp.presets.neural",
    "skhp.presets.llm",
    "skhp.experiment.stdlib_topics",
    "skhp.report.frame",
    "skhp.search.surrogate",
    "skhp.search.classic",
    "skhp.journal.store",
    "skhp.journal.lock",
    "skhp.journal.trial",
    "skhp.distributed",
    "skhp.search.pruners",
    "skhp.report.target",
    "skhp.space.skopt_forms",
    "skhp.search.minimize",
    "skhp.testing.toy_tasks",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS
    )
    assert result.attempted > 0 and result.failed == 0
