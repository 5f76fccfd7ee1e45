"""The surrogate model and the acquisition function along one parameter."""

import numpy as np

from ..report.display import pyplot
from ..space import Categorical
from .branch import (
    axis_positions,
    bar_limits,
    choose_branch,
    draw_evaluated,
    format_axis,
    reference_params,
    score_name,
    short_value,
)

__all__ = ["SurrogateDisplay"]

_ACQ_NAMES = {
    "EI": "expected improvement",
    "PI": "probability of improvement",
    "LCB": "upper confidence bound",
}


class SurrogateDisplay:
    """What the surrogate believes along one parameter, and what it would try.

    The top panel shows the surrogate's predicted score (its mean) with an
    uncertainty band of ``n_std`` standard deviations, along one parameter,
    the other parameters being held at ``reference`` (by default the best
    candidate); the evaluated candidates of the branch are drawn at their
    value of the parameter and their score (they may differ from the
    reference in the other parameters). The bottom panel shows the
    acquisition function along the same parameter: the search proposes where
    it is highest. A log-uniform parameter gets a log axis, a categorical one
    bars with error bars.

    Build it with :meth:`from_search` (or :meth:`from_surrogate`); the
    constructor only stores precomputed values.

    Parameters
    ----------
    param : str
        The parameter varied.
    dimension : Dimension
        Its dimension in the search space.
    values : list
        The values of ``param`` the curves are computed at.
    mean, std : ndarray of shape (n_values,)
        Surrogate mean score and standard deviation at ``values``.
    acquisition : ndarray of shape (n_values,) or None
        Acquisition values at ``values`` (higher is better), or None.
    observed_values : list
        Value of ``param`` of each evaluated candidate of the branch.
    observed_scores : ndarray
        Their scores.
    reference : dict, default=None
        The candidate the other parameters are taken from.
    acq_func : str, default="EI"
        Name of the acquisition function, for the labels.
    n_std : float, default=1.96
        Half-width of the uncertainty band, in standard deviations.
    score_name : str, default="score (CV)"
        Label of the score axis.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The surrogate panel.
    acquisition_ax_ : matplotlib Axes or None
        The acquisition panel.
    figure_ : matplotlib Figure
    line_ : Line2D or None
        The mean (numeric parameters).
    band_ : PolyCollection or None
        The uncertainty band (numeric parameters).
    bars_ : BarContainer or None
        The mean with error bars (categorical parameters).
    scatter_ : PathCollection
        The evaluated candidates, one point each.
    acquisition_artist_ : Line2D or BarContainer or None
        The acquisition curve or bars.

    See Also
    --------
    PartialDependenceDisplay : The mean score averaged over the other
        parameters.
    skhp.search.surrogate.predict_score : The numbers behind the plot.

    Examples
    --------
    >>> from skhp.explain import SurrogateDisplay
    >>> SurrogateDisplay.from_search(search, "C")  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        param,
        dimension,
        values,
        mean,
        std,
        acquisition,
        observed_values,
        observed_scores,
        reference=None,
        acq_func="EI",
        n_std=1.96,
        score_name="score (CV)",
    ):
        self.param = param
        self.dimension = dimension
        self.values = values
        self.mean = mean
        self.std = std
        self.acquisition = acquisition
        self.observed_values = observed_values
        self.observed_scores = observed_scores
        self.reference = reference
        self.acq_func = acq_func
        self.n_std = n_std
        self.score_name = score_name

    @classmethod
    def from_surrogate(
        cls,
        surrogate,
        param,
        *,
        reference=None,
        n_points=100,
        acq_func="EI",
        n_std=1.96,
        score_name="score (CV)",
        ax=None,
        show_acquisition=True,
    ):
        """Compute the slice on one branch's surrogate and plot it.

        Parameters
        ----------
        surrogate : skhp.search.surrogate.BranchSurrogate
            The branch's surrogate (an entry of ``search.surrogates_``).
        param : str
            A free parameter of the branch.
        reference : dict, default=None
            A candidate of the branch giving the other parameters' values.
            None: the branch's best evaluated candidate.
        n_points : int, default=100
            Number of values of a numeric parameter (all choices of a
            categorical one).
        acq_func : {"EI", "PI", "LCB"} or None, default="EI"
            Acquisition function to show; None: no acquisition panel.
        n_std : float, default=1.96
            Half-width of the band in standard deviations (1.96: a 95%
            interval for a Gaussian process).
        score_name : str, default="score (CV)"
            Label of the score axis.
        ax : matplotlib Axes or pair of Axes, default=None
            Where to draw: two Axes (surrogate, acquisition), or one when
            there is no acquisition panel. None: a new figure.
        show_acquisition : bool, default=True
            Draw the acquisition panel.

        Returns
        -------
        display : SurrogateDisplay
        """
        values = surrogate.grid(param, n_points)
        reference = surrogate.best()[0] if reference is None else dict(reference)
        reason = surrogate.why_not(reference)
        if reason is not None:
            raise ValueError(
                f"reference={reference!r} is not a candidate of the branch: {reason}."
            )
        candidates = [{**reference, param: v} for v in values]
        mean, std = surrogate.predict(candidates)
        acquisition = None
        if show_acquisition and acq_func is not None:
            acquisition = surrogate.acquisition(candidates, acq_func)
        observed, scores = surrogate.observed()
        display = cls(
            param=param,
            dimension=surrogate.dimensions[param],
            values=values,
            mean=mean,
            std=std,
            acquisition=acquisition,
            observed_values=[p[param] for p in observed],
            observed_scores=scores,
            reference=reference,
            acq_func=acq_func,
            n_std=n_std,
            score_name=score_name,
        )
        return display.plot(ax=ax)

    @classmethod
    def from_search(
        cls,
        search,
        param,
        *,
        branch=None,
        reference=None,
        n_points=100,
        acq_func="auto",
        n_std=1.96,
        ax=None,
        show_acquisition=True,
    ):
        """Plot the surrogate of a fitted :class:`~skhp.BayesSearchCV` along ``param``.

        Parameters
        ----------
        search : skhp.BayesSearchCV
            A fitted Bayesian search.
        param : str
            The parameter to vary; free on the chosen branch.
        branch : int, default=None
            Which branch of a conditional space. None: the branch of
            ``best_params_`` if ``param`` is free there, else the first
            branch where it is.
        reference : dict, default=None
            Values of the other parameters. None: ``best_params_`` if it is
            on the branch, else the branch's best candidate.
        n_points : int, default=100
            Number of values of a numeric parameter.
        acq_func : {"auto", "EI", "PI", "LCB"}, default="auto"
            "auto": the search's own ``acq_func``, or "EI" for "gp_hedge".
        n_std : float, default=1.96
            Half-width of the band in standard deviations.
        ax : matplotlib Axes or pair of Axes, default=None
            Where to draw. None: a new figure.
        show_acquisition : bool, default=True
            Draw the acquisition panel.

        Returns
        -------
        display : SurrogateDisplay
        """
        _, surrogate = choose_branch(search, [param], branch)
        if reference is None:
            reference = reference_params(search, surrogate)
        if acq_func == "auto":
            own = getattr(search, "acq_func", "EI")
            acq_func = own if own in _ACQ_NAMES else "EI"
        return cls.from_surrogate(
            surrogate,
            param,
            reference=reference,
            n_points=n_points,
            acq_func=acq_func,
            n_std=n_std,
            score_name=score_name(search),
            ax=ax,
            show_acquisition=show_acquisition,
        )

    def plot(self, ax=None):
        """Draw the plot.

        Parameters
        ----------
        ax : matplotlib Axes or pair of Axes, default=None
            Two Axes (surrogate, acquisition) or, without acquisition values,
            one. None: a new figure.

        Returns
        -------
        display : SurrogateDisplay
            ``self``, with the artists set.
        """
        n_panels = 1 if self.acquisition is None else 2
        if ax is None:
            fig, axes = pyplot(purpose="plotting the surrogate").subplots(
                n_panels,
                1,
                sharex=True,
                squeeze=False,
                figsize=(6.4, 2.6 + 2.0 * n_panels),
                gridspec_kw={"height_ratios": [3, 2][:n_panels]},
            )
            axes = list(axes[:, 0])
        else:
            axes = list(np.ravel(np.asarray(ax, dtype=object)))
            if len(axes) != n_panels:
                raise ValueError(
                    f"ax must hold {n_panels} Axes (surrogate"
                    + (", acquisition" if n_panels == 2 else "")
                    + f"), but got {len(axes)}."
                )
        main = axes[0]
        self.ax_ = main
        self.acquisition_ax_ = axes[1] if n_panels == 2 else None
        self.figure_ = main.figure

        dim = self.dimension
        x = axis_positions(dim, self.values)
        mean = np.asarray(self.mean, dtype=float)
        half = self.n_std * np.asarray(self.std, dtype=float)
        scores = np.asarray(self.observed_scores, dtype=float)
        band = f"mean ± {self.n_std:g} std"
        self.line_ = self.band_ = self.bars_ = None
        if isinstance(dim, Categorical):
            bottom, top = bar_limits(np.concatenate([mean - half, mean + half, scores]))
            self.bars_ = main.bar(
                x,
                mean - bottom,
                bottom=bottom,
                yerr=half,
                capsize=4,
                alpha=0.6,
                label=band,
            )
            main.set_ylim(bottom, top)
        else:
            (self.line_,) = main.plot(x, mean, label="surrogate mean")
            self.band_ = main.fill_between(
                x, mean - half, mean + half, alpha=0.25, label=band
            )
        self.scatter_ = draw_evaluated(
            main, axis_positions(dim, self.observed_values), scores
        )
        main.set_ylabel(self.score_name)
        main.legend(loc="best", fontsize="small")
        others = {k: v for k, v in (self.reference or {}).items() if k != self.param}
        if others:
            shown = ", ".join(f"{k}={short_value(v)}" for k, v in others.items())
            main.set_title(f"others at {shown}", fontsize="small")

        self.acquisition_artist_ = None
        if self.acquisition_ax_ is not None:
            acq_ax = self.acquisition_ax_
            acq = np.asarray(self.acquisition, dtype=float)
            name = _ACQ_NAMES.get(self.acq_func, str(self.acq_func))
            if isinstance(dim, Categorical):
                self.acquisition_artist_ = acq_ax.bar(x, acq, color="C1", alpha=0.6)
            else:
                (self.acquisition_artist_,) = acq_ax.plot(x, acq, color="C1")
            best = int(np.argmax(acq))
            acq_ax.axvline(x[best], color="C1", linestyle=":", linewidth=1)
            acq_ax.set_ylabel(name)
            format_axis(acq_ax, dim, self.param)
            main.set_xlabel("")
        format_axis(main, dim, self.param)
        if self.acquisition_ax_ is not None:
            main.set_xlabel("")
        return self
