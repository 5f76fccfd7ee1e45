"""Checking an experiment file and turning it into an :class:`Experiment`.

Every mistake is reported with its key path (``searchers[1].kind``), the bad
value and what is allowed; misspelt keys get a "did you mean". All mistakes
are collected and reported together, so one edit fixes them all.
"""

import difflib
import importlib
import inspect
import numbers
from dataclasses import dataclass
from pathlib import Path

from .._compat import param_names, parameter_errors, string_options
from ..journal.fingerprint import SECRET_PARAMS
from ..search import BayesSearchCV, GridSearchCV, RandomizedSearchCV
from .catalog import DATASETS, PRESETS, missing_modules

__all__ = [
    "DataSpec",
    "EstimatorSpec",
    "Experiment",
    "ExperimentError",
    "SearcherSpec",
    "check_experiment",
]

#: ``kind`` -> the searcher it makes. A ``[[searchers]]`` table may set any
#: parameter of it that the experiment does not set itself (below); the values
#: are checked by the searcher's own ``_parameter_constraints``.
SEARCHERS = {
    "grid": GridSearchCV,
    "random": RandomizedSearchCV,
    "bayes": BayesSearchCV,
}
KINDS = tuple(SEARCHERS)
#: Packages whose estimator classes an experiment file may name without
#: ``trust``: scikit-learn, skhp, and skorch (skhp's torch extra). Any other
#: import path is code the file would make skhp run.
TRUSTED_PACKAGES = ("sklearn", "skhp", "skorch")
#: Loader options that run code downloaded with a model.
REMOTE_CODE_OPTIONS = ("trust_remote_code",)
TRUST_HINT = (
    "if you trust this file and whoever wrote it, pass --trust (skhp run/resume "
    "--trust), or trust=True from Python"
)
TOP_KEYS = (
    "estimator",
    "data",
    "space",
    "searchers",
    "cv",
    "scoring",
    "n_jobs",
    "random_state",
    "output",
    "title",
    "fit_timeout",
)
ESTIMATOR_KEYS = ("preset", "class", "params", "scale")
DATA_KEYS = ("dataset", "path", "target", "columns")
SEARCHER_KEYS = ("kind", "name", "n_iter")
#: Searcher parameters the experiment sets for every searcher, and from what.
SET_BY_EXPERIMENT = {
    "estimator": "[estimator]",
    "param_grid": "[space] and n_iter",
    "param_distributions": "[space]",
    "search_spaces": "[space]",
    "cv": "the top-level 'cv'",
    "scoring": "the top-level 'scoring'",
    "refit": "the top-level 'scoring' (its first metric)",
    "n_jobs": "the top-level 'n_jobs'",
    "random_state": "the top-level 'random_state'",
    "fit_timeout": "the top-level 'fit_timeout'",
    "journal": "'output' (its journal.db)",
    "study": "the searcher's 'name'",
    "verbose": "the command (a progress bar on a terminal)",
}
#: Searcher parameters a file cannot give: they take Python objects, or
#: parameter names inside the pipeline the experiment builds.
PYTHON_ONLY = (
    "callbacks",
    "pruner",
    "warm_start",
    "initial_points",
    "objectives",
    "reference_point",
)
DIMENSION_KEYS = {
    "real": ("type", "low", "high", "prior"),
    "integer": ("type", "low", "high", "prior"),
    "categorical": ("type", "values"),
}


class ExperimentError(ValueError):
    """An experiment file with mistakes; ``errors`` lists them, one a line.

    Parameters
    ----------
    errors : list of str
        One message per mistake, each starting with its key path.
    source : str, default=None
        The file, for the first line of the message.
    """

    def __init__(self, errors, source=None):
        self.errors = list(errors)
        self.source = source
        where = f" in {source}" if source else ""
        if len(self.errors) == 1:
            text = f"{source}: {self.errors[0]}" if source else self.errors[0]
        else:
            lines = "\n".join(f"  {e}" for e in self.errors)
            text = f"{len(self.errors)} problems{where}:\n{lines}"
        super().__init__(text)


