"""Inner loops of the diffusion spectral estimators (dense kernel, kNN kernel, Lanczos quadrature).

No validation happens here: callers pass C-contiguous float64 arrays with finite values. The
Gaussian affinity is ``G_ij = exp(-|x_i - x_j|^2 / (2 sigma^2))`` and the diffusion kernel is the
symmetric conjugate ``K = D^{-1/2} G D^{-1/2}`` of the random-walk matrix ``P = D^{-1} G``
(``D`` = row sums of ``G``), so ``K`` and ``P`` share their eigenvalues and ``K`` is positive
semi-definite with spectrum in ``[0, 1]``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from scipy import linalg, sparse
from scipy.linalg import blas, lapack

from . import parallel
from .linalg import eigvalsh_2stage

__all__ = [
    "diffusion_kernel_dense",
    "eigvalsh_inplace",
    "entropy_from_eigenvalues",
    "partial_cholesky",
    "lowrank_entropy",
    "lowrank_trace_target",
    "lowrank_eigenvalues",
    "median_pairwise_distance",
    "median_middle",
    "pairwise_sq_distances",
    "knn_diffusion_kernel",
    "BlockedDiffusionOperator",
    "SparseDiffusionOperator",
    "lanczos_tridiagonals",
    "quadrature",
    "kernel_mass_neighbours",
    "power_xlogx",
    "slq_entropy",
]

# Rows of the kernel held at once by the blocked (matrix-free) routines: 2**23 float64 = 64 MiB.
_BLOCK_ELEMENTS = 1 << 23


def _block_rows(n_cols: int, n_extra: int = 0) -> int:
    return max(1, _BLOCK_ELEMENTS // max(1, n_cols + n_extra))


def _centred(X: np.ndarray) -> np.ndarray:
    # Distances do not change under translation; centring first shrinks |x|^2 and with it the
    # cancellation in |x|^2 + |y|^2 - 2 x.y.
    return X - X.mean(axis=0)


def _neg_scaled_sqdist_block(Xb, X, sq_b, sq, scale, out=None):
    """``out = -scale * |Xb_i - X_j|^2`` with the Gram product done by BLAS, in place.

    The factor is folded into the ``n_b x d`` operand of the product (the block's rows, so a
    loop over blocks scales no more than it reads), and the ``n_b x n`` block takes three
    passes (product, the two norms, the clip) instead of five: on fresh memory at 2000 x 2000
    they are the cost of the diffusion kernel.
    """
    out = np.matmul(Xb * (2.0 * scale), X.T, out=out)
    out -= (scale * sq_b)[:, None]
    out -= (scale * sq)[None, :]
    # Round-off can make a squared distance slightly negative; a distance is never negative.
    (np.minimum if scale > 0 else np.maximum)(out, 0.0, out=out)
    return out


def diffusion_kernel_dense(X: np.ndarray, sigma: float) -> np.ndarray:
    """Return the dense ``n x n`` diffusion kernel ``K`` built in one array.

    The Gram matrix comes from one BLAS product; the exponential and both diagonal scalings are
    applied in place (broadcasting, never a dense diagonal-matrix product), so the only ``n x n``
    array is the one returned.
    """
    Xc = _centred(X)
    sq = np.einsum("ij,ij->i", Xc, Xc)
    K = _neg_scaled_sqdist_block(Xc, Xc, sq, sq, 1.0 / (2.0 * sigma * sigma))
    np.fill_diagonal(K, 0.0)
    np.exp(K, out=K)
    s = 1.0 / np.sqrt(K.sum(axis=1))
    K *= s[:, None]
    K *= s[None, :]
    return K


# from this size the two-stage reduction is faster (1.6x at n = 4000, equal at n = 2000)
_TWO_STAGE_MIN_N = 3000


def eigvalsh_inplace(K: np.ndarray, driver: str = "auto") -> np.ndarray:
    """Eigenvalues of the symmetric ``K``; LAPACK overwrites ``K`` (no copy is made).

    Drivers measured on the kernels of this module (benchmarks/bench_dse.py, one BLAS thread,
    N = 2000): on an idle machine ``ev``, ``evd``, ``evr`` and ``numpy.linalg.eigvalsh`` all
    took 0.30 s; under load one run gave ``ev`` 0.44 s, ``evd`` 0.47 s, ``evr`` 1.05 s, numpy
    2.1 s. For eigenvalues only, ``ev`` and ``evd`` both reduce to a tridiagonal QR
    (``sterf``); ``ev`` needs the least workspace. ``2stage`` (LAPACK's ``dsyevd_2stage``, see
    :func:`.linalg.eigvalsh_2stage`) reduces to tridiagonal form through a band matrix with
    level-3 BLAS: 5.9 s -> 3.6 s of CPU at N = 4000. ``auto`` takes it from N = 3000 where it
    is available, ``ev`` otherwise; the eigenvalues agree to a few ulp of the largest.
    """
    if driver in ("auto", "2stage") and (driver == "2stage" or K.shape[0] >= _TWO_STAGE_MIN_N):
        lam = eigvalsh_2stage(K)
        if lam is not None:
            return lam
        driver = "ev"
    if driver == "auto":
        driver = "ev"
    if driver == "numpy":
        return np.linalg.eigvalsh(K)
    # K is symmetric, so its transpose (a Fortran-ordered view) is K itself: LAPACK then works
    # in place instead of on a Fortran copy
    return linalg.eigvalsh(K.T, driver=driver, overwrite_a=True, check_finite=False, lower=True)


def entropy_from_eigenvalues(lam: np.ndarray, t: float, eps: float = 0.0) -> float:
    """Shannon entropy in nats of ``alpha_i = |lam_i|^t / sum_j |lam_j|^t`` (0 log 0 = 0).

    ``eps`` is added to every ``alpha_i`` before the entropy is taken, as ``dse-dsmi`` does with
    machine epsilon; 0 gives the definition.
    """
    a = np.abs(lam) ** t
    p = a / a.sum()
    if eps:
        p = p + eps
    nz = p[p > 0]
    return float(-np.sum(nz * np.log(nz)))


# -- certified low-rank spectrum -------------------------------------------------------------
#
# A Gaussian kernel on data much narrower than the bandwidth has a fast decaying spectrum: its
# entropy is set by a few hundred eigenvalues and a tail of known total mass. A partial pivoted
# Cholesky factor K = L L^T + E leaves a residual E that is positive semi-definite (a Schur
# complement of K) with an exactly known trace eps = sum_i (K_ii - |L_i|^2). By Weyl's inequality
# the sorted eigenvalues satisfy lam_i >= nu_i (nu: those of L L^T, zero past its rank) and
# sum_i (lam_i - nu_i) = eps, which brackets the entropy (lowrank_entropy): the dense eigensolve
# is replaced by an O(n r^2) factorisation and an r x r one.

# Candidate pivots taken per block (one BLAS-3 update of the factor per block).
_CHOLESKY_BLOCK = 64
# Within a block, a candidate whose Schur pivot falls below this fraction of the largest residual
# diagonal is left for a later block (a near-duplicate of an accepted pivot: dividing by its small
# pivot would amplify round-off).
_PIVOT_RTOL = 1e-3


def lowrank_trace_target(atol: float, n: int, trace: float) -> float:
    """Residual trace ``eps`` small enough for :func:`lowrank_entropy` to certify ``atol`` nats.

    The half-width of the bracket is at most ``eta (1 + log(n / eta)) / 2`` with
    ``eta = eps / trace``; the largest such ``eta`` solves ``eta (1 + log n - log eta) = 2 atol``
    (fixed-point iteration; the result is checked and shrunk until it holds).
    """
    a = 1.0 + math.log(n)
    eta = 2.0 * atol / a
    for _ in range(20):  # a contraction: log eta changes little once eta is close
        eta = 2.0 * atol / (a - math.log(eta))
    eta *= 1.0 - 1e-9  # below the fixed point by more than its round-off
    while eta * (a - math.log(eta)) > 2.0 * atol:
        eta *= 0.999
    return eta * trace


def partial_cholesky(K: np.ndarray, target: float, max_rank: int,
                     block: int = _CHOLESKY_BLOCK) -> tuple[np.ndarray, np.ndarray] | None:
    """Partial pivoted Cholesky ``K = L L^T + E`` of a positive semi-definite ``K``, stopped as
    soon as ``tr E <= target``.

    Greedy pivoting in blocks: each block takes the ``block`` largest residual diagonal entries
    as candidates, forms their Schur complement columns with one BLAS-3 product, and accepts them
    in the order of a pivoted Cholesky (LAPACK ``pstrf``) of the candidates' block, so that every
    accepted pivot keeps the factorisation exact (``E`` is the Schur complement of ``K`` on the
    accepted pivots, whatever they are). Returns ``L`` of shape ``(n, r)`` and the residual
    diagonal ``diag(E)`` (computed as ``K_ii - |L_i|^2``, clipped at 0), or None when the rank
    would exceed ``max_rank``, which it predicts by extrapolating the decay of ``tr E`` over the
    last block geometrically: the residual of a Gaussian kernel decays ever more slowly (about
    ``exp(-c r^(1/d))`` in ``d`` dimensions), so the prediction is optimistic, and a slowly
    decaying spectrum is given up within a few blocks rather than after ``max_rank`` pivots.
    The prediction only saves time: whatever it says, a returned factor meets ``target``.
    """
    n = K.shape[0]
    diag = np.diagonal(K).copy()
    L = np.empty((n, max_rank), order="F")
    r = 0
    resid = diag.copy()
    total = float(resid.sum())
    while total > target:
        b = min(block, max_rank - r, n - r)
        if b <= 0:
            return None
        cand = np.argpartition(resid, n - b)[n - b:]
        C = K[:, cand]
        if r:
            C -= L[:, :r] @ L[cand, :r].T
        c, piv, k, info = lapack.dpstrf(C[cand], lower=1, tol=_PIVOT_RTOL * float(resid.max()))
        if info < 0 or k == 0:
            return None
        sel = piv[:k] - 1
        new = linalg.solve_triangular(np.tril(c[:k, :k]), C[:, sel].T, lower=True,
                                      check_finite=False)
        L[:, r:r + k] = new.T
        r += k
        resid = diag - np.einsum("ij,ij->i", L[:, :r], L[:, :r])
        np.maximum(resid, 0.0, out=resid)
        previous, total = total, float(resid.sum())
        if total > target:
            rate = math.log(previous / total) / k if previous > total > 0 else 0.0
            if rate <= 0.0 or r + math.log(total / target) / rate > max_rank:
                return None
    return L[:, :r], resid


def lowrank_entropy(nu: np.ndarray, eps: float, trace: float, n: int) -> tuple[float, float]:
    """Entropy in nats of ``alpha_i = lam_i / trace`` from the eigenvalues ``nu`` of ``L L^T``
    where ``K = L L^T + E``, ``E`` positive semi-definite of trace ``eps``: the midpoint of a
    certified bracket and its half-width.

    With ``q = nu / trace``, ``p = lam / trace = q + delta`` (``delta >= 0`` by Weyl's
    inequality, summing to ``eta = eps / trace``) and ``g(x) = -x log x``:

    - upper: ``g`` is concave with ``g(0) = 0``, hence subadditive, so
      ``H(p) <= H(q) + sum_i g(delta_i) <= H(q) + eta log(n / eta)`` (the sum is largest when
      ``delta`` is spread evenly over the ``n`` eigenvalues);
    - lower: concavity gives ``g(q + delta) >= g(q) + delta g'(q + delta)`` with
      ``g'(x) = -1 - log x >= -1 - log p_max``, and ``p_max <= (nu_1 + eps) / trace``, so
      ``H(p) >= H(q) - eta (1 + log p_max)``.

    Exact arithmetic; round-off is that of the factorisation and of an ``r x r`` eigensolve,
    no larger than the dense eigensolver's own.
    """
    nu = np.clip(nu, 0.0, None)
    q = nu[nu > 0] / trace
    h_q = float(-np.sum(q * np.log(q)))
    if eps <= 0.0:
        return h_q, 0.0
    eta = eps / trace
    p_max = min(1.0, (float(nu.max(initial=0.0)) + eps) / trace)
    low = h_q - eta * (1.0 + math.log(p_max))
    high = h_q + eta * math.log(n / eta)
    return 0.5 * (low + high), 0.5 * (high - low)


def lowrank_eigenvalues(L: np.ndarray) -> np.ndarray:
    """Eigenvalues of ``L L^T`` (decreasing), from the ``r x r`` matrix ``L^T L``."""
    if L.shape[1] == 0:
        return np.zeros(0)
    gram = blas.dsyrk(1.0, L, trans=1, lower=1)  # L^T L, lower triangle
    return linalg.eigvalsh(gram, lower=True, overwrite_a=True, check_finite=False)[::-1]


#: Rows per block of :func:`pairwise_sq_distances`: a 4 MB buffer at 2000 points, reused, where a
#: fresh 32 MB matrix cost more in page faults than its arithmetic on a first call.
_PAIRWISE_BLOCK_ROWS = 256


def pairwise_sq_distances(X: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances of the pairs ``i < j`` of the rows ``X[idx]`` (condensed,
    row by row as ``scipy.spatial.distance.pdist`` orders them), from BLAS Gram products over
    blocks of rows into one reused buffer: no ``m x m`` array is formed."""
    Xs = _centred(X[idx])
    m = Xs.shape[0]
    sq = np.einsum("ij,ij->i", Xs, Xs)
    out = np.empty(m * (m - 1) // 2)
    step = min(_PAIRWISE_BLOCK_ROWS, _block_rows(m))
    buf = np.empty((min(step, m), m))
    pos = 0
    with parallel.one_blas_thread():  # thin d-deep products
        for r0 in range(0, m, step):
            r1 = min(m, r0 + step)
            D2 = _neg_scaled_sqdist_block(Xs[r0:r1], Xs, sq[r0:r1], sq, -1.0,
                                          out=buf[: r1 - r0])
            for i in range(r0, r1):
                row = D2[i - r0, i + 1:]
                out[pos:pos + row.size] = row
                pos += row.size
    return out


def median_middle(m: int) -> tuple[int, int]:
    """Positions (0-based, ascending order) of the two middle values of ``m`` values; the median
    is their mean (the same position twice when ``m`` is odd)."""
    return (m - 1) // 2, m // 2


def median_pairwise_distance(X: np.ndarray, idx: np.ndarray, d2: np.ndarray | None = None) -> float:
    """Median Euclidean distance over the pairs ``i < j`` of the rows ``X[idx]``.

    The median of the distances, not the root of the median squared distance (they differ by the
    averaging of the two middle values when the number of pairs is even). Only the two middle
    order statistics of the squared distances are selected (``sqrt`` is monotone). ``d2``: the
    squared distances of :func:`pairwise_sq_distances` when already computed (partitioned in
    place).
    """
    if d2 is None:
        d2 = pairwise_sq_distances(X, idx)
    if d2.size == 0:
        return float("nan")
    mid = median_middle(d2.size)
    d2.partition(mid)
    return float(0.5 * (math.sqrt(d2[mid[0]]) + math.sqrt(d2[mid[1]])))


def kernel_mass_neighbours(X: np.ndarray, sigma: float, rows: np.ndarray, mass: float) -> int:
    """Largest number of neighbours (self included) that ``rows`` need to hold ``mass`` of their
    kernel row sums: the neighbour count for which kNN truncation keeps that fraction."""
    Xc = _centred(X)
    sq = np.einsum("ij,ij->i", Xc, Xc)
    G = _neg_scaled_sqdist_block(Xc[rows], Xc, sq[rows], sq, 1.0 / (2.0 * sigma * sigma))
    np.exp(G, out=G)
    G[np.arange(len(rows)), rows] = 1.0
    total = G.sum(axis=1)
    n = G.shape[1]
    # the mass sits in the largest entries: sort only the m largest of each row (a partition),
    # with m grown until every row reaches the mass within them
    m = min(n, 1024)
    while True:
        top = G if m == n else -np.partition(-G, m - 1, axis=1)[:, :m]
        top = -np.sort(-top, axis=1)
        np.cumsum(top, axis=1, out=top)
        reached = top < mass * total[:, None]
        need = reached.sum(axis=1) + 1
        if m == n or need.max() <= m:
            return int(need.max())
        m = min(n, 4 * m)


@njit(cache=True, parallel=True)
def _csr_matmat(indptr, indices, data, s, V, out):
    """``out = diag(s) A diag(s) V`` for a CSR matrix ``A``, one row per iteration (scipy's
    sparse product is single-threaded and needs two extra scaled copies of ``V``)."""
    n, p = V.shape
    for i in prange(n):
        acc = out[i]  # the output row accumulates: no allocation per row
        acc[:] = 0.0
        for q in range(indptr[i], indptr[i + 1]):
            j = indices[q]
            w = data[q] * s[j]
            for c in range(p):
                acc[c] += w * V[j, c]
        for c in range(p):
            acc[c] *= s[i]
    return out


# Columns compared at once with the heap's root before any of them is inserted.
_SELECT_CHUNK = 128


@njit(cache=True, nogil=True)
def _select_knn(tile, row0, col0, hv, hi, size):
    """Update, for each row ``r`` of a tile, the bounded max-heap (``hv``, ``hi``, ``size``) of
    its smallest values ``tile[r, j] = |x_j|^2 - 2 x_r . x_j`` (the squared distance less the
    row's constant ``|x_r|^2``) over the tile's columns, the row itself forced in.

    Columns are scanned in chunks: a chunk none of whose values beats the heap's root (most
    chunks, once the heap holds close points) is rejected by one count. The tile is small enough
    to stay in cache between the BLAS product that writes it and this scan.
    """
    n_rows, n_cols = tile.shape
    k = hv.shape[1]
    for r in range(n_rows):
        me = row0 + r - col0
        m = size[r]
        row = tile[r]
        for j0 in range(0, n_cols, _SELECT_CHUNK):
            j1 = min(n_cols, j0 + _SELECT_CHUNK)
            if m == k and not (j0 <= me < j1):
                root = hv[r, 0]
                below = 0
                for j in range(j0, j1):
                    below += row[j] < root
                if below == 0:
                    continue
            for j in range(j0, j1):
                v = row[j]
                if j == me:
                    v = -np.inf
                if m == k and v >= hv[r, 0]:
                    continue
                if m < k:
                    pos = m
                    m += 1
                    while pos > 0:
                        parent = (pos - 1) >> 1
                        if hv[r, parent] >= v:
                            break
                        hv[r, pos] = hv[r, parent]
                        hi[r, pos] = hi[r, parent]
                        pos = parent
                else:
                    pos = 0
                    while True:
                        c = 2 * pos + 1
                        if c >= k:
                            break
                        if c + 1 < k and hv[r, c + 1] > hv[r, c]:
                            c += 1
                        if hv[r, c] <= v:
                            break
                        hv[r, pos] = hv[r, c]
                        hi[r, pos] = hi[r, c]
                        pos = c
                hv[r, pos] = v
                hi[r, pos] = col0 + j
        size[r] = m


# Rows x columns of one tile of the kNN search (512 KiB: it stays in cache). A row block is a
# leaf of the spatial order below; a column tile, 16 consecutive leaves.
_TILE_ROWS, _TILE_COLS = 64, 1024


def _spatial_order(Xc: np.ndarray, leaf: int) -> np.ndarray:
    """A permutation of the rows that puts close points together: recursive halving at the
    median of the projection on each part's leading principal direction (three power
    iterations), with every split on a multiple of ``leaf`` rows, so that each block of ``leaf``
    consecutive rows, and each run of blocks, is a compact part of the data."""
    n = Xc.shape[0]
    order = np.arange(n)
    stack = [(0, n)]
    while stack:
        a, b = stack.pop()
        if b - a <= leaf:
            continue
        idx = order[a:b]
        P = Xc[idx]
        P -= P.mean(axis=0)
        v = P[int(np.argmax(np.einsum("ij,ij->i", P, P)))]  # towards the farthest point
        for _ in range(3):
            v = P.T @ (P @ v)
            norm = np.linalg.norm(v)
            if not norm > 0:
                break
            v /= norm
        half = -(-((b - a) // 2) // leaf) * leaf  # a multiple of leaf
        if not 0 < half < b - a:
            continue
        order[a:b] = idx[np.argpartition(P @ v, half - 1)]
        stack += [(a, a + half), (a + half, b)]
    return order


def _balls(X: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Centre and radius of each run of ``size`` consecutive rows of ``X``."""
    n = X.shape[0]
    starts = np.arange(0, n, size)
    counts = np.minimum(size, n - starts)
    centres = np.add.reduceat(X, starts, axis=0) / counts[:, None]
    dist = np.linalg.norm(X - np.repeat(centres, counts, axis=0), axis=1)
    return centres, np.maximum.reduceat(dist, starts)


def _knn_search(left, right, cand, balls, t, T):
    """Row blocks ``t, t + T, ...`` of the kNN search on points in spatial order: for each, the
    column tiles from the nearest (by their centres) on, one BLAS product per tile
    (single-threaded BLAS; the threads are these workers) scanned by the heaps while in cache.

    A tile whose ball is farther from the row block's ball than every row's current k-th
    neighbour is skipped: no point in it can enter a heap (the distance between two balls less
    their radii is a lower bound of every distance between their points). On data made of
    compact parts far apart (clusters, low-dimensional sheets) most tiles are skipped; on data
    without such structure all are computed, as a plain brute force.
    """
    n, d1 = left.shape
    m = cand.shape[1]
    sq = right[:, d1 - 1]
    (rc, rr), (cc, cr) = balls
    rows, cols = min(n, _TILE_ROWS), min(n, _TILE_COLS)
    buf = np.empty(rows * cols)
    hv = np.empty((rows, m))
    size = np.empty(rows, dtype=np.int64)
    # round-off of the Gram-form squared distances (|x|^2 + |y|^2 - 2 x.y) against exact
    # geometry: a tile is skipped only beyond it
    slack = 1e-9 * float(sq.max(initial=0.0)) + 1e-300
    for b in range(t, -(-n // rows), T):
        r0, r1 = b * rows, min(n, b * rows + rows)
        size[:] = 0
        gap = np.linalg.norm(cc - rc[b], axis=1)
        lower = np.maximum(gap - cr - rr[b], 0.0) ** 2
        for c in np.argsort(gap, kind="stable"):
            c0, c1 = c * cols, min(n, c * cols + cols)
            if size[: r1 - r0].min() == m:
                worst = float(np.max(hv[: r1 - r0, 0] + sq[r0:r1]))  # largest k-th distance^2
                if lower[c] > worst + slack:
                    continue
            # a C-contiguous tile even at the edges: one numba specialisation
            tile = buf[: (r1 - r0) * (c1 - c0)].reshape(r1 - r0, c1 - c0)
            np.matmul(left[r0:r1], right[c0:c1].T, out=tile)
            _select_knn(tile, r0, c0, hv, cand[r0:r1], size)


def knn_diffusion_kernel(X: np.ndarray, sigma: float, k: int, *, local_order: bool = False):
    """kNN-truncated affinity ``G`` as a symmetric CSR matrix, and its row sums.

    ``local_order=True``: the rows and columns of ``G`` are the points in the spatial order of
    the search instead of the rows of ``X`` (a symmetric permutation: the spectrum is the
    same), so that a sparse product reads the vectors' rows of neighbours from nearby memory.

    Each point keeps itself and its ``k`` nearest neighbours, found by an exact tiled search:
    the points are put in a spatial order (:func:`_spatial_order`), one BLAS product per tile
    gives ``|x_j|^2 - 2 x_r . x_j`` directly (through a column of ones and one of
    ``|x_j|^2``), scanned by a bounded heap while in cache, and tiles that cannot hold a
    neighbour are skipped (:func:`_knn_search`). The search is in float64: float32 products of
    points far from the origin (clusters far apart) misorder close neighbours (on 10
    two-dimensional sheets 1e4 apart, 11 % of the 23 nearest were missed at N = 20000, and
    nearly all on three clusters 1e4 apart with unit spread). The affinities of the kept pairs
    come from their distances computed as differences. The graph is symmetrised by union
    (``G_ij`` kept if either end lists the other), so ``K = D^{-1/2} G D^{-1/2}`` is symmetric.
    """
    n, d = X.shape
    Xc = _centred(X)
    order = _spatial_order(Xc, _TILE_ROWS)
    Xo = Xc[order]
    left = np.empty((n, d + 1))
    left[:, :d] = Xo
    left[:, d] = 1.0
    right = np.empty((n, d + 1))
    np.multiply(Xo, -2.0, out=right[:, :d])
    right[:, d] = np.einsum("ij,ij->i", Xo, Xo)
    balls = (_balls(Xo, min(n, _TILE_ROWS)), _balls(Xo, min(n, _TILE_COLS)))
    found = np.empty((n, k + 1), dtype=np.int64)
    # all the kernel threads, as the prange kernels of this module; BLAS single-threaded inside
    # them (many small products: BLAS threads would synchronise on every one)
    with parallel.threads(-1, work=float(n) * n * d):
        if parallel.current_threads() > 1:
            with parallel.one_blas_thread():
                parallel.run(_knn_search, left, right, found, balls)
        else:
            _knn_search(left, right, found, balls, 0, 1)
    del left, right
    if local_order:
        idx, Xc = found, Xo
    else:
        idx = np.empty_like(found)
        idx[order] = order[found]  # back to the rows of X
    del Xo
    # squared distances of the kept pairs as differences (no cancellation), in bounded chunks
    d2 = np.empty((n, k + 1))
    chunk = max(1, _BLOCK_ELEMENTS // (8 * (k + 1) * d))
    for r0 in range(0, n, chunk):
        r1 = min(n, r0 + chunk)
        diff = Xc[r0:r1, None, :] - Xc[idx[r0:r1]]
        d2[r0:r1] = np.einsum("ijk,ijk->ij", diff, diff)
    w = np.exp(d2 * (-1.0 / (2.0 * sigma * sigma)))
    G = sparse.csr_matrix((w.ravel(), idx.ravel(), np.arange(0, n * (k + 1) + 1, k + 1)),
                          shape=(n, n))
    # union symmetrisation: both directed copies carry the same value, so max keeps it
    G = G.maximum(G.T).tocsr()
    G.sort_indices()
    deg = np.asarray(G.sum(axis=1)).ravel()
    return G, deg


# -- the operator protocol -----------------------------------------------------------------
#
# The stochastic Lanczos quadrature needs only products with the kernel K = D^{-1/2} G D^{-1/2}
# and two exact traces. Every kernel operator (NumPy sparse and blocked here, JAX blocked in
# spectral_jax) offers, as scipy's LinearOperator does for the product:
#   n            the size of K
#   matmat(V)    K @ V for a float64 (n, p) block of vectors
#   trace()      tr K, exactly
#   trace_sq()   tr K^2 = ||K||_F^2, exactly (the control variate's mean)
#   psd          whether K is positive semi-definite (then tr K is S_1 at t = 1)
# and one Lanczos iteration, lanczos_tridiagonals, drives them all.


class SparseDiffusionOperator:
    """``V -> K V`` for the kNN-truncated kernel (one sparse product per call)."""

    def __init__(self, G, deg):
        self.n = G.shape[0]
        self.s = 1.0 / np.sqrt(deg)
        self.G = G
        self.psd = False  # truncation can make the kernel indefinite

    def matmat(self, V):
        G = self.G
        return _csr_matmat(G.indptr, G.indices, G.data, self.s, V, np.empty_like(V))

    def trace(self):
        return float(np.sum(self.s * self.s * self.G.diagonal()))

    def trace_sq(self):
        """``tr(K^2) = sum_ij K_ij^2``, exact."""
        C = self.G.tocoo()
        return float(np.sum((C.data * self.s[C.row] * self.s[C.col]) ** 2))


class BlockedDiffusionOperator:
    """``V -> K V`` for the full Gaussian diffusion kernel without forming it (matrix-free).

    Each call recomputes the kernel block by block (BLAS Gram product, in-place exponential),
    holding at most ``_BLOCK_ELEMENTS`` kernel entries at a time.
    """

    def __init__(self, X, sigma):
        self.Xc = _centred(X)
        self.n = X.shape[0]
        self.sq = np.einsum("ij,ij->i", self.Xc, self.Xc)
        self.scale = 1.0 / (2.0 * sigma * sigma)
        self.psd = True
        self.step = _block_rows(self.n)
        self.buf = np.empty((min(self.step, self.n), self.n))
        ones = np.ones((self.n, 1))
        self.s = np.ones(self.n)
        self.s = 1.0 / np.sqrt(self._apply_G(ones)[:, 0])

    def _apply_G(self, V, power=1.0):
        """``G^{(power)} V`` where ``G^{(power)}`` raises every entry of ``G`` to ``power``."""
        out = np.empty_like(V)
        n = self.n
        for r0 in range(0, n, self.step):
            r1 = min(n, r0 + self.step)
            B = _neg_scaled_sqdist_block(
                self.Xc[r0:r1], self.Xc, self.sq[r0:r1], self.sq, self.scale * power,
                out=self.buf[: r1 - r0],
            )
            B[np.arange(r1 - r0), np.arange(r0, r1)] = 0.0
            np.exp(B, out=B)
            np.matmul(B, V, out=out[r0:r1])
        return out

    def matmat(self, V):
        return self.s[:, None] * self._apply_G(self.s[:, None] * V)

    def trace(self):
        # G_ii = 1, so tr(K) = sum_i 1 / d_i exactly
        return float(np.sum(self.s * self.s))

    def trace_sq(self):
        """``tr(K^2) = sum_ij s_i^2 G_ij^2 s_j^2`` in one blocked pass (``G_ij^2`` is the
        Gaussian affinity at twice the scale)."""
        s2 = (self.s * self.s)[:, None]
        return float(np.sum(s2 * self._apply_G(s2, power=2.0)))


# A Gram-Schmidt pass that keeps at least this fraction of the vector's norm has made it
# orthogonal to working precision; below, a second pass is needed ("twice is enough").
_REORTH_KEEP = 1 / math.sqrt(2)


def lanczos_tridiagonals(matmat, V0: np.ndarray, steps: int):
    """Run ``steps`` Lanczos iterations from each column of ``V0`` at once (one operator product
    per step for all probes), with full re-orthogonalisation (two Gram–Schmidt passes) against
    the stored basis. Returns ``alpha`` of shape ``(steps, p)`` and ``beta`` of shape
    ``(steps - 1, p)``; a probe whose Krylov space is exhausted gets ``beta = 0`` and zero
    vectors from there on, which leaves its quadrature weights unchanged.
    """
    n, p = V0.shape
    Q = np.zeros((steps, n, p))
    Q[0] = V0 / np.linalg.norm(V0, axis=0)
    alpha = np.zeros((steps, p))
    beta = np.zeros((max(steps - 1, 0), p))
    for j in range(steps):
        w = matmat(Q[j])
        alpha[j] = np.einsum("np,np->p", Q[j], w)
        if j == steps - 1:
            break
        w -= alpha[j] * Q[j]
        if j > 0:
            w -= beta[j - 1] * Q[j - 1]
        # Gram-Schmidt against the basis; the second pass only when the first removed most of
        # w ("twice is enough", Kahan/Parlett): each pass reads the whole basis, the cost of
        # the iteration at large n
        before = np.linalg.norm(w, axis=0)
        for _ in range(2):
            c = np.einsum("jnp,np->jp", Q[: j + 1], w)
            w -= np.einsum("jnp,jp->np", Q[: j + 1], c)
            b = np.linalg.norm(w, axis=0)
            if np.all(b >= _REORTH_KEEP * before):
                break
            before = b
        alive = b > 1e-12 * max(1.0, float(np.abs(alpha[j]).max()))
        beta[j] = np.where(alive, b, 0.0)
        Q[j + 1] = np.where(alive, w / np.where(alive, b, 1.0), 0.0)
    return alpha, beta


def quadrature(alpha: np.ndarray, beta: np.ndarray, norms2: np.ndarray, funcs):
    """Gauss quadrature of each probe's tridiagonal: ``v^T f(A) v ~ |v|^2 sum_k tau_k f(theta_k)``
    with ``theta_k`` the Ritz values and ``tau_k`` the squared first components of the
    eigenvectors. Returns an array ``(len(funcs), p)`` of per-probe estimates."""
    steps, p = alpha.shape
    out = np.empty((len(funcs), p))
    for q in range(p):
        theta, U = linalg.eigh_tridiagonal(alpha[:, q], beta[:, q])
        tau = U[0] ** 2 * norms2[q]
        for i, f in enumerate(funcs):
            out[i, q] = np.dot(tau, f(theta))
    return out


def power_xlogx(t: float):
    """The two spectral functions of DSE: ``|x|^t`` and ``|x|^t log |x|^t`` (0 at 0)."""

    def pw(x):
        return np.abs(x) ** t

    def pwlog(x):
        a = np.abs(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = t * a**t * np.log(a)
        return np.where(a > 0, v, 0.0)

    return pw, pwlog


def _dse_with_controls(s1, s2, C, s1_exact):
    """DSE = log S1 - S2 / S1 from per-probe estimates, each of S1 and S2 corrected by the
    control variates ``C`` (per-probe quadratic forms minus their exactly known means), with the
    regression coefficients fitted on the same probes."""
    A = np.column_stack([np.ones(len(s2)), C])

    def corrected(v):
        coef = np.linalg.lstsq(A, v, rcond=None)[0]
        return float(coef[0])  # the intercept = mean(v) - C.mean(0) @ coef

    S1 = s1_exact if s1_exact is not None else corrected(s1)
    S2 = corrected(s2)
    return math.log(S1) - S2 / S1


def slq_entropy(s1, s2, C, s1_exact: float | None):
    """DSE from SLQ per-probe estimates of S1 and S2, with control variates ``C`` (shape
    ``(p, c)``: the probes' ``v^T K v`` and ``v^T K^2 v`` minus ``tr K`` and ``tr K^2``, both
    known exactly), and its jackknife standard error over the probes.

    ``S_2`` is dominated by the bulk of the spectrum, where ``x log x`` is close to a combination
    of ``x`` and ``x^2``; the Hutchinson noise of ``v^T f(K) v`` then largely cancels against that
    of ``v^T K v`` and ``v^T K^2 v`` (a factor of about 10 in standard error on clustered data).
    ``s1_exact`` replaces the estimate of S1 when it is known exactly.
    """
    p = s2.shape[0]
    # a control that (nearly) does not vary over the probes carries no information and would
    # only be fitted to round-off; drop it
    spread = C.std(axis=0)
    C = C[:, spread > 1e-9 * (np.abs(C).max(axis=0) + 1.0)]
    value = _dse_with_controls(s1, s2, C, s1_exact)
    keep = ~np.eye(p, dtype=bool)
    th = np.array([_dse_with_controls(s1[m], s2[m], C[m], s1_exact) for m in keep])
    se = math.sqrt((p - 1) / p * float(np.sum((th - th.mean()) ** 2)))
    return value, se
