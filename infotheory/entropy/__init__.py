"""Entropy estimators: discrete, Kozachenko–Leonenko kNN, Gaussian, binned."""

from .binned import BinnedEntropy, adaptive_range_max, entropy_based_edges
from .discrete import DiscreteEntropy
from .gaussian import GaussianEntropy
from .knn import KLEntropy

__all__ = [
    "BinnedEntropy",
    "DiscreteEntropy",
    "GaussianEntropy",
    "KLEntropy",
    "adaptive_range_max",
    "entropy_based_edges",
]
