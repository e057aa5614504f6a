"""Small dense linear-algebra helpers shared by the parametric and spectral estimators."""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg


def logdet_psd(A: np.ndarray, *, name: str = "matrix") -> float:
    """log det of a symmetric positive-definite matrix via Cholesky (never ``det``).

    Raises ``ValueError`` naming ``name`` when ``A`` is singular (e.g. a constant or duplicated
    feature), instead of returning ``-inf``.
    """
    return cholesky_logdet(A, name=name)[1]


def cholesky_logdet(A: np.ndarray, *, name: str = "matrix") -> tuple[np.ndarray, float]:
    """Lower Cholesky factor ``L`` of ``A`` and ``log det A``, with the checks of
    :func:`logdet_psd`."""
    message = (
        f"The {name} is singular (not positive definite, shape={A.shape}): some features are "
        "constant or linear combinations of others. Remove them or add noise explicitly."
    )
    try:
        c = linalg.cholesky(A, lower=True, check_finite=False)
    except linalg.LinAlgError:
        raise ValueError(message) from None
    # diag(c)^2 / diag(A) is 1 - R^2 of each feature regressed on the previous ones: a value at
    # round-off level means the Cholesky only succeeded by rounding (e.g. columns x and 2x).
    if np.min(np.diag(c) ** 2 / np.diag(A)) < 1e3 * A.shape[0] * np.finfo(np.float64).eps:
        raise ValueError(message)
    return c, float(2.0 * np.log(np.diag(c)).sum())


def gaussian_mixture_logpdf(Z: np.ndarray, weights: np.ndarray, means: np.ndarray,
                            covs: np.ndarray) -> np.ndarray:
    """log density at the rows of ``Z`` of the Gaussian mixture ``sum_j w_j N(means[j], covs[j])``.

    One Cholesky factor per component; the component terms are combined with ``logsumexp``.
    """
    from scipy.special import logsumexp

    n, d = Z.shape
    out = np.empty((n, means.shape[0]))
    for j in range(means.shape[0]):
        L = linalg.cholesky(covs[j], lower=True, check_finite=False)
        W = linalg.solve_triangular(L, (Z - means[j]).T, lower=True, check_finite=False)
        out[:, j] = (math.log(weights[j]) - 0.5 * np.einsum("ij,ij->j", W, W)
                     - np.log(np.diag(L)).sum() - 0.5 * d * math.log(2.0 * math.pi))
    return logsumexp(out, axis=1)
