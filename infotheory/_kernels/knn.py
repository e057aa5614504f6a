"""Exact k-nearest-neighbour search and radius counts for the kNN estimators (KL, KSG, Ross).

Two metrics: ``chebyshev`` (max-norm, the one KSG needs) and ``euclidean``. The engines, picked
by :func:`knn` / :func:`count_within` from the dimension and the number of points:

- small inputs (up to ``SMALL_N`` points) in 1-D and 2-D: :class:`scipy.spatial.cKDTree`, with
  the 2-D kNN put in ``(distance, index)`` order. A notebook's first call then compiles nothing.
- 1-D counts: values bucketed into bins of a few points by a counting sort (:mod:`.knn_grid`),
  whole bins counted by their offsets and the edge bins compared point by point, ``O(N)``. The
  comparisons are the same floating-point expressions as a brute-force ``|x_j - x_i| < r``, so
  the counts are identical to a direct comparison (no ``x_i + r`` rounding).
- 2-D max-norm kNN (the joint space of KSG with one feature per side): a uniform grid, each
  query scanning the block of cells nearest it (:mod:`.knn_grid`), ``O(k)`` per point; about 25x
  faster than the KD-tree, and 2-3x more when only the k-th distance is needed
  (:func:`kth_distance`, KSG's algorithm 1).
- 4 to 12 dimensions, max-norm, from ``CELLS_MIN_N`` points: cell lists over three columns
  (:mod:`.knn_cells`), each visited run of points filtered by the float32 pass below.
- first calls: max-norm searches of at most ``FIRST_CALL_MAX_WORK`` pairs times dimensions
  (about 0.1-0.2 s of work: 2000 points in 40 dimensions) where the numba brute force below
  would run: the KD-tree kNN of the 2-D case (5 to 12 dimensions), the k-th distance from
  :func:`scipy.spatial.distance.cdist` and a partition (beyond 12 dimensions, where the tree
  degrades), and counts from ``cdist`` (from 4 dimensions), in blocks of rows. numba's one-time
  set-up costs about 0.2 s per process even with every kernel cached (and seconds of compilation
  with an empty cache), more than these engines take at such sizes (10 features at 2000 points:
  50 ms against 16 ms for the numba kernels). They run until any kernel has set numba up
  (:func:`numba_set_up`) or until they have taken that set-up's time in all (a ski-rental rule:
  a process never pays much more than twice the cheaper of the two choices). All engines give
  the same distances, indices and counts, so which one ran never shows in a result.
- low dimension otherwise (kNN up to 4-D, counts up to 3-D, both at any size; up to 10-D and
  8-D from 30 000 and 100 000 points): :class:`scipy.spatial.cKDTree` (exact, multi-threaded
  through ``workers``).
- high dimension (where a KD-tree degenerates into a slow brute force): blocked brute force in
  numba, threaded over query blocks (:mod:`.parallel`), with a size-``k`` insertion buffer per
  query. For the max-norm, a float32 SIMD pass over each candidate block discards the candidates
  that are certainly too far (with a proven error bound) and the survivors get the exact float64
  distance, so the result is exact and ~7x faster than scalar float64 with early exit. The kNN
  search and the two marginal counts of KSG visit each pair once (``j > i``) for both of its
  points, with per-thread buffers merged by (distance, index) and per-thread counts summed, so
  results equal the one-sided scans exactly. Memory is ``O(N k T)`` for ``T`` threads; no
  ``N x N`` matrix is ever formed.

Strict counts (``dist < r``, KSG-1, Frenzel–Pompe, Ross) and non-strict counts (``dist <= r``,
KSG-2) are both exact: no ``nextafter`` shifts are applied to the radii of the numba paths, and the
KD-tree path uses ``nextafter(r, 0)`` with ``<=``, which is the same set for distances computed as
``max |diff|``.
"""

from __future__ import annotations

import contextlib
import sys
import time

import numpy as np
from numba import njit
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from .knn_grid import MAX_CROWDING, count_sorted_1d, grid_knn_2d, grid_kth_distance_2d
from .parallel import current_threads, n_threads, run, threads

__all__ = [
    "knn", "kth_distance", "count_within", "count_marginals", "marginal_extents", "n_threads",
    "threads",
]

# Above this dimension the KD-tree visits most leaves anyway and the float32 brute force wins.
KDTREE_MAX_DIM = 8


def _tree_for_knn(n: int, d: int) -> bool:
    """KD-tree or float32 brute force for a max-norm kNN query (k small).

    Measured (bench_ksg, 10-D joint space of KSG at d = 5 per side): equal at n = 1e4-3e4, and
    the tree scales better beyond; up to d = 3 the tree wins at every n. In 4-D (KSG with two
    features per side) the tree wins from n = 3000 (10 000 points: 36 ms against 80 ms, 19 000:
    68 against 213) and trails by at most 1.5 ms below, where it spares a first call the numba
    set-up (0.1-0.2 s once per process, even with the kernels cached).
    """
    return d <= 4 or (d <= 10 and n >= 30_000)


