"""BranchSurrogate and predict_score speak parameter dicts and score units."""

from types import SimpleNamespace

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from skhp import BayesSearchCV, Categorical, Real
from skhp.search.encoding import BranchEncoding
from skhp.search.optimizer import SurrogateOptimizer
from skhp.search.surrogate import BranchSurrogate, predict_score

from .conftest import SPACE, make_surrogate, score_of


def test_dimensions_fixed_and_contains(surrogate):
    assert list(surrogate.dimensions) == ["C", "kernel", "degree"]
    assert surrogate.fixed == {"shrinking": True}
    assert surrogate.names == ("C", "kernel", "degree", "shrinking")
    good = {"C": 3.0, "kernel": "poly", "degree": 2, "shrinking": True}
    assert surrogate.contains(good)
    assert not surrogate.contains({**good, "C": 1e4})
    assert not surrogate.contains({**good, "shrinking": False})
    assert not surrogate.contains({"C": 3.0, "kernel": "poly", "degree": 2})
    assert not surrogate.contains({**good, "gamma": 1.0})
    assert "missing ['shrinking']" in surrogate.why_not(
        {"C": 3.0, "kernel": "poly", "degree": 2}
    )
    assert "C=10000.0 is outside" in surrogate.why_not({**good, "C": 1e4})


def test_observed_are_the_told_points_as_scores(surrogate):
    params, scores = surrogate.observed()
    opt = surrogate.optimizer
    assert len(params) == len(scores) == len(opt.x_told) == 16
    for p, s, x in zip(params, scores, opt.x_told):
        assert surrogate.contains(p)
        assert surrogate.encoding.encode(p) == list(x)
        assert s == pytest.approx(score_of(p))
    # The model is fitted to the warped values.
    warping = surrogate.optimizer.warping
    assert warping.lambda_ != 1.0
    np.testing.assert_allclose(opt.y_modelled, warping.transform(-scores))
    np.testing.assert_allclose(warping.inverse_transform(opt.y_modelled), -scores)
    best, best_score = surrogate.best()
    assert best_score == pytest.approx(max(scores))
    assert score_of(best) == pytest.approx(best_score)


def test_predict_is_the_optimizers_last_model_negated(surrogate):
    params, scores = surrogate.observed()
    mean, std = surrogate.predict(params)
    opt = surrogate.optimizer
    ref_mean, ref_std = opt.model.predict(
        opt.space.transform(opt.x_told), return_std=True
    )
    # The model is fitted to warped values; predictions are mapped back.
    unwarp = surrogate.optimizer.warping.inverse_transform
    np.testing.assert_allclose(mean, -unwarp(ref_mean))
    np.testing.assert_allclose(
        std, (unwarp(ref_mean + ref_std) - unwarp(ref_mean - ref_std)) / 2
    )
    # The Gaussian process nearly interpolates a noise-free surface.
    np.testing.assert_allclose(mean, scores, atol=0.05)
    # A single dict is one candidate.
    one_mean, one_std = surrogate.predict(params[0])
    assert one_mean.shape == (1,) and one_mean[0] == pytest.approx(mean[0])


def test_uncertainty_grows_away_from_the_data(surrogate):
    params, _ = surrogate.observed()
    _, std_seen = surrogate.predict(params)
    far = [
        {**p, "C": 1e-3 if p["C"] > 1 else 1e3, "degree": 6 - p["degree"]}
        for p in params
    ]
    _, std_far = surrogate.predict(far)
    assert std_far.mean() > 2 * std_seen.mean()


def test_acquisition_is_the_optimizers_on_warped_values(surrogate):
    params, _ = surrogate.observed()
    candidates = [{**params[0], "C": c} for c in (1e-3, 0.1, 10.0, 1e3)]
    opt = surrogate.optimizer
    m, s = opt.model.predict(
        opt.space.transform([surrogate.encoding.encode(c) for c in candidates]),
        return_std=True,
    )
    xi = opt.acq_func_kwargs["xi"]
    assert xi == 0.0  # the Gaussian process's default, noise-free scores
    improve = np.min(opt.y_modelled) - xi - m
    z = improve / s
    np.testing.assert_allclose(
        surrogate.acquisition(candidates),
        improve * norm.cdf(z) + s * norm.pdf(z),
    )
    np.testing.assert_allclose(
        surrogate.acquisition(candidates, "PI"), norm.cdf(z), rtol=1e-10
    )
    # LCB is mapped back to score units: with kappa=0 it is the prediction.
    unwarp = surrogate.optimizer.warping.inverse_transform
    np.testing.assert_allclose(
        surrogate.acquisition(candidates, "LCB"), -unwarp(m - 1.96 * s)
    )
    np.testing.assert_allclose(
        surrogate.acquisition(candidates, "LCB", kappa=0.0),
        surrogate.predict(candidates)[0],
    )


