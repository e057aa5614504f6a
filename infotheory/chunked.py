"""Chunked (out-of-core, distributed) input: Dask arrays and Zarr arrays, reduced chunk by chunk.

An estimator whose quantity decomposes over samples takes a :class:`dask.array.Array`, a
:class:`zarr.Array` or a Zarr store in place of a NumPy array. Each chunk of rows is reduced on its
own (by a Dask task, on whatever scheduler is active: the local threaded scheduler by default, a
``distributed.Client`` when one is created) and the partial results are merged exactly:

* symbol counts (discrete and binned estimators): each chunk's distinct rows and their counts,
  merged into one table — the counts are those of the whole array;
* sums and cross-products: per-chunk count, mean and centred cross-product matrix merged by the
  parallel update of Chan, Golub & LeVeque [1]_ for the Gaussian estimators (the covariance of
  ``numpy.cov`` to rounding); plain sums of :math:`X^T X` for the Vendi score's dual matrix and the
  Fisher information of the effective dimension (from per-sample scores);
* distinct-value sets (entropy-based bin edges, exact ranks of the Gaussian copula): sorted
  distinct values (with their counts) per chunk, merged by a sorted union.

:class:`~infotheory.spectral.DiffusionSpectralEntropy`, whose kernel couples every pair of
samples, reads its documented seeded ``max_samples`` subsample from the chunks (the rows the
in-memory path draws).

Memory is bounded by the chunks in flight (one per worker thread, a few more for the symbol
tables) plus the merged result: a ``d x d`` matrix, or the distinct symbols / values, which every
exact method must hold; those are checked against ``max_memory`` (the package default where the
estimator has no such parameter) and refused with :class:`~infotheory.MemoryBudgetError` rather
than grown until the process dies. Estimators that are not computed chunk by chunk
(k-nearest-neighbour and neural estimators among them) refuse chunked input with a ``TypeError``
that names the estimators that take it; :func:`subsample` draws a seeded subsample of rows that
fits in memory for them. A chunked array is never converted to one in-memory array.

Nothing here imports Dask or Zarr until an input is one of their objects (detection is by the
type's module), so ``import infotheory`` stays light and Dask is an optional dependency (the
``dask`` extra).

Examples
--------
>>> import numpy as np
>>> import dask.array as da
>>> from infotheory import GaussianMI
>>> from infotheory.datasets import correlated_gaussians
>>> X, Y, true_mi = correlated_gaussians(100_000, mi=0.5, random_state=0)
>>> Xd = da.from_array(X, chunks=(30_000, -1))   # or zarr.open_array("activations.zarr")
>>> chunked_mi = GaussianMI().fit(Xd, Y).mutual_info_  # four chunks, one reduction
>>> abs(chunked_mi - GaussianMI().fit(X, Y).mutual_info_) < 1e-12
True

References
----------
.. [1] T. F. Chan, G. H. Golub and R. J. LeVeque, "Updating formulae and a pairwise algorithm for
   computing sample variances", Stanford CS report STAN-CS-79-773, 1979.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

__all__ = ["is_chunked", "as_dask_array", "subsample", "chunked_estimators"]

_CHUNKED_ROOTS = ("dask", "zarr")
# Blocks computed at once when their results are merged one by one on the caller (symbol
# tables): enough to keep every worker thread busy, few enough that the pending partial results
# stay small.
_BATCH = 8
# Fan-in of the tree of merges for the reductions.
_FAN_IN = 8


def _root(obj) -> str:
    return (type(obj).__module__ or "").split(".", 1)[0]


def is_chunked(obj) -> bool:
    """Whether ``obj`` is a Dask array/collection or a Zarr array/store (no import of either).

    Examples
    --------
    >>> import numpy as np
    >>> is_chunked(np.zeros(3)), is_chunked([1, 2])
    (False, False)
    """
    return _root(obj) in _CHUNKED_ROOTS


def chunked_estimators() -> list[str]:
    """Names of the estimators whose ``fit`` takes chunked (Dask / Zarr) input."""
    from ._base import all_estimators

    return sorted(name for name, cls in all_estimators().items()
                  if getattr(cls, "_chunked", False))


def refuse(obj, name: str, owner: str = "") -> None:
    """Raise the ``TypeError`` for chunked input where only in-memory arrays are accepted."""
    who = owner or "this function"
    raise TypeError(
        f"{name} is a chunked array ({type(obj).__module__}.{type(obj).__name__}), possibly "
        f"larger than memory, and is never read into memory whole: {who} takes in-memory arrays "
        f"only (its estimate is not computed chunk by chunk). Estimators that take chunked input: "
        f"{', '.join(chunked_estimators())}; or pass a seeded subsample of rows that fits in "
        f"memory: infotheory.chunked.subsample({name}, n_samples, random_state=0)."
    )


def as_dask_array(obj, name: str = "X"):
    """Return ``obj`` as a 2-D Dask array of numbers, chunked along rows only (lazy, no read).

    Accepts a Dask array, a Zarr array or a Zarr store holding an array; a 1-D array becomes one
    column. Raises ``TypeError`` for a Zarr group or a non-numeric dtype, ``ValueError`` for a
    wrong number of dimensions, unknown chunk sizes or no samples.
    """
    import dask.array as da

    root = _root(obj)
    if root == "zarr":
        import zarr

        if isinstance(obj, zarr.Group):
            raise TypeError(
                f"{name} is a Zarr group: pass one of its arrays, e.g. group[{'name'!r}] "
                f"(arrays: {', '.join(map(repr, sorted(obj.array_keys()))) or 'none'})"
            )
        if not isinstance(obj, zarr.Array):
            try:
                obj = zarr.open_array(store=obj, mode="r")
            except Exception as exc:
                raise TypeError(
                    f"{name} is a Zarr store ({type(obj).__name__}) that does not hold an array "
                    f"at its root: {exc}"
                ) from None
        arr = da.from_zarr(obj)
    elif isinstance(obj, da.Array):
        arr = obj
    else:
        raise TypeError(
            f"{name} is a Dask {type(obj).__name__}: expected a dask.array.Array (convert a "
            "Dask DataFrame with .to_dask_array(lengths=True))"
        )
    if arr.dtype.kind not in "fiub":
        raise TypeError(
            f"{name} must be numeric: expected an array of real numbers, got dtype {arr.dtype}"
        )
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D or 2-D (n_samples, n_features), got a {arr.ndim}-D array of "
            f"shape {arr.shape}"
        )
    if any(np.isnan(c) for c in arr.chunks[0]):
        raise ValueError(
            f"{name} has unknown chunk sizes; call {name}.compute_chunk_sizes() first"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: found array with 0 sample(s) (shape={arr.shape})")
    if arr.numblocks[1] > 1:  # every reduction below wants whole rows in one block
        arr = arr.rechunk({1: -1})
    return arr


def align_rows(arr, like):
    """``arr`` (Dask, or an in-memory array) chunked along rows exactly as ``like``."""
    import dask.array as da

    if not is_chunked(arr):
        arr = np.asarray(arr)
        arr = arr.reshape(-1, 1) if arr.ndim == 1 else arr
        return da.from_array(arr, chunks=(like.chunks[0], -1))
    arr = as_dask_array(arr, "y")
    return arr.rechunk((like.chunks[0], -1))


def hstack_rows(*arrays):
    """Row-aligned 2-D Dask arrays side by side (one array, still chunked along rows only)."""
    import dask.array as da

    return da.concatenate(arrays, axis=1).rechunk({1: -1})


def blocks(*arrays) -> list[tuple]:
    """Delayed row blocks of aligned 2-D Dask arrays: one tuple of blocks per chunk of rows."""
    delayed = [a.to_delayed()[:, 0] for a in arrays]
    return list(zip(*delayed))


def compute(*values):
    """``dask.compute`` on the active scheduler (a ``distributed.Client`` if one is current)."""
    import dask

    return dask.compute(*values)


def tree_reduce(parts: Sequence, combine: Callable):
    """Merge delayed partial results pairwise-ish (fan-in ``_FAN_IN``) into one delayed value."""
    import dask

    level = list(parts)
    merge = dask.delayed(_fold, pure=True)
    while len(level) > 1:
        level = [merge(combine, level[i:i + _FAN_IN]) for i in range(0, len(level), _FAN_IN)]
    return level[0]


def _fold(combine, xs):
    out = xs[0]
    for x in xs[1:]:
        out = combine(out, x)
    return out


def reduce_blocks(func: Callable, combine: Callable, *arrays, **kwargs):
    """``combine`` of ``func(*row_blocks, index=i, **kwargs)`` over every chunk, computed."""
    import dask

    f = dask.delayed(func, pure=True)
    parts = [f(*bl, index=i, **kwargs) for i, bl in enumerate(blocks(*arrays))]
    return compute(tree_reduce(parts, combine))[0]


def map_blocks_batched(func: Callable, *arrays, **kwargs):
    """Yield ``func(*row_blocks, index=i, **kwargs)`` chunk by chunk, in order, a batch at a time.

    For merges that must run in order on the caller (symbol tables): at most ``_BATCH`` partial
    results are held at once.
    """
    import dask

    f = dask.delayed(func, pure=True)
    bl = blocks(*arrays)
    for start in range(0, len(bl), _BATCH):
        batch = [f(*b, index=start + j, **kwargs) for j, b in enumerate(bl[start:start + _BATCH])]
        yield from compute(*batch)


def as_float_block(block, name: str, index: int) -> np.ndarray:
    """A chunk as C-contiguous float64, checked finite (the message names the chunk)."""
    return np.ascontiguousarray(checked_block(block, name, index), dtype=np.float64)


def checked_block(block, name: str, index: int) -> np.ndarray:
    """A chunk in its own dtype, checked finite (the message names the chunk)."""
    arr = np.asarray(block)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        raise ValueError(
            f"{name} contains {n_nan} NaN and {n_inf} inf value(s) in chunk {index} "
            f"(shape={arr.shape}); expected finite values. Drop or impute them first."
        )
    return arr


# -- reductions -------------------------------------------------------------------------------


def _moments_block(*blocks, index, names, transform=None):
    A = np.hstack([as_float_block(b, nm, index) for b, nm in zip(blocks, names)])
    if transform is not None:
        A = transform(A, index)
    mean = A.mean(axis=0)
    C = A - mean
    return A.shape[0], mean, C.T @ C


def _merge_moments(a, b):
    na, ma, Ma = a
    nb, mb, Mb = b
    n = na + nb
    delta = mb - ma
    return n, ma + delta * (nb / n), Ma + Mb + np.outer(delta, delta) * (na * nb / n)


def moments(*arrays, names=("X", "y"), transform=None):
    """``(n, mean, M)`` of the columns of the row-aligned arrays side by side.

    ``M`` is the centred cross-product matrix :math:`\\sum_i (a_i - \\bar a)(a_i - \\bar a)^T`
    (``M / (n - 1)`` is ``numpy.cov``), merged over chunks by Chan et al.'s update.
    ``transform(block, index)`` maps each float64 block first (e.g. to normal scores).
    """
    return reduce_blocks(_moments_block, _merge_moments, *arrays, names=names,
                         transform=transform)


def _second_moment_block(block, *, index, name, transform=None):
    A = as_float_block(block, name, index)
    if transform is not None:
        A = transform(A)
    return A.shape[0], A.T @ A


def _add_pairs(a, b):
    return a[0] + b[0], a[1] + b[1]


def second_moment(arr, name: str = "X", transform=None):
    """``(n, A^T A)``: the uncentred cross-product of the (transformed) rows, summed over chunks."""
    return reduce_blocks(_second_moment_block, _add_pairs, arr, name=name, transform=transform)


def _distinct_rows_block(*blocks, index, names):
    A = np.hstack([as_float_block(b, nm, index) for b, nm in zip(blocks, names)])
    rows, counts = np.unique(A, axis=0, return_counts=True)
    return rows, counts.astype(np.int64)


def _within(nbytes: float, budget, what: str, alternative: str) -> None:
    """Refuse a merged result above ``budget`` (None: the package's default max_memory)."""
    from ._validation import DEFAULT_MAX_MEMORY, check_memory

    budget = DEFAULT_MAX_MEMORY if budget is None else budget
    check_memory(nbytes, budget, what=what, alternative=alternative)


def _merge_distinct_rows(a, b, *, budget):
    _within(a[0].nbytes + b[0].nbytes, budget, "the distinct rows merged over chunks",
            "fewer features, or a coarser symbol alphabet")
    rows, inverse = np.unique(np.vstack([a[0], b[0]]), axis=0, return_inverse=True)
    counts = np.bincount(inverse.reshape(-1), weights=np.concatenate([a[1], b[1]]),
                         minlength=rows.shape[0])
    return rows, np.rint(counts).astype(np.int64)


def distinct_rows(*arrays, names=("X", "y"), max_memory=None):
    """Sorted distinct rows of the row-aligned arrays side by side and how often each occurs.

    Raises :class:`~infotheory.MemoryBudgetError` when the distinct rows outgrow ``max_memory``.
    """
    return reduce_blocks(_distinct_rows_block, partial(_merge_distinct_rows, budget=max_memory),
                         *arrays, names=names)


def _distinct_values_block(block, *, index, name):
    # sorted in the chunk's own dtype (float32 activations: half the bytes to sort), then
    # widened: float32 -> float64 is exact, so the distinct values are the same
    return np.unique(checked_block(block, name, index)).astype(np.float64)


def _union(a, b, *, budget):
    _within(a.nbytes + b.nbytes, budget, "the distinct values merged over chunks",
            "fixed or adaptive-range binning (no distinct values needed)")
    return np.union1d(a, b)


def distinct_values(arr, name: str = "X", max_memory=None) -> np.ndarray:
    """Sorted distinct values of the whole array (float64), within ``max_memory``."""
    return reduce_blocks(_distinct_values_block, partial(_union, budget=max_memory), arr,
                         name=name)


def _column_values_block(block, *, index, name):
    A = as_float_block(block, name, index)
    return [np.unique(A[:, j], return_counts=True) for j in range(A.shape[1])]


def _merge_column_values(a, b, *, budget):
    _within(sum(v.nbytes + c.nbytes for v, c in a + b), budget,
            "the distinct values of every column merged over chunks (exact ranks)",
            "GaussianMI (no ranks), or a seeded subsample (infotheory.chunked.subsample)")
    out = []
    for (va, ca), (vb, cb) in zip(a, b):
        values, inverse = np.unique(np.concatenate([va, vb]), return_inverse=True)
        counts = np.bincount(inverse, weights=np.concatenate([ca, cb]), minlength=values.size)
        out.append((values, np.rint(counts).astype(np.int64)))
    return out


def column_value_counts(arr, name: str = "X", max_memory=None):
    """Per column: its sorted distinct values and their counts over the whole array.

    Exact ranks need them all (16 bytes per distinct value and column); raises
    :class:`~infotheory.MemoryBudgetError` when they outgrow ``max_memory``.
    """
    return reduce_blocks(_column_values_block, partial(_merge_column_values, budget=max_memory),
                         arr, name=name)


def average_ranks(A: np.ndarray, tables) -> np.ndarray:
    """Ranks of the values of ``A`` among the whole columns (``scipy.stats.rankdata`` "average").

    ``tables`` are the columns' sorted distinct values and counts (:func:`column_value_counts`);
    a value's average rank is the number of smaller values plus ``(count + 1) / 2``, exactly the
    in-memory ranks whichever chunk the value sits in.
    """
    out = np.empty(A.shape, dtype=np.float64)
    for j, (values, counts) in enumerate(tables):
        below = np.concatenate([[0], np.cumsum(counts)[:-1]])
        k = np.searchsorted(values, A[:, j])
        out[:, j] = below[k] + (counts[k] + 1) / 2.0
    return out


def extrema(arr):
    """``(min, max)`` of the whole array, computed in one pass."""
    import dask.array as da

    lo, hi = compute(da.min(arr), da.max(arr))
    return float(lo), float(hi)


def materialise_small(obj, name: str) -> np.ndarray:
    """An array with one value per sample (labels, weights) read into memory from any input."""
    if is_chunked(obj):
        return np.asarray(compute(as_dask_array(obj, name))[0])
    return obj


def subsample(X, n_samples, *, random_state=None) -> np.ndarray:
    """A seeded uniform subsample of ``n_samples`` rows of a chunked array, read into memory.

    The rows are drawn without replacement by ``numpy.random.default_rng(random_state)`` and
    returned in their original order; only the chunks holding them are read. For estimators that
    do not decompose over chunks (k-nearest-neighbour, neural): ``KSGMI().fit(subsample(X, 50_000,
    random_state=0), ...)``. Paired arrays (``X`` and ``y``) get the same rows when subsampled
    with the same ``random_state`` and ``n_samples``, as long as they have the same length.

    Parameters
    ----------
    X : dask.array.Array, zarr.Array, Zarr store or ndarray
        The samples (rows).
    n_samples : int
        Rows to draw (at most the number of rows).
    random_state : int, numpy Generator or None
        Seed of the draw.

    Returns
    -------
    ndarray of shape (n_samples, n_features)

    Examples
    --------
    >>> import dask.array as da
    >>> subsample(da.arange(10.0, chunks=4), 3, random_state=0).ravel()
    array([5., 6., 9.])
    """
    from ._validation import check_param, check_random_state

    check_param(n_samples, "n_samples", numbers.Integral, low=1)
    arr = as_dask_array(X) if is_chunked(X) else np.asarray(X)
    arr = arr.reshape(-1, 1) if arr.ndim == 1 else arr
    n = arr.shape[0]
    if n_samples > n:
        raise ValueError(f"n_samples must be at most the {n} rows of X, got {n_samples}")
    rng = check_random_state(random_state)
    rows = np.sort(rng.choice(n, size=int(n_samples), replace=False))
    picked = arr[rows]
    return np.asarray(compute(picked)[0] if is_chunked(X) else picked)


# -- the estimator hook -----------------------------------------------------------------------


def check_input(est, X, y, side, *, reset: bool):
    """Validate chunked input of ``est.fit``/``score``/``partial_fit`` as ``est._validate`` does.

    The parameters are checked first (``est._validate_params``), then ``X``, ``y`` and the side
    inputs through the estimator's ``_validate_X_chunked``, ``_validate_y_chunked`` and
    ``_validate_side_chunked`` hooks; ``reset`` forgets an earlier fit (``fit``) or compares the
    number of features with it (``score``). Returns ``(X, y, side)``.
    """
    if not getattr(type(est), "_chunked", False):
        bad = "X" if is_chunked(X) else "y"
        refuse(X if bad == "X" else y, bad, type(est).__name__)
    est._validate_params()
    est._check_side_names(side)
    if est._requires_y:
        from ._validation import require_y

        require_y(y, est)
    n_min, why = est._min_samples_required()
    Xd = est._validate_X_chunked(X, n_min, why)
    est._check_n_features(est._n_features(Xd), reset=reset)
    Yd = est._validate_y_chunked(y, Xd) if y is not None else None
    sides = {name: est._validate_side_chunked(name, value, Xd)
             for name, value in (side or {}).items() if value is not None}
    return Xd, Yd, sides


def check_samples(X, n_min: int, why: str, est):
    """Chunked ``X`` as a row-chunked 2-D Dask array with at least ``n_min`` rows.

    An in-memory ``X`` (beside a chunked ``y``) is validated as in memory and becomes one chunk.
    """
    import dask.array as da

    if not is_chunked(X):
        from ._validation import check_samples as check_in_memory

        arr = check_in_memory(X, min_samples=n_min, estimator=est, requirement=why)
        return da.from_array(arr, chunks=(arr.shape[0], -1))
    Xd = as_dask_array(X, "X")
    if Xd.shape[0] < n_min:
        raise ValueError(
            f"Found array with {Xd.shape[0]} sample(s) (shape={Xd.shape}) while a minimum of "
            f"{n_min} is required by {type(est).__name__}{f' ({why})' if why else ''}: X has "
            "too few samples."
        )
    return Xd


def check_paired(y, X):
    """``y`` (chunked or in memory) with as many rows as ``X``, chunked along rows as ``X``."""
    shape = as_dask_array(y, "y").shape if is_chunked(y) else np.shape(y)
    if not shape or shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y must have the same number of samples: X has {X.shape[0]}, y has "
            f"{shape[0] if shape else 'none'} (shape={shape})"
        )
    return align_rows(y, X)


def refuse_side(est, name: str, value) -> None:
    """Raise the ``TypeError`` for a side input given with chunked ``X`` where none is taken."""
    raise TypeError(
        f"{type(est).__name__} takes chunked X without side inputs, got {name}="
        f"{type(value).__name__}; pass in-memory arrays to use {name}"
    )
