"""Where infotheory keeps files between sessions: generated data sets and compiled programs.

Both live under one root, ``$INFOTHEORY_CACHE`` (default ``~/.cache/infotheory``):

- ``demo_activations/``: the bundled demo's generated activations (see
  :func:`infotheory.datasets.load_demo_activations`);
- ``jax/``: the package's own compiled JAX programs (NeuralMI's training loop): executables in
  ``jax/executables/``, loaded without tracing, and JAX's persistent compilation cache for the
  others, so that the first fit in a new process loads them instead of compiling them again.
  ``INFOTHEORY_JAX_CACHE`` moves it elsewhere; set to the empty string, it disables it.
  A JAX cache folder the user configured (``jax_compilation_cache_dir`` or
  ``JAX_COMPILATION_CACHE_DIR``) is used instead, and ``jax_enable_compilation_cache=False``
  disables ours too.

Deleting either folder is always safe (it is rebuilt on demand): ``rm -rf ~/.cache/infotheory``.
The numba kernels keep their own cache (``__pycache__`` beside the package, or
``$NUMBA_CACHE_DIR``).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_root", "jax_cache_dir"]


def cache_root() -> Path:
    """``$INFOTHEORY_CACHE``, or ``~/.cache/infotheory`` when it is unset or empty."""
    return Path(os.environ.get("INFOTHEORY_CACHE") or Path.home() / ".cache" / "infotheory")


def jax_cache_dir() -> Path | None:
    """The folder of the persistent JAX compilation cache, or ``None`` when it is disabled
    (``INFOTHEORY_JAX_CACHE`` set to the empty string)."""
    value = os.environ.get("INFOTHEORY_JAX_CACHE")
    if value is None:
        return cache_root() / "jax"
    return Path(value) if value.strip() else None
