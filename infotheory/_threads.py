"""Thread counts: one meaning of ``n_jobs`` across the package, scikit-learn's.

``None`` means one thread unless the call runs inside a ``joblib.parallel_config(n_jobs=...)``
context (then that count); ``-1`` means all processors, ``-k`` all but ``k - 1``; a positive int
is a count. The default is thus serial, as in scikit-learn, so a library that parallelises at an
outer level (a grid of estimates, the information plane) is not oversubscribed.
"""

from __future__ import annotations

__all__ = ["resolve_n_jobs"]


def resolve_n_jobs(n_jobs, limit: int | None = None) -> int:
    """The number of threads ``n_jobs`` asks for (at least 1, at most ``limit`` if given)."""
    from joblib import effective_n_jobs

    count = max(1, int(effective_n_jobs(n_jobs)))
    return count if limit is None else min(count, limit)