def _tree_for_counts(n: int, d: int) -> bool:
    """KD-tree or float32 brute force for max-norm radius counts at KSG radii.

    KSG radii hold hundreds of points in the marginals, which makes ball queries expensive:
    in 5-D the brute force was 4.8x faster at n = 1e4 and 2.6x at n = 3e4 (n^2 against about
    n^1.3), so the tree only pays from about n = 1e5.
    """
    return d <= 3 or (d <= KDTREE_MAX_DIM and n >= 100_000)


# Up to this many points the 2-D max-norm kNN and the 1-D counts take scipy's KD-tree (within
# 1.5x of the numba kernels' run time there, a few ms, and nothing to compile on a first call:
# the grid kernels cost about 2.5 s of compilation, once per install), and the marginal counts of
# count_marginals the one-sided kernel of count_within (0.4 s to compile instead of 0.9 s).
SMALL_N = 5000
#: From this many points the 2-D k-th distance (k = 3) takes the unrolled kernel: it saves
#: about a third of the search (10 ms at N = 1e5) but costs 1.7 s more of compilation on a first
#: call with an empty cache, which below this size it would not repay.
UNROLLED_MIN_N = 30_000
# From this many points, 4 to 12 dimensions take the cell lists of .knn_cells (kNN and counts):
# measured at N = 1e5 (KSG, 5 features per side) about 3x faster than the symmetric brute force
# (12 s against 40 s on a busy 2-core machine, the same estimate).
CELLS_MIN_N = 20_000
CELLS_MAX_DIM = 12

# Rows of one cdist block of the first-call counts (4 MB at 2000 points).
_CDIST_BLOCK_ROWS = 256

# marginal_extents takes NumPy up to this many differences (a 32 MB temporary)
_EXTENTS_NUMPY_MAX = 4_000_000

_QUERY_BLOCK = 32  # queries handled together, so a candidate block is reused from cache
_CAND_BLOCK = 256  # candidate rows per block: 256 x 40 x 8 B = 80 kB, stays in L2


_KDTREE_PARALLEL_MIN_N = 20_000
# Work of the 2-D grid kNN (per point and neighbour) and of the binned 1-D counts (per point) in
# the units of parallel.PARALLEL_MIN_WORK: ~70 ns and ~100 ns per point on one thread, where two
# threads pay from about n = 3e4 and 5e4 on a busy machine.
_GRID_WORK_PER_POINT = 1000.0
_SORTED_WORK_PER_POINT = 2000.0  # cKDTree starts Python threads per call: ~ms each


# -- brute force kernels ---------------------------------------------------------------------


@njit(cache=True, inline="always")
def _insert(dist, idx, i, value, j):
    """Insert neighbour j at distance ``value`` into row i of the sorted size-k buffers.

    Returns the new k-th distance (the pruning threshold).
    """
    p = dist.shape[1] - 1
    while p > 0 and dist[i, p - 1] > value:
        dist[i, p] = dist[i, p - 1]
        idx[i, p] = idx[i, p - 1]
        p -= 1
    dist[i, p] = value
    idx[i, p] = j
    return dist[i, dist.shape[1] - 1]


@njit(cache=True, nogil=True)
def _knn_brute_part(Z, k, chebyshev, dist, idx, t, T):
    """Query blocks t, t + T, ... of :func:`_knn_brute` (squared Euclidean distances)."""
    n, d = Z.shape
    n_qblocks = (n + _QUERY_BLOCK - 1) // _QUERY_BLOCK
    for qb in range(t, n_qblocks, T):
        q0 = qb * _QUERY_BLOCK
        q1 = min(n, q0 + _QUERY_BLOCK)
        for c0 in range(0, n, _CAND_BLOCK):
            c1 = min(n, c0 + _CAND_BLOCK)
            for i in range(q0, q1):
                thr = dist[i, k - 1]
                for j in range(c0, c1):
                    if j == i:
                        continue
                    acc = 0.0
                    for c in range(d):
                        diff = Z[i, c] - Z[j, c]
                        if chebyshev:
                            diff = abs(diff)
                            if diff > acc:
                                acc = diff
                        else:
                            acc += diff * diff
                        if acc >= thr:
                            break
                    if acc < thr:
                        thr = _insert(dist, idx, i, acc, j)


def _knn_brute(Z, k, chebyshev):
    """k nearest neighbours of every row of Z (itself excluded); distances ascending.

    For the Euclidean metric the buffers hold squared distances until the end.
    """
    n = Z.shape[0]
    dist = np.full((n, k), np.inf)
    idx = np.full((n, k), -1, dtype=np.int64)
    run(_knn_brute_part, Z, k, bool(chebyshev), dist, idx)
    if not chebyshev:
        np.sqrt(dist, out=dist)
    return dist, idx


