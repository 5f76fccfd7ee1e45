import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from skhp.neural import MLPClassifier, MLPRegressor  # noqa: E402

# Estimator name -> {check name: reason}. Empty: with enough epochs for the
# checks' accuracy thresholds, every applicable check passes. TextClassifier
# and TransformerClassifier take strings, which scikit-learn's checks do not
# cover (they skip estimators without 2-d array input); their clone, pickle
# and search behaviour is tested in test_text.py and test_transformers.py.
EXPECTED_FAILURES = {}

ESTIMATORS = [
    MLPClassifier(hidden_layer_sizes=(16,), max_epochs=30, lr=1e-2, verbose=0),
    MLPRegressor(hidden_layer_sizes=(16,), max_epochs=30, lr=1e-2, verbose=0),
]


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=lambda est: EXPECTED_FAILURES.get(type(est).__name__, {}),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
