"""Information-plane analysis of saved activations: I(X;T) and I(T;Y) over layers and epochs."""

from .loading import load_activations, open_npz
from .plane import InformationPlane, SaturationWarning

__all__ = ["InformationPlane", "SaturationWarning", "load_activations", "open_npz"]