@njit(cache=True, nogil=True)
def _count_brute_part(Z, radii, strict, chebyshev, counts, t, T):
    """Query blocks t, t + T, ... of :func:`_count_brute`."""
    n, d = Z.shape
    n_qblocks = (n + _QUERY_BLOCK - 1) // _QUERY_BLOCK
    for qb in range(t, n_qblocks, T):
        q0 = qb * _QUERY_BLOCK
        q1 = min(n, q0 + _QUERY_BLOCK)
        for c0 in range(0, n, _CAND_BLOCK):
            c1 = min(n, c0 + _CAND_BLOCK)
            for i in range(q0, q1):
                r = radii[i]
                # Euclidean partial sums are compared with a slightly enlarged r^2 for the early
                # exit only; the decision uses sqrt(sum), the value _knn_brute returns.
                bound = r if chebyshev else r * r * (1.0 + 1e-12)
                cnt = 0
                for j in range(c0, c1):
                    acc = 0.0
                    inside = True
                    for c in range(d):
                        diff = Z[i, c] - Z[j, c]
                        if chebyshev:
                            diff = abs(diff)
                            if diff > acc:
                                acc = diff
                        else:
                            acc += diff * diff
                        if acc > bound:
                            inside = False
                            break
                    if inside and j != i:
                        dist = acc if chebyshev else np.sqrt(acc)
                        if dist < r or (not strict and dist == r):
                            cnt += 1
                counts[i] += cnt


def _count_brute(Z, radii, strict, chebyshev):
    """#{j != i : dist(Z_i, Z_j) < r_i} (strict) or ``<= r_i``, per row i."""
    counts = np.zeros(Z.shape[0], dtype=np.int64)
    run(_count_brute_part, Z, radii, bool(strict), bool(chebyshev), counts)
    return counts


@njit(cache=True, nogil=True)
def _extents_part(X, idx, out, t, T):
    """Rows t, t + T, ... of :func:`_extents`."""
    n, k = idx.shape
    d = X.shape[1]
    for i in range(t, n, T):
        m = 0.0
        for p in range(k):
            j = idx[i, p]
            for c in range(d):
                v = abs(X[i, c] - X[j, c])
                if v > m:
                    m = v
        out[i] = m


def _extents(X, idx):
    """Max-norm extent in X of each row's neighbour set: max_j ||X_i - X_idx[i, j]||_inf."""
    out = np.zeros(idx.shape[0])
    run(_extents_part, X, idx, out)
    return out


# -- float32 pre-filtered max-norm kernels (the high-dimensional KSG path) -----------------------

_F32_QUERY_BLOCK = 16
_F32_CAND_BLOCK = 1024  # float32 accumulator of one block: 4 kB


@njit(cache=True, nogil=True)
def _count_cheb_f32_part(Z, ZT32, radii, strict, lo, hi, margin_abs, counts, t, T):
    """Query blocks t, t + T, ... of :func:`_count_cheb_f32`."""
    n = Z.shape[0]
    zero = np.int64(0)  # a literal 0 argument would compile the callee a second time
    nq = (n + _F32_QUERY_BLOCK - 1) // _F32_QUERY_BLOCK
    acc = np.empty(_F32_CAND_BLOCK, dtype=np.float32)
    for qb in range(t, nq, T):
        q0 = qb * _F32_QUERY_BLOCK
        q1 = min(n, q0 + _F32_QUERY_BLOCK)
        for c0 in range(0, n, _F32_CAND_BLOCK):
            m = min(n, c0 + _F32_CAND_BLOCK) - c0
            for i in range(q0, q1):
                _f32_tile_row(ZT32, i, c0, zero, m, lo, hi, acc)
                r = radii[i]
                bound = r + margin_abs + 1e-6 * r
                cnt = 0
                for j in range(m):
                    if acc[j] > bound:
                        continue
                    jj = c0 + j
                    if jj == i:
                        continue
                    a = 0.0
                    for c in range(lo, hi):
                        v = abs(Z[i, c] - Z[jj, c])
                        if v > a:
                            a = v
                    if a < r or (not strict and a == r):
                        cnt += 1
                counts[i] += cnt


def _count_cheb_f32(Z, ZT32, radii, strict, lo, hi, margin_abs):
    """Max-norm radius counts over columns ``lo:hi``: float32 pre-filter, exact float64 check."""
    counts = np.zeros(Z.shape[0], dtype=np.int64)
    run(_count_cheb_f32_part, Z, ZT32, radii, bool(strict), int(lo), int(hi), float(margin_abs),
        counts)
    return counts

# -- symmetric kernels: each pair's float32 distance is computed once, for both of its points ------
#
# Thread t owns the query blocks t, t + T, t + 2T, ... (balanced over the triangle j > i) and its
# own neighbour buffers / counts; the buffers are merged by (distance, index) at the end, which
# is the order the ascending scan of the one-sided kernels produces, so distances and indices are
# identical to theirs, ties included. Counts are integers and add up exactly.


@njit(cache=True)
def _insert_lex(dist, idx, i, value, j):
    """Insert (value, j) into row i of buffers sorted by (distance, index) if it belongs there."""
    k = dist.shape[1]
    last = dist[i, k - 1]
    if value > last or (value == last and j >= idx[i, k - 1] >= 0):
        return
    p = k - 1
    while p > 0 and (dist[i, p - 1] > value or (dist[i, p - 1] == value and idx[i, p - 1] > j)):
        dist[i, p] = dist[i, p - 1]
        idx[i, p] = idx[i, p - 1]
        p -= 1
    dist[i, p] = value
    idx[i, p] = j


