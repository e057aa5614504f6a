"""Exact max-norm kNN in 2-D by a uniform grid, and 1-D radius counts on bucketed values.

The joint space of KSG with one feature per side is 2-D, where a KD-tree spends most of its time
in tree overhead. Here the points are bucketed by a counting sort into square cells holding a few
points each; a column of cells (fixed x cell) only spans the y cells between its lowest and
highest point, so a correlated sample, whose bounding box is mostly empty, costs no memory for the
empty corners. A query scans the 2 x 2 block of cells nearest it (two contiguous runs of points),
then, only when the box of its current k-th distance reaches beyond that block, the cells of that
box: ``O(k)`` work per point on average.

Two modes share that traversal. With neighbour indices, candidates enter size-k buffers ordered by
``(distance, index)``, the order of a brute-force scan with a stable sort, so ties at the k-th
distance pick the smallest indices and the result equals :func:`infotheory._kernels.knn._knn_brute`
exactly. Without indices (KSG's algorithm 1 needs only the k-th distance), a branch-free
min/max network keeps the k smallest distances: the same multiset whatever the ties, about 2x
faster, because most candidates no longer cost a mispredicted branch. For k = 3 (the default) the
queries of a cell go four at a time through the 3 x 3 block around their cell. Distances are
computed by the brute force's float64 expression ``max |z_i - z_j|``.

1-D radius counts bucket the values into bins of about two points and compare point by point only
the bins within rounding of ``x - r`` and ``x + r``: ``O(1)`` per point.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .parallel import run

__all__ = ["grid_knn_2d", "grid_kth_distance_2d", "count_sorted_1d"]

_POINTS_PER_CELL = 4.0  # 2-D cells; measured at N = 1e5, k = 3: 3-6 within 10 %, 2 is 30 % slower
_POINTS_PER_CELL_3 = 4.0  # the k = 3 kernel; measured: 2.5-5 within 5 %
_POINTS_PER_BIN = 2.0  # 1-D bins; measured: 2-4 within 10 %, 1 and 0.5 slower (bucketing)
_MAX_CELLS_PER_POINT = 8.0  # heavy tails/outliers: cap the empty cells of the bounding box
_TAIL = 0.005  # beyond the cap, the grid spans the sample's quantiles _TAIL .. 1 - _TAIL
#: A uniform grid fails data whose density spans orders of magnitude (log-normal, far clusters
#: of tiny spread): the cell of a typical point then holds far more than the points planned and
#: the search turns quadratic (5-9 s at N = 1e5). :mod:`.knn` passes this as ``max_crowding``:
#: when the points share their cell with more than this many times the planned number on
#: average, the grid functions return None and a KD-tree / a sort is used instead.
MAX_CROWDING = 16.0


def _crowded(starts, n: int, per_cell: float, max_crowding: float) -> bool:
    """Whether the mean number of points in a point's cell exceeds ``max_crowding * per_cell``."""
    if not np.isfinite(max_crowding):
        return False
    counts = np.diff(starts).astype(np.float64)
    return float(counts @ counts) > max_crowding * per_cell * n
_UNROLL = 4  # 1-D counts: window points compared without a branch (bins hold ~2)
_CHUNK = 1024  # queries per parallel task, consecutive in cell order (cache locality)

# The kernels below are serial and ``nogil``; :func:`.parallel.run` spreads their chunks over
# threads (a ``prange`` loop compiled 2-3x slower). Whole-array assignments are written as loops:
# numba compiles an array-slice assignment slowly (about 0.2 s each on the first call).


def _bounds(Z):
    """Per-column minimum and maximum, and the largest magnitude."""
    # column by column: a reduction over axis 0 of an (n, 2) array is ~10x slower
    lo = np.array([Z[:, t].min() for t in range(Z.shape[1])])
    hi = np.array([Z[:, t].max() for t in range(Z.shape[1])])
    return lo, hi, float(max(np.abs(lo).max(), np.abs(hi).max()))


