"""The ask/tell loop: reproducible proposals, resumable, and better than random."""

import math

import numpy as np
from skopt.space import Real

from skhp.search.optimizer import SurrogateOptimizer


def branin(x):
    a, b = x
    return (
        (b - 5.1 / (4 * math.pi**2) * a**2 + 5 / math.pi * a - 6) ** 2
        + 10 * (1 - 1 / (8 * math.pi)) * math.cos(a)
        + 10
        - 0.397887
    )


SPACE = [Real(-5.0, 10.0), Real(0.0, 15.0)]


def run(opt, n):
    for _ in range(n):
        (x,) = opt.ask()
        opt.tell([x], [branin(x)])
    return opt


def test_a_proposal_depends_only_on_the_seed_and_the_history():
    long = run(SurrogateOptimizer(SPACE, n_initial_points=5, random_state=4), 14)
    # A fresh optimiser told the same history at once proposes what the
    # uninterrupted one proposes next (resume and warm start rely on it).
    fresh = SurrogateOptimizer(SPACE, n_initial_points=5, random_state=4)
    fresh.tell(long.x_told, long.y_told.tolist())
    assert fresh.ask() == long.ask()
    assert fresh.ask(3) == long.ask(3)


def test_bayes_beats_random_search_on_branin():
    regrets = []
    for seed in range(3):
        opt = run(SurrogateOptimizer(SPACE, n_initial_points=8, random_state=seed), 30)
        rng = np.random.RandomState(seed)
        random_best = min(
            branin([rng.uniform(-5, 10), rng.uniform(0, 15)]) for _ in range(30)
        )
        regrets.append((opt.y_told.min(), random_best))
    # The Gaussian process refines the optimum (median regret well below
    # 0.01); random search with the same budget does not.
    assert np.median([bayes for bayes, _ in regrets]) < 0.01
    assert all(bayes < rand for bayes, rand in regrets)


def test_hedge_and_other_acquisitions_propose_inside_the_space():
    for acq_func in ("gp_hedge", "PI", "LCB"):
        opt = run(
            SurrogateOptimizer(
                SPACE, n_initial_points=5, acq_func=acq_func, random_state=0
            ),
            10,
        )
        for x in opt.ask(2):
            assert -5 <= x[0] <= 10 and 0 <= x[1] <= 15


def test_random_share_mixes_random_points_into_proposals():
    def proposals(share, n_points):
        opt = run(
            SurrogateOptimizer(
                SPACE,
                n_initial_points=5,
                random_state=3,
                optimizer_kwargs={"random_share": share},
            ),
            8,
        )
        return opt, opt.ask(n_points)

    opt, modelled = proposals(0.0, 4)
    _, again = proposals(0.0, 4)
    assert modelled == again
    # Every proposal is the acquisition's: near the best told points, in a
    # model that has seen eight values of a smooth function.
    _, all_random = proposals(1.0, 4)
    _, mixed = proposals(0.5, 4)
    assert mixed == proposals(0.5, 4)[1]  # reproducible
    assert len({tuple(x) for x in mixed}) == 4
    assert all_random != modelled
    # Random points ignore the model: their mean predicted value is worse
    # (higher) than that of the acquisition's proposals.
    mean_modelled = opt.predict(modelled)[0].mean()
    mean_random = opt.predict(all_random)[0].mean()
    assert mean_random > mean_modelled
    # A share of 0.5 replaces some of the acquisition's proposals with random
    # points (drawn from the same stream as the all-random batch's), not all.
    n_random = sum(x in all_random for x in mixed)
    assert 0 < n_random < 4
