"""Timing helpers shared by the benchmark modules."""

from __future__ import annotations

import time


def timed(fn, *args, repeat: int = 1, **kwargs):
    """Call ``fn`` ``repeat`` times; return (last result, best wall time in seconds)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return result, best


def row(cells, widths):
    """Format one table row with fixed column widths."""
    return "  ".join(str(c).rjust(w) for c, w in zip(cells, widths))
