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
from numba import njit
from scipy import linalg, sparse

__all__ = [
    "diffusion_kernel_dense",
    "eigvalsh_inplace",
    "entropy_from_eigenvalues",
    "median_pairwise_distance",
    "knn_diffusion_kernel",
    "BlockedDiffusionOperator",
    "SparseDiffusionOperator",
    "lanczos_tridiagonals",
    "quadrature",
    "kernel_mass_neighbours",
    "power_xlogx",
    "jackknife_entropy",
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
    """``out = -scale * |Xb_i - X_j|^2`` with the Gram product done by BLAS, in place."""
    out = np.matmul(Xb, X.T, out=out)
    out *= -2.0
    out += sq_b[:, None]
    out += sq[None, :]
    # Round-off can make a squared distance slightly negative; a distance is never negative.
    np.maximum(out, 0.0, out=out)
    out *= -scale
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


def eigvalsh_inplace(K: np.ndarray, driver: str = "evr") -> np.ndarray:
    """Eigenvalues of the symmetric ``K``; LAPACK overwrites ``K`` (no copy is made)."""
    if driver == "numpy":
        return np.linalg.eigvalsh(K)
    return linalg.eigvalsh(K, driver=driver, overwrite_a=True, check_finite=False, lower=True)


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


def median_pairwise_distance(X: np.ndarray, idx: np.ndarray) -> float:
    """Median Euclidean distance over the pairs ``i < j`` of the rows ``X[idx]``."""
    Xs = _centred(X[idx])
    sq = np.einsum("ij,ij->i", Xs, Xs)
    D2 = _neg_scaled_sqdist_block(Xs, Xs, sq, sq, -1.0)
    iu = np.triu_indices(len(idx), k=1)
    return float(np.sqrt(np.median(D2[iu])))


def kernel_mass_neighbours(X: np.ndarray, sigma: float, rows: np.ndarray, mass: float) -> int:
    """Largest number of neighbours (self included) that ``rows`` need to hold ``mass`` of their
    kernel row sums: the neighbour count for which kNN truncation keeps that fraction."""
    Xc = _centred(X)
    sq = np.einsum("ij,ij->i", Xc, Xc)
    G = _neg_scaled_sqdist_block(Xc[rows], Xc, sq[rows], sq, 1.0 / (2.0 * sigma * sigma))
    np.exp(G, out=G)
    G[np.arange(len(rows)), rows] = 1.0
    G = -np.sort(-G, axis=1)
    np.cumsum(G, axis=1, out=G)
    G /= G[:, -1:]
    need = (G < mass).sum(axis=1) + 1
    return int(need.max())


@njit(cache=True)
def _topk_into(D2, k, row0, idx_out):
    """Indices of the ``k`` smallest entries of each row of ``D2`` (self excluded by the
    caller's +inf on the diagonal), written to ``idx_out[row0 + r]``; a bounded max-heap per row
    so the cost is O(n log k) with no sort of the whole row."""
    n_rows, n = D2.shape
    heap_v = np.empty(k)
    heap_i = np.empty(k, dtype=np.int64)
    for r in range(n_rows):
        size = 0
        for j in range(n):
            v = D2[r, j]
            if size < k:
                # sift up
                pos = size
                size += 1
                while pos > 0:
                    parent = (pos - 1) >> 1
                    if heap_v[parent] >= v:
                        break
                    heap_v[pos] = heap_v[parent]
                    heap_i[pos] = heap_i[parent]
                    pos = parent
                heap_v[pos] = v
                heap_i[pos] = j
            elif v < heap_v[0]:
                # replace the root and sift down
                pos = 0
                while True:
                    c = 2 * pos + 1
                    if c >= k:
                        break
                    if c + 1 < k and heap_v[c + 1] > heap_v[c]:
                        c += 1
                    if heap_v[c] <= v:
                        break
                    heap_v[pos] = heap_v[c]
                    heap_i[pos] = heap_i[c]
                    pos = c
                heap_v[pos] = v
                heap_i[pos] = j
        for q in range(k):
            idx_out[row0 + r, q] = heap_i[q]


def knn_diffusion_kernel(X: np.ndarray, sigma: float, k: int):
    """kNN-truncated diffusion kernel as a CSR matrix and its row sums.

    Each point keeps its ``k`` nearest neighbours (found on float32 distances by blocked BLAS
    products and a heap selection); the affinities of the kept pairs are computed in float64 and
    the graph is symmetrised by union (``G_ij`` kept if either end lists the other), so ``G`` is
    symmetric and ``K = D^{-1/2} G D^{-1/2}`` is too.
    """
    n = X.shape[0]
    Xc = _centred(X)
    X32 = Xc.astype(np.float32)
    sq32 = np.einsum("ij,ij->i", X32, X32)
    idx = np.empty((n, k), dtype=np.int64)
    step = _block_rows(n)
    buf = np.empty((step, n), dtype=np.float32)
    for r0 in range(0, n, step):
        r1 = min(n, r0 + step)
        D2 = _neg_scaled_sqdist_block(
            X32[r0:r1], X32, sq32[r0:r1], sq32, np.float32(-1.0), out=buf[: r1 - r0]
        )
        D2[np.arange(r1 - r0), np.arange(r0, r1)] = np.inf
        _topk_into(D2, k, r0, idx)
    rows = np.repeat(np.arange(n), k)
    cols = idx.ravel()
    w = np.empty(n * k)
    chunk = max(1, _BLOCK_ELEMENTS // (8 * k * Xc.shape[1]))
    for r0 in range(0, n, chunk):
        r1 = min(n, r0 + chunk)
        diff = Xc[r0:r1, None, :] - Xc[idx[r0:r1]]
        w[r0 * k : r1 * k] = np.einsum("ijk,ijk->ij", diff, diff).ravel()
    w *= -1.0 / (2.0 * sigma * sigma)
    np.exp(w, out=w)
    G = sparse.csr_matrix((w, (rows, cols)), shape=(n, n))
    # union symmetrisation: both directed copies carry the same float64 value, so max keeps it
    G = G.maximum(G.T).tocsr()
    G.setdiag(1.0)
    deg = np.asarray(G.sum(axis=1)).ravel()
    return G, deg


class SparseDiffusionOperator:
    """``V -> K V`` for the kNN-truncated kernel (one sparse product per call)."""

    def __init__(self, G, deg):
        self.n = G.shape[0]
        self.s = 1.0 / np.sqrt(deg)
        self.G = G
        self.psd = False  # truncation can make the kernel indefinite

    def matmat(self, V):
        return self.s[:, None] * (self.G @ (self.s[:, None] * V))

    def trace(self):
        return float(np.sum(self.s * self.s * self.G.diagonal()))


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

    def _apply_G(self, V):
        out = np.empty_like(V)
        n = self.n
        for r0 in range(0, n, self.step):
            r1 = min(n, r0 + self.step)
            B = _neg_scaled_sqdist_block(
                self.Xc[r0:r1], self.Xc, self.sq[r0:r1], self.sq, self.scale,
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
        for _ in range(2):
            c = np.einsum("jnp,np->jp", Q[: j + 1], w)
            w -= np.einsum("jnp,jp->np", Q[: j + 1], c)
        b = np.linalg.norm(w, axis=0)
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


def jackknife_entropy(s1: np.ndarray, s2: np.ndarray, s1_exact: float | None):
    """DSE = log S1 - S2 / S1 from per-probe estimates, with a jackknife standard error over the
    probes (``s1_exact`` replaces the estimated S1 when the trace is known exactly)."""
    p = s2.shape[0]

    def dse(a, b):
        return math.log(a) - b / a

    S1 = s1_exact if s1_exact is not None else float(s1.mean())
    value = dse(S1, float(s2.mean()))
    if p < 2:
        return value, float("nan")
    loo2 = (s2.sum() - s2) / (p - 1)
    loo1 = np.full(p, s1_exact) if s1_exact is not None else (s1.sum() - s1) / (p - 1)
    th = np.log(loo1) - loo2 / loo1
    se = math.sqrt((p - 1) / p * float(np.sum((th - th.mean()) ** 2)))
    return value, se
