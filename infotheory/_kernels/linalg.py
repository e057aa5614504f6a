"""Small dense linear-algebra helpers shared by the parametric and spectral estimators."""

from __future__ import annotations

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
