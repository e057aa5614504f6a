"""Threads for the numba kernels: serial ``nogil`` kernels run on a pool of Python threads.

numba's ``parallel=True`` (parfor) compiles slowly: a kernel with a ``prange`` loop took 2-10x
longer to compile than the same loop serial, and on a fresh install every such kernel is
compiled on the user's first call. Here each kernel is compiled serial with ``nogil=True`` and
takes the pair ``(t, T)``: it does the blocks ``t, t + T, t + 2T, ...`` of its work. :func:`run`
calls it once per ``t`` on a shared thread pool; the blocks are coarse (thousands of points), so
the dispatch costs microseconds per block.

:func:`threads` sets how many threads the kernels started by the calling thread use, and
:func:`n_threads` resolves an ``n_jobs`` argument to a count.
"""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["n_threads", "threads", "current_threads", "run", "one_blas_thread"]

# Launching threads costs ~10 us on an idle machine but milliseconds on a busy one: below this
# many elementary operations one thread is faster.
PARALLEL_MIN_WORK = 1e8

_state = threading.local()
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0  # a forked child inherits the pool object but not its threads: it makes its own
_pool_lock = threading.Lock()
_blas = None  # threadpoolctl's controller of the BLAS libraries, made on first use


def max_threads() -> int:
    """All threads the kernels may use: ``NUMBA_NUM_THREADS`` (default: the number of cores)."""
    from numba import config

    return int(config.NUMBA_NUM_THREADS)


def n_threads(n_jobs) -> int:
    """Threads for ``n_jobs`` (the package's meaning, see ``infotheory._threads``), at most
    :func:`max_threads`."""
    from .._threads import resolve_n_jobs

    return resolve_n_jobs(n_jobs, limit=max_threads())


def current_threads() -> int:
    """Threads the kernels started from this thread use (``n_jobs=None``'s outside
    :func:`threads`)."""
    return getattr(_state, "count", None) or n_threads(None)


@contextlib.contextmanager
def threads(n_jobs, work: float = np.inf):
    """Run the kernels with ``n_jobs`` threads (one for small ``work``), then restore."""
    previous = getattr(_state, "count", None)
    _state.count = n_threads(n_jobs) if work >= PARALLEL_MIN_WORK else 1
    try:
        yield
    finally:
        _state.count = previous


@contextlib.contextmanager
def one_blas_thread():
    """BLAS (OpenBLAS, MKL, ...) on one thread inside the block, then as before (threadpoolctl;
    process-wide while it lasts).

    For many thin products (``n x d`` by ``d x n``, ``n x b`` panels, triangular solves with
    many right-hand sides, a few thousand rows) BLAS threads cost more in hand-offs than they
    save: on 2 cores the low-rank diffusion spectral entropy at N = 1000 took 0.065 s on one
    thread against 0.18 s on two, and the kernels of :func:`run` would share their cores with
    them.
    """
    global _blas
    if _blas is None:
        # scanning the loaded libraries costs ~3 ms; BLAS is loaded with NumPy, so once will do
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    with _blas.limit(limits=1, user_api="blas"):
        yield


def _get_pool() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=max_threads(),
                                       thread_name_prefix="infotheory-kernel")
            _pool_pid = os.getpid()
        return _pool


def run(kernel, *args, tasks: int | None = None) -> None:
    """Call ``kernel(*args, t, tasks)`` for ``t = 0 .. tasks - 1`` (default: the thread count).

    The calls run on :func:`current_threads` threads at most (the caller's thread is one of
    them); ``kernel`` must be compiled ``nogil=True`` and write its results only into arrays
    that no other ``t`` writes.
    """
    T = current_threads() if tasks is None else int(tasks)
    W = min(T, current_threads())
    if W <= 1:
        for t in range(T):
            kernel(*args, t, T)
        return

    def work(w):  # worker w takes the calls w, w + W, ...
        for t in range(w, T, W):
            kernel(*args, t, T)

    pool = _get_pool()
    futures = [pool.submit(work, w) for w in range(1, W)]
    try:
        work(0)
    finally:
        for f in futures:
            f.result()
