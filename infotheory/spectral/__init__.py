"""Spectral measures of point clouds: diffusion spectral entropy and MI, the Vendi score."""

from .._bandwidth import BandwidthWarning
from .diffusion import DiffusionSpectralEntropy, DiffusionSpectralMI
from .vendi import VendiScore, renyi_entropy_of_spectrum

__all__ = [
    "BandwidthWarning",
    "DiffusionSpectralEntropy",
    "DiffusionSpectralMI",
    "VendiScore",
    "renyi_entropy_of_spectrum",
]
