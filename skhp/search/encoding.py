"""Between skhp's dimensions and scikit-optimize's points.

A branch of a search space (one ``{name: Dimension}`` dict) becomes a list of
scikit-optimize dimensions for the free parameters. Choices of a
:class:`~skhp.Categorical` are handed to scikit-optimize as their positions
(0, 1, ...), so any value can be a choice: ``None``, tuples, estimators.
Parameters with a single possible value are held fixed outside the optimiser.
"""

from collections.abc import Mapping

import numpy as np

from ..space import Categorical, Integer, Real

__all__ = ["BranchEncoding"]


def _python_scalar(value):
    # cv_results_ and best_params_ read better (and compare equal across runs)
    # with plain Python numbers than with numpy scalars.
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


class BranchEncoding:
    """Encode and decode the candidates of one branch of a search space.

    Parameters
    ----------
    dimensions : dict of str -> Dimension
        One branch, as returned by :func:`skhp.space.check_space`.
    """

    def __init__(self, dimensions):
        self.dimensions = dict(dimensions)
        self.fixed = {
            name: dim[0]
            for name, dim in self.dimensions.items()
            if isinstance(dim, Categorical) and len(dim) == 1
        }
        self.free = [name for name in self.dimensions if name not in self.fixed]

    @property
    def n_free(self):
        """Number of parameters the optimiser chooses."""
        return len(self.free)

    def skopt_dimensions(self):
        """The free parameters as scikit-optimize dimensions, in ``self.free`` order."""
        from skopt import space as sk

        out = []
        for name in self.free:
            dim = self.dimensions[name]
            if isinstance(dim, Real):
                out.append(
                    sk.Real(
                        dim.low,
                        dim.high,
                        prior=dim.prior,
                        transform="normalize",
                        name=name,
                    )
                )
            elif isinstance(dim, Integer):
                out.append(
                    sk.Integer(
                        dim.low,
                        dim.high,
                        prior=dim.prior,
                        transform="normalize",
                        name=name,
                    )
                )
            else:
                out.append(sk.Categorical(list(range(len(dim))), name=name))
        return out

    def decode(self, point):
        """Turn an optimiser point (list) into a parameter dict."""
        params = {}
        for name, value in zip(self.free, point):
            dim = self.dimensions[name]
            if isinstance(dim, Categorical):
                value = dim[int(value)]
            elif isinstance(dim, Integer):
                value = int(value)
            else:
                value = float(value)
            params[name] = _python_scalar(value)
        params.update(self.fixed)
        # Keep the order the user wrote the branch in.
        return {name: params[name] for name in self.dimensions}

    def encode(self, params):
        """Turn a parameter dict of this branch into an optimiser point."""
        point = []
        for name in self.free:
            dim = self.dimensions[name]
            value = params[name]
            point.append(dim.index(value) if isinstance(dim, Categorical) else value)
        return point

    def key(self, params):
        """A hashable identity of a candidate, to recognise repeats."""
        return tuple(
            (name, self.dimensions[name].index(params[name]))
            if isinstance(self.dimensions[name], Categorical)
            else (name, params[name])
            for name in self.dimensions
        )

    def why_not(self, params):
        """Why ``params`` is not a candidate of this branch, or None if it is.

        Parameters
        ----------
        params : dict
            A candidate, ``{name: value}``, with every parameter of the
            branch (fixed ones included).

        Returns
        -------
        reason : str or None
            The missing or unexpected keys, or the first value outside its
            dimension; None when the branch holds ``params``.
        """
        if not isinstance(params, Mapping):
            return f"a candidate must be a dict, but got {type(params).__name__}"
        missing = [repr(n) for n in self.dimensions if n not in params]
        extra = [repr(n) for n in params if n not in self.dimensions]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing [{', '.join(missing)}]")
            if extra:
                parts.append(f"unexpected [{', '.join(extra)}]")
            return " and ".join(parts)
        for name, dim in self.dimensions.items():
            if params[name] not in dim:
                return f"{name}={params[name]!r} is outside {dim!r}"
        return None

    def sample(self, random_state):
        """Draw one candidate at random from the branch's priors."""
        return {
            name: _python_scalar(dim.rvs(random_state=random_state))
            for name, dim in self.dimensions.items()
        }
