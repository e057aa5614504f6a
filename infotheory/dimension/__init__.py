"""Effective dimension of parametric models (global, local, two-scale 2sED, Maddox's N_eff) and
the intrinsic dimension of point clouds."""

from .effective import (
    EffectiveDimension,
    LocalEffectiveDimension,
    TwoScaleEffectiveDimension,
    fisher_from_model,
    maddox_effective_dimension,
)
from .intrinsic import intrinsic_dimension

__all__ = [
    "EffectiveDimension",
    "LocalEffectiveDimension",
    "TwoScaleEffectiveDimension",
    "fisher_from_model",
    "intrinsic_dimension",
    "maddox_effective_dimension",
]
