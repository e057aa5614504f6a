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
from .embedding import embed_pair, embedded_gaussians
from .mi_suite import (
    FAMILIES,
    MITask,
    gaussian_interaction,
    gaussian_interaction_cov,
    gaussian_mixture,
    mi_suite,
    spiral,
    student_t_interaction,
    swiss_roll,
    transform_marginals,
    uniform_additive_noise,
    uniform_noise_mi,
)

__all__ = [
    "FAMILIES",
    "MITask",
    "gaussian_interaction",
    "gaussian_interaction_cov",
    "gaussian_mixture",
    "mi_suite",
    "spiral",
    "student_t_interaction",
    "swiss_roll",
    "transform_marginals",
    "uniform_additive_noise",
    "uniform_noise_mi",
    "correlated_gaussians",
    "discrete",
    "discrete_joint",
    "embed_pair",
    "embedded_gaussians",
    "exponential",
    "gaussian",
    "load_demo_activations",
    "monotone_transform",
    "student_t",
    "student_t_mi",
    "uniform",
]
