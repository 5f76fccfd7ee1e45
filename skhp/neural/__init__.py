"""Neural nets as scikit-learn estimators, trained with torch through skorch.

``import skhp.neural`` does not import torch; torch, skorch, transformers and
peft are imported when an estimator is fitted. Install them with
``pip install "skhp[torch]"`` (MLPs, text classifiers) and
``pip install "skhp[torch,hf]"`` (transformer fine-tuning, with skorch or
Hugging Face's Trainer).
"""

from skhp.neural.estimators import MLPClassifier, MLPRegressor
from skhp.neural.text import TextClassifier
from skhp.neural.trainer import TrainerClassifier
from skhp.neural.transformers import TransformerClassifier

__all__ = [
    "MLPClassifier",
    "MLPRegressor",
    "TextClassifier",
    "TrainerClassifier",
    "TransformerClassifier",
]
