"""scikit-optimize's ``optimizer_kwargs`` keys, read onto BayesSearchCV's parameters.

skopt's ``BayesSearchCV`` sets everything about the optimiser through
``optimizer_kwargs`` (the arguments of ``skopt.Optimizer``). skhp's has
parameters of its own for three of them; :func:`split_optimizer_kwargs` moves
those keys onto the parameters and leaves the rest for
:class:`~skhp.search.optimizer.SurrogateOptimizer`'s ``optimizer_kwargs``:

- ``base_estimator`` -> ``optimizer`` (``"GP"``, ``"RF"``, ``"ET"``,
  ``"GBRT"``, any case);
- ``acq_func`` -> ``acq_func``;
- ``n_initial_points`` -> ``n_initial_points``.

A key that disagrees with its parameter set to a non-default value is an
error (which one was meant?). ``dimensions`` and ``random_state`` have their
own BayesSearchCV parameters (``search_spaces``, ``random_state``) and are
refused with a message naming them.

One key is BayesSearchCV's own and is taken out here too:
``front_acquisition`` (``"ehvi"``, the default, or ``"parego"``), how a search
with two ``objectives`` proposes for the front (see
:mod:`skhp.search.objectives`).
"""

from .optimizer_names import ACQ_FUNCS, FRONT_ACQUISITIONS, OPTIMIZERS

__all__ = ["split_optimizer_kwargs"]

_OWN_PARAMETER = {"dimensions": "search_spaces", "random_state": "random_state"}


def _or(names):
    """'a', 'b' or 'c'."""
    names = [repr(n) for n in names]
    return f"{', '.join(names[:-1])} or {names[-1]}"


def _pick(key, param, value, current, default):
    if current != default and value != current:
        raise ValueError(
            f"optimizer_kwargs[{key!r}]={value!r} disagrees with "
            f"{param}={current!r}; set one of them (BayesSearchCV's `{param}` "
            "is the same setting)."
        )
    return value


def split_optimizer_kwargs(search, defaults):
    """BayesSearchCV's optimiser settings, with skopt's keys moved onto them.

    Parameters
    ----------
    search : BayesSearchCV
        Its ``optimizer``, ``acq_func``, ``n_initial_points`` and
        ``optimizer_kwargs`` are read.
    defaults : dict
        The defaults of ``optimizer``, ``acq_func`` and ``n_initial_points``.

    Returns
    -------
    settings : dict
        ``optimizer``, ``acq_func``, ``n_initial_points``,
        ``front_acquisition`` and ``optimizer_kwargs`` (the keys left for the
        optimiser, or None).
    """
    kwargs = dict(search.optimizer_kwargs or {})
    settings = {
        "optimizer": search.optimizer,
        "acq_func": search.acq_func,
        "n_initial_points": search.n_initial_points,
    }
    for key, param in _OWN_PARAMETER.items():
        if key in kwargs:
            raise ValueError(
                f"optimizer_kwargs[{key!r}] has no meaning here: BayesSearchCV "
                f"sets it from its `{param}` parameter. Remove the key (and set "
                f"{param}=... instead)."
            )
    if "base_estimator" in kwargs:
        value = kwargs.pop("base_estimator")
        if not isinstance(value, str) or value.lower() not in OPTIMIZERS:
            raise ValueError(
                "optimizer_kwargs['base_estimator'] must be one of "
                f"{_or(n.upper() for n in OPTIMIZERS)} (any case), but got "
                f"{value!r}; BayesSearchCV chooses its surrogate by name, with "
                f"optimizer={_or(OPTIMIZERS)}. Use optimizer=... instead."
            )
        settings["optimizer"] = _pick(
            "base_estimator",
            "optimizer",
            value.lower(),
            search.optimizer,
            defaults["optimizer"],
        )
    if "acq_func" in kwargs:
        value = kwargs.pop("acq_func")
        if value not in ACQ_FUNCS:
            raise ValueError(
                f"optimizer_kwargs['acq_func'] must be one of {list(ACQ_FUNCS)}, "
                f"but got {value!r} (skopt's time-aware 'EIps' and 'PIps' need "
                "the evaluation time as a second objective, which a search does "
                "not report). Use acq_func=... instead."
            )
        settings["acq_func"] = _pick(
            "acq_func", "acq_func", value, search.acq_func, defaults["acq_func"]
        )
    if "n_initial_points" in kwargs:
        value = kwargs.pop("n_initial_points")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(
                "optimizer_kwargs['n_initial_points'] must be a positive integer, "
                f"but got {value!r}. Use n_initial_points=... instead."
            )
        settings["n_initial_points"] = _pick(
            "n_initial_points",
            "n_initial_points",
            value,
            search.n_initial_points,
            defaults["n_initial_points"],
        )
    settings["front_acquisition"] = kwargs.pop("front_acquisition", "ehvi")
    if settings["front_acquisition"] not in FRONT_ACQUISITIONS:
        raise ValueError(
            "optimizer_kwargs['front_acquisition'] must be "
            f"{_or(FRONT_ACQUISITIONS)}, but got "
            f"{settings['front_acquisition']!r}: how a search with two "
            "objectives proposes for the Pareto front. Remove the key for the "
            "default ('ehvi')."
        )
    settings["optimizer_kwargs"] = kwargs or None
    return settings
