"""A surrogate told a known score surface, without any cross-validation."""

import math

import pytest

from skhp import Categorical, Integer, Real
from skhp.search.encoding import BranchEncoding
from skhp.search.optimizer import SurrogateOptimizer
from skhp.search.surrogate import BranchSurrogate

SPACE = {
    "C": Real(1e-3, 1e3, prior="log-uniform"),
    "kernel": Categorical(["linear", "rbf", "poly"]),
    "degree": Integer(1, 5),
    "shrinking": Categorical([True]),
}
KERNEL_BONUS = {"linear": 0.0, "rbf": 0.3, "poly": 0.1}


def score_of(params):
    """Best at C=10, kernel="rbf", degree=1."""
    return (
        -((math.log10(params["C"]) - 1.0) ** 2) / 4
        + KERNEL_BONUS[params["kernel"]]
        - 0.05 * params["degree"]
    )


def make_surrogate(n_evaluations=16, base_estimator="gp", seed=0, **optimizer_kwargs):
    encoding = BranchEncoding(SPACE)
    optimizer = SurrogateOptimizer(
        encoding.skopt_dimensions(),
        base_estimator=base_estimator,
        n_initial_points=6,
        random_state=seed,
        optimizer_kwargs=optimizer_kwargs,
    )
    for _ in range(n_evaluations):
        (point,) = optimizer.ask()
        optimizer.tell([point], [-score_of(encoding.decode(point))])
    return BranchSurrogate(encoding, optimizer)


@pytest.fixture(scope="module")
def surrogate():
    return make_surrogate()