@njit(cache=True, inline="always")
def _axis_cell(v, lo, inv_w, g):
    """Cell of coordinate ``v`` along one axis, clamped before the conversion so that ``v`` far
    outside the grid (``z +- r`` for a huge radius) stays in range. Monotone in ``v``."""
    return int(min(max((v - lo) * inv_w, 0.0), g - 1.0))


@njit(cache=True, inline="always")
def _cell(Z, i, lo, inv_w, g):
    """Row-major cell of row i (the single expression used for both bucketing and queries)."""
    c = 0
    for t in range(Z.shape[1]):
        c = c * g[t] + _axis_cell(Z[i, t], lo[t], inv_w, g[t])
    return c


@njit(cache=True, nogil=True)
def _counting_sort(cell, n_cells):
    """Stable counting sort of the cell ids ``cell``: offsets ``starts`` (``n_cells + 1``) and
    the permutation ``perm`` (sorted position -> row), each cell listing ascending rows.

    Offsets and rows are int32 (n < 2^31): half the memory traffic of int64, 2x faster at
    N = 1e5, where ``starts`` outgrows the L1/L2 caches.
    """
    n = cell.shape[0]
    starts = np.zeros(n_cells + 1, dtype=np.int32)
    for i in range(n):
        starts[cell[i] + 1] += 1
    for c in range(n_cells):
        starts[c + 1] += starts[c]
    fill = np.empty(n_cells, dtype=np.int32)
    for c in range(n_cells):
        fill[c] = starts[c]
    perm = np.empty(n, dtype=np.int32)
    for i in range(n):
        q = fill[cell[i]]
        fill[cell[i]] = q + 1
        perm[q] = i
    return starts, perm


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
    for i in range(n):
        cell[i] = _cell(Z, i, lo, inv_w, g)
    starts, perm = _counting_sort(cell, n_cells)
    ZT = np.empty((d, n))
    for q in range(n):
        for t in range(d):
            ZT[t, q] = Z[perm[q], t]
    return starts, perm, ZT



def _distinct_counts(keys: np.ndarray) -> np.ndarray:
    """Occurrences of each distinct row of the integer array ``keys`` (s, d)."""
    keys = keys - keys.min(axis=0)
    span = keys.max(axis=0).astype(np.float64) + 1.0
    if float(np.prod(span)) < 2.0**62:  # one int64 code per row: a 1-D sort, ~20x faster
        code = keys[:, 0].copy()
        for t in range(1, keys.shape[1]):
            code = code * np.int64(span[t]) + keys[:, t]
        code.sort()
        edges = np.flatnonzero(np.diff(code)) + 1
        return np.diff(np.concatenate(([0], edges, [code.size])))
    return np.unique(keys, axis=0, return_counts=True)[1]


