"""Entropy estimators: discrete, Kozachenko–Leonenko kNN, Gaussian, binned."""

from .gaussian import GaussianEntropy

__all__ = ["GaussianEntropy"]
