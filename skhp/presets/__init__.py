"""Ready search spaces for common models."""

from .logistic import logistic_regression

__all__ = ["logistic_regression"]
