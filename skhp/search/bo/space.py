"""The search space as the Gaussian process sees it: points to unit features.

scikit-optimize's dimensions and transforms are kept (they are public and
good): a Real or Integer becomes one feature in ``[0, 1]`` (on a log scale for
a log-uniform prior), a Categorical a one-hot block (one 0/1 column for two
categories). On top, :class:`SpaceEncoding` knows which features are
continuous and which take only a few values, so that the acquisition
optimiser can search the discrete ones exactly (each category, each integer)
instead of rounding a continuous optimum.
"""

import copy

import numpy as np
from skopt.space import Categorical, Integer, Real, Space
from skopt.space.transformers import CategoricalEncoder

__all__ = ["SpaceEncoding", "to_python"]

# An Integer with at most this many values is searched value by value; a
# wider one as a continuous feature, rounded, then its nearest values tried.
_MAX_ENUMERATED = 32
# Nearest values of a wide Integer tried around a rounded optimum, each side.
_NEIGHBOURS = 2


def to_python(dimensions, point):
    """``point`` with ``int``/``float`` and the original category objects.

    skopt hands back numpy scalars (``np.str_``, ``np.int64``) for categories;
    users compare against the objects they listed.
    """
    out = []
    for dim, value in zip(dimensions, point):
        if isinstance(dim, Categorical):
            for category in dim.categories:
                if category == value:
                    value = category
                    break
        elif isinstance(dim, Integer):
            value = int(value)
        else:
            value = float(value)
        out.append(value)
    return out


class _Block:
    """The features of one dimension."""

    def __init__(self, dim, start):
        self.dim = dim
        self.kind = (
            "categorical"
            if isinstance(dim, Categorical)
            else "integer"
            if isinstance(dim, Integer)
            else "real"
        )
        self.columns = slice(start, start + dim.transformed_size)
        self.options = None  # encoded rows of every value, when enumerated
        if self.kind == "categorical":
            self.options = np.asarray(
                dim.transform(list(dim.categories)), dtype=float
            ).reshape(len(dim.categories), -1)
        elif self.kind == "integer":
            n = int(dim.high) - int(dim.low) + 1
            values = np.arange(int(dim.low), int(dim.high) + 1)
            if n <= _MAX_ENUMERATED:
                self.options = np.asarray(dim.transform(values), float).reshape(n, 1)
            else:
                self._lattice = np.asarray(dim.transform(values), float)

    @property
    def enumerated(self):
        return self.options is not None

    def nearest(self, value):
        """Encoded values of a wide Integer nearest to ``value``."""
        i = int(np.searchsorted(self._lattice, value))
        lo, hi = max(i - _NEIGHBOURS, 0), min(i + _NEIGHBOURS, len(self._lattice))
        return self._lattice[lo:hi].reshape(-1, 1)


class SpaceEncoding:
    """A scikit-optimize space with its encoding to unit features.

    Parameters
    ----------
    dimensions : list of skopt.space.Dimension
        Real, Integer or Categorical; copied, not modified.

    Attributes
    ----------
    space : skopt.space.Space
        The space, with Real and Integer normalised to ``[0, 1]`` and
        Categorical one-hot encoded (``space.transform`` is the encoding).
    n_features : int
        Number of encoded features.
    """

    def __init__(self, dimensions):
        dims = [copy.deepcopy(d) for d in dimensions]
        self.space = Space(dims)
        self.space.set_transformer_by_type("normalize", Real)
        self.space.set_transformer_by_type("normalize", Integer)
        self.blocks = []
        start = 0
        for dim in self.space.dimensions:
            block = _Block(dim, start)
            self.blocks.append(block)
            start = block.columns.stop
        self.n_features = start
        continuous = [
            b.columns
            for b in self.blocks
            if b.kind != "categorical" and not b.enumerated
        ]
        self.continuous_columns = np.array([c.start for c in continuous], dtype=int)

    def transform(self, points):
        """Encode points (lists, one value per dimension) as rows of features.

        The result is ``space.transform(points)``; categorical blocks are set
        directly by index, which is faster than skopt's encoder for many
        points and gives the same 0/1 columns.
        """
        points = list(points)
        parts = []
        for dim, column in zip(self.space.dimensions, zip(*points)):
            encoder = getattr(dim, "transformer", None)
            n_classes = getattr(encoder, "n_classes", 0)
            if type(encoder) is not CategoricalEncoder or n_classes < 2:
                parts.append(np.asarray(dim.transform(list(column)), dtype=float))
                continue
            index = np.fromiter(
                (encoder.mapping_[v] for v in column), dtype=int, count=len(column)
            )
            if n_classes == 2:
                parts.append(index.astype(float).reshape(-1, 1))
            else:
                one_hot = np.zeros((len(column), n_classes))
                one_hot[np.arange(len(column)), index] = 1.0
                parts.append(one_hot)
        return np.hstack([p.reshape((len(points), -1)) for p in parts])

    def inverse_transform(self, X):
        """Decode rows of features to points with builtin numbers and the categories."""
        points = self.space.inverse_transform(np.atleast_2d(X))
        return [self.to_python(p) for p in points]

    def to_python(self, point):
        """``point`` with ``int``/``float`` and the original category objects."""
        return to_python(self.space.dimensions, point)

    def sample(self, n, rng):
        """``n`` random points of the space (by each dimension's prior)."""
        return [self.to_python(p) for p in self.space.rvs(n, random_state=rng)]

    def sample_encoded(self, n, rng):
        """``n`` random valid encodings, drawn directly in feature space.

        A real is uniform on ``[0, 1]`` (which is its prior, log-uniform
        included, after the normalisation), an integer the nearest value to
        such a draw, a category uniform. The same distribution as
        :meth:`sample` then :meth:`transform`, at a fraction of the cost: the
        acquisition search draws a thousand points a step.
        """
        X = rng.uniform(0.0, 1.0, size=(n, self.n_features))
        for block in self.blocks:
            if block.kind == "categorical":
                index = rng.randint(len(block.options), size=n)
                X[:, block.columns] = block.options[index]
        return self.snap(X)

    def snap(self, X):
        """Rows of ``X`` moved to the nearest valid encodings (in place and returned).

        Integers are rounded to their values, a categorical block becomes the
        one-hot row of its largest entry, reals are clipped to ``[0, 1]``.
        """
        np.clip(X, 0.0, 1.0, out=X)
        for block in self.blocks:
            cols = block.columns
            if block.kind == "real":
                continue
            if block.kind == "categorical":
                width = cols.stop - cols.start
                if width == 1 and len(block.options) == 2:
                    X[:, cols] = np.round(X[:, cols])
                elif width > 1:
                    index = np.argmax(X[:, cols], axis=1)
                    X[:, cols] = block.options[index]
                continue
            values = block.options[:, 0] if block.enumerated else block._lattice
            index = np.abs(X[:, cols.start][:, None] - values[None, :]).argmin(axis=1)
            X[:, cols.start] = values[index]
        return X
