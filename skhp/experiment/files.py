"""Reading experiment files (TOML, or YAML when PyYAML is installed)."""

import tomllib
from pathlib import Path

from .schema import ExperimentError, check_experiment

__all__ = ["load_experiment", "read_experiment_file"]

SUFFIXES = (".toml", ".yaml", ".yml")


def read_experiment_file(path):
    """Parse an experiment file into a dict, without checking it.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.toml``, ``.yaml`` or ``.yml`` file.

    Returns
    -------
    raw : object
        The parsed content.

    Raises
    ------
    ExperimentError
        When the file is missing, has another suffix or does not parse.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ExperimentError(
            [
                f"{str(path)!r} is not an experiment file: the name must end in "
                f"{', '.join(SUFFIXES)}"
            ]
        )
    if not path.is_file():
        raise ExperimentError([f"file not found: {str(path)!r}"])
    if suffix == ".toml":
        try:
            with path.open("rb") as f:
                return tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise ExperimentError([f"not valid TOML: {exc}"], str(path)) from None
    try:
        import yaml
    except ImportError:
        raise ExperimentError(
            [
                "reading YAML needs PyYAML, which is not installed; install it "
                "with: pip install pyyaml (or write the experiment in TOML)"
            ],
            str(path),
        ) from None
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.safe_load(f)
    except yaml.YAMLError as exc:
        raise ExperimentError([f"not valid YAML: {exc}"], str(path)) from None


def load_experiment(path, *, base_dir=None, trust=False):
    """Read and check an experiment file.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.toml``, ``.yaml`` or ``.yml`` file.
    base_dir : str or os.PathLike, default=None
        Folder that relative paths in the file are relative to. Default: the
        file's folder.
    trust : bool, default=False
        Allow estimator classes outside scikit-learn, skhp and skorch (see
        :func:`~skhp.experiment.check_experiment`).

    Returns
    -------
    experiment : skhp.experiment.Experiment

    Raises
    ------
    ExperimentError
        Listing every mistake with its key path.

    Examples
    --------
    >>> from skhp.experiment import load_experiment
    >>> experiment = load_experiment("iris.toml")  # doctest: +SKIP
    >>> [s.name for s in experiment.searchers]  # doctest: +SKIP
    ['grid', 'random', 'bayes']
    """
    return check_experiment(
        read_experiment_file(path), source=str(path), base_dir=base_dir, trust=trust
    )
