"""Exact max-norm kNN and radius counts in 4 to 12 dimensions by cell lists over three columns.

A max-norm neighbour of ``z`` within ``r`` lies within ``r`` of ``z`` in every column, so in
particular in three chosen columns. Points are bucketed into cubic cells over those three
columns (a counting sort, :func:`.knn_grid._bucket`); a query visits only the cells that meet
its box, each row of cells along the third column being one contiguous run of points in the
sorted order. Each run gets the float32 SIMD pass of the brute force
(:func:`.knn._f32_tile_row`, all columns) and the survivors the exact float64 distance, so the
result equals the brute force: distances and indices in ``(distance, index)`` order for kNN,
ties included, and counts.

For KSG with 5 features per side at N = 1e5 the box of a typical point holds a few percent of the
points in three columns, against the half of all pairs the symmetric brute force visits.

- kNN: the cells are searched in shells of growing half-width until the distance from the query
  to the unsearched region exceeds the current k-th distance.
- counts: the cells meeting ``[z - r, z + r]`` in the three columns, one more cell on each side
  for the rounding of cell assignment.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .knn import _cheb64, _f32_copy, _f32_tile_row, _insert_lex
from .knn_grid import _axis_cell, _bucket
from .parallel import run

__all__ = ["cells_knn", "cells_count"]

_CHUNK = 256  # queries per task, consecutive in cell order
_CELLS_PER_RADIUS = 2.5  # cell side = typical radius / 2.5 (measured best among 1-6)
_COUNT_CELLS_PER_RADIUS = 1.25  # counts: rows trimmed by binary search; measured best among 0.6-4
_MAX_CELLS_PER_POINT = 8.0


def _layout(Z: np.ndarray, w: float, sort_third: bool = False):
    """Bucket Z by cells of side ``w`` over its three widest columns.

    Returns the grid columns, origin, cells per axis, cell offsets, the permutation (sorted
    position -> row), the sorted rows (float64), the sorted float32 transposed copy and its error
    bound, and the rounding slack of cell edges.
    """
    n, d = Z.shape
    cols = np.sort(np.argsort(-Z.std(axis=0), kind="stable")[:3])
    G = np.ascontiguousarray(Z[:, cols])
    lo = G.min(axis=0)
    hi = G.max(axis=0)
    def cells(w):  # cells per axis; capped before the conversion (a tiny w would overflow)
        with np.errstate(over="ignore"):
            return np.maximum(1, np.ceil(np.minimum((hi - lo) / w, 2.0**40))).astype(np.int64)

    g = cells(w)
    cap = _MAX_CELLS_PER_POINT * n + 64
    while np.prod(g.astype(np.float64)) > cap:
        w *= (np.prod(g.astype(np.float64)) / cap) ** (1.0 / 3.0)
        g = cells(w)
    starts, perm, _ = _bucket(G, lo, 1.0 / w, g)
    # int64 as before: the kernels below keep their one compiled signature
    starts, perm = starts.astype(np.int64), perm.astype(np.int64)
    if sort_third:
        # each cell's points by the third grid column: a row of cells along that column is then
        # sorted by it, and a count trims the row to its query interval by binary search
        cell = np.repeat(np.arange(starts.size - 1), np.diff(starts))
        perm = perm[np.lexsort((G[perm, 2], cell))]
    fast = _f32_copy(Z)
    if fast is None:
        return None
    ZT32 = np.ascontiguousarray(fast[0][:, perm])
    Zs = np.ascontiguousarray(Z[perm])
    scale = float(max(np.abs(lo).max(), np.abs(hi).max()))
    slack = 1e-12 * w * g.sum() + 1e-13 * scale
    return cols, lo, float(w), g, starts, perm, Zs, ZT32, float(fast[1]), slack


@njit(cache=True, nogil=True)
def _cells_knn_part(starts, perm, Zs, ZT32, cols, lo, w, g, k, margin, slack, dist, idx,
                    t, T):
    """kNN of the sorted positions in chunks t, t + T, ... into rows ``perm[p]`` of dist, idx."""
    n, d = Zs.shape
    zero = np.int64(0)
    inv_w = 1.0 / w
    acc = np.empty(n, dtype=np.float32)
    g0, g1, g2 = g[0], g[1], g[2]
    n_chunks = (n + _CHUNK - 1) // _CHUNK
    for ch in range(t, n_chunks, T):
        for p in range(ch * _CHUNK, min(n, (ch + 1) * _CHUNK)):
            i = perm[p]
            x0 = Zs[p, cols[0]]
            x1 = Zs[p, cols[1]]
            x2 = Zs[p, cols[2]]
            c0 = _axis_cell(x0, lo[0], inv_w, g0)
            c1 = _axis_cell(x1, lo[1], inv_w, g1)
            c2 = _axis_cell(x2, lo[2], inv_w, g2)
            R = 1
            while True:
                a0 = max(c0 - R, 0)
                b0 = min(c0 + R, g0 - 1)
                a1 = max(c1 - R, 0)
                b1 = min(c1 + R, g1 - 1)
                for u in range(a0, b0 + 1):
                    for v in range(a1, b1 + 1):
                        base = (u * g1 + v) * g2
                        full = R == 1 or u == c0 - R or u == c0 + R or v == c1 - R or v == c1 + R
                        for side in range(2 if not full else 1):
                            if full:
                                z_a = max(c2 - R, 0)
                                z_b = min(c2 + R, g2 - 1)
                            elif side == 0:
                                z_a = c2 - R
                                z_b = c2 - R
                            else:
                                z_a = c2 + R
                                z_b = c2 + R
                            if z_a < 0 or z_b > g2 - 1 or z_a > z_b:
                                continue
                            q0 = starts[base + z_a]
                            q1 = starts[base + z_b + 1]
                            m = q1 - q0
                            if m == 0:
                                continue
                            _f32_tile_row(ZT32, p, q0, zero, m, zero, d, acc)
                            th = dist[i, k - 1]
                            bound = th + margin + 1e-6 * th
                            hits = 0
                            for j in range(m):
                                hits += acc[j] <= bound
                            if hits == 0:
                                continue
                            for j in range(m):
                                if acc[j] <= bound:
                                    q = q0 + j
                                    if q == p:
                                        continue
                                    a = _cheb64(Zs, p, q, zero, d)
                                    _insert_lex(dist, idx, i, a, perm[q])
                                    th = dist[i, k - 1]
                                    bound = th + margin + 1e-6 * th
                # every unscanned point lies outside the cells c - R .. c + R on some axis
                gap = np.inf
                if c0 - R > 0:
                    gap = min(gap, x0 - (lo[0] + (c0 - R) * w))
                if c0 + R < g0 - 1:
                    gap = min(gap, (lo[0] + (c0 + R + 1) * w) - x0)
                if c1 - R > 0:
                    gap = min(gap, x1 - (lo[1] + (c1 - R) * w))
                if c1 + R < g1 - 1:
                    gap = min(gap, (lo[1] + (c1 + R + 1) * w) - x1)
                if c2 - R > 0:
                    gap = min(gap, x2 - (lo[2] + (c2 - R) * w))
                if c2 + R < g2 - 1:
                    gap = min(gap, (lo[2] + (c2 + R + 1) * w) - x2)
                if gap == np.inf or dist[i, k - 1] < gap - slack:
                    break
                R += 1


@njit(cache=True, nogil=True)
def _cells_count_part(starts, perm, Zs, ZT32, cols, lo, w, g, radii, strict, margin, counts,
                      t, T):
    """Counts of the sorted positions in chunks t, t + T, ... into ``counts[perm[p]]``."""
    n, d = Zs.shape
    zero = np.int64(0)
    inv_w = 1.0 / w
    acc = np.empty(n, dtype=np.float32)
    g0, g1, g2 = g[0], g[1], g[2]
    c2 = cols[2]
    n_chunks = (n + _CHUNK - 1) // _CHUNK
    for ch in range(t, n_chunks, T):
        for p in range(ch * _CHUNK, min(n, (ch + 1) * _CHUNK)):
            i = perm[p]
            r = radii[i]
            if r < 0.0 or (strict and r == 0.0):
                counts[i] = 0
                continue
            if r == np.inf:
                counts[i] = n - 1
                continue
            x0 = Zs[p, cols[0]]
            x1 = Zs[p, cols[1]]
            x2 = Zs[p, cols[2]]
            # Every counted point y has |x - y| <= r (1 + 2^-52) in each column, so it lies in
            # [x - r - s, x + r + s] whatever the rounding of these bounds; the cells and the
            # binary searches below are monotone in the coordinate, so none is missed.
            s0 = 1e-9 * (abs(x0) + r)
            s1 = 1e-9 * (abs(x1) + r)
            s2 = 1e-9 * (abs(x2) + r)
            a0 = _axis_cell(x0 - r - s0, lo[0], inv_w, g0)
            b0 = _axis_cell(x0 + r + s0, lo[0], inv_w, g0)
            a1 = _axis_cell(x1 - r - s1, lo[1], inv_w, g1)
            b1 = _axis_cell(x1 + r + s1, lo[1], inv_w, g1)
            t_lo = x2 - r - s2
            t_hi = x2 + r + s2
            z_a = _axis_cell(t_lo, lo[2], inv_w, g2)
            z_b = _axis_cell(t_hi, lo[2], inv_w, g2)
            slack32 = margin + 1e-6 * r
            lo_band = r - slack32
            hi_band = r + slack32
            cnt = 0
            for u in range(a0, b0 + 1):
                for v in range(a1, b1 + 1):
                    base = (u * g1 + v) * g2
                    # the row is sorted by the third column: first point >= t_lo in cell z_a,
                    # first point > t_hi in cell z_b
                    q0 = starts[base + z_a]
                    e = starts[base + z_a + 1]
                    while q0 < e:
                        h = (q0 + e) >> 1
                        if Zs[h, c2] < t_lo:
                            q0 = h + 1
                        else:
                            e = h
                    q1 = starts[base + z_b]
                    e = starts[base + z_b + 1]
                    while q1 < e:
                        h = (q1 + e) >> 1
                        if Zs[h, c2] <= t_hi:
                            q1 = h + 1
                        else:
                            e = h
                    m = q1 - q0
                    if m <= 0:
                        continue
                    _f32_tile_row(ZT32, p, q0, zero, m, zero, d, acc)
                    sure = 0
                    unsure = 0
                    for j in range(m):
                        sure += acc[j] < lo_band
                        unsure += (acc[j] >= lo_band) & (acc[j] <= hi_band)
                    cnt += sure
                    if q0 <= p < q1 and acc[p - q0] < lo_band:
                        cnt -= 1  # the point itself (distance 0)
                    if unsure:
                        for j in range(m):
                            if lo_band <= acc[j] <= hi_band and q0 + j != p:
                                a = _cheb64(Zs, p, q0 + j, zero, d)
                                if a < r or (not strict and a == r):
                                    cnt += 1
            counts[i] = cnt


def cells_knn(Z: np.ndarray, k: int, r_typical: float):
    """Max-norm kNN of every row of Z (self excluded), ``(distance, index)`` order; or None.

    ``r_typical`` (a typical k-th neighbour distance) sets the cell side; None when the values
    do not fit the float32 pass (the caller then takes another engine).
    """
    n = Z.shape[0]
    layout = _layout(Z, r_typical / _CELLS_PER_RADIUS)
    if layout is None:
        return None
    cols, lo, w, g, starts, perm, Zs, ZT32, margin, slack = layout
    dist = np.full((n, k), np.inf)
    idx = np.full((n, k), -1, dtype=np.int64)
    run(_cells_knn_part, starts, perm, Zs, ZT32, cols.astype(np.int64), lo, w, g, int(k),
        margin, slack, dist, idx)
    return dist, idx


def cells_count(Z: np.ndarray, radii: np.ndarray, strict: bool):
    """#{j != i : max-norm(Z_i - Z_j) < r_i} (``<=`` if not strict) per row i; or None."""
    finite = radii[np.isfinite(radii) & (radii > 0)]
    r_typical = float(np.median(finite)) if finite.size else 1.0
    layout = _layout(Z, max(r_typical, 1e-300) / _COUNT_CELLS_PER_RADIUS, sort_third=True)
    if layout is None:
        return None
    cols, lo, w, g, starts, perm, Zs, ZT32, margin, _ = layout
    counts = np.zeros(Z.shape[0], dtype=np.int64)
    run(_cells_count_part, starts, perm, Zs, ZT32, cols.astype(np.int64), lo, w, g,
        np.ascontiguousarray(radii, dtype=np.float64), bool(strict), margin, counts)
    return counts
