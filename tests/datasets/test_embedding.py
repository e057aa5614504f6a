"""embedded_gaussians: shapes, determinism, the map is injective and MI-preserving, bad input."""

import numpy as np
import pytest

from infotheory.datasets import correlated_gaussians, embed_pair, embedded_gaussians
from infotheory.datasets.embedding import _random_rotation


def test_shapes_truth_and_determinism():
    X, Y, mi = embedded_gaussians(300, 1.5, latent_dim=3, dim=70, random_state=1)
    assert X.shape == Y.shape == (300, 70)
    assert mi == 1.5
    X2, Y2, _ = embedded_gaussians(300, 1.5, latent_dim=3, dim=70, random_state=1)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)


def test_rotation_is_orthogonal():
    Q = _random_rotation(np.random.default_rng(0), 5)
    np.testing.assert_allclose(Q @ Q.T, np.eye(5), atol=1e-12)


def test_linear_embedding_is_an_isometry_of_the_latent_samples():
    """strength=0: X = sqrt(D/m) Z Q L, so the Gram matrix of X is (D/m) times that of Z."""
    n, m, D = 50, 2, 64
    X, _, _ = embedded_gaussians(n, 1.0, latent_dim=m, dim=D, strength=0.0, random_state=3)
    Z, _, _ = correlated_gaussians(n, 1.0, dim=m, random_state=3)
    np.testing.assert_allclose(X @ X.T, (D / m) * (Z @ Z.T), rtol=1e-9, atol=1e-9)


def test_nonlinear_embedding_is_injective_and_smooth():
    """The latent sample is recovered exactly: f is inverted by Newton and L by its transpose."""
    n, m, D, s = 200, 3, 64, 1.0
    X, _, _ = embedded_gaussians(n, 2.0, latent_dim=m, dim=D, strength=s, random_state=5)
    Z, _, _ = correlated_gaussians(n, 2.0, dim=m, random_state=5)
    U = X.copy()
    for _ in range(60):  # Newton on f(u) = u + s tanh(u) = x, f' >= 1
        U -= (U + s * np.tanh(U) - X) / (1.0 + s / np.cosh(U) ** 2)
    np.testing.assert_allclose(U + s * np.tanh(U), X, atol=1e-10)
    # U = Z M with M = sqrt(D/m) Q L of rank m: the least-squares fit is exact
    M, *_ = np.linalg.lstsq(Z, U, rcond=None)
    np.testing.assert_allclose(Z @ M, U, atol=1e-8)
    assert np.linalg.matrix_rank(M) == m


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"dim": 1, "latent_dim": 2}, ValueError, "dim must be >= latent_dim=2.*got dim=1"),
        ({"latent_dim": 0}, ValueError, "latent_dim must be >= 1, got 0"),
        ({"dim": 2.5}, TypeError, "dim must be an int, got 2.5"),
        ({"strength": -1.0}, ValueError, "strength must be > -1.0, got -1.0"),
        ({"strength": float("inf")}, ValueError, "strength must be a finite number"),
        ({"strength": "big"}, TypeError, "strength must be a real number, got 'big'"),
    ],
)
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        embedded_gaussians(10, 1.0, **kwargs)


def test_bad_mi_and_n_come_from_correlated_gaussians():
    with pytest.raises(ValueError, match="mi must be >= 0, got -1"):
        embedded_gaussians(10, -1.0)
    with pytest.raises(ValueError, match="n_samples must be >= 1, got 0"):
        embedded_gaussians(0, 1.0)


# -- embed_pair: any latent law -----------------------------------------------------------------


def test_embed_pair_is_injective_and_deterministic():
    """Standardise, lift and bend: the standardised latent is recovered exactly (as above)."""
    rng = np.random.default_rng(0)
    U, V = rng.uniform(size=(200, 2)), rng.exponential(size=(200, 3))
    X, Y = embed_pair(U, V, dim=40, strength=1.0, random_state=4)
    assert X.shape == Y.shape == (200, 40)
    X2, Y2 = embed_pair(U, V, dim=40, strength=1.0, random_state=4)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    for latent, Z in ((U, X), (V, Y)):
        W = Z.copy()
        for _ in range(60):  # Newton on f(w) = w + tanh(w) = z
            W -= (W + np.tanh(W) - Z) / (1.0 + 1.0 / np.cosh(W) ** 2)
        S = (latent - latent.mean(0)) / latent.std(0)
        M, *_ = np.linalg.lstsq(S, W, rcond=None)
        np.testing.assert_allclose(S @ M, W, atol=1e-8)
        assert np.linalg.matrix_rank(M) == latent.shape[1]


def test_embed_pair_of_gaussians_keeps_the_gaussian_mi():
    """strength=0 is linear: the Gaussian MI of the 2-D PCA codes equals that of the latents."""
    from sklearn.decomposition import PCA

    from infotheory import GaussianMI

    U, V, _ = correlated_gaussians(2000, 1.0, dim=2, random_state=0)
    X, Y = embed_pair(U, V, dim=30, strength=0.0, random_state=1)
    codes = GaussianMI().fit(PCA(2).fit_transform(X), PCA(2).fit_transform(Y)).mutual_info_
    assert codes == pytest.approx(GaussianMI().fit(U, V).mutual_info_, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"dim": 2}, ValueError, r"dim must be >= the 3 features of Y.*got dim=2"),
        ({"dim": 2.5}, TypeError, "dim must be an int, got 2.5"),
        ({"strength": -1.0}, ValueError, "strength must be > -1.0, got -1.0"),
        ({"Y": np.ones((20, 3))}, ValueError, "Y has a constant feature"),
        ({"Y": np.zeros((19, 3))}, ValueError, "X and Y must have the same number of samples"),
    ],
)
def test_embed_pair_bad_input(kwargs, exc, match):
    rng = np.random.default_rng(0)
    args = {"X": rng.normal(size=(20, 2)), "Y": rng.normal(size=(20, 3))}
    args.update(kwargs)
    X, Y = args.pop("X"), args.pop("Y")
    with pytest.raises(exc, match=match):
        embed_pair(X, Y, **args)