@njit(cache=True)
def _cheb64(Z, i, j, lo, hi):
    a = 0.0
    for c in range(lo, hi):
        v = abs(Z[i, c] - Z[j, c])
        if v > a:
            a = v
    return a


@njit(cache=True)
def _f32_tile_row(ZT32, i, c0, s, m, lo, hi, acc):
    """acc[s:m] = float32 max-norm over columns lo:hi from row i to rows c0 + s .. c0 + m - 1."""
    # Views that start at 0: a loop starting at s did not vectorise (10x slower). Four columns
    # per sweep: acc is loaded and stored once per four columns instead of once per column.
    a = acc[s:m]
    for j in range(m - s):
        a[j] = 0.0
    c = lo
    while c + 4 <= hi:
        z0, z1, z2, z3 = ZT32[c, i], ZT32[c + 1, i], ZT32[c + 2, i], ZT32[c + 3, i]
        r0, r1 = ZT32[c, c0 + s:c0 + m], ZT32[c + 1, c0 + s:c0 + m]
        r2, r3 = ZT32[c + 2, c0 + s:c0 + m], ZT32[c + 3, c0 + s:c0 + m]
        for j in range(m - s):
            v0 = abs(r0[j] - z0)
            v1 = abs(r1[j] - z1)
            v2 = abs(r2[j] - z2)
            v3 = abs(r3[j] - z3)
            v0 = v0 if v0 > v1 else v1
            v2 = v2 if v2 > v3 else v3
            v0 = v0 if v0 > v2 else v2
            a[j] = v0 if v0 > a[j] else a[j]
        c += 4
    while c < hi:
        zi = ZT32[c, i]
        row = ZT32[c, c0 + s:c0 + m]
        for j in range(m - s):
            v = abs(row[j] - zi)
            a[j] = v if v > a[j] else a[j]
        c += 1


@njit(cache=True, nogil=True)
def _knn_sym_thread(Z, ZT32, k, margin_abs, dist_t, idx_t, bound_t, t, T):
    """Query blocks t, t + T, ... of :func:`_knn_cheb_f32_sym` into this thread's buffers."""
    n, d = Z.shape
    D, ID, B = dist_t[t], idx_t[t], bound_t[t]
    zero = np.int64(0)  # a literal 0 argument would compile the callee a second time
    nq = (n + _F32_QUERY_BLOCK - 1) // _F32_QUERY_BLOCK
    acc = np.empty(_F32_CAND_BLOCK, dtype=np.float32)
    for qb in range(t, nq, T):
        q0 = qb * _F32_QUERY_BLOCK
        q1 = min(n, q0 + _F32_QUERY_BLOCK)
        for c0 in range(q0, n, _F32_CAND_BLOCK):
            m = min(n, c0 + _F32_CAND_BLOCK) - c0
            for i in range(q0, q1):
                s = max(i + 1 - c0, 0)
                if s >= m:
                    continue
                _f32_tile_row(ZT32, i, c0, s, m, zero, d, acc)
                bi = B[i]
                # vectorised test first: most blocks hold no candidate for either side
                hits = 0
                av = acc[s:m]
                bv = B[c0 + s:c0 + m]
                for j in range(m - s):
                    hits += (av[j] < bi) | (av[j] < bv[j])
                if hits == 0:
                    continue
                for j in range(s, m):
                    a32 = acc[j]
                    jj = c0 + j
                    if a32 < bi or a32 < B[jj]:
                        a = _cheb64(Z, i, jj, zero, d)
                        _insert_lex(D, ID, i, a, jj)
                        _insert_lex(D, ID, jj, a, i)
                        th = D[i, k - 1]
                        bi = th + margin_abs + 1e-6 * th
                        B[i] = bi
                        th = D[jj, k - 1]
                        B[jj] = th + margin_abs + 1e-6 * th


def _knn_cheb_f32_sym(Z, ZT32, k, margin_abs, n_threads):
    """Max-norm kNN: float32 SIMD pass over candidate blocks, exact float64 check of survivors.

    ``ZT32`` is the centred data, transposed and in float32. A candidate is discarded only if
    its float32 distance exceeds the threshold by more than the float32 error bound
    ``margin_abs`` (see :func:`_f32_copy`), so distances and indices equal those of the exact
    float64 search :func:`_knn_brute`. ``n_threads`` sets the number of buffer sets.
    """
    n = Z.shape[0]
    dist_t = np.full((n_threads, n, k), np.inf)
    idx_t = np.full((n_threads, n, k), -1, dtype=np.int64)
    # per-thread pruning bound of each point: k-th distance + float32 error bound
    bound_t = np.full((n_threads, n), np.inf)
    run(_knn_sym_thread, Z, ZT32, k, float(margin_abs), dist_t, idx_t, bound_t, tasks=n_threads)
    # merge by (distance, index): stable sorts by index, then by distance; unfilled slots
    # (index -1) have distance inf and sort last
    dist = dist_t.transpose(1, 0, 2).reshape(n, -1)
    idx = idx_t.transpose(1, 0, 2).reshape(n, -1)
    order = np.argsort(idx, axis=1, kind="stable")
    dist, idx = np.take_along_axis(dist, order, 1), np.take_along_axis(idx, order, 1)
    order = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return (np.ascontiguousarray(np.take_along_axis(dist, order, 1)),
            np.ascontiguousarray(np.take_along_axis(idx, order, 1)))


