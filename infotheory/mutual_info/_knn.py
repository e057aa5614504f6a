"""What the kNN mutual-information family (KSG, Frenzel–Pompe, Ross) shares.

Data preparation (standardisation, the documented jitter, exact power-of-two scaling), the
duplicate check on k-th neighbour radii, the standard error of per-sample terms, and the
label-like-input warning around an estimate. Each estimator module holds only its own formula.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_random_state, pow2_scale
from ._diagnostics import label_like_inputs, warn_label_like_inputs


def _prepare(arrays, *, standardize: bool, noise: float, random_state):
    """Scale each column to unit variance (optional) and add the documented jitter (optional).

    The jitter is ``noise * max(1, mean|x|) * N(0, 1)`` per column, scikit-learn's form, applied
    after scaling. Columns with zero variance are left unscaled. Inputs are never modified.
    """
    rng = check_random_state(random_state) if noise > 0 else None
    out = []
    for A in arrays:
        if standardize:
            # power-of-two scaling first (exact): the variance of data of magnitude 1e-300 or
            # 1e300 would underflow to 0 or overflow to inf
            A = pow2_scale(A, axis=0)[0]
            std = A.std(axis=0)
            A = A / np.where(std > 0, std, 1.0)
        if noise > 0:
            scale = np.maximum(1.0, np.abs(A).mean(axis=0))
            A = A + noise * scale * rng.standard_normal(A.shape)
        out.append(np.ascontiguousarray(A, dtype=np.float64))
    if not standardize:
        # max-norm neighbours are invariant to one common scale: a power of two (exact) brings
        # the data to magnitude 1, so distances neither underflow nor overflow
        e = max(int(pow2_scale(A)[1]) for A in out)
        out = [np.ldexp(A, -e) for A in out]
    return out


def _check_radii(eps: np.ndarray, k: int, owner: str) -> None:
    """kNN estimators need continuous data: a k-th neighbour at distance 0 means >= k twins."""
    n_zero = int(np.count_nonzero(eps <= 0))
    if n_zero:
        raise ValueError(
            f"{owner}: {n_zero} sample(s) have k={k} or more exact duplicates (k-th neighbour "
            "distance 0), so the kNN estimate is undefined for discrete or repeated values. "
            "Pass noise=1e-10 (with random_state) to jitter the data, or use DiscreteMI / "
            "MixedMI for discrete variables."
        )


def _terms_se(terms: np.ndarray) -> float:
    """Standard error of the mean of per-sample kNN terms.

    The terms of neighbouring samples are correlated, so this is a rough scale of the sampling
    noise: over seeds it underestimates the spread of the estimate by a factor 1.1-1.4
    (N = 500-5000, d = 1-5). :func:`infotheory.bootstrap_ci` gives a resampled one.
    """
    return float(terms.std(ddof=1) / np.sqrt(terms.shape[0]))


def _estimate_with_checks(compute, arrays: dict, owner: str, base):
    """Run ``compute()`` -> ``(value, se)``, warning first about label-like inputs.

    The label-like warning comes before a duplicate error (the usual symptom of labels given to
    a kNN estimator) and, when the estimate exists, says whether it exceeds H(labels).
    """
    infos = label_like_inputs(arrays)
    try:
        value, se = compute()
    except ValueError:
        warn_label_like_inputs(arrays, infos, owner, base=base)
        raise
    warn_label_like_inputs(arrays, infos, owner, value=value, base=base)
    return value, se
