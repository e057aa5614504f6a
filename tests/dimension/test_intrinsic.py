"""intrinsic_dimension: linear and curved manifolds of known dimension, bad input."""

import numpy as np
import pytest

from infotheory.datasets import embedded_gaussians
from infotheory.dimension import intrinsic_dimension


@pytest.mark.parametrize("m", [1, 2, 3, 5])
def test_linear_subspace(m):
    rng = np.random.default_rng(m)
    X = rng.normal(size=(2000, m)) @ rng.normal(size=(m, 40))
    assert abs(intrinsic_dimension(X, random_state=0) - m) < 0.25 + 0.05 * m


def test_curved_manifold_in_128_dimensions():
    X, _, _ = embedded_gaussians(3000, 1.0, latent_dim=4, dim=128, random_state=0)
    assert abs(intrinsic_dimension(X, random_state=0) - 4) < 0.4


def test_duplicates_and_deterministic_subset():
    rng = np.random.default_rng(0)
    X = np.repeat(rng.normal(size=(500, 2)), 2, axis=0)
    a = intrinsic_dimension(X, max_samples=600, random_state=1)
    assert a == intrinsic_dimension(X, max_samples=600, random_state=1)
    assert 1.5 < a < 2.5


def test_bad_input():
    with pytest.raises(ValueError, match="k must be >= 2"):
        intrinsic_dimension(np.zeros((20, 2)), k=1)
    with pytest.raises(ValueError, match="minimum of 11 is required by intrinsic_dimension"):
        intrinsic_dimension(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="max_samples must be >= 11"):
        intrinsic_dimension(np.zeros((50, 2)), max_samples=5)


def test_matches_the_formula_on_brute_force_distances():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 2)) @ rng.normal(size=(2, 12)) + 0.05 * rng.normal(size=(300, 12))
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    dist = np.sort(D, axis=1)[:, 1:11]  # the 10 nearest, self excluded
    logs = np.log(dist)
    expected = 1.0 / np.mean(np.mean(logs[:, -1:] - logs[:, :-1], axis=1))
    assert intrinsic_dimension(X, k=10) == pytest.approx(expected, rel=1e-12)
    assert intrinsic_dimension(X, k=10, n_jobs=2) == pytest.approx(expected, rel=1e-12)
