"""Exact max-norm kNN in 2-D by a uniform grid, and 1-D radius counts in sorted order.

The joint space of KSG with one feature per side is 2-D, where a KD-tree spends most of its time
in tree overhead. Here the points are bucketed by a counting sort into square cells holding a few
points each, and each query scans rings of cells outward until the distance from the query to the
unscanned region exceeds its current k-th distance: ``O(k)`` work per point on average.

Neighbours are ordered by ``(distance, index)``, the order of a brute-force scan with a stable
sort, so ties at the k-th distance pick the smallest indices and the result equals
:func:`infotheory._kernels.knn._knn_brute` exactly (distances computed by the same float64
expression ``max |z_i - z_j|``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .parallel import run

__all__ = ["grid_knn_2d", "count_sorted_1d"]

_POINTS_PER_CELL = 2.0  # measured: 1-4 within 15 % at N = 1e5; 2 is the best for k = 3
_MAX_CELLS_PER_POINT = 8.0  # heavy tails/outliers: cap the empty cells of the bounding box
_CHUNK = 1024  # queries per parallel task, consecutive in cell order (cache locality)

# The kernels below are serial and ``nogil``; :func:`.parallel.run` spreads their chunks over
# threads (a ``prange`` loop compiled 2-3x slower). Whole-array assignments are written as loops:
# numba compiles an array-slice assignment slowly (about 0.2 s each on the first call).


def _bounds(Z):
    """Per-column minimum and maximum, and the largest magnitude."""
    lo = Z.min(axis=0)
    hi = Z.max(axis=0)
    return lo, hi, float(max(np.abs(lo).max(), np.abs(hi).max()))


@njit(cache=True, inline="always")
def _cell(Z, i, lo, inv_w, g):
    """Row-major cell of row i (the single expression used for both bucketing and queries)."""
    c = 0
    for t in range(Z.shape[1]):
        b = min(max(int((Z[i, t] - lo[t]) * inv_w), 0), g[t] - 1)
        c = c * g[t] + b
    return c


@njit(cache=True, nogil=True)
def _bucket(Z, lo, inv_w, g):
    """Counting sort of the rows of Z by cell; stable, so each cell lists ascending indices.

    Returns the cell offsets ``starts``, the permutation ``perm`` (sorted position -> row) and
    the sorted coordinates transposed, ``(d, n)``.
    """
    n, d = Z.shape
    n_cells = 1
    for t in range(d):
        n_cells *= g[t]
    cell = np.empty(n, dtype=np.int64)
    starts = np.zeros(n_cells + 1, dtype=np.int64)
    for i in range(n):
        c = _cell(Z, i, lo, inv_w, g)
        cell[i] = c
        starts[c + 1] += 1
    for c in range(n_cells):
        starts[c + 1] += starts[c]
    fill = np.empty(n_cells, dtype=np.int64)
    for c in range(n_cells):
        fill[c] = starts[c]
    perm = np.empty(n, dtype=np.int64)
    ZT = np.empty((d, n))
    for i in range(n):
        q = fill[cell[i]]
        fill[cell[i]] = q + 1
        perm[q] = i
        for t in range(d):
            ZT[t, q] = Z[i, t]
    return starts, perm, ZT


@njit(cache=True, inline="always")
def _scan(q0, q1, p, x, y, xs, ys, perm, bd, bi, k):
    """Offer the points at sorted positions q0:q1 (but p, the query) to the buffers bd, bi."""
    thr = bd[k - 1]
    for q in range(q0, q1):
        a = abs(x - xs[q])
        b = abs(y - ys[q])
        if b > a:
            a = b
        if a > thr or q == p:
            continue
        j = perm[q]
        if a < thr or j < bi[k - 1]:
            t = k - 1
            while t > 0 and (bd[t - 1] > a or (bd[t - 1] == a and bi[t - 1] > j)):
                bd[t] = bd[t - 1]
                bi[t] = bi[t - 1]
                t -= 1
            bd[t] = a
            bi[t] = j
            thr = bd[k - 1]


@njit(cache=True, nogil=True)
def _grid_search(starts, perm, ZT, k, lo, w, inv_w, g, slack, dist, idx, t, T):
    """k nearest neighbours of the points in the chunks t, t + T, ... into ``dist``, ``idx``."""
    n = ZT.shape[1]
    xs = ZT[0]
    ys = ZT[1]
    gx = g[0]
    gy = g[1]
    x0 = lo[0]
    y0 = lo[1]
    bd = np.empty(k)
    bi = np.empty(k, dtype=np.int64)
    n_chunks = (n + _CHUNK - 1) // _CHUNK
    for ch in range(t, n_chunks, T):
        for p in range(ch * _CHUNK, min(n, (ch + 1) * _CHUNK)):
            x = xs[p]
            y = ys[p]
            for q in range(k):
                bd[q] = np.inf
                bi[q] = n
            # the expression of _cell, so the query's own cell
            cx = min(max(int((x - x0) * inv_w), 0), gx - 1)
            cy = min(max(int((y - y0) * inv_w), 0), gy - 1)
            r = 1  # the 3 x 3 block first, as three contiguous rows of cells
            while True:
                ylo = cy - r
                yhi = cy + r
                xlo = cx - r
                xhi = cx + r
                # cells are row-major in (x, y): a row of cells at fixed x is contiguous in y
                for xx in range(max(xlo, 0), min(xhi, gx - 1) + 1):
                    base = xx * gy
                    if r == 1 or xx == xlo or xx == xhi:
                        a0 = max(ylo, 0)
                        a1 = min(yhi, gy - 1)
                        if a0 <= a1:
                            _scan(starts[base + a0], starts[base + a1 + 1], p, x, y, xs, ys, perm,
                                  bd, bi, k)
                    else:
                        if ylo >= 0:
                            _scan(starts[base + ylo], starts[base + ylo + 1], p, x, y, xs, ys,
                                  perm, bd, bi, k)
                        if yhi <= gy - 1:
                            _scan(starts[base + yhi], starts[base + yhi + 1], p, x, y, xs, ys,
                                  perm, bd, bi, k)
                # every unscanned point lies outside the box of cells cx-r..cx+r, cy-r..cy+r
                gap = np.inf
                if xlo > 0:
                    gap = min(gap, x - (x0 + xlo * w))
                if xhi < gx - 1:
                    gap = min(gap, (x0 + (xhi + 1) * w) - x)
                if ylo > 0:
                    gap = min(gap, y - (y0 + ylo * w))
                if yhi < gy - 1:
                    gap = min(gap, (y0 + (yhi + 1) * w) - y)
                if gap == np.inf or bd[k - 1] < gap - slack:
                    break
                r += 1
            i = perm[p]
            for q in range(k):
                dist[i, q] = bd[q]
                idx[i, q] = bi[q]


def _grid_shape(Z: np.ndarray):
    r"""Cell side ``w`` (square cells), cells per axis ``g``, origin ``lo`` and rounding slack.

    ``w`` is chosen so that the cell of a typical point holds about _POINTS_PER_CELL points:
    ``n w^d \int p^2 = m``, with the collision density ``\int p^2`` estimated from the pairs that
    share a cell of a coarse grid on a subsample (the bounding box of a Gaussian sample is
    mostly empty, so the box volume would put far too many points in the central cells).
    Constant coordinates get one cell. Cell assignment and cell edges are rounded, so a point
    may be closer to a cell edge than computed by a few ulps of the coordinates' magnitude and
    of the grid's extent: ``slack`` bounds that.
    """
    n, d = Z.shape
    lo, hi, scale = _bounds(Z)
    active = np.flatnonzero(hi > lo)
    w = 1.0
    if active.size:
        sample = Z[:: max(1, n // 4096)][:, active]
        s = sample.shape[0]
        q10, q90 = np.quantile(sample, [0.1, 0.9], axis=0)
        span = np.maximum(q90 - q10, (hi - lo)[active] * 1e-3)
        span = np.maximum(span, np.finfo(np.float64).tiny)
        # Coarse cells of ~8 sample points on the central 80 % box. Both widths are written as
        # a geometric mean of the spans times a pure number, so they scale with the data:
        # a product of spans would underflow (data ~1e-200) or overflow (~1e200) and the width
        # become 0 or inf.
        ws = (8.0 / (0.8 ** active.size * s)) ** (1.0 / active.size) * math.exp(
            float(np.mean(np.log(span))))
        keys = np.floor((sample - lo[active]) / ws).astype(np.int64)
        _, cnt = np.unique(keys, axis=0, return_counts=True)
        pairs = float(np.sum(cnt * (cnt - 1.0)))
        if pairs > 0:
            # n w^d * collision = _POINTS_PER_CELL, collision = pairs / (s (s-1) ws^d)
            w = ws * (_POINTS_PER_CELL * s * (s - 1.0) / (n * pairs)) ** (1.0 / active.size)
        else:
            w = ws * (s / n) ** (1.0 / active.size)
    cap = _MAX_CELLS_PER_POINT * n + 16
    extent = float(np.max(hi - lo))
    if extent > 0:
        # at most `cap` cells per axis, whatever the estimate (duplicates, rounding)
        w = max(w, extent / cap) if math.isfinite(w) and w > 0 else extent
    g = np.maximum(1, np.ceil((hi - lo) / w)).astype(np.int64)
    while np.prod(g.astype(np.float64)) > cap:  # coarsen the axes that have several cells
        w *= (np.prod(g.astype(np.float64)) / cap) ** (1.0 / np.count_nonzero(g > 1))
        g = np.maximum(1, np.ceil((hi - lo) / w)).astype(np.int64)
    slack = 1e-12 * w * g.sum() + 1e-13 * scale
    return lo, float(w), g, slack


def grid_knn_2d(Z: np.ndarray, k: int):
    """Max-norm distances ``(n, k)`` and indices of the k nearest neighbours of every row of Z.

    ``Z`` is float64 ``(n, 2)``, finite, ``n > k``. Ties are broken by the smaller index.
    """
    lo, w, g, slack = _grid_shape(Z)
    inv_w = 1.0 / w
    starts, perm, ZT = _bucket(Z, lo, inv_w, g)
    n = Z.shape[0]
    dist = np.empty((n, k))
    idx = np.empty((n, k), dtype=np.int64)
    run(_grid_search, starts, perm, ZT, k, lo, w, inv_w, g, slack, dist, idx)
    return dist, idx


@njit(cache=True, inline="always")
def _inside(v, r, strict):
    return v < r or (not strict and v == r)


@njit(cache=True, nogil=True)
def _count_bins_1d(starts, perm, xs, radii, strict, lo, inv_w, g, counts, t, T):
    """1-D counts on bucketed data: whole bins by their offsets, the edge bins scanned exactly.

    The bin of a value is off by far less than a bin width (:func:`count_sorted_1d` checks the
    rounding), so the bins ``bl+2 .. bh-2`` between the bins ``bl, bh`` of ``x - r`` and
    ``x + r`` lie within the radius by about a bin width, and the three bins around each of
    ``bl``, ``bh`` are compared point by point with the brute-force expressions
    ``x_i - x_j < r`` and ``x_j - x_i < r``.
    """
    n = xs.shape[0]
    n_chunks = (n + _CHUNK - 1) // _CHUNK
    for ch in range(t, n_chunks, T):
        for p in range(ch * _CHUNK, min(n, (ch + 1) * _CHUNK)):
            i = perm[p]
            x = xs[p]
            r = radii[i]
            if r < 0.0 or (strict and r == 0.0):
                counts[i] = 0
                continue
            bl = min(max(int((x - r - lo) * inv_w), 0), g - 1)
            bh = min(max(int((x + r - lo) * inv_w), 0), g - 1)
            cnt = 0
            if bh - bl >= 4:
                cnt = starts[bh - 1] - starts[bl + 2]
                e0 = max(bl - 1, 0)
                for q in range(starts[e0], starts[bl + 2]):
                    if _inside(x - xs[q], r, strict) and _inside(xs[q] - x, r, strict):
                        cnt += 1
                e1 = min(bh + 1, g - 1)
                for q in range(starts[bh - 1], starts[e1 + 1]):
                    if _inside(x - xs[q], r, strict) and _inside(xs[q] - x, r, strict):
                        cnt += 1
            else:
                e0 = max(bl - 1, 0)
                e1 = min(bh + 1, g - 1)
                for q in range(starts[e0], starts[e1 + 1]):
                    if _inside(x - xs[q], r, strict) and _inside(xs[q] - x, r, strict):
                        cnt += 1
            counts[i] = cnt - 1  # the point itself is inside (r > 0, or r >= 0 not strict)


def count_sorted_1d(x: np.ndarray, radii: np.ndarray, strict: bool) -> np.ndarray:
    """#{j != i : |x_j - x_i| < r_i} (``<=`` when not strict), equal to a direct comparison.

    Values are bucketed by a counting sort into bins of a few points each; falls back to
    :func:`_count_sorted` (argsort and binary search) when the bins would be too fine
    for the values' rounding (a spread near the float64 resolution of their magnitude).
    """
    Z = x.reshape(-1, 1)
    lo, w, g, slack = _grid_shape(Z)
    # beyond the data's extent every point is inside: a capped radius keeps x +- r in range
    radii = np.minimum(radii, 2.0 * (np.ptp(x) + 1.0))
    counts = np.empty(x.shape[0], dtype=np.int64)
    if w < 1e3 * slack:
        order = np.argsort(x)
        run(_count_sorted, x[order], order, radii, bool(strict), counts)
        return counts
    inv_w = 1.0 / w
    starts, perm, ZT = _bucket(Z, lo, inv_w, g)
    run(_count_bins_1d, starts, perm, ZT[0], radii, bool(strict), float(lo[0]), inv_w,
        int(g[0]), counts)
    return counts


@njit(cache=True, nogil=True)
def _count_sorted(xs, order, radii, strict, counts, t, T):
    """#{j != i : |x_j - x_i| < r_i} (``<=`` when not strict), with ``xs = x[order]`` sorted.

    Queries run in sorted order and gallop outward from their own position, so the work is
    ``O(log count)`` per query on cache-resident data. The predicates ``x_i - xs[p] < r`` and
    ``xs[p] - x_i < r`` are the brute-force expressions, monotone in ``p``, so the counts equal a
    direct comparison.
    """
    n = xs.shape[0]
    n_chunks = (n + _CHUNK - 1) // _CHUNK
    for ch in range(t, n_chunks, T):
        for p in range(ch * _CHUNK, min(n, (ch + 1) * _CHUNK)):
            i = order[p]
            xi = xs[p]
            r = radii[i]
            if r < 0.0 or (strict and r == 0.0):
                counts[i] = 0
                continue
            # lower end: first q with xi - xs[q] inside (true at q = p)
            step = 1
            hi = p
            while hi - step >= 0:
                v = xi - xs[hi - step]
                if v < r or (not strict and v == r):
                    hi -= step
                    step *= 2
                else:
                    break
            lo = max(hi - step, -1)  # outside (or -1), hi inside
            while hi - lo > 1:
                mid = (lo + hi) >> 1
                v = xi - xs[mid]
                if v < r or (not strict and v == r):
                    hi = mid
                else:
                    lo = mid
            start = hi
            # upper end: last q with xs[q] - xi inside (true at q = p)
            step = 1
            lo = p
            while lo + step < n:
                v = xs[lo + step] - xi
                if v < r or (not strict and v == r):
                    lo += step
                    step *= 2
                else:
                    break
            hi = min(lo + step, n)  # outside (or n), lo inside
            while hi - lo > 1:
                mid = (lo + hi) >> 1
                v = xs[mid] - xi
                if v < r or (not strict and v == r):
                    lo = mid
                else:
                    hi = mid
            counts[i] = lo - start  # window size lo - start + 1, minus the point itself
