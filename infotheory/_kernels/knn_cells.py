"""Exact max-norm kNN and radius counts in 4 to 12 dimensions by cell lists over three columns.

A max-norm neighbour of ``z`` within ``r`` lies within ``r`` of ``z`` in every column, so in
particular in three chosen columns. Points are bucketed into cubic cells over those three
columns (a counting sort, :func:`.knn_grid._bucket`), and each cell's points are sorted by the
third column, so that a row of cells along the third column is one run of points sorted by it.
A query visits the rows whose cells meet its box in the first two columns and trims each row by
binary search to the box's interval in the third. Each trimmed run gets the float32 SIMD pass of
the brute force (:func:`.knn._f32_tile_row`, all columns) and the survivors the exact float64
distance, so the result equals the brute force: distances and indices in ``(distance, index)``
order for kNN, ties included, and counts.

- counts: the box ``[z - r, z + r]``, widened by ``1e-9 (|z| + r)``: a point within ``r`` in
  floating point lies within ``r (1 + 2^-52)`` exactly, and cells and binary searches are
  monotone in the coordinate, so no point of the box is missed.
- kNN: the box of half-width ``B`` (a multiple of the typical k-th distance), its rows nearest
  the query first, each trimmed to the current k-th distance once k points are found, rows
  beyond it skipped; a query whose k-th distance exceeds ``B`` starts again with ``2 B``.

For KSG with 5 features per side at N = 1e5 the trimmed runs of a typical 5-D count hold about
7 800 points (16 rows) against 15 000 for whole cells with one cell of margin on each side.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .knn import _cheb64, _f32_copy, _f32_tile_row, _insert_lex
from .knn_grid import _axis_cell, _bucket
from .parallel import run

__all__ = ["cells_knn", "cells_count"]

_CHUNK = 256  # queries per task, consecutive in cell order
# cell side = typical radius / 1.25: measured at N = 1e5 (KSG, 5 features per side) best among
# 0.6-4 for the counts, and among 1-2 for the kNN (fewer, longer runs against less margin)
_CELLS_PER_RADIUS = 1.25
_KNN_GUESS = 1.5  # B / typical k-th distance; measured: 1.2 and 2 slower (restarts; wide rows)
_MAX_CELLS_PER_POINT = 8.0
_TAIL = 0.005


def _layout(Z: np.ndarray, w: float):
    """Bucket Z by cells of side ``w`` over its three widest columns, each cell sorted by the
    third of them.

    Returns the grid columns, origin, cells per axis, cell offsets, the permutation (sorted
    position -> row), the sorted rows (float64), and the sorted float32 transposed copy and its
    error bound.
    """
    n, d = Z.shape
    cols = np.sort(np.argsort(-Z.std(axis=0), kind="stable")[:3])
    G = np.ascontiguousarray(Z[:, cols])
    # The grid spans the sample's quantiles _TAIL .. 1 - _TAIL: the cells of a heavy-tailed
    # sample (Cauchy) then fit its bulk, and the outliers, clamped into the border cells, stay
    # exact (cell assignment is still monotone in the coordinate).
    lo, hi = np.quantile(G, [_TAIL, 1.0 - _TAIL], axis=0)
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
    cell = np.repeat(np.arange(starts.size - 1), np.diff(starts))
    perm = perm[np.lexsort((G[perm, 2], cell))]
    fast = _f32_copy(Z)
    if fast is None:
        return None
    ZT32 = np.ascontiguousarray(fast[0][:, perm])
    Zs = np.ascontiguousarray(Z[perm])
    return cols, lo, float(w), g, starts, perm, Zs, ZT32, float(fast[1])


@njit(cache=True, inline="always")
def _cell_span(x, r, lo, inv_w, g):
    """First and last cell along one axis of ``[x - r - s, x + r + s]``, ``s = 1e-9 (|x| + r)``.

    Every point within ``r`` of ``x`` in floating point lies within ``r (1 + 2^-52)`` of it
    exactly; the slack ``s`` covers that and the rounding of the bounds, and cell assignment is
    monotone in the coordinate, so no such point falls outside these cells.
    """
    s = 1e-9 * (abs(x) + r)
    return _axis_cell(x - r - s, lo, inv_w, g), _axis_cell(x + r + s, lo, inv_w, g)


@njit(cache=True, inline="always")
def _row_range(starts, Zs, c2, row, z_a, z_b, t_lo, t_hi):
    """Positions of the points of a row of cells (sorted by column c2) with t_lo <= z <= t_hi,
    up to whole points of cells strictly between z_a and z_b: the first at or above t_lo in
    cell z_a, the first above t_hi in cell z_b."""
    q0 = starts[row + z_a]
    e = starts[row + z_a + 1]
    while q0 < e:
        h = (q0 + e) >> 1
        if Zs[h, c2] < t_lo:
            q0 = h + 1
        else:
            e = h
    q1 = starts[row + z_b]
    e = starts[row + z_b + 1]
    while q1 < e:
        h = (q1 + e) >> 1
        if Zs[h, c2] <= t_hi:
            q1 = h + 1
        else:
            e = h
    return q0, q1


@njit(cache=True, nogil=True)
def _cells_knn_part(starts, perm, Zs, ZT32, cols, lo, w, g, k, margin, guess, dist, idx, t, T):
    """kNN of the sorted positions in chunks t, t + T, ... into rows ``perm[p]`` of dist, idx.

    The search covers the box of half-width ``B = guess`` around the query: the rows of cells
    nearest the query first, each trimmed to the current k-th distance (once k points are
    found) in the sorted column, rows beyond it skipped. If the k-th distance found exceeds
    ``B`` (a point in a sparse region), the query starts again with ``2 B``.
    """
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
            x0 = Zs[p, cols[0]]
            x1 = Zs[p, cols[1]]
            x2 = Zs[p, cols[2]]
            c0 = _axis_cell(x0, lo[0], inv_w, g0)
            c1 = _axis_cell(x1, lo[1], inv_w, g1)
            B = guess
            while True:
                for j in range(k):
                    dist[i, j] = np.inf
                    idx[i, j] = -1
                a0, b0 = _cell_span(x0, B, lo[0], inv_w, g0)
                a1, b1 = _cell_span(x1, B, lo[1], inv_w, g1)
                # rows in the order c, c + 1, c - 1, c + 2, ... along both axes
                for du in range(2 * max(c0 - a0, b0 - c0) + 1):
                    u = c0 + (du + 1) // 2 if du % 2 else c0 - du // 2
                    if u < a0 or u > b0:
                        continue
                    for dv in range(2 * max(c1 - a1, b1 - c1) + 1):
                        v = c1 + (dv + 1) // 2 if dv % 2 else c1 - dv // 2
                        if v < a1 or v > b1:
                            continue
                        th = dist[i, k - 1]
                        b = min(th, B)
                        ua, ub = _cell_span(x0, b, lo[0], inv_w, g0)
                        va, vb = _cell_span(x1, b, lo[1], inv_w, g1)
                        if u < ua or u > ub or v < va or v > vb:
                            continue
                        s2 = 1e-9 * (abs(x2) + b)
                        t_lo = x2 - b - s2
                        t_hi = x2 + b + s2
                        q0, q1 = _row_range(starts, Zs, c2, (u * g1 + v) * g2,
                                            _axis_cell(t_lo, lo[2], inv_w, g2),
                                            _axis_cell(t_hi, lo[2], inv_w, g2), t_lo, t_hi)
                        m = q1 - q0
                        if m <= 0:
                            continue
                        _f32_tile_row(ZT32, p, q0, zero, m, zero, d, acc)
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
                if dist[i, k - 1] <= B:
                    break
                B = 2.0 * B if B > 0.0 else np.inf


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
            # the slack of _cell_span, also for the binary searches along the third column
            a0, b0 = _cell_span(x0, r, lo[0], inv_w, g0)
            a1, b1 = _cell_span(x1, r, lo[1], inv_w, g1)
            s2 = 1e-9 * (abs(x2) + r)
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
                    q0, q1 = _row_range(starts, Zs, c2, base, z_a, z_b, t_lo, t_hi)
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
    cols, lo, w, g, starts, perm, Zs, ZT32, margin = layout
    dist = np.full((n, k), np.inf)
    idx = np.full((n, k), -1, dtype=np.int64)
    run(_cells_knn_part, starts, perm, Zs, ZT32, cols.astype(np.int64), lo, w, g, int(k),
        margin, _KNN_GUESS * r_typical, dist, idx)
    return dist, idx


def cells_count(Z: np.ndarray, radii: np.ndarray, strict: bool):
    """#{j != i : max-norm(Z_i - Z_j) < r_i} (``<=`` if not strict) per row i; or None."""
    finite = radii[np.isfinite(radii) & (radii > 0)]
    r_typical = float(np.median(finite)) if finite.size else 1.0
    layout = _layout(Z, max(r_typical, 1e-300) / _CELLS_PER_RADIUS)
    if layout is None:
        return None
    cols, lo, w, g, starts, perm, Zs, ZT32, margin = layout
    counts = np.zeros(Z.shape[0], dtype=np.int64)
    run(_cells_count_part, starts, perm, Zs, ZT32, cols.astype(np.int64), lo, w, g,
        np.ascontiguousarray(radii, dtype=np.float64), bool(strict), margin, counts)
    return counts