def _band(r, margin_abs):
    """(lo, hi): a float32 distance below lo is surely < r, above hi surely > r."""
    slack = margin_abs + 1e-6 * r
    with np.errstate(invalid="ignore"):  # inf radii: everything is inside
        return np.where(np.isinf(r), r, r - slack), r + slack


@njit(cache=True, nogil=True)
def _count_xy_thread(Z, ZT32, dx, rx, ry, strict, lox, hix, loy, hiy, cx_t, cy_t, t, T):
    """Query blocks t, t + T, ... of :func:`_count_xy_cheb_f32` into this thread's counts."""
    n, d = Z.shape
    CX, CY = cx_t[t], cy_t[t]
    zero = np.int64(0)
    nq = (n + _F32_QUERY_BLOCK - 1) // _F32_QUERY_BLOCK
    accx = np.empty(_F32_CAND_BLOCK, dtype=np.float32)
    accy = np.empty(_F32_CAND_BLOCK, dtype=np.float32)
    for qb in range(t, nq, T):
        q0 = qb * _F32_QUERY_BLOCK
        q1 = min(n, q0 + _F32_QUERY_BLOCK)
        for c0 in range(q0, n, _F32_CAND_BLOCK):
            m = min(n, c0 + _F32_CAND_BLOCK) - c0
            for i in range(q0, q1):
                s = max(i + 1 - c0, 0)
                if s >= m:
                    continue
                _f32_tile_row(ZT32, i, c0, s, m, zero, dx, accx)
                _f32_tile_row(ZT32, i, c0, s, m, dx, d, accy)
                lxi, hxi, lyi, hyi = lox[i], hix[i], loy[i], hiy[i]
                nxi = 0
                nyi = 0
                unsure = 0
                # views from 0 so that this loop vectorises (see _f32_tile_row)
                axv, ayv = accx[s:m], accy[s:m]
                j0, j1 = c0 + s, c0 + m
                cxv, cyv = CX[j0:j1], CY[j0:j1]
                loxv, hixv, loyv, hiyv = lox[j0:j1], hix[j0:j1], loy[j0:j1], hiy[j0:j1]
                for j in range(m - s):
                    ax = axv[j]
                    ay = ayv[j]
                    nxi += ax < lxi
                    nyi += ay < lyi
                    cxv[j] += ax < loxv[j]
                    cyv[j] += ay < loyv[j]
                    unsure += (((ax >= lxi) & (ax <= hxi)) | ((ax >= loxv[j]) & (ax <= hixv[j]))
                               | ((ay >= lyi) & (ay <= hyi))
                               | ((ay >= loyv[j]) & (ay <= hiyv[j])))
                if unsure:
                    for j in range(s, m):
                        jj = c0 + j
                        ax = accx[j]
                        if (lxi <= ax <= hxi) or (lox[jj] <= ax <= hix[jj]):
                            a = _cheb64(Z, i, jj, zero, dx)
                            if lxi <= ax <= hxi and (a < rx[i] or (not strict and a == rx[i])):
                                nxi += 1
                            if (lox[jj] <= ax <= hix[jj]
                                    and (a < rx[jj] or (not strict and a == rx[jj]))):
                                CX[jj] += 1
                        ay = accy[j]
                        if (lyi <= ay <= hyi) or (loy[jj] <= ay <= hiy[jj]):
                            a = _cheb64(Z, i, jj, dx, d)
                            if lyi <= ay <= hyi and (a < ry[i] or (not strict and a == ry[i])):
                                nyi += 1
                            if (loy[jj] <= ay <= hiy[jj]
                                    and (a < ry[jj] or (not strict and a == ry[jj]))):
                                CY[jj] += 1
                CX[i] += nxi
                CY[i] += nyi


def _count_xy_cheb_f32(Z, ZT32, dx, rx, ry, strict, margin_abs, n_threads):
    """Max-norm counts in both marginals ``Z[:, :dx]`` (radii rx) and ``Z[:, dx:]`` (radii ry).

    One float32 distance per pair and marginal serves both points of the pair; pairs inside the
    float32 error band around a radius are decided in float64, so the counts are exact.
    """
    n = Z.shape[0]
    cx_t = np.zeros((n_threads, n), dtype=np.int64)
    cy_t = np.zeros((n_threads, n), dtype=np.int64)
    lox, hix = _band(rx, margin_abs)
    loy, hiy = _band(ry, margin_abs)
    run(_count_xy_thread, Z, ZT32, int(dx), rx, ry, bool(strict), lox, hix, loy, hiy, cx_t, cy_t,
        tasks=n_threads)
    return cx_t.sum(axis=0), cy_t.sum(axis=0)