def test_acquisition_in_score_units_without_warping():
    # The trees model the raw scores (no warping), with skopt's xi of 0.01.
    surrogate = make_surrogate(base_estimator="rf")
    assert surrogate.optimizer.warping is None
    params, scores = surrogate.observed()
    candidates = [{**params[0], "C": c} for c in (1e-3, 0.1, 10.0, 1e3)]
    mean, std = surrogate.predict(candidates)
    # Expected improvement of the score over the best score, written for
    # maximisation: the same numbers skopt computes on the negated scores.
    improve = mean - scores.max() - 0.01
    z = improve / std
    expected = improve * norm.cdf(z) + std * norm.pdf(z)
    np.testing.assert_allclose(surrogate.acquisition(candidates), expected)
    np.testing.assert_allclose(
        surrogate.acquisition(candidates, "PI"), norm.cdf(z), rtol=1e-10
    )
    np.testing.assert_allclose(
        surrogate.acquisition(candidates, "LCB"), mean + 1.96 * std
    )
    np.testing.assert_allclose(
        surrogate.acquisition(candidates, "LCB", kappa=0.0), mean
    )
    with pytest.raises(ValueError, match="acq_func must be one of"):
        surrogate.acquisition(candidates, "gp_hedge")


def test_acquisition_peaks_where_the_optimizer_asks_next():
    # Without the random share, every point asked is the acquisition's optimum.
    surrogate = make_surrogate(n_evaluations=12, seed=3, random_share=0.0)
    asked = surrogate.encoding.decode(surrogate.optimizer.ask()[0])
    random = [surrogate.encoding.sample(np.random.RandomState(i)) for i in range(50)]
    values = surrogate.acquisition([asked, *random])
    assert values[0] >= values[1:].max() - 1e-9


@pytest.mark.parametrize("base_estimator", ["rf", "et", "gbrt"])
def test_tree_surrogates_predict_with_uncertainty(base_estimator):
    surrogate = make_surrogate(n_evaluations=10, base_estimator=base_estimator)
    params, scores = surrogate.observed()
    mean, std = surrogate.predict(params)
    assert mean.shape == std.shape == (10,)
    assert np.all(std >= 0) and np.any(std > 0)
    # Trees fit the negated scores they were told, so the sign is right.
    assert np.corrcoef(mean, scores)[0, 1] > 0.5
    assert np.all(surrogate.acquisition(params) >= 0)


def test_errors_name_the_problem(surrogate):
    with pytest.raises(ValueError, match=r"missing \['degree', 'shrinking'\]"):
        surrogate.predict([{"C": 1.0, "kernel": "rbf"}])
    with pytest.raises(ValueError, match="kernel='sigmoid' is outside"):
        surrogate.predict(
            [{"C": 1.0, "kernel": "sigmoid", "degree": 1, "shrinking": True}]
        )
    with pytest.raises(ValueError, match="'shrinking' is not a free parameter"):
        surrogate.grid("shrinking")

    early = make_surrogate(n_evaluations=3)
    assert not early.model_ready
    with pytest.raises(NotFittedError, match="n_initial_points=6"):
        early.predict(early.observed()[0])

    fixed = BranchSurrogate(BranchEncoding({"kernel": Categorical(["rbf"])}), None)
    assert fixed.observed()[1].shape == (0,)
    with pytest.raises(ValueError, match="no free parameter"):
        fixed.predict([{"kernel": "rbf"}])
    with pytest.raises(ValueError, match="sign must be -1 or 1"):
        BranchSurrogate(fixed.encoding, None, sign=0)


def _fake_search(surrogates):
    # What predict_score reads from a fitted BayesSearchCV.
    return SimpleNamespace(
        search_spaces=SPACE, n_initial_points=6, surrogates_=surrogates
    )


def test_predict_score_routes_each_candidate_to_its_branch(surrogate):
    enc = BranchEncoding({"alpha": Real(0.0, 1.0), "kernel": Categorical(["lin"])})
    opt = SurrogateOptimizer(enc.skopt_dimensions(), n_initial_points=4, random_state=0)
    opt.tell([[0.1], [0.4], [0.7], [0.9]], [-0.1, -0.4, -0.7, -0.9])
    other = BranchSurrogate(enc, opt)
    search = _fake_search([surrogate, other])

    a = {"C": 10.0, "kernel": "rbf", "degree": 1, "shrinking": True}
    b = {"alpha": 0.7, "kernel": "lin"}
    mean, std = predict_score(search, [b, a, b])
    np.testing.assert_allclose(mean[[0, 2]], other.predict([b])[0][0])
    assert mean[1] == pytest.approx(surrogate.predict([a])[0][0])
    assert mean[0] == pytest.approx(0.7, abs=0.05)
    assert std.shape == (3,)
    single_mean, _ = predict_score(search, a)
    assert single_mean.shape == (1,)

    with pytest.raises(ValueError, match="No branch of the search space") as info:
        predict_score(search, {"alpha": 2.0, "kernel": "lin"})
    message = str(info.value)
    assert "branch 0 (parameters ['C', 'kernel', 'degree', 'shrinking'])" in message
    assert "branch 1 (parameters ['alpha', 'kernel']): alpha=2.0 is outside" in message
    with pytest.raises(ValueError, match=r"unexpected \['gamma'\]"):
        predict_score(search, {"gamma": 1.0, "alpha": 0.5, "kernel": "lin"})


def test_predict_score_needs_a_fitted_bayes_search():
    with pytest.raises(TypeError, match="needs a skhp.BayesSearchCV.*GridSearchCV"):
        predict_score(GridSearchCV(SVC(), {"C": [1.0]}), {"C": 1.0})
    with pytest.raises(NotFittedError, match="call fit"):
        predict_score(BayesSearchCV(SVC(), {"C": Real(0.1, 10.0)}), {"C": 1.0})
