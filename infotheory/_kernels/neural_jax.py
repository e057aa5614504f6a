"""Critics, variational MI bounds and the jitted training loop of NeuralMI (imported lazily).

Everything here runs on validated, standardised arrays already on the device; nothing validates.
The jitted functions are built once at module level: the bound and the critic kind are static
arguments, the learning rate lives in the optimiser state (optax ``inject_hyperparams``) and the
batches are row indices drawn by the caller, so a new seed, learning rate or sample count of the
same padded size reuses the compiled code.

Scores are the ``B x B`` matrix ``S[i, j] = f(x_i, y_j)``: the diagonal holds the B pairs drawn
from the joint, the off-diagonal the ``B (B - 1)`` pairs of the product of the marginals.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from .._validation import import_jax

jax = import_jax()
jnp = jax.numpy
lax = jax.lax

import optax  # noqa: E402  (after JAX, whose absence import_jax reports)

from .jax_cache import cached_call  # noqa: E402

#: Clipping threshold tau of SMILE (Song & Ermon 2020): e^f is clipped to [e^-tau, e^tau].
SMILE_TAU = 5.0
#: Rate of MINE's moving average of the partition term E_q[e^f] (Belghazi et al. 2018).
MINE_EMA_RATE = 0.01

# One optimiser for every fit; the learning rate and the weight decay are state entries, not
# trace constants (Adam's betas and epsilon are: they never change).
OPTIMIZER = optax.inject_hyperparams(
    optax.adamw, static_args=("b1", "b2", "eps", "eps_root"))(learning_rate=1e-3,
                                                               weight_decay=0.0)


def call(fn, *args, **static):
    """``fn(*args, **static)`` for the jitted functions below, through the store of compiled
    executables (:func:`~infotheory._kernels.jax_cache.cached_call`; optax's version is part
    of the key, its optimiser being compiled into the training program)."""
    return cached_call(fn, *args, versions=(optax.__version__,), **static)


# -- critics ----------------------------------------------------------------------------------

def init_mlp(rng, sizes, dtype):
    """Layers ``[(W, b), ...]`` of an MLP of widths ``sizes`` (LeCun-normal W, zero b), drawn
    with the NumPy generator ``rng``: in NumPy, so that starting a fit compiles nothing."""
    return [((rng.standard_normal((n_in, n_out)) * math.sqrt(1.0 / n_in)).astype(dtype),
             np.zeros((n_out,), dtype))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


# tanh generalised better than ReLU from the training split to the held-out one in our
# measurements (Gaussians, d = 1..50 per side, N = 5000).
ACT = jax.nn.tanh


def _mlp(layers, h):
    for W, b in layers[:-1]:
        h = ACT(h @ W + b)
    W, b = layers[-1]
    return h @ W + b


def init_critic(rng, critic, dx, dy, hidden, embed_dim, dtype):
    """Parameters of a separable critic ``g(x)^T h(y)`` or a concatenated critic ``m([x, y])``."""
    if critic == "separable":
        return {"g": init_mlp(rng, (dx, *hidden, embed_dim), dtype),
                "h": init_mlp(rng, (dy, *hidden, embed_dim), dtype)}
    return {"m": init_mlp(rng, (dx + dy, *hidden, 1), dtype)}


def scores(params, x, y, critic):
    """``S[i, j] = f(x_i, y_j)`` for a batch: 2B network passes (separable) or B^2 (concat)."""
    if critic == "separable":
        return _mlp(params["g"], x) @ _mlp(params["h"], y).T
    layers = params["m"]
    W, b = layers[0]
    dx = x.shape[1]
    # The first layer of m([x, y]) is W_x x + W_y y + b: compute each half once per sample and
    # broadcast, so only the deeper layers run on the B^2 pairs.
    h = (x @ W[:dx])[:, None, :] + (y @ W[dx:] + b)[None, :, :]
    for W, b in layers[1:]:
        h = ACT(h) @ W + b
    return h[..., 0]


# -- bounds -----------------------------------------------------------------------------------

def _offdiag_logmeanexp(S):
    """log of the mean of e^S over the off-diagonal (product-of-marginals) pairs."""
    B = S.shape[0]
    off = jnp.where(jnp.eye(B, dtype=bool), -jnp.inf, S)
    return jax.nn.logsumexp(off) - math.log(B * (B - 1))


def bound_value(S, bound):
    """The bound estimated from one score matrix (nats)."""
    joint = jnp.mean(jnp.diag(S))
    if bound == "infonce":
        B = S.shape[0]
        return jnp.mean(jnp.diag(S) - jax.nn.logsumexp(S, axis=1)) + math.log(B)
    if bound == "nwj":
        return joint - jnp.exp(_offdiag_logmeanexp(S) - 1.0)
    if bound == "smile":
        return joint - _offdiag_logmeanexp(jnp.clip(S, -SMILE_TAU, SMILE_TAU))
    return joint - _offdiag_logmeanexp(S)  # "dv" and "mine"


def row_influence(S, bound):
    """Per-row terms whose mean is the first-order expansion of the bound around its value
    (the delta method for the log/exp of the partition term): their spread over the held-out
    rows gives the standard error."""
    if bound == "infonce":
        B = S.shape[0]
        return jnp.diag(S) - jax.nn.logsumexp(S, axis=1) + math.log(B)
    B = S.shape[0]
    off = ~jnp.eye(B, dtype=bool)
    T = jnp.clip(S, -SMILE_TAU, SMILE_TAU) if bound == "smile" else S
    # b_i: row i's mean of e^f over its B - 1 product-of-marginals pairs (shifted for range).
    shift = lax.stop_gradient(jnp.max(jnp.where(off, T, -jnp.inf)))
    b = jnp.sum(jnp.where(off, jnp.exp(T - shift), 0.0), axis=1) / (B - 1)
    if bound == "nwj":
        return jnp.diag(S) - jnp.exp(shift - 1.0) * b
    return jnp.diag(S) - b / jnp.mean(b)


def _training_loss(params, x, y, log_ma, bound, critic):
    """(loss to minimise, (bound value, new log moving average)) for one batch."""
    S = scores(params, x, y, critic)
    value = bound_value(S, bound)
    if bound == "mine":
        # Gradient of log E_q[e^f] is grad E_q[e^f] / E_q[e^f]; MINE replaces the minibatch
        # denominator by a moving average (in the log domain, so nothing overflows).
        lme = _offdiag_logmeanexp(S)
        lme_sg = lax.stop_gradient(lme)
        moved = jnp.logaddexp(math.log1p(-MINE_EMA_RATE) + log_ma,
                              math.log(MINE_EMA_RATE) + lme_sg)
        new_log_ma = jnp.where(jnp.isfinite(log_ma), moved, lme_sg)
        surrogate = jnp.mean(jnp.diag(S)) - jnp.exp(lme - lax.stop_gradient(new_log_ma))
        return -surrogate, (value, new_log_ma)
    if bound == "smile":
        # Song & Ermon: the clipped DV value, with the gradient of the Jensen-Shannon f-GAN
        # bound (whose critic optimum is the same log density ratio up to a constant).
        B = S.shape[0]
        off = ~jnp.eye(B, dtype=bool)
        js = (-jnp.mean(jax.nn.softplus(-jnp.diag(S)))
              - jnp.sum(jnp.where(off, jax.nn.softplus(S), 0.0)) / (B * (B - 1)))
        return -js, (value, log_ma)
    return -value, (value, log_ma)


_value_and_grad = jax.value_and_grad(_training_loss, has_aux=True)


def _train_chunk(params, opt_state, log_ma, batches, X, Y, bound, critic):
    """One Adam step per row of ``batches`` (``(n_steps, B)`` row indices into ``(X, Y)``):
    the new ``(params, opt_state, log_ma)`` and the mean training bound of the chunk."""
    def step(carry, idx):
        p, s, lm = carry
        (_, (value, lm)), grads = _value_and_grad(p, X[idx], Y[idx], lm, bound, critic)
        updates, s = OPTIMIZER.update(grads, s, p)
        return (optax.apply_updates(p, updates), s, lm), value

    (params, opt_state, log_ma), values = lax.scan(step, (params, opt_state, log_ma), batches)
    return params, opt_state, log_ma, jnp.mean(values)


def _evaluate(params, X_blocks, Y_blocks, bound, critic):
    def one(xy):
        S = scores(params, xy[0], xy[1], critic)
        return bound_value(S, bound), row_influence(S, bound)

    return lax.map(one, (X_blocks, Y_blocks))


@partial(jax.jit, static_argnames=("bound", "critic"))
def train_and_evaluate(params, opt_state, log_ma, batches, X, Y, X_blocks, Y_blocks, *, bound,
                       critic):
    """One chunk of training (an Adam step on each batch of row indices ``batches``, shape
    ``(n_steps, B)``, drawn by the caller) followed by the evaluation of the new critic on the
    held-out blocks.

    One program rather than two, so that a fit compiles (or loads) one program: returns the new
    ``(params, opt_state, log_ma)``, the mean training bound of the chunk, and the held-out
    block values and influence terms of :func:`evaluate`. The batches are drawn in NumPy: a
    random number generator in the program doubled its compilation time.
    """
    params, opt_state, log_ma, train_value = _train_chunk(
        params, opt_state, log_ma, batches, X, Y, bound, critic)
    values, terms = _evaluate(params, X_blocks, Y_blocks, bound, critic)
    return params, opt_state, log_ma, train_value, values, terms


@partial(jax.jit, static_argnames=("bound", "critic"))
def evaluate(params, X_blocks, Y_blocks, *, bound, critic):
    """The bound on each held-out block ``(n_blocks, B, d)`` (``n_blocks`` values) and the
    per-row influence terms ``(n_blocks, B)`` of its standard error."""
    return _evaluate(params, X_blocks, Y_blocks, bound, critic)


@jax.jit
def encode(layers, Z):
    """One side's network applied to standardised samples: the codes of a learned compressor."""
    return _mlp(layers, Z)


def init_state(rng, learning_rate, weight_decay, *, critic, dx, dy, hidden, embed_dim, dtype):
    """Critic parameters, optimiser state (hyper-parameters set), MINE's log moving average,
    as NumPy arrays: nothing is compiled before the training program.

    AdamW starts from zero moments and a zero step count: the state is built from the
    structure optax's ``init`` would return (found by tracing, not running, it) filled with
    zeros, then the two injected hyper-parameters are set (a test checks it equals
    ``OPTIMIZER.init``)."""
    dtype = np.dtype(dtype)
    params = init_critic(rng, critic, dx, dy, tuple(hidden), embed_dim, dtype)
    shapes = jax.eval_shape(OPTIMIZER.init, params)
    opt_state = jax.tree_util.tree_map(lambda s: np.zeros(s.shape, s.dtype), shapes)
    opt_state.hyperparams["learning_rate"] = np.asarray(learning_rate, dtype)
    opt_state.hyperparams["weight_decay"] = np.asarray(weight_decay, dtype)
    return params, opt_state, np.asarray(np.nan, dtype)