def _f32_copy(Z: np.ndarray):
    """Centred float32 transposed copy of Z and the absolute error bound of its distances.

    Each float32 coordinate is within 2^-24 M of the float64 one (M = max |Z - median|), the
    float32 difference adds at most 2^-24 * 2M: 2^-20 M bounds the error with a 4x margin.
    Returns None when the range is unsafe for float32 (overflow or subnormals).
    """
    centred = Z - np.median(Z, axis=0)
    M = float(np.abs(centred).max()) if Z.size else 0.0
    if M > 1e30 or 0.0 < M < 1e-30:
        return None
    return np.ascontiguousarray(centred.T, dtype=np.float32), 2.0**-20 * M


# -- dispatch -----------------------------------------------------------------------------------


def _metric_p(metric: str) -> float:
    return np.inf if metric == "chebyshev" else 2.0


def numba_set_up() -> bool:
    """Whether this process has paid numba's one-time set-up (its implementation registries,
    imported and installed the first time any jitted function is compiled or loaded from the
    cache: about 0.2 s on a 2-core machine).

    Read from ``sys.modules``: :mod:`numba.cpython.unicode` is among the modules that set-up
    imports and that ``import numba`` does not. Only the choice of engine depends on it.
    """
    return "numba.cpython.unicode" in sys.modules


#: numba's one-time set-up in a process, in seconds (0.15-0.3 s measured on a 2-core machine,
#: kernels cached): the time the first-call engines may take in all before the numba ones run.
NUMBA_SET_UP_S = 0.2
#: Largest n^2 d of one first-call search, so that no single call costs much more than the
#: set-up: 2000 points in 40 dimensions (KSG with 20 features per side: 85 ms for the k-th
#: distances, 31 ms for each 20-D count), or 4000 in 10 (90 ms for the kNN, 42 ms per count).
FIRST_CALL_MAX_WORK = 1.6e8
_first_call_seconds = 0.0  # time the first-call engines have taken in this process


def _first_call_engine(n: int, d: int) -> bool:
    """Whether a max-norm search takes the SciPy engines of first calls (module docstring)."""
    return (float(n) * n * d <= FIRST_CALL_MAX_WORK and _first_call_seconds < NUMBA_SET_UP_S
            and not numba_set_up())


@contextlib.contextmanager
def _first_call_timed():
    """Add the time of the enclosed first-call engine to the process's account."""
    global _first_call_seconds
    start = time.perf_counter()
    try:
        yield
    finally:
        _first_call_seconds += time.perf_counter() - start


def _cdist_blocks(Z: np.ndarray, self_value: float):
    """Blocks ``(s, e, D)``: the max-norm distances from rows ``s..e-1`` to every row, from
    ``cdist`` (the brute force's distances, bit for bit), with the pairs ``(i, i)`` set to
    ``self_value``. One buffer serves every block: fresh 16 MB blocks cost more in page faults
    than their arithmetic on a first call."""
    n = Z.shape[0]
    step = min(n, _CDIST_BLOCK_ROWS)
    buf = np.empty((step, n))
    for s in range(0, n, step):
        e = min(n, s + step)
        D = cdist(Z[s:e], Z, "chebyshev", out=buf[: e - s])
        rows = np.arange(e - s)
        D[rows, s + rows] = self_value
        yield s, e, D


def _kth_cdist(Z: np.ndarray, k: int) -> np.ndarray:
    """Max-norm distance from every row to its k-th nearest other row (:func:`_cdist_blocks`
    partitioned at ``k - 1``)."""
    out = np.empty(Z.shape[0])
    for s, e, D in _cdist_blocks(Z, np.inf):  # a duplicate at distance 0 is still a neighbour
        D.partition(k - 1, axis=1)
        out[s:e] = D[:, k - 1]
    return out


def _count_cdist(Z: np.ndarray, radii: np.ndarray, strict: bool) -> np.ndarray:
    """Max-norm radius counts of :func:`count_within` (:func:`_cdist_blocks`)."""
    counts = np.empty(Z.shape[0], dtype=np.int64)
    inside = np.empty((min(Z.shape[0], _CDIST_BLOCK_ROWS), Z.shape[0]), dtype=bool)
    compare = np.less if strict else np.less_equal
    # NaN for the point itself: it never counts, not even at r = inf
    for s, e, D in _cdist_blocks(Z, np.nan):
        counts[s:e] = np.count_nonzero(compare(D, radii[s:e, None], out=inside[: e - s]), axis=1)
    return counts