@dataclass(frozen=True)
class EstimatorSpec:
    """The ``[estimator]`` table, checked.

    Attributes
    ----------
    path : str
        Import path of the class, ``"module:Class"``.
    preset : str or None
        The preset it came from.
    params : dict
        Fixed parameters (the preset's, updated with the file's).
    scale : bool
        Put a ``StandardScaler`` before the estimator.
    text : bool
        The estimator takes a list of texts as ``X``.
    """

    path: str
    preset: object
    params: dict
    scale: bool
    text: bool


@dataclass(frozen=True)
class DataSpec:
    """The ``[data]`` table, checked: a built-in data set or a file."""

    dataset: object = None
    path: object = None
    target: object = None
    columns: object = None


@dataclass(frozen=True)
class SearcherSpec:
    """One ``[[searchers]]`` entry, checked."""

    kind: str
    name: str
    n_iter: int
    options: dict


@dataclass(frozen=True)
class Experiment:
    """A checked experiment, ready to run (see :func:`skhp.experiment.run`).

    Attributes
    ----------
    estimator : EstimatorSpec
    data : DataSpec
    space : dict or list of dict
        ``{name: Dimension}`` (a list for a conditional space), with the
        estimator's own parameter names.
    searchers : tuple of SearcherSpec
    cv : int
        Number of folds (stratified for classifiers, shuffled).
    scoring : tuple of str
        Metric names; the first one is optimised and used to refit.
    n_jobs : int
    random_state : int or None
    output : pathlib.Path
        The output folder.
    title : str
    source : pathlib.Path or None
        The experiment file.
    fit_timeout : float or None
        Seconds per fit-and-score, passed to every searcher.
    """

    estimator: EstimatorSpec
    data: DataSpec
    space: object
    searchers: tuple
    cv: int
    scoring: tuple
    n_jobs: int
    random_state: object
    output: Path
    title: str
    source: object = None
    fit_timeout: object = None


_BAD = object()


def _fmt(value):
    return repr(value) if not isinstance(value, dict) else "a table"


def _one_of(allowed):
    return ", ".join(repr(a) for a in allowed)


def _suggest(word, choices):
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    close = close or [c for c in choices if word and str(c).startswith(word)][:1]
    return f"; did you mean {close[0]!r}?" if close else ""


