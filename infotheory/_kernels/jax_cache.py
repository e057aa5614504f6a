"""JAX's persistent compilation cache, switched on around the package's own jitted calls.

Tracing and XLA compilation of NeuralMI's training loop cost seconds in every new process; with
the cache, a later process reads the compiled program from disk instead (see
:mod:`infotheory._cache` for where it lives and how to move, disable or clear it).

JAX's configuration is process-wide, so the cache is enabled only for the duration of a
:func:`compilation_cache` block, in the calling thread, and JAX's cache object is reset on leaving
it: code the user jits outside those blocks is neither cached by us nor kept from a cache folder
the user configures later. A cache folder the user already configured, or caching disabled with
``jax_enable_compilation_cache=False``, is left alone (their setting applies to our programs too).
(Another thread that compiles while a block runs shares the block's cache: JAX keeps one cache
object per process.)
"""

from __future__ import annotations

import contextlib
import os

from .._cache import jax_cache_dir
from .._validation import import_jax

import_jax()  # before jax._src: the actionable ImportError, NumPy's global seed kept

try:  # the configuration states double as thread-local context managers
    from jax._src import compilation_cache as _cc
    from jax._src import config as _config

    _STATES = (_config.compilation_cache_dir, _config.persistent_cache_min_compile_time_secs,
               _config.compilation_cache_max_size)
    _ENABLED = _config.enable_compilation_cache
    _cc.reset_cache  # noqa: B018  (checked here, called on leaving a block)
    if not all(isinstance(s, _config.State) for s in (*_STATES, _ENABLED)):
        raise AttributeError("older JAX: plain flags, not context managers")
except (ImportError, AttributeError):  # a JAX without them: compile as before
    _STATES = None

try:  # JAX locks its cache folder only when it bounds its size, and needs filelock for that
    import filelock  # noqa: F401
except ImportError:
    #: Without filelock: unbounded, and a process reading an entry while another writes it
    #: gets a warning and compiles (JAX's own behaviour with a user-configured folder).
    MAX_SIZE = -1
else:
    #: Bytes the folder may hold before JAX evicts the least recently used programs (one
    #: NeuralMI configuration takes about 0.5 MB); bounding it also makes JAX lock the folder,
    #: so that processes fitting at once never read a half-written entry.
    MAX_SIZE = 256 * 2**20

__all__ = ["compilation_cache", "our_cache_dir"]


def our_cache_dir() -> str | None:
    """The folder our programs are cached in during :func:`compilation_cache`, or ``None``
    when we leave caching to the user's JAX configuration (or it is disabled, or the folder
    cannot be created)."""
    if _STATES is None or _STATES[0].value is not None or not _ENABLED.value:
        return None
    path = jax_cache_dir()
    if path is None:
        return None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:  # read-only home, a file in the way: run uncached rather than fail
        return None
    return str(path) if os.access(path, os.W_OK) else None


@contextlib.contextmanager
def compilation_cache():
    """Jitted calls inside the block read and write the persistent cache of
    :func:`our_cache_dir` (every program, however fast it compiled)."""
    path = our_cache_dir()
    if path is None:
        yield
        return
    cache_dir, min_time, max_size = _STATES
    try:
        with cache_dir(path), min_time(0.0), max_size(MAX_SIZE):
            yield
    finally:
        # JAX builds its cache object once, from the folder configured at the first compile:
        # drop it so that compiles outside this block see the user's configuration again.
        _cc.reset_cache()
