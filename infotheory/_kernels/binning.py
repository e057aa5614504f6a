"""Binning kernels for binned activation MI: digitisation, row hashing, symbol grouping, counts.

A sample's row of bin indices is one discrete symbol. Rows are hashed to 64 bits in the same pass
that digitises them (O(N·d), one read of the activations); rows with equal hashes are then compared
element by element, so two different rows never share a symbol even if their hashes collide.

All kernels accept read-only arrays (memory maps) and never validate their input.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# FNV-1a offset and prime, then the splitmix64 finaliser: cheap, and the finaliser spreads the
# low-entropy bin indices over all 64 bits so that sorting by hash groups rows well.
_SEED = np.uint64(0xCBF29CE484222325)
_PRIME = np.uint64(0x100000001B3)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)


@njit(cache=True, inline="always")
def _finalise(h):
    h ^= h >> _S30
    h *= _M1
    h ^= h >> _S27
    h *= _M2
    h ^= h >> _S31
    return h


@njit(cache=True, inline="always")
def _bin_index(v, edges, uniform, low, inv_width):
    """``np.searchsorted(edges, v, side="right")`` (= ``np.digitize(v, edges)``), exactly.

    For equal-width edges an arithmetic guess is corrected against the actual edges, so the result
    is the same as the binary search even where rounding puts ``v`` next to an edge.
    """
    ne = edges.shape[0]
    if uniform:
        f = (v - low) * inv_width
        if f < 0.0:
            g = 0
        elif f >= ne:
            g = ne
        else:
            g = int(f) + 1
        while g < ne and edges[g] <= v:
            g += 1
        while g > 0 and edges[g - 1] > v:
            g -= 1
        return g
    lo = 0
    hi = ne
    while lo < hi:
        mid = (lo + hi) >> 1
        if edges[mid] <= v:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def digitize_hash(T, edges, uniform, low, inv_width, codes, hashes):
    """Write the bin index of every value into ``codes`` and one 64-bit hash per row.

    ``codes[i, j] = searchsorted(edges, T[i, j], side="right")``: 0 means below the first edge,
    ``k`` means the bin whose left edge is ``edges[k - 1]``.
    """
    n, d = T.shape
    for i in range(n):
        h = _SEED
        for j in range(d):
            g = _bin_index(T[i, j], edges, uniform, low, inv_width)
            codes[i, j] = g
            h = (h ^ np.uint64(g)) * _PRIME
        hashes[i] = _finalise(h)


@njit(cache=True)
def floor_hash(T, bin_size, codes, hashes):
    """Fixed bin size (Saxe et al.): ``codes = floor(T / bin_size)`` as int64, and row hashes."""
    n, d = T.shape
    for i in range(n):
        h = _SEED
        for j in range(d):
            g = np.int64(np.floor(T[i, j] / bin_size))
            codes[i, j] = g
            h = (h ^ np.uint64(g)) * _PRIME
        hashes[i] = _finalise(h)


@njit(cache=True)
def hash_rows(codes, hashes):
    """One 64-bit hash per row of an integer array (symbol pairs, input rows)."""
    n, d = codes.shape
    for i in range(n):
        h = _SEED
        for j in range(d):
            h = (h ^ np.uint64(codes[i, j])) * _PRIME
        hashes[i] = _finalise(h)


@njit(cache=True, inline="always")
def _rows_equal(codes, a, b):
    for j in range(codes.shape[1]):
        if codes[a, j] != codes[b, j]:
            return False
    return True


@njit(cache=True)
def group_sorted(order, hashes, codes, ids):
    """Give equal rows one id: ``ids[i]`` in ``0..n_groups-1``; return the representative rows.

    ``order`` sorts ``hashes``. Within a run of equal hashes each row is compared with the
    representatives already found in that run (one, unless two different rows collide), so the
    cost is O(n·d) and a hash collision cannot merge two symbols.
    """
    n = order.shape[0]
    reps = np.empty(n, np.int64)
    n_groups = 0
    i = 0
    while i < n:
        h = hashes[order[i]]
        j = i
        while j < n and hashes[order[j]] == h:
            j += 1
        first = n_groups
        for k in range(i, j):
            r = order[k]
            found = -1
            for g in range(first, n_groups):
                if _rows_equal(codes, r, reps[g]):
                    found = g
                    break
            if found < 0:
                reps[n_groups] = r
                found = n_groups
                n_groups += 1
            ids[r] = found
        i = j
    return reps[:n_groups].copy()


@njit(cache=True)
def plugin_entropy(counts):
    """Plug-in entropy in nats of a vector of counts (zeros ignored): log N − Σ c log c / N."""
    total = 0.0
    acc = 0.0
    for c in counts:
        if c > 0:
            total += c
            acc += c * np.log(c)
    if total == 0.0:
        return 0.0
    return np.log(total) - acc / total
