"""A ready search space for multi-layer perceptrons, and where to start it."""

from ..space import Categorical, Integer, Real

__all__ = ["mlp", "mlp_initial_points"]

_OPTIMIZERS = ("adam", "sgd")


def mlp(*, optimizers=_OPTIMIZERS, prefix=""):
    """Search space for :class:`skhp.neural.MLPClassifier` and ``MLPRegressor``.

    One branch per optimizer, because the useful learning rates differ by
    about an order of magnitude between them:

    - ``"adam"``: ``lr`` log-uniform in [1e-5, 1e-1];
    - ``"sgd"``: ``lr`` log-uniform in [1e-4, 1] and ``momentum`` in
      [0, 0.99].

    Both search the architecture (``width`` log-uniform in [16, 512] units per
    hidden layer, ``depth`` 1 to 3 layers), ``activation`` ("relu", "tanh",
    "gelu"), ``dropout`` in [0, 0.5] and ``batch_size`` (32, 64, 128). The
    number of epochs is left to the estimator (or to successive halving with
    ``resource="max_epochs"``).

    Parameters
    ----------
    optimizers : sequence of {"adam", "sgd"}, default=("adam", "sgd")
        The optimizers to search, one branch each.
    prefix : str, default=""
        Put before every name, for a model inside a Pipeline (e.g.
        ``"mlpclassifier__"``).

    Returns
    -------
    space : list of dict
        One dict per optimizer.

    See Also
    --------
    mlp_initial_points : A known-good first candidate of this space.

    Examples
    --------
    >>> from skhp.presets import mlp
    >>> [branch["optimizer"][0] for branch in mlp()]
    ['adam', 'sgd']
    """
    chosen = [optimizers] if isinstance(optimizers, str) else list(optimizers)
    unknown = [o for o in chosen if o not in _OPTIMIZERS]
    if unknown or not chosen or len(set(chosen)) != len(chosen):
        raise ValueError(
            "`optimizers` must be a non-empty list of distinct names from "
            f"{list(_OPTIMIZERS)}, but got optimizers={optimizers!r}."
        )
    common = {
        "width": Integer(16, 512, prior="log-uniform"),
        "depth": Integer(1, 3),
        "activation": Categorical(["relu", "tanh", "gelu"]),
        "dropout": Real(0.0, 0.5),
        "batch_size": Categorical([32, 64, 128]),
    }
    by_optimizer = {
        "adam": {"lr": Real(1e-5, 1e-1, prior="log-uniform")},
        "sgd": {
            "lr": Real(1e-4, 1.0, prior="log-uniform"),
            "momentum": Real(0.0, 0.99),
        },
    }
    branches = [
        {"optimizer": Categorical([name]), **by_optimizer[name], **common}
        for name in chosen
    ]
    return [{prefix + name: dim for name, dim in b.items()} for b in branches]


def mlp_initial_points(*, optimizers=_OPTIMIZERS, prefix=""):
    """Known-good first candidates for :func:`mlp`.

    Adam with learning rate ``1e-3``, the setting Kingma and Ba recommend as
    "good default settings for the tested machine learning problems"
    (D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization",
    ICLR 2015, Algorithm 1: alpha = 0.001, beta1 = 0.9, beta2 = 0.999) and
    the default of ``torch.optim.Adam``; one hidden layer of 100 ReLU units,
    scikit-learn's ``MLPClassifier`` defaults (``hidden_layer_sizes=(100,)``,
    ``activation="relu"``); no dropout and mini-batches of 64, the defaults
    of :class:`skhp.neural.MLPClassifier`.

    Parameters
    ----------
    optimizers : sequence of str, default=("adam", "sgd")
        The ``optimizers`` given to :func:`mlp`; the Adam candidate needs
        "adam" among them.
    prefix : str, default=""
        The ``prefix`` given to :func:`mlp`.

    Returns
    -------
    points : list of dict
        Candidates of ``mlp(optimizers=optimizers, prefix=prefix)``; empty
        when "adam" is not searched.

    Examples
    --------
    >>> from skhp.presets import mlp_initial_points
    >>> mlp_initial_points()[0]["lr"]
    0.001
    """
    mlp(optimizers=optimizers)  # validates ``optimizers``
    chosen = [optimizers] if isinstance(optimizers, str) else list(optimizers)
    points = []
    if "adam" in chosen:
        points.append(
            {
                "optimizer": "adam",
                "lr": 1e-3,
                "width": 100,
                "depth": 1,
                "activation": "relu",
                "dropout": 0.0,
                "batch_size": 64,
            }
        )
    return [{prefix + name: value for name, value in p.items()} for p in points]
