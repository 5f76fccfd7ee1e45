"""Partial dependence of the surrogate's score on one or two parameters."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from ..report.display import new_axes
from ..report.style import SCORE_CMAP
from ..space import Categorical
from .branch import (
    axis_positions,
    bar_limits,
    choose_branch,
    draw_evaluated,
    format_axis,
    score_name,
)

__all__ = ["PartialDependenceDisplay"]


class PartialDependenceDisplay:
    """The surrogate's mean score as a function of one or two parameters.

    The partial dependence at a value ``v`` of a parameter is the surrogate
    mean score with the parameter set to ``v``, averaged over a background
    set of values of the other parameters: by default the candidates the
    search evaluated on the branch (so the average is over the region the
    search explored), or random draws from the space's priors. One parameter
    gives a curve (bars for a categorical one), two a filled contour (a
    heatmap when one of them is categorical). The evaluated candidates are
    drawn on top. A log-uniform parameter gets a log axis.

    Unlike :class:`sklearn.inspection.PartialDependenceDisplay`, which
    explains a fitted model's predictions on data, this one explains the
    search's model of the score over hyperparameters.

    Build it with :meth:`from_search` (or :meth:`from_surrogate`); the
    constructor only stores precomputed values.

    Parameters
    ----------
    params : tuple of str
        The one or two parameters.
    dimensions : tuple of Dimension
        Their dimensions.
    values : tuple of list
        The values of each parameter the average is computed at.
    average : ndarray of shape (n_values_0,) or (n_values_0, n_values_1)
        The averaged surrogate mean score.
    observed : tuple of list
        Each parameter's value in every evaluated candidate of the branch.
    observed_scores : ndarray
        Their scores.
    n_background : int, default=None
        Number of background candidates averaged over.
    score_name : str, default="score (CV)"
        Label of the score axis (or colour bar).

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    line_ : Line2D or None
        The curve (one numeric parameter).
    bars_ : BarContainer or None
        The bars (one categorical parameter).
    surface_ : QuadContourSet or QuadMesh or None
        The filled contour or heatmap (two parameters).
    colorbar_ : Colorbar or None
    scatter_ : PathCollection
        The evaluated candidates, one point each.

    See Also
    --------
    SurrogateDisplay : The surrogate along one parameter, others fixed.

    Examples
    --------
    >>> from skhp.explain import PartialDependenceDisplay
    >>> PartialDependenceDisplay.from_search(search, ["C", "gamma"])  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        params,
        dimensions,
        values,
        average,
        observed,
        observed_scores,
        n_background=None,
        score_name="score (CV)",
    ):
        self.params = params
        self.dimensions = dimensions
        self.values = values
        self.average = average
        self.observed = observed
        self.observed_scores = observed_scores
        self.n_background = n_background
        self.score_name = score_name

    @classmethod
    def from_surrogate(
        cls,
        surrogate,
        params,
        *,
        background="observed",
        n_points=None,
        random_state=None,
        score_name="score (CV)",
        ax=None,
    ):
        """Compute the partial dependence on one branch's surrogate and plot it.

        Parameters
        ----------
        surrogate : skhp.search.surrogate.BranchSurrogate
            The branch's surrogate (an entry of ``search.surrogates_``).
        params : str or list of str
            One or two free parameters of the branch.
        background : "observed" or int, default="observed"
            What the other parameters are averaged over: the evaluated
            candidates of the branch, or this many random draws from the
            space's priors.
        n_points : int, default=None
            Values per numeric parameter; None: 50 for one parameter, 20 per
            parameter for two.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws of ``background=int``.
        score_name : str, default="score (CV)"
            Label of the score axis.
        ax : matplotlib Axes, default=None
            Where to draw. None: a new figure.

        Returns
        -------
        display : PartialDependenceDisplay
        """
        params = [params] if isinstance(params, str) else list(params)
        if not 1 <= len(params) <= 2 or len(set(params)) != len(params):
            raise ValueError(
                "params must name one or two distinct parameters, but got "
                f"params={params!r}."
            )
        if n_points is None:
            n_points = 50 if len(params) == 1 else 20
        values = [surrogate.grid(p, n_points) for p in params]
        observed, scores = surrogate.observed()
        if isinstance(background, str) and background == "observed":
            base = observed
        elif isinstance(background, numbers.Integral) and not isinstance(
            background, bool
        ):
            if background < 1:
                raise ValueError(
                    "background must be 'observed' or a positive number of "
                    f"draws, but got background={background!r}."
                )
            rng = check_random_state(random_state)
            base = [surrogate.encoding.sample(rng) for _ in range(background)]
        else:
            raise ValueError(
                "background must be 'observed' or a positive number of draws, "
                f"but got background={background!r}."
            )
        if not base:
            raise ValueError(
                "Nothing to average over: the branch has no evaluated candidate. "
                "Pass background=<number of random draws>."
            )
        grid = np.array(np.meshgrid(*[range(len(v)) for v in values], indexing="ij"))
        combos = grid.reshape(len(params), -1).T
        candidates = [
            {**b, **{p: values[k][i[k]] for k, p in enumerate(params)}}
            for i in combos
            for b in base
        ]
        mean, _ = surrogate.predict(candidates)
        average = mean.reshape(len(combos), len(base)).mean(axis=1)
        average = average.reshape([len(v) for v in values])
        display = cls(
            params=tuple(params),
            dimensions=tuple(surrogate.dimensions[p] for p in params),
            values=tuple(values),
            average=average,
            observed=tuple([o[p] for o in observed] for p in params),
            observed_scores=scores,
            n_background=len(base),
            score_name=score_name,
        )
        return display.plot(ax=ax)

    @classmethod
    def from_search(
        cls,
        search,
        params,
        *,
        branch=None,
        background="observed",
        n_points=None,
        random_state=None,
        ax=None,
    ):
        """Plot the partial dependence of a fitted :class:`~skhp.BayesSearchCV`.

        Parameters
        ----------
        search : skhp.BayesSearchCV
            A fitted Bayesian search.
        params : str or list of str
            One or two parameters, free on the chosen branch.
        branch : int, default=None
            Which branch of a conditional space. None: the branch of
            ``best_params_`` if it has ``params`` free, else the first that
            does.
        background : "observed" or int, default="observed"
            What the other parameters are averaged over (see
            :meth:`from_surrogate`).
        n_points : int, default=None
            Values per numeric parameter.
        random_state : int, RandomState instance or None, default=None
            Seeds the background draws.
        ax : matplotlib Axes, default=None
            Where to draw. None: a new figure.

        Returns
        -------
        display : PartialDependenceDisplay
        """
        names = [params] if isinstance(params, str) else list(params)
        _, surrogate = choose_branch(search, names, branch)
        return cls.from_surrogate(
            surrogate,
            names,
            background=background,
            n_points=n_points,
            random_state=random_state,
            score_name=score_name(search),
            ax=ax,
        )

    def plot(self, ax=None):
        """Draw the plot.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw. None: a new figure.

        Returns
        -------
        display : PartialDependenceDisplay
            ``self``, with the artists set.
        """
        ax = new_axes(ax, (6.4, 4.4), purpose="plotting partial dependence")
        self.ax_ = ax
        self.figure_ = ax.figure
        self.line_ = self.bars_ = self.surface_ = self.colorbar_ = None
        avg = np.asarray(self.average, dtype=float)
        scores = np.asarray(self.observed_scores, dtype=float)
        xs = [axis_positions(d, v) for d, v in zip(self.dimensions, self.values)]
        obs = [axis_positions(d, v) for d, v in zip(self.dimensions, self.observed)]
        dim0 = self.dimensions[0]
        averaged = (
            f"averaged over {self.n_background} candidates"
            if self.n_background
            else "averaged"
        )
        if len(self.params) == 1:
            if isinstance(dim0, Categorical):
                bottom, top = bar_limits(np.concatenate([avg, scores]))
                self.bars_ = ax.bar(
                    xs[0], avg - bottom, bottom=bottom, alpha=0.6, label=averaged
                )
                ax.set_ylim(bottom, top)
            else:
                (self.line_,) = ax.plot(xs[0], avg, label=averaged)
            self.scatter_ = draw_evaluated(ax, obs[0], scores)
            ax.set_ylabel(f"{self.score_name}, surrogate mean")
            ax.legend(loc="best", fontsize="small")
            format_axis(ax, dim0, self.params[0])
        else:
            dim1 = self.dimensions[1]
            if isinstance(dim0, Categorical) or isinstance(dim1, Categorical):
                self.surface_ = ax.pcolormesh(
                    xs[0], xs[1], avg.T, shading="nearest", cmap=SCORE_CMAP
                )
            else:
                self.surface_ = ax.contourf(xs[0], xs[1], avg.T, levels=12)
            self.colorbar_ = self.figure_.colorbar(self.surface_, ax=ax)
            self.colorbar_.set_label(f"{self.score_name}, surrogate mean")
            self.scatter_ = ax.scatter(
                obs[0],
                obs[1],
                c="white",
                edgecolors="black",
                s=22,
                zorder=3,
                label=f"evaluated ({len(scores)})",
            )
            format_axis(ax, dim0, self.params[0], "x")
            format_axis(ax, dim1, self.params[1], "y")
            ax.set_title(averaged, fontsize="small")
        return self
