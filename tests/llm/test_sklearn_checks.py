"""scikit-learn's estimator checks.

LLM estimators take raw text, one string per sample. Most of sklearn's checks
feed numeric 2-d arrays; our ``fit`` rejects those on purpose with a
``ValueError`` that explains that the input must be text (converting numbers to
strings silently would be a hidden fallback). Those checks are listed below as
expected failures, each with its reason; the API checks (cloning, parameters,
``__init__`` only storing arguments, repr, unfitted errors, tags, mixin order,
``y=None``, sparse input) run and pass.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skhp.llm import LLMClassifier, LLMGenerator

_NUMERIC_X = (
    "fits on a numeric 2-d array; LLM estimators take one text per sample and "
    "reject numeric X with a ValueError by design"
)
_EXPECTED = {
    "check_fit_score_takes_y": _NUMERIC_X,
    "check_estimators_overwrite_params": _NUMERIC_X,
    "check_dont_overwrite_parameters": _NUMERIC_X,
    "check_estimators_fit_returns_self": _NUMERIC_X,
    "check_readonly_memmap_input": _NUMERIC_X,
    "check_n_features_in_after_fitting": _NUMERIC_X,
    "check_positive_only_tag_during_fit": _NUMERIC_X,
    "check_estimators_dtypes": _NUMERIC_X,
    "check_dtype_object": _NUMERIC_X,
    "check_estimators_pickle": _NUMERIC_X + " (pickling is tested on text)",
    "check_f_contiguous_array_estimator": _NUMERIC_X,
    "check_dict_unchanged": _NUMERIC_X,
    "check_fit_idempotent": _NUMERIC_X,
    "check_fit_check_is_fitted": _NUMERIC_X,
    "check_n_features_in": _NUMERIC_X + "; text has no n_features_in_",
    "check_fit2d_predict1d": _NUMERIC_X,
    "check_complex_data": "expects sklearn's 'Complex data not supported'; we "
    "reject any non-text X",
    "check_estimators_empty_data_messages": "expects an n_features message for "
    "shape (n, 0); we say that X must hold one text per sample",
    "check_estimators_nan_inf": "NaN/inf cannot occur in text; numeric X is "
    "rejected before any NaN check",
    "check_fit2d_1sample": "expects an n_samples message for numeric 2-d X; we "
    "reject numeric X",
    "check_fit2d_1feature": "expects an n_features message for numeric X; we "
    "reject numeric X",
    "check_classifier_data_not_an_array": _NUMERIC_X,
    "check_classifiers_one_label": _NUMERIC_X,
    "check_classifiers_classes": _NUMERIC_X,
    "check_classifiers_train": _NUMERIC_X,
    "check_classifiers_regression_target": "a continuous y is turned into "
    "label names; numeric X is rejected first",
    "check_supervised_y_2d": _NUMERIC_X,
}


def _expected(estimator):
    return _EXPECTED


@parametrize_with_checks(
    [LLMClassifier(), LLMGenerator()], expected_failed_checks=_expected
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
