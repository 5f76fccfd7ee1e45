"""Through a real BayesSearchCV: surrogate queries match the optimiser's model."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.svm import SVC

from skhp import BayesSearchCV, Categorical, Real
from skhp.search.surrogate import BranchSurrogate, predict_score

SPACE = [
    {"kernel": Categorical(["linear"]), "C": Real(1e-3, 1e2, prior="log-uniform")},
    {
        "kernel": Categorical(["rbf"]),
        "C": Real(1e-3, 1e2, prior="log-uniform"),
        "gamma": Real(1e-4, 1e1, prior="log-uniform"),
    },
]


@pytest.fixture(scope="module")
def search():
    X, y = load_iris(return_X_y=True)
    return BayesSearchCV(
        SVC(), SPACE, n_iter=16, n_initial_points=6, cv=3, random_state=0
    ).fit(X, y)


def _branch_rows(search, surrogate):
    params = search.cv_results_["params"]
    return [i for i, p in enumerate(params) if surrogate.contains(p)]


def test_one_surrogate_per_branch_holding_the_evaluations(search):
    surrogates = search.surrogates_
    assert [type(s) for s in surrogates] == [BranchSurrogate, BranchSurrogate]
    assert [list(s.dimensions) for s in surrogates] == [["C"], ["C", "gamma"]]
    assert sum(s.n_observed for s in surrogates) == 16
    res = search.cv_results_
    for surrogate in surrogates:
        rows = _branch_rows(search, surrogate)
        params, scores = surrogate.observed()
        assert len(rows) == len(params)
        assert params == [res["params"][i] for i in rows]
        np.testing.assert_allclose(scores, res["mean_test_score"][rows])


def test_predict_score_matches_the_optimizers_model(search):
    params = search.cv_results_["params"]
    mean, std = predict_score(search, params)
    assert mean.shape == std.shape == (16,)
    for surrogate in search.surrogates_:
        rows = _branch_rows(search, surrogate)
        opt = surrogate.optimizer
        points = [surrogate.encoding.encode(params[i]) for i in rows]
        ref_mean, ref_std = opt.model.predict(
            opt.space.transform(points), return_std=True
        )
        # The model is fitted to warped values; predictions are mapped back.
        unwarp = surrogate.optimizer.warping.inverse_transform
        np.testing.assert_allclose(mean[rows], -unwarp(ref_mean))
        np.testing.assert_allclose(
            std[rows], (unwarp(ref_mean + ref_std) - unwarp(ref_mean - ref_std)) / 2
        )
    # The model follows the cross-validated scores it was told.
    res = search.cv_results_
    assert np.corrcoef(mean, res["mean_test_score"])[0, 1] > 0.8


def test_predict_score_method(search):
    candidate = {"kernel": "rbf", "C": 1.0, "gamma": 0.1}
    mean, std = search.predict_score(candidate)
    ref_mean, ref_std = predict_score(search, [candidate])
    np.testing.assert_allclose(mean, ref_mean)
    np.testing.assert_allclose(std, ref_std)
    with pytest.raises(ValueError, match=r"branch 0 .*unexpected \['gamma'\]"):
        search.predict_score({"kernel": "linear", "C": 1.0, "gamma": 0.1})


def test_displays_from_search(search, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from skhp.explain import PartialDependenceDisplay, SurrogateDisplay

    best_branch = next(s for s in search.surrogates_ if s.contains(search.best_params_))
    display = SurrogateDisplay.from_search(search, "C")
    # The slice goes through the best candidate, on its branch.
    assert display.reference == search.best_params_
    n_on_branch = len(_branch_rows(search, best_branch))
    assert len(display.scatter_.get_offsets()) == n_on_branch
    assert display.ax_.get_xscale() == "log"
    assert display.acq_func == "EI"
    display.figure_.savefig(tmp_path / "surrogate.png")

    pd = PartialDependenceDisplay.from_search(search, ["C", "gamma"])
    rbf = search.surrogates_[1]
    assert len(pd.scatter_.get_offsets()) == len(_branch_rows(search, rbf))
    assert pd.ax_.get_xscale() == pd.ax_.get_yscale() == "log"
    pd.figure_.savefig(tmp_path / "pd.png")

    linear = SurrogateDisplay.from_search(search, "C", branch=0)
    assert len(linear.scatter_.get_offsets()) == search.surrogates_[0].n_observed
    assert set(linear.reference) == {"kernel", "C"}
    plt.close("all")

    with pytest.raises(ValueError, match=r"No branch .* has \['kernel'\] as free"):
        SurrogateDisplay.from_search(search, "kernel")
    with pytest.raises(ValueError, match=r"Branch 0 does not have \['gamma'\]"):
        PartialDependenceDisplay.from_search(search, "gamma", branch=0)
