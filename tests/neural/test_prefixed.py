"""Prefixed parameters, one mechanism for every neural estimator (neural.prefixed)."""

import pickle

import pytest
from sklearn.base import clone

from skhp.neural import (
    MLPClassifier,
    MLPRegressor,
    TextClassifier,
    TrainerClassifier,
    TransformerClassifier,
)
from skhp.neural.prefixed import PrefixedParams
from skhp.neural.training import PREFIXES

# Each estimator with one of its prefixed parameters and its prefixes.
CASES = [
    (MLPClassifier, "module__dropout", PREFIXES),
    (MLPRegressor, "optimizer__nesterov", PREFIXES),
    (TextClassifier, "iterator_train__drop_last", PREFIXES),
    (TransformerClassifier, "lr_scheduler__gamma", PREFIXES),
    (TrainerClassifier, "training_args__warmup_steps", ("training_args",)),
]
IDS = [cls.__name__ for cls, _, _ in CASES]


@pytest.mark.parametrize("cls, key, prefixes", CASES, ids=IDS)
def test_every_neural_estimator_shares_the_mechanism(cls, key, prefixes):
    assert issubclass(cls, PrefixedParams)
    assert cls._prefixes == prefixes
    # Nothing of it is defined again below the mixin.
    for name in ("get_params", "set_params", "_prefixed_params", "_store_prefixed"):
        assert getattr(cls, name) is getattr(PrefixedParams, name)


@pytest.mark.parametrize("cls, key, prefixes", CASES, ids=IDS)
def test_prefixed_parameters_survive_clone_and_pickle(cls, key, prefixes):
    est = cls(**{key: 3})
    assert est.get_params(deep=False)[key] == 3
    assert est.get_params(deep=True)[key] == 3
    assert clone(est).get_params() == est.get_params()
    assert pickle.loads(pickle.dumps(est)).get_params() == est.get_params()
    assert key in repr(est)


@pytest.mark.parametrize("cls, key, prefixes", CASES, ids=IDS)
def test_set_params_sets_prefixed_and_plain_names(cls, key, prefixes):
    plain = sorted(cls().get_params(deep=False))[0]
    default = cls().get_params()[plain]
    est = cls().set_params(**{key: 5, plain: default})
    assert getattr(est, key) == 5
    assert est.get_params()[key] == 5
    # Every prefix of the estimator is accepted.
    names = {f"{prefix}__x": 1 for prefix in prefixes}
    assert cls().set_params(**names).get_params().items() >= names.items()


@pytest.mark.parametrize("cls, key, prefixes", CASES, ids=IDS)
@pytest.mark.parametrize("bad", ["foo__bar", "bare_prefix", "plain_typo"])
def test_set_params_refuses_unknown_names(cls, key, prefixes, bad):
    # An unknown prefix, a prefix without a name after it, and an unknown
    # plain name are scikit-learn's "Invalid parameter" at set_params.
    name = {"foo__bar": "foo__bar", "plain_typo": "lrr"}.get(bad, prefixes[0])
    if name in cls().get_params():
        pytest.skip(f"{name!r} is a parameter of {cls.__name__}")
    with pytest.raises(ValueError, match=f"Invalid parameter '{name.split('__')[0]}'"):
        cls().set_params(**{name: 1})
