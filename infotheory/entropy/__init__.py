"""Entropy estimators: discrete, Kozachenko–Leonenko kNN, Gaussian, binned."""

from .discrete import DiscreteEntropy
from .gaussian import GaussianEntropy

__all__ = ["DiscreteEntropy", "GaussianEntropy"]
