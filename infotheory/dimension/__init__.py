"""Effective dimension of parametric models: global, local, two-scale (2sED) and Maddox's N_eff."""

from .effective import (
    EffectiveDimension,
    LocalEffectiveDimension,
    TwoScaleEffectiveDimension,
    fisher_from_model,
    maddox_effective_dimension,
)

__all__ = [
    "EffectiveDimension",
    "LocalEffectiveDimension",
    "TwoScaleEffectiveDimension",
    "fisher_from_model",
    "maddox_effective_dimension",
]
