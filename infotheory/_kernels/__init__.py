"""Inner loops (numba ``@njit(cache=True)`` and JAX). No validation happens here: callers pass
C-contiguous float64 arrays produced by :mod:`infotheory._validation`."""
