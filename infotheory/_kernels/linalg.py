"""Small dense linear-algebra helpers shared by the parametric and spectral estimators."""

from __future__ import annotations

import numpy as np
from scipy import linalg


def logdet_psd(A: np.ndarray, *, name: str = "matrix") -> float:
    """log det of a symmetric positive-definite matrix via Cholesky (never ``det``).

    Raises ``ValueError`` naming ``name`` when ``A`` is singular (e.g. a constant or duplicated
    feature), instead of returning ``-inf``.
    """
    try:
        c = linalg.cholesky(A, lower=True, check_finite=False)
    except linalg.LinAlgError:
        raise ValueError(
            f"The {name} is singular (not positive definite, shape={A.shape}): some features are "
            "constant or linear combinations of others. Remove them or add noise explicitly."
        ) from None
    return float(2.0 * np.log(np.diag(c)).sum())
