"""infotheory: information-theoretic estimators with a scikit-learn interface.

Entropy, mutual information, diffusion spectral entropy, the Vendi score, effective dimension and
information-theoretic generalization bounds, estimated from sample arrays of shape
``(n_samples, n_features)``. Values are in nats unless an estimator's ``base`` says otherwise.

Public names are loaded lazily, so ``import infotheory`` is fast and imports neither JAX nor
matplotlib.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name -> submodule that defines it. Estimators are re-exported here so users write
# ``infotheory.KSGMI``; the submodules stay the place where each is documented.
_LAZY = {
    # entropy
    "DiscreteEntropy": "entropy",
    "KLEntropy": "entropy",
    "GaussianEntropy": "entropy",
    "BinnedEntropy": "entropy",
    # mutual information
    "KSGMI": "mutual_info",
    "ConditionalMI": "mutual_info",
    "MixedMI": "mutual_info",
    "DiscreteMI": "mutual_info",
    "GaussianMI": "mutual_info",
    "GaussianCopulaMI": "mutual_info",
    "BinnedMI": "mutual_info",
    "CompressedMI": "mutual_info",
    "NeuralMI": "mutual_info",
    "KNNBiasWarning": "mutual_info",
    "DiscreteInputWarning": "mutual_info",
    "ConstantFeatureWarning": "mutual_info",
    "MutualInfo": "mutual_info",
    "StudentTCopulaMI": "mutual_info",
    "DegenerateInputWarning": "mutual_info",
    "UnverifiableEstimateWarning": "mutual_info",
    # spectral
    "DiffusionSpectralEntropy": "spectral",
    "DiffusionSpectralMI": "spectral",
    "VendiScore": "spectral",
    "BandwidthWarning": "spectral",
    # dimension
    "EffectiveDimension": "dimension",
    "LocalEffectiveDimension": "dimension",
    "TwoScaleEffectiveDimension": "dimension",
    "maddox_effective_dimension": "dimension",
    "fisher_from_model": "dimension",
    "intrinsic_dimension": "dimension",
    # analysis
    "InformationPlane": "analysis",
    "SaturationWarning": "analysis",
    "load_activations": "analysis",
    # uncertainty
    "bootstrap_ci": "resampling",
    "BootstrapWarning": "resampling",
    "permutation_test": "resampling",
    # infrastructure
    "all_estimators": "_base",
    "InfotheoryWarning": "_warnings",
    "MemoryBudgetError": "_validation",
}

_SUBMODULES = {
    "entropy", "mutual_info", "spectral", "dimension", "bounds", "analysis", "datasets",
    "plotting", "resampling",
}

__all__ = sorted([*_LAZY, *_SUBMODULES])


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'infotheory' has no attribute {name!r}")


def __dir__():
    return __all__
