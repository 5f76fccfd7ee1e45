"""A slow classifier that logs every fit, to watch a search from outside.

Importable by path in experiment files as ``tests.experiment.sleepy:SleepyClassifier``.
"""

import os
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin


class SleepyClassifier(ClassifierMixin, BaseEstimator):
    """Sleeps ``delay`` seconds per fit and appends ``C n_samples`` to ``log``.

    Fails to fit when ``C`` is one of ``fail_on`` (a list).
    """

    def __init__(self, C=1.0, delay=0.0, log=None, fail_on=None):
        self.C = C
        self.delay = delay
        self.log = log
        self.fail_on = fail_on

    def fit(self, X, y):
        if self.fail_on is not None and self.C in self.fail_on:
            raise ValueError(f"C={self.C} is in fail_on")
        time.sleep(self.delay)
        if self.log:
            with open(self.log, "a", encoding="utf-8") as f:
                f.write(f"{self.C!r} {len(X)} {os.getpid()}\n")
        self.classes_, counts = np.unique(y, return_counts=True)
        # A score that depends on C, so the searchers have something to find.
        self.majority_ = self.classes_[np.argmax(counts)] if self.C > 1 else None
        return self

    def predict(self, X):
        if self.majority_ is not None:
            return np.full(len(X), self.majority_)
        return self.classes_[np.arange(len(X)) % len(self.classes_)]
