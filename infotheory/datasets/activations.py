"""Bundled demo data: hidden activations of a small MLP trained on scikit-learn's digits.

The network and its training loop are plain NumPy and seeded, so the activations are generated
deterministically on first use (a few seconds, no download: the digits ship with scikit-learn) and
cached as an ``.npz`` file under ``$INFOTHEORY_CACHE`` (default ``~/.cache/infotheory``), keyed by
every parameter that changes the result.
"""

from __future__ import annotations

import hashlib
import json
import numbers
import os
import tempfile
from pathlib import Path

import numpy as np

from .._binning import ACTIVATION_LOWER_BOUNDS
from .._cache import cache_root
from .._validation import check_bool, check_option, check_param

__all__ = ["load_demo_activations", "ACTIVATION_BOUNDS"]

# Lower bound of each activation function, the ``low`` edge of entropy-based / adaptive binning
# (one table, that of the binned estimators: just below -1 for tanh, 0 for ReLU).
ACTIVATION_BOUNDS = ACTIVATION_LOWER_BOUNDS

# Bump when the generating code changes, so stale cache files are never read.
_CACHE_VERSION = 1


def _cache_dir() -> Path:
    return cache_root() / "demo_activations"


def _saved_epochs(n_epochs: int, n_saved: int) -> np.ndarray:
    """Epoch 0 (initialisation) and ``n_saved - 1`` roughly log-spaced epochs up to ``n_epochs``."""
    grid = np.unique(np.round(np.geomspace(1, n_epochs, num=max(n_saved - 1, 1))).astype(np.int64))
    return np.concatenate([[0], grid])


def _forward(X, weights, biases, activation):
    hidden = []
    h = X
    for W, b in zip(weights[:-1], biases[:-1]):
        z = h @ W + b
        h = np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)
        hidden.append(h)
    logits = h @ weights[-1] + biases[-1]
    return hidden, logits


def _softmax(logits):
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _train(X, y, *, activation, hidden, n_epochs, saved, learning_rate, batch_size, rng):
    """Adam on the cross-entropy of an MLP; returns hidden activations at the ``saved`` epochs."""
    n, d = X.shape
    n_classes = int(y.max()) + 1
    sizes = [d, *hidden, n_classes]
    # LeCun-normal for tanh, He-normal for ReLU: the usual variance-preserving choices.
    gain = 1.0 if activation == "tanh" else 2.0
    weights = [rng.normal(0.0, np.sqrt(gain / a), size=(a, b)) for a, b in zip(sizes, sizes[1:])]
    # A small positive bias keeps narrow ReLU layers from starting dead.
    bias0 = 0.0 if activation == "tanh" else 0.1
    biases = [np.full(b, bias0) for b in sizes[1:]]
    params = weights + biases
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    onehot = np.eye(n_classes)[y]
    saved_set = set(int(e) for e in saved)
    records, accuracy, step = [], [], 0

    def record():
        hid, logits = _forward(X, weights, biases, activation)
        records.append([h.astype(np.float32) for h in hid])
        accuracy.append(float(np.mean(logits.argmax(axis=1) == y)))

    if 0 in saved_set:
        record()
    for epoch in range(1, n_epochs + 1):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            hid, logits = _forward(X[idx], weights, biases, activation)
            delta = (_softmax(logits) - onehot[idx]) / len(idx)
            inputs = [X[idx], *hid]
            grads_w, grads_b = [None] * len(weights), [None] * len(weights)
            for layer in range(len(weights) - 1, -1, -1):
                grads_w[layer] = inputs[layer].T @ delta
                grads_b[layer] = delta.sum(axis=0)
                if layer:
                    back = delta @ weights[layer].T
                    h = inputs[layer]
                    delta = back * (1.0 - h * h) if activation == "tanh" else back * (h > 0)
            step += 1
            for p, g, mi, vi in zip(params, grads_w + grads_b, m, v):
                mi *= beta1
                mi += (1 - beta1) * g
                vi *= beta2
                vi += (1 - beta2) * g * g
                m_hat = mi / (1 - beta1**step)
                v_hat = vi / (1 - beta2**step)
                p -= learning_rate * m_hat / (np.sqrt(v_hat) + eps)
        if epoch in saved_set:
            record()
    return records, np.asarray(accuracy)


