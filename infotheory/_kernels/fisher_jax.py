"""Per-sample scores of a JAX log-likelihood at parameter draws (imported lazily; never validates).

``jax.vmap(jax.grad)`` over samples inside one draw, ``jax.lax.map`` over draws so that memory is
bounded by one block of draws. The jitted function is built once here; the user's
log-likelihood is a static argument, so each function is traced once and then reused.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .._validation import import_jax

jax = import_jax()
jnp = jax.numpy


def _rows_one_draw(log_likelihood, theta, data, vector_output: bool):
    """Score rows of one draw: (n, p) for a scalar log-likelihood, (n K, p) for class log-probs."""
    if not vector_output:
        return jax.vmap(jax.grad(log_likelihood), in_axes=(None, 0))(theta, data)
    logp = jax.vmap(log_likelihood, in_axes=(None, 0))(theta, data)              # (n, K)
    jac = jax.vmap(jax.jacrev(log_likelihood), in_axes=(None, 0))(theta, data)   # (n, K, p)
    k = logp.shape[1]
    # sqrt(K p_k) grad log p_k: the mean outer product over the n K rows is
    # (1/n) sum_j sum_k p_k grad log p_k grad log p_k^T, the expected Fisher.
    rows = jnp.sqrt(k * jnp.exp(logp))[..., None] * jac
    return rows.reshape(-1, theta.shape[0])


@partial(jax.jit, static_argnums=(0, 3, 4))
def _scores(log_likelihood, params, data, vector_output, batch_size):
    def one(theta):
        return _rows_one_draw(log_likelihood, theta, data, vector_output)

    return jax.lax.map(one, params, batch_size=batch_size)


def model_scores(log_likelihood, params: np.ndarray, data: np.ndarray, batch_size) -> np.ndarray:
    """Scores ``(T, rows, p)`` as float64 NumPy; the output rank of the model picks the kind."""
    dtype = jnp.float64 if jax.config.read("jax_enable_x64") else jnp.float32
    p_dev = jnp.asarray(params, dtype=dtype)
    x_dev = jnp.asarray(data, dtype=dtype)
    out = jax.eval_shape(log_likelihood, p_dev[0], x_dev[0])
    if len(out.shape) > 1:
        raise ValueError(
            "log_likelihood(theta, x) must return a scalar log-likelihood or a vector of class "
            f"log-probabilities, got an output of shape {out.shape}"
        )
    vector_output = len(out.shape) == 1
    result = _scores(log_likelihood, p_dev, x_dev, vector_output, batch_size)
    return np.asarray(result, dtype=np.float64)
