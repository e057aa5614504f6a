"""Mutual information estimators: KSG, conditional, mixed, discrete, Gaussian, binned."""

from .binned import BinnedMI
from .discrete import DiscreteMI
from .gaussian import (
    GaussianCopulaMI,
    GaussianMI,
    gaussian_copula_mi,
    gaussian_copula_mi_se,
    gaussian_mi,
)

__all__ = [
    "BinnedMI",
    "DiscreteMI",
    "GaussianCopulaMI",
    "GaussianMI",
    "gaussian_copula_mi",
    "gaussian_copula_mi_se",
    "gaussian_mi",
]
