"""Priors on the Gaussian process's hyperparameters.

The hyperparameters are fitted by maximum a posteriori (the log-marginal
likelihood plus the log-prior), not by maximum likelihood alone: with a few
dozen points the likelihood is flat in some directions, and its maximum can
sit at absurd length scales (a flat model) or at a large noise level (a model
that explains every difference as noise and stops refining the optimum). The
priors follow BoTorch's current defaults (Hvarfner et al., 2024, "Vanilla
Bayesian optimization performs great in high dimensions"):

* length scales (inputs scaled to ``[0, 1]``): log-normal with
  ``mu = sqrt(2) + log(d) / 2`` and ``sigma = sqrt(3)``, ``d`` the number of
  input features, so the expected smoothness grows with the dimension;
* noise variance (of standardised values): log-normal with ``mu = -4`` and
  ``sigma = 1``;
* signal variance: log-normal with ``mu = 0`` and ``sigma = 1`` around the
  unit variance of standardised values.

As in BoTorch, the densities are those of the hyperparameters themselves,
evaluated at ``exp(theta)`` while the optimiser works on ``theta``, the
logarithms: the maximum a posteriori of a log-normal prior alone is then its
mode ``exp(mu - sigma^2)`` (a length scale of 0.29 in 2-D, 0.46 in 5-D), not
its median ``exp(mu)``.
"""

import math

import numpy as np

__all__ = ["HyperPrior"]


class HyperPrior:
    """Log-normal priors on the signal variance, length scales and noise variance.

    Parameters
    ----------
    n_features : int
        Number of input features ``d`` (after one-hot encoding).
    lengthscale_loc, lengthscale_scale : float, default=None
        Mean and standard deviation of ``log(length scale)``; None gives
        ``sqrt(2) + log(d) / 2`` and ``sqrt(3)``.
    noise_loc, noise_scale : float, default=-4.0, 1.0
        Mean and standard deviation of ``log(noise variance)``.
    signal_loc, signal_scale : float, default=0.0, 1.0
        Mean and standard deviation of ``log(signal variance)``.

    Examples
    --------
    >>> import numpy as np
    >>> prior = HyperPrior(n_features=2)
    >>> value, grad = prior.log_prob(prior.mode())
    >>> bool(np.allclose(grad, 0.0))
    True
    """

    def __init__(
        self,
        n_features,
        *,
        lengthscale_loc=None,
        lengthscale_scale=None,
        noise_loc=-4.0,
        noise_scale=1.0,
        signal_loc=0.0,
        signal_scale=1.0,
    ):
        self.n_features = int(n_features)
        d = max(self.n_features, 1)
        if lengthscale_loc is None:
            lengthscale_loc = math.sqrt(2.0) + math.log(d) / 2.0
        if lengthscale_scale is None:
            lengthscale_scale = math.sqrt(3.0)
        # theta's log-lengthscales are log(l); the log-normal prior on l is a
        # normal prior on log(l).
        self.loc = np.concatenate(
            [[signal_loc], np.full(self.n_features, lengthscale_loc), [noise_loc]]
        ).astype(float)
        self.scale = np.concatenate(
            [[signal_scale], np.full(self.n_features, lengthscale_scale), [noise_scale]]
        ).astype(float)

    def mode(self):
        """``theta`` at the prior's mode: ``log`` of each log-normal's mode."""
        return self.loc - self.scale**2

    def log_prob(self, theta):
        """Log-density at ``exp(theta)`` (up to a constant) and its ``theta`` gradient.

        ``log p(v) = -log v - (log v - mu)^2 / (2 sigma^2)`` for each
        hyperparameter ``v = exp(theta)``.
        """
        theta = np.asarray(theta, dtype=float)
        z = (theta - self.loc) / self.scale
        return -float(theta.sum()) - 0.5 * float(z @ z), -1.0 - z / self.scale