def _type_name(value):
    return {
        bool: "a boolean",
        int: "a whole number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


class _Checker:
    def __init__(self, base_dir):
        self.errors = []
        self.base_dir = Path(base_dir)

    def error(self, path, message):
        self.errors.append(f"{path}: {message}" if path else message)
        return _BAD

    def keys(self, table, path, allowed):
        for key in table:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.error(
                    where,
                    f"unknown key (allowed: {', '.join(allowed)})"
                    + _suggest(key, allowed),
                )

    def table(self, value, path):
        if not isinstance(value, dict):
            return self.error(path, f"expected a table, got {_fmt(value)}")
        return value

    def choice(self, value, path, allowed):
        if not isinstance(value, str) or value not in allowed:
            return self.error(
                path,
                f"{_fmt(value)} is not one of {_one_of(allowed)}"
                + _suggest(value, allowed),
            )
        return value

    def string(self, value, path):
        if not isinstance(value, str) or not value:
            return self.error(path, f"expected a non-empty string, got {_fmt(value)}")
        return value

    def integer(self, value, path, *, low=None, allow_none=False):
        if value is None and allow_none:
            return None
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if not ok or (low is not None and value < low):
            need = "a whole number" + (f" >= {low}" if low is not None else "")
            return self.error(path, f"expected {need}, got {_fmt(value)}")
        return int(value)

    def boolean(self, value, path):
        if not isinstance(value, bool):
            return self.error(path, f"expected true or false, got {_fmt(value)}")
        return value


def _import_class(path):
    module, _, name = path.partition(":")
    mod = importlib.import_module(module)
    try:
        return getattr(mod, name)
    except AttributeError:
        public = [n for n in dir(mod) if not n.startswith("_")]
        raise AttributeError(
            f"module {module!r} has no attribute {name!r}" + _suggest(name, public)
        ) from None


def is_reference(value):
    """``"env:NAME"``: a secret given by the name of its environment variable."""
    return isinstance(value, str) and value.startswith("env:")


def _remote_code(value, path):
    """Key paths under ``value`` that turn on a loader's remote code."""
    if isinstance(value, dict):
        for key, inner in value.items():
            where = f"{path}.{key}"
            if key in REMOTE_CODE_OPTIONS and inner:
                yield where
            else:
                yield from _remote_code(inner, where)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _remote_code(inner, f"{path}[{i}]")


def _estimator(chk, raw, trust=False):
    table = chk.table(raw, "estimator")
    if table is _BAD:
        return _BAD, None
    chk.keys(table, "estimator", ESTIMATOR_KEYS)
    has_preset, has_class = "preset" in table, "class" in table
    if has_preset == has_class:
        chk.error(
            "estimator",
            "give exactly one of 'preset' (one of "
            f"{_one_of(PRESETS)}) or 'class' (an import path such as "
            "'sklearn.svm:SVC')",
        )
        return _BAD, None
    params = table.get("params", {})
    params = {} if chk.table(params, "estimator.params") is _BAD else dict(params)
    preset = None
    if has_preset:
        name = chk.choice(table["preset"], "estimator.preset", PRESETS)
        if name is _BAD:
            return _BAD, None
        preset = PRESETS[name]
        missing, install = missing_modules(preset, params)
        if missing:
            chk.error(
                "estimator.preset",
                f"{name!r} needs {', '.join(missing)}, which "
                f"{'is' if len(missing) == 1 else 'are'} not installed; install "
                f"with: {install}",
            )
            return _BAD, None
        path, text, scale = preset.path, preset.text, preset.scale
        params = {**preset.params, **params}
    else:
        path = chk.string(table["class"], "estimator.class")
        if path is _BAD:
            return _BAD, None
        if path.count(":") != 1 or not all(path.partition(":")[::2]):
            chk.error(
                "estimator.class",
                f"{path!r} is not an import path; write 'module:Class', e.g. "
                "'sklearn.svm:SVC'",
            )
            return _BAD, None
        text, scale = False, False
    if not trust:
        for where in _remote_code(params, "estimator.params"):
            chk.error(
                where,
                "runs code downloaded with the model, which an experiment file "
                f"may only turn on when trusted; {TRUST_HINT}",
            )
        top = path.partition(":")[0].split(".")[0]
        if top not in TRUSTED_PACKAGES:
            chk.error(
                "estimator.class",
                f"{path!r} is outside the packages an experiment file may import "
                f"({', '.join(TRUSTED_PACKAGES)}): importing it would run its code, "
                f"also when only checking or reporting; {TRUST_HINT}",
            )
            return _BAD, None
    try:
        cls = _import_class(path)
    except Exception as exc:  # ImportError, AttributeError, errors in the module
        chk.error(
            "estimator.class", f"cannot import {path!r}: {type(exc).__name__}: {exc}"
        )
        return _BAD, None
    if not hasattr(cls, "get_params") or not hasattr(cls, "fit"):
        chk.error(
            "estimator.class",
            f"{path!r} is not a scikit-learn estimator (it has no get_params/fit)",
        )
        return _BAD, None
    if "scale" in table:
        scale = chk.boolean(table["scale"], "estimator.scale")
        if scale is True and text:
            chk.error(
                "estimator.scale",
                "true is not allowed for a text estimator (there are no numeric "
                "features to scale); remove it",
            )
    names = set(param_names(cls))
    bad = False
    for key in sorted(SECRET_PARAMS & set(params)):
        if params[key] is not None and not is_reference(params[key]):
            bad = True
            chk.error(
                f"estimator.params.{key}",
                "write 'env:NAME', the environment variable that holds the key, "
                "not the key itself: the experiment file is copied into the "
                "output folder",
            )
    for key in params:
        if key not in names and "__" not in key:
            bad = True
            chk.error(
                f"estimator.params.{key}",
                f"{cls.__name__} has no parameter {key!r}" + _suggest(key, names),
            )
    if not bad:
        try:
            cls(**{k: v for k, v in params.items() if "__" not in k})
        except Exception as exc:  # missing constructor arguments, bad values
            chk.error(
                "estimator.params",
                f"{cls.__name__} cannot be made with "
                f"{repr(params) if params else 'no parameters'}: "
                f"{type(exc).__name__}: {exc}; give its required arguments "
                "in estimator.params",
            )
            return _BAD, None
    if "random_state" in names and "random_state" not in params:
        params["random_state"] = None  # filled with the experiment's seed
    spec = EstimatorSpec(
        path=path,
        preset=preset.name if preset else None,
        params=params,
        scale=scale if scale is not _BAD else False,
        text=text,
    )
    return spec, names


def _dimension(chk, raw, path, name):
    from ..space import Categorical, Integer, Real

    if isinstance(raw, list):
        try:
            return Categorical(raw, name=name)
        except ValueError as exc:
            return chk.error(path, str(exc))
    if not isinstance(raw, dict):
        return chk.error(
            path,
            f'expected a list of choices or a table such as {{type = "real", '
            f"low = 0.1, high = 10}}, got {_fmt(raw)}; to fix a parameter to one "
            f"value write [{raw!r}] or put it in estimator.params",
        )
    kind = chk.choice(raw.get("type"), f"{path}.type", DIMENSION_KEYS)
    if kind is _BAD:
        return _BAD
    chk.keys(raw, path, DIMENSION_KEYS[kind])
    if kind == "categorical":
        if "values" not in raw:
            return chk.error(f"{path}.values", "missing (a list of choices)")
        return _dimension(chk, raw["values"], f"{path}.values", name)
    for key in ("low", "high"):
        if key not in raw:
            return chk.error(f"{path}.{key}", "missing (a number)")
    prior = raw.get("prior", "uniform")
    if chk.choice(prior, f"{path}.prior", ("uniform", "log-uniform")) is _BAD:
        return _BAD
    cls = Real if kind == "real" else Integer
    try:
        return cls(raw["low"], raw["high"], prior=prior, name=name)
    except ValueError as exc:
        return chk.error(path, str(exc))


def _branch(chk, raw, path, names):
    table = chk.table(raw, path)
    if table is _BAD:
        return _BAD
    if not table:
        return chk.error(path, "empty; name at least one parameter to search")
    out = {}
    for name, value in table.items():
        where = f"{path}.{name}"
        if names is not None and name not in names and "__" not in name:
            chk.error(
                where, "the estimator has no such parameter" + _suggest(name, names)
            )
            continue
        dim = _dimension(chk, value, where, name)
        if dim is not _BAD:
            out[name] = dim
    return out


def _space(chk, raw, names, estimator):
    if raw is None:
        if estimator is not _BAD and estimator.preset is not None:
            return PRESETS[estimator.preset].space()
        if estimator is not _BAD:
            chk.error("space", "missing; an estimator given by 'class' needs a space")
        return _BAD
    if isinstance(raw, list):
        if not raw:
            return chk.error("space", "an empty list; give at least one table")
        return [_branch(chk, b, f"space[{i}]", names) for i, b in enumerate(raw)]
    return _branch(chk, raw, "space", names)


def _fixed_and_searched(chk, raw, space):
    """A parameter both fixed in estimator.params and searched is a mistake."""
    table = raw.get("estimator")
    fixed = table.get("params") if isinstance(table, dict) else None
    if not isinstance(fixed, dict):
        return
    branches = space if isinstance(space, list) else [space]
    # In a conditional space, a fixed value is the default of the branches
    # that do not search the parameter; only where all do is it never used.
    searched = set.intersection(*(set(branch) for branch in branches))
    where = "space" if "space" in raw else "the preset's default space"
    for name in fixed:
        if name in searched:
            chk.error(
                f"estimator.params.{name}",
                f"{_fmt(fixed[name])} fixes a parameter that {where} also "
                "searches; remove it from one of the two"
                + ("" if "space" in raw else " (give a [space] without it)"),
            )


def _data(chk, raw, base_dir, estimator):
    table = chk.table(raw, "data")
    if table is _BAD:
        return _BAD
    chk.keys(table, "data", DATA_KEYS)
    if ("dataset" in table) == ("path" in table):
        return chk.error(
            "data",
            f"give exactly one of 'dataset' (one of {_one_of(DATASETS)}) or "
            "'path' (a CSV or Parquet file, with 'target')",
        )
    if "dataset" in table:
        for key in ("target", "columns"):
            if key in table:
                chk.error(f"data.{key}", "only allowed with 'path'; remove it")
        name = chk.choice(table["dataset"], "data.dataset", DATASETS)
        if name is _BAD:
            return _BAD
        is_text = DATASETS[name][1]
        if estimator is not _BAD and estimator.preset and is_text != estimator.text:
            want = "text" if estimator.text else "tabular"
            fits = [n for n, d in DATASETS.items() if d[1] == estimator.text]
            chk.error(
                "data.dataset",
                f"{name!r} does not suit preset {estimator.preset!r}, which needs "
                f"a {want} data set: one of {_one_of(fits)}",
            )
        return DataSpec(dataset=name)
    path = chk.string(table["path"], "data.path")
    if path is _BAD:
        return _BAD
    file = Path(path)
    if not file.is_absolute():
        file = base_dir / file
    if file.suffix.lower() not in (".csv", ".parquet", ".pq"):
        chk.error("data.path", f"{path!r} is neither a .csv nor a .parquet file")
    elif not file.is_file():
        chk.error("data.path", f"file not found: {str(file)!r}")
    if "target" not in table:
        return chk.error("data.target", "missing (the name of the label column)")
    target = chk.string(table["target"], "data.target")
    columns = table.get("columns")
    if columns is not None:
        if not isinstance(columns, list) or not all(
            isinstance(c, str) for c in columns
        ):
            chk.error(
                "data.columns", f"expected a list of strings, got {_fmt(columns)}"
            )
            columns = None
        else:
            columns = tuple(columns)
    return DataSpec(path=file, target=target, columns=columns)


def searcher_options(kind):
    """The keys a ``[[searchers]]`` table of ``kind`` may set besides its own.

    The searcher's parameters, less those the experiment sets itself
    (:data:`SET_BY_EXPERIMENT`) and :data:`PYTHON_ONLY`, sorted.
    """
    skip = set(SET_BY_EXPERIMENT) | set(PYTHON_ONLY) | set(SEARCHER_KEYS)
    return tuple(n for n in param_names(SEARCHERS[kind]) if n not in skip)


def _constraint_error(message, cls, name, value):
    """A searcher's constraint message with a fix: a close name or the default."""
    text = message[:1].lower() + message[1:] if message.startswith("The ") else message
    text = text.rstrip(".")
    hint = _suggest(value, string_options(cls, name))
    if hint:
        return text + hint
    parameter = inspect.signature(cls).parameters.get(name)
    if name == "n_iter" or parameter is None or parameter.default is parameter.empty:
        return f"{text}; change it"
    return (
        f"{text}; change it, or remove the key for the default ({parameter.default!r})"
    )


def _check_optimizer_kwargs(chk, path, search):
    """What BayesSearchCV checks in fit: its optimizer_kwargs, by its own code.

    ``fit`` moves scikit-optimize's keys onto the parameters
    (:func:`~skhp.search.skopt_kwargs.split_optimizer_kwargs`) and gives the
    rest to each branch's :class:`~skhp.search.optimizer.SurrogateOptimizer`;
    here the same happens for a one-dimension space.
    """
    from skopt.space import Real

    from ..search.bayes import _DEFAULTS
    from ..search.optimizer import SurrogateOptimizer
    from ..search.skopt_kwargs import split_optimizer_kwargs

    try:
        settings = split_optimizer_kwargs(search, _DEFAULTS)
    except ValueError as exc:
        chk.error(f"{path}.optimizer_kwargs", str(exc))
        return
    try:
        SurrogateOptimizer(
            [Real(0.0, 1.0)],
            base_estimator=settings["optimizer"],
            n_initial_points=settings["n_initial_points"],
            acq_func=settings["acq_func"],
            random_state=0,
            optimizer_kwargs=settings["optimizer_kwargs"],
        )
    except TypeError as exc:  # an argument scikit-optimize's Optimizer lacks
        chk.error(
            f"{path}.optimizer_kwargs",
            f"{exc} (optimizer={settings['optimizer']!r} passes the keys to "
            "scikit-optimize's Optimizer); remove the key",
        )
    except ValueError as exc:
        chk.error(f"{path}.optimizer_kwargs", str(exc))


def _searcher(chk, path, kind, n_iter, opts):
    """Make the searcher with the file's options; report what it refuses."""
    cls = SEARCHERS[kind]
    names = set(param_names(cls))
    checked = list(opts)
    kwargs = dict(opts)
    if "n_iter" in names and n_iter is not _BAD:
        kwargs["n_iter"] = n_iter
        checked.append("n_iter")
    # The estimator and the space are checked with their own sections.
    search = cls(None, {}, **kwargs)
    errors = parameter_errors(search, checked)
    for name, message in errors.items():
        value = kwargs[name]
        chk.error(f"{path}.{name}", _constraint_error(message, cls, name, value))
    if kind == "bayes" and opts.get("optimizer_kwargs") and not errors:
        _check_optimizer_kwargs(chk, path, search)
    return not errors


def _searchers(chk, raw):
    if raw is None:
        return chk.error(
            "searchers",
            "missing; add at least one [[searchers]] table with kind = "
            f"{_one_of(KINDS)} and n_iter",
        )
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        return chk.error("searchers", f"expected a list of tables, got {_fmt(raw)}")
    out, seen = [], {}
    for i, entry in enumerate(raw):
        path = f"searchers[{i}]"
        table = chk.table(entry, path)
        if table is _BAD:
            continue
        kind = chk.choice(table.get("kind"), f"{path}.kind", KINDS)
        if kind is _BAD:
            continue
        options = searcher_options(kind)
        allowed = SEARCHER_KEYS + options
        # The searcher's parameters that the file may not set get their reason;
        # anything else it does not take is an unknown key.
        params = set(param_names(SEARCHERS[kind])) - set(allowed)
        chk.keys({k: v for k, v in table.items() if k not in params}, path, allowed)
        for key in [k for k in table if k in params]:
            if key in SET_BY_EXPERIMENT:
                chk.error(
                    f"{path}.{key}",
                    f"set for every searcher by {SET_BY_EXPERIMENT[key]}, not "
                    "per searcher; remove it here",
                )
            else:
                chk.error(
                    f"{path}.{key}",
                    "not available in an experiment file (it takes Python "
                    f"objects or pipeline names); use {SEARCHERS[kind].__name__} "
                    "from Python for it",
                )
        if "n_iter" not in table:
            chk.error(f"{path}.n_iter", "missing (the number of candidates)")
            continue
        # n_iter is the file's budget for every kind (grid search takes the
        # largest grid within it); the searchers that have it check its range.
        n_iter = chk.integer(
            table["n_iter"], f"{path}.n_iter", low=None if kind != "grid" else 1
        )
        name = chk.string(table.get("name", kind), f"{path}.name")
        if name is not _BAD:
            if name in seen:
                chk.error(
                    f"{path}.name",
                    f"{name!r} is already the name of searchers[{seen[name]}]; "
                    "give each searcher its own name",
                )
            elif not all(c.isalnum() or c in "-_." for c in name):
                chk.error(
                    f"{path}.name",
                    f"{name!r} may only contain letters, digits, '-', '_' and '.' "
                    "(it names files)",
                )
            seen[name] = i
        opts = {k: v for k, v in table.items() if k in options}
        valid = _searcher(chk, path, kind, n_iter, opts)
        if valid and _BAD not in (n_iter, name):
            out.append(SearcherSpec(kind=kind, name=name, n_iter=n_iter, options=opts))
    return tuple(out)


def _scoring(chk, raw):
    from sklearn.metrics import get_scorer_names

    names = get_scorer_names()
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values:
        return chk.error(
            "scoring",
            f"expected a metric name or a list of them, got {_fmt(raw)}",
        )
    out = []
    for i, value in enumerate(values):
        path = "scoring" if isinstance(raw, str) else f"scoring[{i}]"
        if not isinstance(value, str) or value not in names:
            close = _suggest(value, names)
            chk.error(
                path,
                f"{_fmt(value)} is not a scikit-learn metric name (see "
                "sklearn.metrics.get_scorer_names(), e.g. 'accuracy', 'f1_macro', "
                f"'roc_auc')" + close,
            )
        elif value in out:
            chk.error(path, f"{value!r} is listed twice")
        else:
            out.append(value)
    return tuple(out)


def check_experiment(raw, *, source=None, base_dir=None, trust=False):
    """Check a parsed experiment file and return an :class:`Experiment`.

    Parameters
    ----------
    raw : dict
        The file's content (from ``tomllib`` or ``yaml.safe_load``).
    source : str or os.PathLike, default=None
        The file, named in error messages and kept in the result.
    base_dir : str or os.PathLike, default=None
        Folder that relative paths (``data.path``, ``output``) are relative
        to. Default: the folder of ``source``, else the working directory.
    trust : bool, default=False
        Allow an ``estimator.class`` outside :data:`TRUSTED_PACKAGES` and
        loader options that run downloaded code (``trust_remote_code``).
        Without it such a file is refused before anything is imported.

    Returns
    -------
    experiment : Experiment

    Raises
    ------
    ExperimentError
        Listing every mistake with its key path.
    """
    if base_dir is None:
        base_dir = Path(source).resolve().parent if source else Path.cwd()
    base_dir = Path(base_dir)
    chk = _Checker(base_dir)
    if not isinstance(raw, dict):
        raise ExperimentError(
            [f"the file must hold a table of settings, got {_type_name(raw)}"],
            source,
        )
    chk.keys(raw, "", TOP_KEYS)
    if "estimator" not in raw:
        chk.error("estimator", "missing; add an [estimator] table with preset or class")
        estimator, names = _BAD, None
    else:
        estimator, names = _estimator(chk, raw["estimator"], trust)
    if "data" not in raw:
        chk.error("data", "missing; add a [data] table with dataset or path")
        data = _BAD
    else:
        data = _data(chk, raw["data"], base_dir, estimator)
    space = _space(chk, raw.get("space"), names, estimator)
    searchers = _searchers(chk, raw.get("searchers"))
    cv = chk.integer(raw.get("cv", 5), "cv", low=2)
    scoring = _scoring(chk, raw.get("scoring", "accuracy"))
    n_jobs = chk.integer(raw.get("n_jobs", 1), "n_jobs")
    if n_jobs == 0:
        chk.error("n_jobs", "expected a whole number other than 0 (-1: all cores)")
    random_state = chk.integer(raw.get("random_state", 0), "random_state", low=0)
    fit_timeout = raw.get("fit_timeout")
    if fit_timeout is not None and (
        isinstance(fit_timeout, bool)
        or not isinstance(fit_timeout, numbers.Real)
        or not fit_timeout > 0
    ):
        chk.error(
            "fit_timeout",
            f"expected seconds per fit, a number > 0, got {_fmt(fit_timeout)}",
        )
    title = raw.get("title")
    if title is not None:
        title = chk.string(title, "title")
    if "output" in raw:
        output = chk.string(raw["output"], "output")
        output = base_dir / output if output is not _BAD else output
        if output is not _BAD and output.exists() and not output.is_dir():
            chk.error(
                "output",
                f"{str(output)!r} is a file, not a folder; name a folder (new "
                "or holding a run)",
            )
    else:
        stem = Path(source).stem if source else "experiment"
        output = base_dir / f"{stem}-results"
    if space is not _BAD and estimator is not _BAD:
        _fixed_and_searched(chk, raw, space)
    if (
        space is not _BAD
        and searchers is not _BAD
        and not chk.errors
        and any(s.kind == "grid" for s in searchers)
    ):
        from .budget import coarsest_grid_size

        smallest = coarsest_grid_size(space)
        for i, s in enumerate(searchers):
            if s.kind == "grid" and s.n_iter < smallest:
                chk.error(
                    f"searchers[{i}].n_iter",
                    f"{s.n_iter} is smaller than the coarsest grid of the space "
                    f"({smallest} candidates: one value per dimension, one candidate "
                    f"per branch); "
                    f"raise it to at least {smallest} or narrow the space",
                )
    if chk.errors:
        raise ExperimentError(chk.errors, source)
    params = dict(estimator.params)
    if params.get("random_state", 0) is None:
        params["random_state"] = random_state
    estimator = EstimatorSpec(
        path=estimator.path,
        preset=estimator.preset,
        params=params,
        scale=estimator.scale,
        text=estimator.text,
    )
    if title is None:
        what = estimator.preset or estimator.path.rpartition(":")[2]
        title = f"{what} on {data.dataset or Path(data.path).name}"
    return Experiment(
        estimator=estimator,
        data=data,
        space=space,
        searchers=searchers,
        cv=cv,
        scoring=scoring,
        n_jobs=n_jobs,
        random_state=random_state,
        output=Path(output),
        title=title,
        source=Path(source) if source else None,
        fit_timeout=None if fit_timeout is None else float(fit_timeout),
    )
