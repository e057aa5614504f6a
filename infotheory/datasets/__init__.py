"""Distributions with known entropy / mutual information, and bundled demo data."""

from .activations import load_demo_activations
from .distributions import (
    correlated_gaussians,
    discrete,
    discrete_joint,
    exponential,
    gaussian,
    monotone_transform,
    student_t,
    student_t_mi,
    uniform,
)
from .embedding import embedded_gaussians

__all__ = [
    "correlated_gaussians",
    "discrete",
    "discrete_joint",
    "embedded_gaussians",
    "exponential",
    "gaussian",
    "load_demo_activations",
    "monotone_transform",
    "student_t",
    "student_t_mi",
    "uniform",
]
