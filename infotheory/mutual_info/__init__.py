"""Mutual information estimators: KSG, conditional, mixed, discrete, Gaussian, copula, binned,
compressed, neural, and ``MutualInfo``, which picks among them."""

from ._diagnostics import ConstantFeatureWarning, DiscreteInputWarning, pairwise_copula_lower_bound
from .auto import DegenerateInputWarning, MIDiagnostics, MutualInfo, UnverifiableEstimateWarning
from .binned import BinnedMI
from .compressed import CompressedMI
from .conditional import ConditionalMI
from .copula import StudentTCopulaMI, t_copula_mi
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
    "DegenerateInputWarning",
    "DiscreteMI",
    "GaussianCopulaMI",
    "GaussianMI",
    "KNNBiasWarning",
    "KSGMI",
    "MIDiagnostics",
    "UnverifiableEstimateWarning",
    "MixedMI",
    "MutualInfo",
    "StudentTCopulaMI",
    "NeuralMI",
    "gaussian_copula_mi",
    "gaussian_copula_mi_se",
    "gaussian_mi",
    "pairwise_copula_lower_bound",
    "t_copula_mi",
]
