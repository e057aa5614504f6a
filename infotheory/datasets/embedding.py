"""Low-dimensional correlated Gaussians embedded smoothly and injectively in a high dimension.

The ground truth of compressed MI (the synthetic check of Butakov et al. 2024):
an injective map of each variable leaves the mutual information unchanged, so samples that live
in 64 or more dimensions still carry a known MI.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._validation import check_param, check_random_state
from .distributions import correlated_gaussians

__all__ = ["embed_pair", "embedded_gaussians"]


def _random_rotation(rng: np.random.Generator, d: int) -> np.ndarray:
    """A Haar-distributed orthogonal ``d x d`` matrix (QR of a Gaussian, signs fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def _embed(Z: np.ndarray, dim: int, strength: float, rng: np.random.Generator) -> np.ndarray:
    m = Z.shape[1]
    # Orthonormal rows: the lift is an isometry onto an m-dimensional subspace of R^dim, scaled
    # so that every coordinate has variance of order 1 whatever dim is.
    lift = np.linalg.qr(rng.standard_normal((dim, m)))[0].T * math.sqrt(dim / m)
    U = (Z @ _random_rotation(rng, m)) @ lift
    return U + strength * np.tanh(U)


def embedded_gaussians(n_samples, mi, *, latent_dim=2, dim=64, strength=1.0,
                       random_state=None):
    r"""Correlated Gaussians with known MI, mapped smoothly and injectively into ``dim`` dimensions.

    Each variable is drawn in ``latent_dim`` dimensions by :func:`correlated_gaussians`
    (coordinate-wise correlation :math:`\rho = \sqrt{1 - e^{-2I/m}}`, :math:`m` =
    ``latent_dim``), rotated by a random orthogonal matrix :math:`Q`, lifted by a random
    :math:`m \times D` matrix :math:`L` with orthonormal rows (scaled by :math:`\sqrt{D/m}` so
    that coordinates have variance of order one) into :math:`D` = ``dim`` dimensions and passed
    through the elementwise function
    :math:`f(u) = u + s\tanh u` (:math:`s` = ``strength``):

    .. math:: E(z) = f\big(\sqrt{D/m}\; z\,Q\,L\big), \qquad X = E_X(Z_X),\; Y = E_Y(Z_Y),

    with independent draws of :math:`Q, L` for the two variables. :math:`f' = 1 + s\,
    \mathrm{sech}^2 u > 0` for :math:`s > -1`, so :math:`f` is a smooth bijection of the real
    line and :math:`E` is a smooth injective map (an immersion) of :math:`\mathbb R^m` into
    :math:`\mathbb R^D`. Injective maps leave mutual information unchanged, hence
    :math:`I(X;Y) = I(Z_X;Z_Y) =` ``mi``. The samples lie on an :math:`m`-dimensional curved
    manifold of :math:`\mathbb R^D`: their differential entropy is :math:`-\infty`, only their MI
    is meaningful.

    Parameters
    ----------
    n_samples : int
    mi : float
        Mutual information in nats, >= 0.
    latent_dim : int, default=2
        Intrinsic dimension :math:`m` of each variable.
    dim : int, default=64
        Ambient dimension :math:`D` >= ``latent_dim``.
    strength : float, default=1.0
        Amplitude :math:`s > -1` of the nonlinearity (0 gives a linear embedding).
    random_state : None, int, Generator or RandomState

    Returns
    -------
    X, Y : ndarray of shape (n_samples, dim)
    true_mi : float
        ``mi``, in nats.

    References
    ----------
    .. [1] I. Butakov, A. Tolmachev, S. Malanchuk, A. Neopryatnaya, A. Frolov and K. Andreev,
       "Information bottleneck analysis of deep neural networks via lossy compression",
       *ICLR* 2024.

    Examples
    --------
    >>> X, Y, true_mi = embedded_gaussians(1000, mi=2.0, latent_dim=2, dim=64, random_state=0)
    >>> X.shape, Y.shape, true_mi
    ((1000, 64), (1000, 64), 2.0)
    """
    latent_dim = int(check_param(latent_dim, "latent_dim", numbers.Integral, low=1))
    dim = int(check_param(dim, "dim", numbers.Integral, low=1))
    if dim < latent_dim:
        raise ValueError(
            f"dim must be >= latent_dim={latent_dim} for an injective embedding, got dim={dim}"
        )
    check_param(strength, "strength", numbers.Real, low=-1.0, low_inclusive=False,
                finite=True)
    if not math.isfinite(strength):
        raise ValueError(f"strength must be a finite number > -1, got {strength!r}")
    rng = check_random_state(random_state)
    Zx, Zy, true_mi = correlated_gaussians(n_samples, mi, dim=latent_dim, random_state=rng)
    X = _embed(Zx, dim, float(strength), rng)
    Y = _embed(Zy, dim, float(strength), rng)
    return X, Y, true_mi


def embed_pair(X, Y, *, dim=64, strength=1.0, random_state=None):
    r"""Map low-dimensional samples of any law smoothly and injectively into ``dim`` dimensions.

    Each variable is standardised (an affine bijection) and then embedded as in
    :func:`embedded_gaussians`, :math:`E(z) = f(\sqrt{D/m}\, z\,Q\,L)` with
    :math:`f(u) = u + s\tanh u`, with independent draws of :math:`Q, L` per variable: the mutual
    information is unchanged, :math:`I(E_X(X); E_Y(Y)) = I(X; Y)`. Use it to embed latents with
    a non-Gaussian law and a known MI (e.g. :func:`gaussian_mixture`,
    :func:`uniform_additive_noise`).

    Parameters
    ----------
    X, Y : array-like of shape (n_samples, m_x) and (n_samples, m_y)
        Paired latent samples (a 1-D array is one feature).
    dim : int, default=64
        Ambient dimension :math:`D`, at least each variable's number of features.
    strength : float, default=1.0
        Amplitude :math:`s > -1` of the nonlinearity (0 gives a linear embedding).
    random_state : None, int, Generator or RandomState
        Seed of the rotations and lifts.

    Returns
    -------
    X_embedded, Y_embedded : ndarray of shape (n_samples, dim)

    Examples
    --------
    >>> from infotheory.datasets import embed_pair, uniform_additive_noise
    >>> U, V, true_mi = uniform_additive_noise(1000, dim=2, epsilon=0.5, random_state=0)
    >>> X, Y = embed_pair(U, V, dim=32, random_state=0)
    >>> X.shape, round(true_mi, 3)
    ((1000, 32), 1.0)
    """
    from .._validation import check_paired

    X, Y = check_paired(X, Y, names=("X", "Y"))
    dim = int(check_param(dim, "dim", numbers.Integral, low=1))
    for Z, name in ((X, "X"), (Y, "Y")):
        if dim < Z.shape[1]:
            raise ValueError(
                f"dim must be >= the {Z.shape[1]} features of {name} for an injective "
                f"embedding, got dim={dim}"
            )
        if np.any(np.ptp(Z, axis=0) == 0):
            raise ValueError(f"{name} has a constant feature: it cannot be standardised")
    check_param(strength, "strength", numbers.Real, low=-1.0, low_inclusive=False, finite=True)
    rng = check_random_state(random_state)
    return tuple(_embed((Z - Z.mean(axis=0)) / Z.std(axis=0), dim, float(strength), rng)
                 for Z in (X, Y))
