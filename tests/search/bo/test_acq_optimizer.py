"""The acquisition optimiser finds the maximum, and treats discrete values exactly."""

import numpy as np
from skopt.space import Categorical, Integer, Real

from skhp.search.bo.acq_optimizer import maximize_acquisition
from skhp.search.bo.space import SpaceEncoding


class Quadratic:
    """A known acquisition: a concave bowl around ``peak`` (encoded features)."""

    def __init__(self, peak):
        self.peak = np.asarray(peak, dtype=float)
        self.calls = 0

    def __call__(self, X):
        return self.value_and_grad(X)[0]

    def value_and_grad(self, X):
        self.calls += 1
        diff = np.asarray(X) - self.peak
        return -(diff**2).sum(axis=1), -2 * diff


def test_finds_a_continuous_maximum_far_better_than_sampling():
    enc = SpaceEncoding([Real(0.0, 1.0) for _ in range(6)])
    acq = Quadratic(np.full(6, 0.37))
    rng = np.random.RandomState(0)
    X, values = maximize_acquisition(acq, enc, rng, incumbents=np.empty((0, 6)))
    np.testing.assert_allclose(X[0], 0.37, atol=1e-5)
    _, sampled = maximize_acquisition(
        acq, enc, np.random.RandomState(0), incumbents=np.empty((0, 6)), local=False
    )
    assert values[0] > sampled[0] + 1e-3


def test_discrete_dimensions_are_searched_exactly():
    dims = [
        Real(0.0, 1.0),
        Integer(1, 5),
        Categorical(["a", "b", "c"]),
        Integer(0, 500),
    ]
    enc = SpaceEncoding(dims)
    target = [0.25, 4, "c", 321]
    acq = Quadratic(enc.transform([target])[0])
    X, _ = maximize_acquisition(
        acq, enc, np.random.RandomState(1), incumbents=np.empty((0, enc.n_features))
    )
    best = enc.inverse_transform(X[:1])[0]
    assert best[1:] == target[1:]
    assert abs(best[0] - 0.25) < 1e-4
    # Every candidate returned is a valid encoding (one-hot, integer lattice).
    for point, row in zip(enc.inverse_transform(X), X):
        np.testing.assert_allclose(enc.transform([point])[0], row, atol=1e-12)


def test_starts_from_the_incumbents():
    enc = SpaceEncoding([Real(0.0, 1.0), Real(0.0, 1.0)])
    # Two bumps; the random points land near the wide one, the incumbent
    # sits on the narrow, higher one.
    acq_peak = np.array([0.9, 0.9])

    class TwoBumps(Quadratic):
        def value_and_grad(self, X):
            X = np.asarray(X)
            wide = -((X - 0.2) ** 2).sum(axis=1)
            narrow = 1.0 - 400 * ((X - acq_peak) ** 2).sum(axis=1)
            use_narrow = narrow > wide
            value = np.where(use_narrow, narrow, wide)
            grad = np.where(use_narrow[:, None], -800 * (X - acq_peak), -2 * (X - 0.2))
            return value, grad

    acq = TwoBumps(acq_peak)
    X, _ = maximize_acquisition(
        acq,
        enc,
        np.random.RandomState(0),
        incumbents=np.array([[0.88, 0.91]]),
        n_samples=20,
    )
    np.testing.assert_allclose(X[0], acq_peak, atol=1e-4)