def load_demo_activations(
    activation: str = "tanh",
    *,
    n_epochs: int = 300,
    n_saved: int = 30,
    hidden: tuple = (10, 7, 5, 4, 3),
    learning_rate: float = 1e-3,
    batch_size: int = 64,
    random_state: int = 0,
    cache: bool = True,
) -> dict:
    """Hidden activations of a small MLP trained on the digits, recorded during training.

    A fully connected network ``64 -> 10 -> 7 -> 5 -> 4 -> 3 -> 10`` (the funnel of widths of
    Shwartz-Ziv & Tishby [1]_ and Saxe et al. [2]_) with ``tanh`` or ``relu`` hidden units and a
    softmax output is trained with Adam (mini-batches, cross-entropy) on all 1797 images of
    :func:`sklearn.datasets.load_digits` (pixels scaled to [0, 1]). The activations of every hidden
    layer on all images are recorded at initialisation (epoch 0) and at about ``n_saved - 1``
    log-spaced epochs up to ``n_epochs``, the usual input of an information-plane analysis
    (:class:`infotheory.analysis.InformationPlane`).

    Everything is seeded, so the same parameters give the same arrays. The result is cached as a
    compressed ``.npz`` under ``$INFOTHEORY_CACHE`` (default ``~/.cache/infotheory``); a cache
    that cannot be written is skipped silently (the data are then recomputed on every call).

    Parameters
    ----------
    activation : {"tanh", "relu"}, default="tanh"
        Hidden-unit non-linearity.
    n_epochs : int, default=300
        Training epochs (passes over the 1797 images).
    n_saved : int, default=30
        Number of recorded epochs requested (epoch 0 included); rounding the log-spaced grid to
        integers may give fewer.
    hidden : tuple of int, default=(10, 7, 5, 4, 3)
        Widths of the hidden layers.
    learning_rate : float, default=1e-3
        Adam step size.
    batch_size : int, default=64
        Mini-batch size.
    random_state : int, default=0
        Seed of the initial weights and of the mini-batch order.
    cache : bool, default=True
        Read and write the on-disk cache.

    Returns
    -------
    dict
        ``activations``: list (one entry per recorded epoch) of ``{"layer_1": array, ...}``,
        each array of shape ``(1797, width)`` and dtype float32; ``X``: the inputs
        ``(1797, 64)`` float64; ``y``: the labels ``(1797,)`` int64; ``epochs``: the recorded
        epochs ``(n_recorded,)``; ``accuracy``: training accuracy at each recorded epoch;
        ``activation``: the non-linearity; ``low``: its lower bound (``-1.000001`` for tanh,
        ``0`` for ReLU), the lower edge for adaptive binning.

    References
    ----------
    .. [1] R. Shwartz-Ziv and N. Tishby, "Opening the black box of deep neural networks via
       information", arXiv:1703.00810, 2017.
    .. [2] A. M. Saxe et al., "On the information bottleneck theory of deep learning", ICLR 2018.

    Examples
    --------
    >>> from infotheory.datasets import load_demo_activations
    >>> demo = load_demo_activations("relu", n_epochs=20, n_saved=5)
    >>> demo["epochs"]
    array([ 0,  1,  3,  7, 20])
    >>> sorted(demo["activations"][-1])
    ['layer_1', 'layer_2', 'layer_3', 'layer_4', 'layer_5']
    >>> demo["activations"][-1]["layer_3"].shape
    (1797, 5)
    """
    check_option(activation, "activation", tuple(ACTIVATION_BOUNDS))
    check_param(n_epochs, "n_epochs", numbers.Integral, low=1)
    check_param(n_saved, "n_saved", numbers.Integral, low=2)
    check_param(learning_rate, "learning_rate", numbers.Real, low=0, low_inclusive=False,
                finite=True)
    check_param(batch_size, "batch_size", numbers.Integral, low=1)
    cache = check_bool(cache, "cache")
    check_param(random_state, "random_state", numbers.Integral, low=0)
    if not isinstance(hidden, (tuple, list)) or not hidden:
        raise TypeError(f"hidden must be a non-empty tuple of ints, got {hidden!r}")
    for width in hidden:
        check_param(width, "hidden widths", numbers.Integral, low=1)
    hidden = tuple(int(w) for w in hidden)

    from sklearn.datasets import load_digits

    digits = load_digits()
    X = digits.data.astype(np.float64) / 16.0
    y = digits.target.astype(np.int64)
    saved = _saved_epochs(int(n_epochs), int(n_saved))

    key = json.dumps(
        [_CACHE_VERSION, activation, int(n_epochs), int(n_saved), hidden, float(learning_rate),
         int(batch_size), int(random_state)]
    )
    path = _cache_dir() / f"{activation}_{hashlib.sha1(key.encode()).hexdigest()[:16]}.npz"
    layers = [f"layer_{i + 1}" for i in range(len(hidden))]
    cached = _read_cache(path, key, len(saved), layers) if cache else None
    if cached is not None:
        records, accuracy = cached
    else:
        records, accuracy = _train(
            X, y, activation=activation, hidden=hidden, n_epochs=int(n_epochs), saved=saved,
            learning_rate=float(learning_rate), batch_size=int(batch_size),
            rng=np.random.default_rng(int(random_state)),
        )
        if cache:
            _write_cache(path, key, records, accuracy, layers)
    return {
        "activations": [dict(zip(layers, rec)) for rec in records],
        "X": X,
        "y": y,
        "epochs": saved,
        "accuracy": accuracy,
        "activation": activation,
        "low": ACTIVATION_BOUNDS[activation],
    }


def _read_cache(path: Path, key: str, n_records: int, layers: list[str]):
    try:
        with np.load(path) as data:
            if str(data["key"]) != key:
                return None
            records = [[data[f"e{e}_{name}"] for name in layers] for e in range(n_records)]
            return records, data["accuracy"]
    except (OSError, KeyError, ValueError):
        # A missing, partial or foreign file: regenerate rather than fail.
        return None


def _write_cache(path: Path, key: str, records, accuracy, layers: list[str]) -> None:
    arrays = {
        f"e{e}_{name}": arr for e, rec in enumerate(records) for name, arr in zip(layers, rec)
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and rename, so a concurrent reader never sees a partial file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, key=np.array(key), accuracy=accuracy, **arrays)
        os.replace(tmp, path)
    except OSError:
        pass