def _tree_knn_max_norm(Z: np.ndarray, k: int):
    """Max-norm kNN by cKDTree in ``(distance, index)`` order: the brute force's, ties included.

    The tree's k + 2 nearest (the point itself among them) fix the neighbour set of every row
    whose (k + 1)-th and (k + 2)-th distances differ; rows with a tie there take all points
    within the tied distance and keep the k smallest by (distance, index).
    """
    n = Z.shape[0]
    kk = min(k + 2, n)
    tree = cKDTree(Z)
    _, idx = tree.query(Z, k=kk, p=np.inf)
    idx = np.asarray(idx, dtype=np.int64)
    # the brute force's expression max_c |z_i - z_j|, so distances are bit-identical
    dist = np.abs(Z[idx] - Z[:, None, :]).max(axis=2)
    tied = np.zeros(n, dtype=bool) if kk <= k + 1 else dist[:, k] >= dist[:, k + 1]
    rows = np.arange(n)[:, None]
    # drop the point itself (present in every untied row), then order by (distance, index)
    keep = idx[:, : k + 1] != rows
    keep[keep.all(axis=1), k] = False  # tied rows may lack it; they are redone below
    d_sel = dist[:, : k + 1][keep].reshape(n, k)
    i_sel = idx[:, : k + 1][keep].reshape(n, k)
    order = np.lexsort((i_sel, d_sel), axis=1)
    d_sel = np.take_along_axis(d_sel, order, 1)
    i_sel = np.take_along_axis(i_sel, order, 1)
    for i in np.flatnonzero(tied):
        cand = np.asarray(tree.query_ball_point(Z[i], dist[i, k], p=np.inf), dtype=np.int64)
        cand = cand[cand != i]
        dc = np.abs(Z[cand] - Z[i]).max(axis=1)
        first = np.lexsort((cand, dc))[:k]
        d_sel[i], i_sel[i] = dc[first], cand[first]
    return np.ascontiguousarray(d_sel), np.ascontiguousarray(i_sel)


