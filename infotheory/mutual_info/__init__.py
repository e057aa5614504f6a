"""Mutual information estimators: KSG, conditional, mixed, discrete, Gaussian, binned, compressed,
neural."""

from ._diagnostics import ConstantFeatureWarning, DiscreteInputWarning, pairwise_copula_lower_bound
from .binned import BinnedMI
from .compressed import CompressedMI
from .conditional import ConditionalMI
from .discrete import DiscreteMI
from .gaussian import (
    GaussianCopulaMI,
    GaussianMI,
    gaussian_copula_mi,
    gaussian_copula_mi_se,
    gaussian_mi,
)
from .ksg import KSGMI, KNNBiasWarning
from .mixed import MixedMI
from .neural import NeuralMI

__all__ = [
    "BinnedMI",
    "CompressedMI",
    "ConditionalMI",
    "ConstantFeatureWarning",
    "DiscreteInputWarning",
    "DiscreteMI",
    "GaussianCopulaMI",
    "GaussianMI",
    "KNNBiasWarning",
    "KSGMI",
    "MixedMI",
    "NeuralMI",
    "gaussian_copula_mi",
    "gaussian_copula_mi_se",
    "gaussian_mi",
    "pairwise_copula_lower_bound",
]
