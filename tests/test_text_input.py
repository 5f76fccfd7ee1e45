"""check_texts: the one validation of raw-text X (neural text models and LLMs)."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from skhp._text_input import check_texts

TEXTS = ["a cat", "a dog", "a fish"]


@pytest.mark.parametrize(
    "X",
    [
        TEXTS,
        tuple(TEXTS),
        np.array(TEXTS),
        np.array(TEXTS, dtype=object),
        np.array(TEXTS)[:, None],
        [[t] for t in TEXTS],
    ],
    ids=["list", "tuple", "str-array", "object-array", "column-array", "nested"],
)
def test_accepted_containers(X):
    texts = check_texts(X, "Est")
    assert texts == TEXTS
    assert all(type(t) is str for t in texts)  # np.str_ becomes str


def test_pandas_containers():
    pd = pytest.importorskip("pandas")
    index = [10, 20, 30]  # not 0..n-1: positions, not labels, are used
    assert check_texts(pd.Series(TEXTS, index=index)) == TEXTS
    assert check_texts(pd.Series(TEXTS, dtype="string")) == TEXTS
    assert check_texts(pd.DataFrame({"text": TEXTS}, index=index)) == TEXTS
    with pytest.raises(ValueError, match=r"X\[1\] is <NA> of type NAType"):
        check_texts(pd.Series(["a", None, "b"], dtype="string"))
    with pytest.raises(
        ValueError,
        match=r"X passed to Est must have one text column, got a DataFrame with 2 "
        r"columns\. Select the text column, e\.g\. X\['text'\]",
    ):
        check_texts(pd.DataFrame({"a": TEXTS, "b": TEXTS}), "Est")


@pytest.mark.parametrize(
    "X", [sp.csr_matrix(np.ones((3, 1))), sp.csr_array(np.ones((3, 1)))]
)
def test_sparse_is_a_type_error(X):
    with pytest.raises(
        TypeError, match="X passed to Est is a sparse csr_.*not supported"
    ):
        check_texts(X, "Est")


@pytest.mark.parametrize(
    "X, match",
    [
        ("one text", r"got a single string; wrap it in a list: \[text\]"),
        (42, "must be an ordered sequence of texts.*got int"),
        (iter(TEXTS), "got list_iterator"),
        (set(TEXTS), "got set"),
        (np.array([["a", "b"], ["c", "d"]]), r"one text per sample.*shape \(2, 2\)"),
        (np.zeros((2, 1, 1)), r"shape \(2, 1, 1\)"),
        (np.array("one text"), r"shape \(\)"),
        ([], r"holds no texts \(0 samples\)"),
        (np.empty((0, 1)), r"\(0 samples\)"),
        (["a", None], r"X\[1\] is None of type NoneType.*fill missing values"),
        ([b"bytes"], r"X\[0\] is b'bytes' of type bytes.*decode"),
        (np.arange(3.0), r"X\[0\] is 0\.0 of type float"),
        (["a", ["b"], "c"], r"X\[1\] is \['b'\] of type list"),
        (["a", list(range(100))], r"X\[1\] is \[0, 1, [0-9, ]+\.\.\. of type list"),
    ],
)
def test_rejected(X, match):
    with pytest.raises(ValueError, match=match):
        check_texts(X, "Est")


@pytest.mark.parametrize(
    "name, prefix",
    [("TextClassifier", "X passed to TextClassifier must"), (None, "X must")],
)
def test_messages_name_the_estimator_when_given(name, prefix):
    with pytest.raises(ValueError) as info:
        check_texts("one text", name)
    assert str(info.value).startswith(prefix)


@pytest.mark.parametrize(
    "name, params",
    [
        ("TextClassifier", {}),
        # X is checked before the model is looked for.
        ("TransformerClassifier", {"model_name_or_path": "/nonexistent"}),
    ],
)
def test_estimators_name_themselves(name, params):
    pytest.importorskip("torch")
    estimator = getattr(pytest.importorskip("skhp.neural"), name)(**params)
    with pytest.raises(ValueError, match=f"X passed to {name} .*wrap it in a list"):
        estimator.fit("one text", ["a"])


def test_llm_estimators_use_it():
    pytest.importorskip("skhp.llm")
    from skhp.llm import LLMClassifier

    with pytest.raises(
        ValueError, match=r"X passed to LLMClassifier .*X\[1\] is None of type NoneType"
    ):
        LLMClassifier().fit(["a", None], ["x", "y"])


def test_imports_no_heavy_dependency():
    code = (
        "import sys, skhp._text_input; "
        "print(sorted({'torch', 'transformers'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
