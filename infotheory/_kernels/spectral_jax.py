"""JAX versions of the dense diffusion kernel and of the matrix-free kernel operator (imported
lazily).

The kernel is never formed on the SLQ path: each product recomputes it in row blocks of
``_BLOCK`` points (``lax.map``), so memory stays O(block x n) on an accelerator. Jitted functions
are built once, here; dtypes follow JAX's setting (float64 with ``JAX_ENABLE_X64=1``).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .._validation import import_jax

jax = import_jax()
jnp = jax.numpy
lax = jax.lax

__all__ = ["eigenvalues_exact", "BlockedDiffusionOperator"]

_BLOCK = 1024


@jax.jit
def _dense_kernel(X, scale):
    Xc = X - X.mean(axis=0)
    sq = jnp.sum(Xc * Xc, axis=1)
    d2 = jnp.maximum(sq[:, None] + sq[None, :] - 2.0 * Xc @ Xc.T, 0.0)
    d2 = d2 * (1.0 - jnp.eye(X.shape[0], dtype=X.dtype))
    G = jnp.exp(-scale * d2)
    s = 1.0 / jnp.sqrt(G.sum(axis=1))
    return s[:, None] * G * s[None, :]


@jax.jit
def _eigvalsh(K):
    return jnp.linalg.eigvalsh(K)


def eigenvalues_exact(X: np.ndarray, sigma: float) -> np.ndarray:
    """Eigenvalues of the dense diffusion kernel ``K`` computed by JAX."""
    K = _dense_kernel(jnp.asarray(X), 1.0 / (2.0 * sigma * sigma))
    return np.asarray(_eigvalsh(K))


def _apply_G(Xp, sqp, V, n_valid, scale, block):
    """``G @ V`` over the padded points ``Xp`` (rows past ``n_valid`` are padding: their ``V``
    rows are zero, so they add nothing, and their outputs are dropped by the caller)."""
    n_pad = Xp.shape[0]
    cols = jnp.arange(n_pad)

    def one_block(i):
        Xb = lax.dynamic_slice_in_dim(Xp, i * block, block)
        sqb = lax.dynamic_slice_in_dim(sqp, i * block, block)
        d2 = jnp.maximum(sqb[:, None] + sqp[None, :] - 2.0 * Xb @ Xp.T, 0.0)
        rows = i * block + jnp.arange(block)
        d2 = jnp.where(rows[:, None] == cols[None, :], 0.0, d2)
        return jnp.exp(-scale * d2) @ V

    out = lax.map(one_block, jnp.arange(n_pad // block))
    return out.reshape(n_pad, V.shape[1])


@partial(jax.jit, static_argnames=("block",))
def _prepare(Xp, n_valid, scale, block):
    """Centred padded points, their squared norms and ``s = D^{-1/2}`` (zero on padding)."""
    n_pad = Xp.shape[0]
    Xc = Xp - jnp.sum(Xp, axis=0) / n_valid
    valid = (jnp.arange(n_pad) < n_valid).astype(Xp.dtype)
    Xc = Xc * valid[:, None]
    sq = jnp.sum(Xc * Xc, axis=1)
    deg = _apply_G(Xc, sq, valid[:, None], n_valid, scale, block)[:, 0]
    s = jnp.where(valid > 0, 1.0 / jnp.sqrt(jnp.where(valid > 0, deg, 1.0)), 0.0)
    return Xc, sq, s


@partial(jax.jit, static_argnames=("block",))
def _matmat(Xc, sq, s, V, n_valid, scale, block):
    return s[:, None] * _apply_G(Xc, sq, s[:, None] * V, n_valid, scale, block)


@partial(jax.jit, static_argnames=("block",))
def _trace_sq(Xc, sq, s, n_valid, scale, block):
    # tr(K^2) = sum_ij s_i^2 G_ij^2 s_j^2, and G_ij^2 is the affinity at twice the scale
    s2 = (s * s)[:, None]
    return jnp.sum(s2 * _apply_G(Xc, sq, s2, n_valid, 2.0 * scale, block))


class BlockedDiffusionOperator:
    """``V -> K V`` for the full Gaussian diffusion kernel, computed by JAX without forming it.

    The JAX implementation of the operator protocol of
    :mod:`infotheory._kernels.spectral` (``n``, ``matmat``, ``trace``, ``trace_sq``, ``psd``),
    so the one Lanczos iteration (:func:`~infotheory._kernels.spectral.lanczos_tridiagonals`)
    drives both backends. Each product recomputes the kernel in row blocks of ``_BLOCK`` points
    on the device (``lax.map``): memory stays O(block x n) there.
    """

    psd = True

    def __init__(self, X: np.ndarray, sigma: float):
        self.n = n = X.shape[0]
        self.block = min(_BLOCK, n)
        self.n_pad = -(-n // self.block) * self.block
        Xp = np.zeros((self.n_pad, X.shape[1]), dtype=X.dtype)
        Xp[:n] = X
        self.scale = 1.0 / (2.0 * sigma * sigma)
        self._Xc, self._sq, self._s = _prepare(jnp.asarray(Xp), n, self.scale, self.block)

    def matmat(self, V: np.ndarray) -> np.ndarray:
        Vp = np.zeros((self.n_pad, V.shape[1]), dtype=V.dtype)
        Vp[: self.n] = V
        out = _matmat(self._Xc, self._sq, self._s, jnp.asarray(Vp), self.n, self.scale,
                      self.block)
        return np.array(out[: self.n], dtype=np.float64)  # writable: Lanczos updates in place

    def trace(self) -> float:
        return float(jnp.sum(self._s * self._s))  # G_ii = 1, so tr(K) = sum_i 1 / d_i

    def trace_sq(self) -> float:
        return float(_trace_sq(self._Xc, self._sq, self._s, self.n, self.scale, self.block))
