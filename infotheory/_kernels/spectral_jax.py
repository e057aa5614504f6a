"""JAX versions of the diffusion-kernel products and Lanczos iterations (imported lazily).

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

__all__ = ["eigenvalues_exact", "lanczos_matrix_free"]

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


@partial(jax.jit, static_argnames=("steps", "block"))
def _lanczos(Xp, V0, n_valid, scale, steps, block):
    n_pad, p = V0.shape
    Xc = Xp - jnp.sum(Xp, axis=0) / n_valid
    valid = (jnp.arange(n_pad) < n_valid).astype(Xp.dtype)
    Xc = Xc * valid[:, None]
    sq = jnp.sum(Xc * Xc, axis=1)
    deg = _apply_G(Xc, sq, valid[:, None], n_valid, scale, block)[:, 0]
    s = jnp.where(valid > 0, 1.0 / jnp.sqrt(jnp.where(valid > 0, deg, 1.0)), 0.0)

    def matmat(V):
        return s[:, None] * _apply_G(Xc, sq, s[:, None] * V, n_valid, scale, block)

    Q = jnp.zeros((steps, n_pad, p), dtype=Xp.dtype)
    Q = Q.at[0].set(V0 / jnp.linalg.norm(V0, axis=0))
    alpha = jnp.zeros((steps, p), dtype=Xp.dtype)
    beta = jnp.zeros((steps, p), dtype=Xp.dtype)

    def body(j, state):
        Q, alpha, beta = state
        q = Q[j]
        w = matmat(q)
        a = jnp.sum(q * w, axis=0)
        alpha = alpha.at[j].set(a)
        qprev = jnp.where(j > 0, Q[jnp.maximum(j - 1, 0)], 0.0)
        bprev = jnp.where(j > 0, beta[jnp.maximum(j - 1, 0)], 0.0)
        w = w - a * q - bprev * qprev
        # full re-orthogonalisation, two passes; rows of Q past j are still zero
        for _ in range(2):
            c = jnp.einsum("jnp,np->jp", Q, w)
            w = w - jnp.einsum("jnp,jp->np", Q, c)
        b = jnp.linalg.norm(w, axis=0)
        alive = b > 1e-12 * jnp.maximum(1.0, jnp.max(jnp.abs(a)))
        b = jnp.where(alive, b, 0.0)
        beta = beta.at[j].set(b)
        qn = jnp.where(alive, w / jnp.where(alive, b, 1.0), 0.0)
        Q = Q.at[jnp.minimum(j + 1, steps - 1)].set(jnp.where(j + 1 < steps, qn, Q[steps - 1]))
        return Q, alpha, beta

    _, alpha, beta = lax.fori_loop(0, steps, body, (Q, alpha, beta))
    trace = jnp.sum(s * s)  # G_ii = 1, so tr(K) = sum_i 1 / d_i
    # tr(K^2) = sum_ij s_i^2 G_ij^2 s_j^2, and G_ij^2 is the affinity at twice the scale
    s2 = (s * s)[:, None]
    trace_sq = jnp.sum(s2 * _apply_G(Xc, sq, s2, n_valid, 2.0 * scale, block))
    return alpha, beta[: steps - 1], trace, trace_sq


def lanczos_matrix_free(X: np.ndarray, sigma: float, V0: np.ndarray, steps: int):
    """Lanczos tridiagonals (``alpha``, ``beta``) of the matrix-free diffusion kernel from the
    probe columns ``V0``, ``tr K`` and ``tr K^2``; same contract as
    :func:`infotheory._kernels.spectral.lanczos_tridiagonals`."""
    n = X.shape[0]
    block = min(_BLOCK, n)
    n_pad = -(-n // block) * block
    Xp = np.zeros((n_pad, X.shape[1]), dtype=X.dtype)
    Xp[:n] = X
    Vp = np.zeros((n_pad, V0.shape[1]), dtype=V0.dtype)
    Vp[:n] = V0
    alpha, beta, trace, trace_sq = _lanczos(
        jnp.asarray(Xp), jnp.asarray(Vp), n, 1.0 / (2.0 * sigma * sigma), steps, block
    )
    return (np.asarray(alpha, dtype=np.float64), np.asarray(beta, dtype=np.float64),
            float(trace), float(trace_sq))
