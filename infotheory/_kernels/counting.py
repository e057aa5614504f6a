"""Symbol coding and counting for discrete estimators, vectorised (no loop over samples).

A row of a 2-D array is one joint symbol. Rows of small integers are packed into one ``int64``
by a mixed-radix code (O(N d)) and counted with ``bincount`` when the code range is small; only
rows that cannot be packed (non-integers, huge ranges) fall back to a lexicographic sort
(``np.unique(axis=0)``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["symbol_codes", "joint_codes", "counts_from_codes"]

# A dense bincount over the packed range is used when that range is at most this many times the
# number of samples (memory stays O(N)); otherwise the packed codes are sorted.
_DENSE_FACTOR = 4
_LOG2_MAX_PACKED = 62


def _compact(codes: np.ndarray, n_range: int) -> tuple[np.ndarray, int]:
    """Renumber ``codes`` in ``[0, n_range)`` to ``0..m-1`` (m distinct codes), order kept."""
    n = codes.shape[0]
    if n_range <= _DENSE_FACTOR * max(n, 1):
        present = np.bincount(codes, minlength=n_range) > 0
        rank = np.cumsum(present) - 1
        return rank[codes].astype(np.int64), int(present.sum())
    uniq, inverse = np.unique(codes, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), int(uniq.size)


def symbol_codes(A: np.ndarray) -> tuple[np.ndarray, int]:
    """Return ``(codes, m)``: one code in ``0..m-1`` per row of ``A``, equal rows equal codes.

    ``A`` is a finite ``float64`` array of shape ``(n, d)`` (validated by the caller).
    """
    n, d = A.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64), 0
    lo = A.min(axis=0)
    span = A.max(axis=0) - lo
    integral = bool(np.all(A == np.round(A)))
    if integral:
        sizes = span + 1.0
        # test the packed range in log space, before any overflow can happen
        if float(np.log2(sizes).sum()) < _LOG2_MAX_PACKED:
            sizes = sizes.astype(np.int64)
            strides = np.ones(d, dtype=np.int64)
            strides[:-1] = np.cumprod(sizes[::-1])[::-1][1:]
            packed = (A - lo).astype(np.int64) @ strides
            return _compact(packed, int(np.prod(sizes)))
    if d == 1:
        _, inverse = np.unique(A[:, 0], return_inverse=True)
    else:
        _, inverse = np.unique(A, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1).astype(np.int64)
    return inverse, int(inverse.max()) + 1


def joint_codes(cx: np.ndarray, mx: int, cy: np.ndarray, my: int) -> tuple[np.ndarray, int]:
    """Codes of the pairs ``(cx[i], cy[i])`` given codes in ``0..mx-1`` and ``0..my-1``."""
    return _compact(cx * np.int64(my) + cy, mx * my)


def counts_from_codes(codes: np.ndarray, m: int) -> np.ndarray:
    """Occurrences of each code ``0..m-1`` (all positive when codes come from this module)."""
    return np.bincount(codes, minlength=m)