def _typical_knn_radius(Z: np.ndarray, k: int, m: int = 2000) -> float:
    """Median max-norm k-th neighbour distance of Z, from a subsample of ``m`` points.

    The distances of the subsample scale by ``(m / n)^(1/d)``; only the speed of the cell
    search depends on this estimate, never its result.
    """
    n, d = Z.shape
    sub = Z[:: max(1, n // m)]
    r = np.median(cKDTree(sub).query(sub, k=k + 1, p=np.inf)[0][:, -1])
    r *= (sub.shape[0] / n) ** (1.0 / d)
    return float(r) if r > 0 else float(np.ptp(Z, axis=0).max() / n + 1e-300)


def knn(Z: np.ndarray, k: int, metric: str = "chebyshev", n_jobs=None):
    """Distances ``(n, k)`` (ascending) and indices of the k nearest neighbours, self excluded.

    ``Z`` is C-contiguous float64 ``(n, d)`` with ``n > k``. With duplicate rows a point's twin
    may stand in for the point itself among the indices; distances are unaffected.
    """
    n, d = Z.shape
    if d == 1:
        metric = "chebyshev"  # the same metric in 1-D, and |diff| is exact
    if d == 2 and metric == "chebyshev":
        if n <= SMALL_N:
            return _tree_knn_max_norm(Z, k)
        with threads(n_jobs, work=_GRID_WORK_PER_POINT * n * k):
            found = grid_knn_2d(Z, k, MAX_CROWDING)
        return _tree_knn_max_norm(Z, k) if found is None else found
    if metric == "chebyshev" and 4 <= d <= CELLS_MAX_DIM and n >= CELLS_MIN_N:
        from .knn_cells import cells_knn

        with threads(n_jobs):
            found = cells_knn(Z, k, _typical_knn_radius(Z, k))
        if found is not None:
            return found
    if _tree_for_knn(n, d) or metric != "chebyshev" and d <= KDTREE_MAX_DIM:
        workers = n_threads(n_jobs) if n >= _KDTREE_PARALLEL_MIN_N else 1
        dist, idx = cKDTree(Z).query(Z, k=k + 1, p=_metric_p(metric), workers=workers)
        return np.ascontiguousarray(dist[:, 1:]), np.ascontiguousarray(idx[:, 1:], dtype=np.int64)
    if metric == "chebyshev" and d <= CELLS_MAX_DIM and _first_call_engine(n, d):
        with _first_call_timed():
            return _tree_knn_max_norm(Z, k)
    fast = _f32_copy(Z) if metric == "chebyshev" else None
    with threads(n_jobs, work=float(n) * n * d):
        if fast is not None:
            return _knn_cheb_f32_sym(Z, fast[0], k, fast[1], current_threads())
        return _knn_brute(Z, k, metric == "chebyshev")


def kth_distance(Z: np.ndarray, k: int, metric: str = "chebyshev", n_jobs=None) -> np.ndarray:
    """Distance from every row to its k-th nearest neighbour, self excluded: ``knn(...)[0][:, -1]``.

    The same values as :func:`knn` (the k smallest distances do not depend on how ties are
    broken); in 2-D max-norm the grid skips the neighbour indices, about 3x faster.
    """
    n, d = Z.shape
    if d == 2 and metric == "chebyshev" and n > SMALL_N:
        with threads(n_jobs, work=_GRID_WORK_PER_POINT * n * k):
            found = grid_kth_distance_2d(Z, k, MAX_CROWDING, unrolled=n >= UNROLLED_MIN_N)
        if found is not None:
            return found
    if metric == "chebyshev" and d > CELLS_MAX_DIM and _first_call_engine(n, d):
        with _first_call_timed():
            return _kth_cdist(Z, k)
    return np.ascontiguousarray(knn(Z, k, metric, n_jobs)[0][:, -1])


def count_within(Z: np.ndarray, radii: np.ndarray, *, strict: bool, metric: str = "chebyshev",
                 n_jobs=None) -> np.ndarray:
    """Per row i, the number of other rows within ``radii[i]`` (``<`` if ``strict`` else ``<=``)."""
    n, d = Z.shape
    radii = np.ascontiguousarray(radii, dtype=np.float64)
    if d == 1 and n > SMALL_N:
        x = np.ascontiguousarray(Z[:, 0])
        with threads(n_jobs, work=_SORTED_WORK_PER_POINT * n):
            return count_sorted_1d(x, radii, strict, MAX_CROWDING)
    if metric == "chebyshev" and 4 <= d <= CELLS_MAX_DIM and n >= CELLS_MIN_N:
        from .knn_cells import cells_count

        with threads(n_jobs):
            counts = cells_count(Z, radii, strict)
        if counts is not None:
            return counts
    if (metric == "chebyshev" or d == 1) and _tree_for_counts(n, d):
        # (cKDTree compares squared Euclidean distances, which can disagree with the distances
        # it returns at the boundary; Euclidean counts therefore always use the brute force.)
        r = np.nextafter(radii, 0.0) if strict else radii
        # a strict count with r = 0 is empty; nextafter(0, 0) = 0 would count exact twins
        r = np.where(radii > 0, r, -1.0) if strict else r
        inside = cKDTree(Z).query_ball_point(
            Z, np.maximum(r, 0.0), p=np.inf if d == 1 else _metric_p(metric), return_length=True,
            workers=n_threads(n_jobs) if n >= _KDTREE_PARALLEL_MIN_N else 1,
        )
        counts = np.asarray(inside, dtype=np.int64) - 1
        if strict:
            counts[radii <= 0] = 0
        return counts
    if metric == "chebyshev" and _first_call_engine(n, d):
        with _first_call_timed():
            return _count_cdist(Z, radii, strict)
    fast = _f32_copy(Z) if metric == "chebyshev" else None
    with threads(n_jobs, work=float(n) * n * d):
        if fast is not None:
            return _count_cheb_f32(Z, fast[0], radii, strict, 0, d, fast[1])
        return _count_brute(Z, radii, strict, metric == "chebyshev")


def marginal_extents(X: np.ndarray, idx: np.ndarray, n_jobs=None) -> np.ndarray:
    """Max-norm extent in the marginal ``X`` of each point's joint neighbour set (KSG-2 radii)."""
    if idx.size * X.shape[1] <= _EXTENTS_NUMPY_MAX:  # the kernel's expression, no compilation
        return np.abs(X[idx] - X[:, None, :]).max(axis=(1, 2))
    with threads(n_jobs, work=float(idx.size) * X.shape[1]):
        return _extents(X, np.ascontiguousarray(idx, dtype=np.int64))


def _counts_apart(n: int, d: int) -> bool:
    """Whether a marginal's counts take an engine of its own (KD-tree, cell lists)."""
    return _tree_for_counts(n, d) or (4 <= d <= CELLS_MAX_DIM and n >= CELLS_MIN_N)


def count_marginals(X: np.ndarray, Y: np.ndarray, rx: np.ndarray, ry: np.ndarray, *,
                    strict: bool, n_jobs=None, joint: np.ndarray | None = None):
    """Max-norm counts of :func:`count_within` in ``X`` (radii ``rx``) and ``Y`` (``ry``).

    When both marginals take the float32 brute force (more than ``SMALL_N`` points), one pass
    over the pairs of the joint array ``[X, Y]`` counts both, each pair's distances computed
    once for both of its points.
    """
    n, dx = X.shape
    dy = Y.shape[1]
    # up to SMALL_N points the one-sided kernel of count_within (a third of the compilation of
    # the symmetric one) costs milliseconds per marginal
    if n <= SMALL_N or dx == 1 or dy == 1 or _counts_apart(n, dx) or _counts_apart(n, dy):
        return (count_within(X, rx, strict=strict, n_jobs=n_jobs),
                count_within(Y, ry, strict=strict, n_jobs=n_jobs))
    Z = np.ascontiguousarray(np.hstack([X, Y]) if joint is None else joint, dtype=np.float64)
    fast = _f32_copy(Z)
    if fast is None:
        return (count_within(X, rx, strict=strict, n_jobs=n_jobs),
                count_within(Y, ry, strict=strict, n_jobs=n_jobs))
    rx = np.ascontiguousarray(rx, dtype=np.float64)
    ry = np.ascontiguousarray(ry, dtype=np.float64)
    with threads(n_jobs, work=float(n) * n * (dx + dy)):
        return _count_xy_cheb_f32(Z, fast[0], dx, rx, ry, strict, fast[1], current_threads())