def _grid_shape(Z: np.ndarray, per_cell: float):
    r"""Cell side ``w`` (square cells), cells per axis ``g``, origin ``lo`` and rounding slack.

    ``w`` is chosen so that the cell of a typical point holds about ``per_cell`` points:
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
        cnt = _distinct_counts(keys)
        pairs = float(np.sum(cnt * (cnt - 1.0)))
        if pairs > 0:
            # n w^d * collision = per_cell, collision = pairs / (s (s-1) ws^d)
            w = ws * (per_cell * s * (s - 1.0) / (n * pairs)) ** (1.0 / active.size)
        else:
            w = ws * (s / n) ** (1.0 / active.size)
    cap = _MAX_CELLS_PER_POINT * n + 16
    top = hi
    if (active.size and math.isfinite(w) and w > 0
            and np.prod(np.maximum(1.0, np.ceil((hi - lo) / w))) > cap):
        # Heavy tails (Cauchy, log-normal): cells of side w over the whole range would exceed
        # the cap, and cells coarsened to fit it hold thousands of central points each (a
        # quadratic search: 10-30 s at N = 1e5). The grid spans the central 99 % of the sample
        # instead; _axis_cell clamps the outliers into the border cells. Every search and count
        # is exact for any monotone cell expression, clamped or not: this only changes speed.
        qlo, qhi = np.quantile(sample, [_TAIL, 1.0 - _TAIL], axis=0)
        lo, top = lo.copy(), hi.copy()
        lo[active] = np.maximum(lo[active], qlo)
        top[active] = np.maximum(np.minimum(hi[active], qhi), lo[active])
    extent = float(np.max(top - lo))
    if extent > 0:
        # at most `cap` cells per axis, whatever the estimate (duplicates, rounding)
        w = max(w, extent / cap) if math.isfinite(w) and w > 0 else extent
    g = np.maximum(1, np.ceil((top - lo) / w)).astype(np.int64)
    while np.prod(g.astype(np.float64)) > cap:  # coarsen the axes that have several cells
        w *= (np.prod(g.astype(np.float64)) / cap) ** (1.0 / np.count_nonzero(g > 1))
        g = np.maximum(1, np.ceil((top - lo) / w)).astype(np.int64)
    slack = 1e-12 * w * g.sum() + 1e-13 * scale
    return lo, float(w), g, slack


# -- 2-D kNN -----------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _bucket_columns(Z, lo0, lo1, inv_w, gx, gy):
    """Counting sort of the rows of the (n, 2) array Z by cell, columns of cells trimmed.

    Column ``a`` (x cell) holds the y cells ``ymin[a] .. ymin[a] + colbase[a + 1] - colbase[a] - 1``
    as cells ``colbase[a] ..`` of ``starts``. Stable, so each cell lists ascending indices.
    Returns ``colbase``, ``ymin``, the cell offsets ``starts``, the permutation ``perm`` (sorted
    position -> row) and the sorted rows ``P``.
    """
    n = Z.shape[0]
    cx = np.empty(n, dtype=np.int64)
    cy = np.empty(n, dtype=np.int64)
    ymin = np.full(gx, gy, dtype=np.int64)
    ymax = np.full(gx, -1, dtype=np.int64)
    for i in range(n):
        a = _axis_cell(Z[i, 0], lo0, inv_w, gx)
        b = _axis_cell(Z[i, 1], lo1, inv_w, gy)
        cx[i] = a
        cy[i] = b
        ymin[a] = min(ymin[a], b)
        ymax[a] = max(ymax[a], b)
    colbase = np.empty(gx + 1, dtype=np.int64)
    total = 0
    for a in range(gx):
        colbase[a] = total
        if ymax[a] < 0:  # an empty column: no cells
            ymin[a] = 0
        else:
            total += ymax[a] - ymin[a] + 1
    colbase[gx] = total
    for i in range(n):
        cx[i] = colbase[cx[i]] + cy[i] - ymin[cx[i]]  # reused: the cell of row i
    starts, perm = _counting_sort(cx, total)
    P = np.empty((n, 2))
    for q in range(n):
        P[q, 0] = Z[perm[q], 0]
        P[q, 1] = Z[perm[q], 1]
    return colbase, ymin, starts, perm, P


@njit(cache=True)
def _offer(colbase, ymin, starts, a, y0, y1, p, x, y, P, perm, bd, bi, k, with_index):
    """Offer the points of the y cells y0..y1 of column ``a`` (but p, the query) to bd, bi.

    Not inlined into its ten call sites: compiled once, it keeps the first call's compilation
    of the grid kernels at a few seconds.
    """
    base = colbase[a]
    s0 = max(y0 - ymin[a], 0)
    s1 = min(y1 - ymin[a], colbase[a + 1] - base - 1)
    if s0 > s1:
        return
    q0 = starts[base + s0]
    q1 = starts[base + s1 + 1]
    if not with_index:
        # branch-free: bd stays the sorted k smallest distances (a min/max insertion network)
        for q in range(q0, q1):
            v = max(abs(x - P[q, 0]), abs(y - P[q, 1]))
            v = np.inf if q == p else v
            for t in range(k):
                b = bd[t]
                bd[t] = min(v, b)
                v = max(v, b)
        return
    thr = bd[k - 1]
    for q in range(q0, q1):
        v = max(abs(x - P[q, 0]), abs(y - P[q, 1]))
        if v > thr or q == p:
            continue
        j = perm[q]
        if v < thr or j < bi[k - 1]:
            t = k - 1
            while t > 0 and (bd[t - 1] > v or (bd[t - 1] == v and bi[t - 1] > j)):
                bd[t] = bd[t - 1]
                bi[t] = bi[t - 1]
                t -= 1
            bd[t] = v
            bi[t] = j
            thr = bd[k - 1]


@njit(cache=True)
def _search_beyond(colbase, ymin, starts, p, x, y, xa, xb, ya, yb, P, perm, bd, bi, k,
                   with_index, lo0, lo1, inv_w, gx, gy, slack):
    """The rare rest of a query whose first block of cells ``xa..xb`` x ``ya..yb`` did not
    settle it.

    Rings of cells around the block while fewer than k points are known, then every cell of the
    box of the current k-th distance (plus ``slack``) outside the cells already scanned, column
    by column, the box shrinking as the k-th distance does. A point at distance <= bd[k - 1]
    has its cell in that box: the cell expression is monotone and ``slack`` exceeds the rounding
    of ``x +- r``.
    """
    while bd[k - 1] == np.inf and (xa > 0 or xb < gx - 1 or ya > 0 or yb < gy - 1):
        xa2, xb2 = max(xa - 1, 0), min(xb + 1, gx - 1)
        ya2, yb2 = max(ya - 1, 0), min(yb + 1, gy - 1)
        for a in range(xa2, xb2 + 1):
            if a < xa or a > xb:
                _offer(colbase, ymin, starts, a, ya2, yb2, p, x, y, P, perm, bd, bi, k,
                       with_index)
            else:
                if ya2 < ya:
                    _offer(colbase, ymin, starts, a, ya2, ya2, p, x, y, P, perm, bd, bi, k,
                           with_index)
                if yb2 > yb:
                    _offer(colbase, ymin, starts, a, yb2, yb2, p, x, y, P, perm, bd, bi, k,
                           with_index)
        xa, xb, ya, yb = xa2, xb2, ya2, yb2
    a = _axis_cell(x - (bd[k - 1] + slack), lo0, inv_w, gx)
    while a < gx:
        thr = bd[k - 1] + slack
        if a > xb and (x + thr - lo0) * inv_w < a:
            break
        y0 = _axis_cell(y - thr, lo1, inv_w, gy)
        y1 = _axis_cell(y + thr, lo1, inv_w, gy)
        if xa <= a <= xb:
            if y0 < ya:
                _offer(colbase, ymin, starts, a, y0, ya - 1, p, x, y, P, perm, bd, bi, k,
                       with_index)
            if y1 > yb:
                _offer(colbase, ymin, starts, a, yb + 1, y1, p, x, y, P, perm, bd, bi, k,
                       with_index)
        else:
            _offer(colbase, ymin, starts, a, y0, y1, p, x, y, P, perm, bd, bi, k, with_index)
        a += 1


@njit(cache=True, nogil=True)
def _grid_search(colbase, ymin, starts, perm, P, k, lo0, lo1, inv_w, gx, gy, slack, with_index,
                 dist, idx, t, T):
    """k nearest neighbours of the points in the chunks t, t + T, ... into ``dist`` (the last
    ``dist.shape[1]`` of the k distances) and, ``with_index``, ``idx``."""
    n = P.shape[0]
    m = dist.shape[1]
    bd = np.empty(k)
    bi = np.empty(k, dtype=np.int64)
    n_chunks = (n + _CHUNK - 1) // _CHUNK
    for ch in range(t, n_chunks, T):
        for p in range(ch * _CHUNK, min(n, (ch + 1) * _CHUNK)):
            x = P[p, 0]
            y = P[p, 1]
            for q in range(k):
                bd[q] = np.inf
                bi[q] = n
            # the 2 x 2 block of cells nearest the query: its own cell and the neighbours on
            # the sides of the half cell it lies in (two runs of two cells)
            fx = min(max((x - lo0) * inv_w, 0.0), gx - 1.0)
            fy = min(max((y - lo1) * inv_w, 0.0), gy - 1.0)
            cx = int(fx)
            cy = int(fy)
            xa = max(cx - 1, 0) if fx - cx < 0.5 else cx
            xb = min(xa + 1, gx - 1)
            ya = max(cy - 1, 0) if fy - cy < 0.5 else cy
            yb = min(ya + 1, gy - 1)
            for a in range(xa, xb + 1):
                _offer(colbase, ymin, starts, a, ya, yb, p, x, y, P, perm, bd, bi, k, with_index)
            # does the box of the k-th distance (inf: fewer than k found) leave the block?
            thr = bd[k - 1] + slack
            if ((x - thr - lo0) * inv_w < xa or (x + thr - lo0) * inv_w >= xb + 1
                    or (y - thr - lo1) * inv_w < ya or (y + thr - lo1) * inv_w >= yb + 1):
                _search_beyond(colbase, ymin, starts, p, x, y, xa, xb, ya, yb, P, perm, bd, bi,
                               k, with_index, lo0, lo1, inv_w, gx, gy, slack)
            i = perm[p]
            for q in range(m):
                dist[i, q] = bd[k - m + q]
            if with_index:
                for q in range(k):
                    idx[i, q] = bi[q]


@njit(cache=True, inline="always")
def _insert4(v, b0, b1, b2, b3):
    """The four smallest of ``v, b0 <= b1 <= b2 <= b3``, sorted: a branch-free min/max network."""
    return min(v, b0), min(max(v, b0), b1), min(max(v, b1), b2), min(max(v, b2), b3)


@njit(cache=True, nogil=True)
def _third_distance_cells(colbase, ymin, starts, perm, P, lo0, lo1, inv_w, gx, gy, slack, out,
                          t, T):
    """k = 3 (the default): the 3rd-neighbour distance of the points of columns t, t + T, ...

    The queries of one cell share their 3 x 3 block of cells: four of them at a time scan its
    three runs of points once, each candidate entering four independent networks (loop and
    branch costs shared, four dependency chains in flight). A query whose box of its 3rd
    distance leaves the block finishes alone (:func:`_search_beyond`). Measured at N = 1e5:
    15-20 % faster than :func:`_grid_search` one query at a time.
    """
    bd = np.empty(3)
    bi = np.empty(3, dtype=np.int64)  # unused without indices
    st = np.empty((4, 3))
    for cx in range(t, gx, T):
        xa = max(cx - 1, 0)
        xb = min(cx + 1, gx - 1)
        for c in range(colbase[cx + 1] - colbase[cx]):
            p0 = starts[colbase[cx] + c]
            p1 = starts[colbase[cx] + c + 1]
            cy = ymin[cx] + c
            ya = max(cy - 1, 0)
            yb = min(cy + 1, gy - 1)
            for g0 in range(p0, p1, 4):
                # four queries (the last one repeated when fewer remain)
                pa, pb = g0, min(g0 + 1, p1 - 1)
                pc, pd = min(g0 + 2, p1 - 1), min(g0 + 3, p1 - 1)
                xa_, ya_, xb_, yb_ = P[pa, 0], P[pa, 1], P[pb, 0], P[pb, 1]
                xc_, yc_, xd_, yd_ = P[pc, 0], P[pc, 1], P[pd, 0], P[pd, 1]
                # the query itself is among the candidates (distance 0, the smallest): the 4th
                # smallest distance with it is the 3rd without, so no test for it per candidate
                a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = np.inf
                c0 = c1 = c2 = c3 = d0 = d1 = d2 = d3 = np.inf
                for a in range(xa, xb + 1):
                    base = colbase[a]
                    s0 = max(ya - ymin[a], 0)
                    s1 = min(yb - ymin[a], colbase[a + 1] - base - 1)
                    if s0 > s1:
                        continue
                    for q in range(starts[base + s0], starts[base + s1 + 1]):
                        u = P[q, 0]
                        v = P[q, 1]
                        a0, a1, a2, a3 = _insert4(max(abs(xa_ - u), abs(ya_ - v)), a0, a1, a2, a3)
                        b0, b1, b2, b3 = _insert4(max(abs(xb_ - u), abs(yb_ - v)), b0, b1, b2, b3)
                        c0, c1, c2, c3 = _insert4(max(abs(xc_ - u), abs(yc_ - v)), c0, c1, c2, c3)
                        d0, d1, d2, d3 = _insert4(max(abs(xd_ - u), abs(yd_ - v)), d0, d1, d2, d3)
                st[0, 0], st[0, 1], st[0, 2] = a1, a2, a3
                st[1, 0], st[1, 1], st[1, 2] = b1, b2, b3
                st[2, 0], st[2, 1], st[2, 2] = c1, c2, c3
                st[3, 0], st[3, 1], st[3, 2] = d1, d2, d3
                for j in range(min(4, p1 - g0)):
                    p = g0 + j
                    x = P[p, 0]
                    y = P[p, 1]
                    thr = st[j, 2] + slack
                    if ((x - thr - lo0) * inv_w < xa or (x + thr - lo0) * inv_w >= xb + 1
                            or (y - thr - lo1) * inv_w < ya or (y + thr - lo1) * inv_w >= yb + 1):
                        bd[0], bd[1], bd[2] = st[j, 0], st[j, 1], st[j, 2]
                        _search_beyond(colbase, ymin, starts, p, x, y, xa, xb, ya, yb, P, perm,
                                       bd, bi, 3, False, lo0, lo1, inv_w, gx, gy, slack)
                        out[perm[p]] = bd[2]
                    else:
                        out[perm[p]] = st[j, 2]


def _grid_2d(Z: np.ndarray, k: int, with_index: bool, n_out: int, max_crowding: float):
    n = Z.shape[0]
    lo, w, g, slack = _grid_shape(Z, _POINTS_PER_CELL)
    inv_w = 1.0 / w
    colbase, ymin, starts, perm, P = _bucket_columns(Z, lo[0], lo[1], inv_w, g[0], g[1])
    if _crowded(starts, n, _POINTS_PER_CELL, max_crowding):
        return None
    dist = np.empty((n, n_out))
    idx = np.empty((n, k) if with_index else (0, k), dtype=np.int64)
    run(_grid_search, colbase, ymin, starts, perm, P, k, lo[0], lo[1], inv_w, g[0], g[1],
        slack, with_index, dist, idx)
    return dist, idx


def grid_knn_2d(Z: np.ndarray, k: int, max_crowding: float = np.inf):
    """Max-norm distances ``(n, k)`` and indices of the k nearest neighbours of every row of Z.

    ``Z`` is float64 ``(n, 2)``, finite, ``n > k``. Ties are broken by the smaller index.
    None when the cells are crowded beyond ``max_crowding`` (see :data:`MAX_CROWDING`): a
    KD-tree is faster there.
    """
    return _grid_2d(Z, int(k), True, int(k), max_crowding)


def grid_kth_distance_2d(Z: np.ndarray, k: int, max_crowding: float = np.inf,
                         unrolled: bool = True):
    """Max-norm distance from every row of Z to its k-th nearest neighbour, ``(n,)``.

    Equal to ``grid_knn_2d(Z, k)[0][:, -1]`` (the k smallest distances do not depend on how
    ties are broken), without the indices. None as in :func:`grid_knn_2d`. ``unrolled`` takes
    the k = 3 kernel that handles four queries at a time (faster, but 1.7 s more to compile).
    """
    if k != 3 or not unrolled:
        found = _grid_2d(Z, int(k), False, 1, max_crowding)
        return None if found is None else found[0][:, 0]
    lo, w, g, slack = _grid_shape(Z, _POINTS_PER_CELL_3)
    inv_w = 1.0 / w
    colbase, ymin, starts, perm, P = _bucket_columns(Z, lo[0], lo[1], inv_w, g[0], g[1])
    if _crowded(starts, Z.shape[0], _POINTS_PER_CELL_3, max_crowding):
        return None
    out = np.empty(Z.shape[0])
    run(_third_distance_cells, colbase, ymin, starts, perm, P, lo[0], lo[1], inv_w, g[0], g[1],
        slack, out)
    return out


# -- 1-D counts --------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _count_bins_1d(starts, xs, rs, cap, strict, lo, inv_w, g, slack, counts, t, T):
    """1-D counts on bucketed data, in bucket order: values ``xs``, radii ``rs`` (capped at
    ``cap``) and ``counts`` by sorted position (streamed: gathering radii by row inside the loop
    took twice as long).

    With ``A`` the points inside from below (``x - x_j < r``) and ``B`` those inside from above
    (``x_j - x < r``; ``<=`` when not strict), every point is in ``A`` or ``B`` (``r >= 0``), so
    the count is ``|A| + |B| - n``. A bin below the bin of ``x - r - slack`` lies entirely
    outside ``A`` and a bin above that of ``x - r + slack`` entirely inside it (the bin
    expression is monotone and ``slack`` exceeds the rounding of ``x - r``): only the bins
    between, usually one, are compared point by point, with the brute-force expressions. The
    same for ``B`` at ``x + r``.
    """
    n = xs.shape[0]
    n_chunks = (n + _CHUNK - 1) // _CHUNK
    for ch in range(t, n_chunks, T):
        for p in range(ch * _CHUNK, min(n, (ch + 1) * _CHUNK)):
            x = xs[p]
            r = min(rs[p], cap)
            if r < 0.0 or (strict and r == 0.0):
                counts[p] = 0
                continue
            v = x - r
            q0 = starts[_axis_cell(v - slack, lo, inv_w, g)]
            q1 = starts[_axis_cell(v + slack, lo, inv_w, g) + 1]
            below = np.int64(q0)  # n - |A|: points not inside from below
            # the first _UNROLL points of the window without a loop exit to mispredict
            for j in range(_UNROLL):
                d = x - xs[min(q0 + j, n - 1)]
                below += ((d > r) | ((d == r) & strict)) & (q0 + j < q1)
            for q in range(q0 + _UNROLL, q1):
                d = x - xs[q]
                below += (d > r) | ((d == r) & strict)
            v = x + r
            q0 = starts[_axis_cell(v - slack, lo, inv_w, g)]
            q1 = starts[_axis_cell(v + slack, lo, inv_w, g) + 1]
            inside = np.int64(q0)  # |B|
            for j in range(_UNROLL):
                d = xs[min(q0 + j, n - 1)] - x
                inside += ((d < r) | ((d == r) & (not strict))) & (q0 + j < q1)
            for q in range(q0 + _UNROLL, q1):
                d = xs[q] - x
                inside += (d < r) | ((d == r) & (not strict))
            counts[p] = inside - below - 1  # the point itself is inside


def count_sorted_1d(x: np.ndarray, radii: np.ndarray, strict: bool,
                    max_crowding: float = np.inf) -> np.ndarray:
    """#{j != i : |x_j - x_i| < r_i} (``<=`` when not strict), equal to a direct comparison.

    Values are bucketed by a counting sort into bins of a few points each; falls back to
    :func:`_count_sorted` (argsort and binary search) when the bins would be too fine
    for the values' rounding (a spread near the float64 resolution of their magnitude) or
    crowded beyond ``max_crowding`` (see :data:`MAX_CROWDING`).
    """
    Z = x.reshape(-1, 1)
    lo, w, g, slack = _grid_shape(Z, _POINTS_PER_BIN)
    # beyond the data's extent every point is inside: a capped radius keeps x +- r in range
    cap = 2.0 * (float(np.ptp(x)) + 1.0)
    counts = np.empty(x.shape[0], dtype=np.int64)
    if w >= 1e3 * slack:
        inv_w = 1.0 / w
        starts, perm, ZT = _bucket(Z, lo, inv_w, g)
    if w < 1e3 * slack or _crowded(starts, x.shape[0], _POINTS_PER_BIN, max_crowding):
        order = np.argsort(x)
        run(_count_sorted, x[order], order, np.minimum(radii, cap), bool(strict), counts)
        return counts
    perm = perm.astype(np.intp)  # NumPy converts int32 indices on every gather and scatter
    sorted_counts = np.empty_like(counts)
    run(_count_bins_1d, starts, ZT[0], radii[perm], cap, bool(strict), float(lo[0]), inv_w,
        int(g[0]), slack, sorted_counts)
    counts[perm] = sorted_counts
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
