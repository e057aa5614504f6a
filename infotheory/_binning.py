"""Binning rules and symbol tables shared by the binned estimators (entropy and MI).

Each sample's row of binned activations is one discrete symbol. This module holds, in one place:

* the binning rules of the information-plane literature (fixed range or bin size, adaptive range,
  entropy-based) and the activation lower bounds they use;
* the symbol table that counts distinct rows over batches (the statistics of ``partial_fit``);
* :class:`_BinnedBase`, the estimator base of :class:`~infotheory.entropy.BinnedEntropy` and
  :class:`~infotheory.mutual_info.BinnedMI`.

The activation lower bounds are those of Chelombiev et al.'s code: just below −1 for tanh (so
that −1 itself falls in the first bin rather than below it) and 0 for ReLU.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from functools import cache
from numbers import Integral, Real

import numpy as np

from . import chunked
from ._base import InfoEstimator, PartialFitMixin
from ._kernels.binning import (
    digitize_hash,
    distinct_quantiles,
    floor_hash,
    group_sorted,
    hash_rows,
    lookup_rows,
    lookup_table,
    plugin_entropy,
    sorted_distinct_except,
)
from ._params import Interval, RealPair, StrOptions
from ._validation import (
    DEFAULT_MAX_MEMORY,
    MemoryBudgetError,
    check_bool,
    check_labels,
    check_memory,
    check_param,
    check_values,
    parse_memory,
)

__all__ = ["ACTIVATION_LOWER_BOUNDS", "entropy_based_edges", "adaptive_range_max"]

_BINNINGS = ("fixed", "adaptive_range", "entropy_based")
#: Lower bound of each activation's range, the lower edge of adaptive binning.
ACTIVATION_LOWER_BOUNDS = {"tanh": -1.000001, "relu": 0.0}

def entropy_based_edges(values, n_bins: int, low: float, *,
                        max_memory=DEFAULT_MAX_MEMORY) -> np.ndarray:
    """Bin edges of entropy-based adaptive binning (EBAB, Chelombiev et al. 2019).

    With ``u`` the sorted distinct values other than ``low``, the edges are
    ``[low] + [u[int(k * (len(u) / n_bins))] for k in range(n_bins)] + [u[-1]]``, so each bin holds
    an equal share of the distinct values (``n_bins + 2`` edges; only ``[low]`` if ``u`` is empty).
    The index uses the same floating-point expression as the reference code.

    Parameters
    ----------
    values : ndarray
        All activation values of one layer (any shape).
    n_bins : int
        Number of quantile edges.
    low : float
        The activation's lower bound (−1.000001 for tanh, 0 for ReLU).
    max_memory : int, float or str, default="4GB"
        Budget for the edges (``n_bins + 2`` floats).

    Returns
    -------
    ndarray of shape (n_bins + 2,) or (1,)

    Examples
    --------
    >>> import numpy as np
    >>> entropy_based_edges(np.array([0.0, 0.0, 1.0, 2.0, 3.0, 4.0]), 2, 0.0)
    array([0., 1., 3., 4.])
    """
    values = check_values(values, "values")
    n_bins = int(check_param(n_bins, "n_bins", numbers.Integral, low=1))
    low = float(check_param(low, "low", numbers.Real, finite=True))
    check_memory(8.0 * (n_bins + 2), max_memory, what=f"the {n_bins + 2} bin edges",
                 alternative="fewer bins")
    values = values if values.ndim == 2 else values.reshape(1, -1)
    # float32-valued activations (the usual case): order statistics by selection, no sort
    selected, edges = distinct_quantiles(values, float(low), int(n_bins))
    if selected:
        return edges
    return _edges_of_distinct(sorted_distinct_except(values, float(low)), n_bins, low)


def _edges_of_distinct(u: np.ndarray, n_bins: int, low: float) -> np.ndarray:
    """Entropy-based edges from the sorted distinct values ``u`` other than ``low``."""
    if u.size == 0:
        return np.array([low], dtype=np.float64)
    idx = (np.arange(n_bins) * (u.size / n_bins)).astype(np.int64)
    return np.concatenate([[low], u[idx], u[-1:]])


def adaptive_range_max(layer_maxima, *, per_layer: bool = False) -> np.ndarray:
    """Upper ends of adaptive-range binning: maxima made non-decreasing over epochs.

    Chelombiev et al. (2019) bin each epoch's activations on ``[low, M_e]`` with ``M_e`` the
    largest activation seen so far: the maximum over all layers (``per_layer=False``, the default)
    or over each layer separately, taken cumulatively over epochs so that it never decreases.
    Pass ``M_e`` (and the layer's ``M_e`` with ``per_layer=True``) as ``max_value`` to
    :class:`BinnedEntropy` / :class:`~infotheory.mutual_info.BinnedMI` with
    ``binning="adaptive_range"``.

    Parameters
    ----------
    layer_maxima : array-like of shape (n_epochs, n_layers)
        The maximum activation of each layer at each epoch, e.g. ``T.max()``.
    per_layer : bool, default=False
        Keep one maximum per layer instead of the maximum over all layers.

    Returns
    -------
    ndarray of shape (n_epochs,), or (n_epochs, n_layers) with ``per_layer=True``

    Examples
    --------
    >>> adaptive_range_max([[0.5, 2.0], [3.0, 1.0], [1.0, 1.0]])
    array([2., 3., 3.])
    >>> adaptive_range_max([[0.5, 2.0], [3.0, 1.0], [1.0, 1.0]], per_layer=True)
    array([[0.5, 2. ],
           [3. , 2. ],
           [3. , 2. ]])
    """
    m = check_values(layer_maxima, "layer_maxima", ndim=(1, 2))
    per_layer = check_bool(per_layer, "per_layer")
    if m.ndim == 1:
        m = m[:, None]
    if not per_layer:
        m = m.max(axis=1)
    return np.maximum.accumulate(m, axis=0)


def _group(codes: np.ndarray, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symbol id of each row (0..m-1) and the index of one representative row per symbol."""
    order = np.argsort(hashes, kind="stable")
    ids = np.empty(hashes.shape[0], dtype=np.int64)
    reps = group_sorted(order, hashes, codes, ids)
    return ids, reps


def _hash_int_rows(codes: np.ndarray) -> np.ndarray:
    hashes = np.empty(codes.shape[0], dtype=np.uint64)
    hash_rows(codes, hashes)
    return hashes


class _SymbolTable:
    """Distinct rows seen so far (their codes and hashes) and how often each occurred.

    ``add`` returns the global symbol id of every new row, so counts accumulate over batches: the
    state needed by ``partial_fit`` is one representative row of codes per symbol, not the
    samples. A batch costs O(n·d) to group plus O(m_b log m) to look its m_b distinct rows up
    among the m known ones (hashes kept sorted, equal hashes verified row by row).
    """

    def __init__(self):
        self._codes = None  # capacity-doubling buffer of representative rows
        self.size = 0
        self.sorted_hashes = np.zeros(0, dtype=np.uint64)
        self.sorted_ids = np.zeros(0, dtype=np.int64)
        self.counts = np.zeros(0, dtype=np.int64)

    @property
    def codes(self) -> np.ndarray | None:
        return None if self._codes is None else self._codes[: self.size]

    def _append(self, rows: np.ndarray) -> None:
        if self._codes is None:
            self._codes = np.empty((max(16, rows.shape[0]), rows.shape[1]), dtype=rows.dtype)
        need = self.size + rows.shape[0]
        if need > self._codes.shape[0]:
            grown = np.empty((max(need, 2 * self._codes.shape[0]), rows.shape[1]),
                             dtype=self._codes.dtype)
            grown[: self.size] = self._codes[: self.size]
            self._codes = grown
        self._codes[self.size : need] = rows
        self.size = need

    def add(self, codes: np.ndarray, hashes: np.ndarray, weights=None) -> np.ndarray:
        """Count the rows (each ``weights[i]`` times when given); return their symbol ids."""
        ids, reps = _group(codes, hashes)
        rep_codes, rep_hashes = codes[reps], hashes[reps]
        m = self.size
        found = np.empty(reps.size, dtype=np.int64)
        if self._codes is None:
            found[:] = -1  # nothing known yet
        else:
            rep_codes = rep_codes.astype(self._codes.dtype, copy=False)
            lookup_rows(self.sorted_hashes, self.sorted_ids, self.codes, rep_hashes, rep_codes,
                        found)
        new = found < 0
        n_new = int(new.sum())
        found[new] = m + np.arange(n_new)
        if n_new:
            self._append(rep_codes[new])
            new_hashes = rep_hashes[new]
            order = np.argsort(new_hashes, kind="stable")
            at = np.searchsorted(self.sorted_hashes, new_hashes[order])
            self.sorted_hashes = np.insert(self.sorted_hashes, at, new_hashes[order])
            self.sorted_ids = np.insert(self.sorted_ids, at, found[new][order])
        sample_ids = found[ids]
        self.counts = np.concatenate([self.counts, np.zeros(n_new, np.int64)])
        self.counts += _bincount(sample_ids, weights, self.counts.size)
        return sample_ids


def _bincount(codes: np.ndarray, weights, size: int = 0) -> np.ndarray:
    """``np.bincount`` with integer (count) weights, kept int64."""
    if weights is None:
        return np.bincount(codes, minlength=size)
    return np.rint(np.bincount(codes, weights=weights, minlength=size)).astype(np.int64)


def _input_codes(inputs: np.ndarray) -> np.ndarray:
    """Rows of the inputs as int64 codes: equal floats (0.0 and -0.0 alike) give equal codes."""
    return np.ascontiguousarray(inputs + 0.0).view(np.int64)


@dataclass
class _Counts:
    """Symbol counts accumulated over batches: the statistics of the binned estimators.

    ``t`` counts the binned rows; with labels, ``y`` counts the labels (codes into ``classes``)
    and ``ty`` the (row, label) pairs; with inputs, ``x`` and ``tx`` count the inputs and the
    (row, input) pairs.
    """

    t: _SymbolTable = field(default_factory=lambda: _SymbolTable())
    n: int = 0
    y: np.ndarray | None = None
    ty: _SymbolTable | None = None
    x: _SymbolTable | None = None
    tx: _SymbolTable | None = None
    classes: np.ndarray | None = None
    has_inputs: bool | None = None


@dataclass(frozen=True)
class _Entropies:
    """Plug-in entropies in nats of the accumulated variables (None: not accumulated)."""

    t: float
    y: float | None = None
    ty: float | None = None
    x: float | None = None
    tx: float | None = None


class _BinnedBase(PartialFitMixin, InfoEstimator):
    """Binning, digitisation and symbol counting shared by BinnedEntropy and BinnedMI.

    ``fit`` learns the edges (``_learn``) and counts the symbols; ``partial_fit`` adds batches to
    the counts with the edges of the first batch; ``score`` counts a new sample with the fitted
    edges, without changing the estimator.
    """

    _abstract = True
    _min_samples = 1
    _chunked = True
    _cli_name = "binned"
    _parameter_constraints = {
        "binning": [StrOptions(_BINNINGS)],
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "bin_range": [RealPair()],
        "bin_size": [Interval(Real, 0, None, closed="neither"), None],
        "activation": [StrOptions(tuple(ACTIVATION_LOWER_BOUNDS)), None],
        "lower_bound": [Interval(Real, None, None, closed="neither"), None],
        "max_value": [Interval(Real, None, None, closed="neither"), None],
        "max_memory": ["max_memory"],
        "base": ["base"],
    }

    def __init__(
        self,
        *,
        binning="entropy_based",
        n_bins=30,
        bin_range=(-1.0, 1.0),
        bin_size=None,
        activation=None,
        lower_bound=None,
        max_value=None,
        max_memory=DEFAULT_MAX_MEMORY,
        base=None,
    ):
        self.binning = binning
        self.n_bins = n_bins
        self.bin_range = bin_range
        self.bin_size = bin_size
        self.activation = activation
        self.lower_bound = lower_bound
        self.max_value = max_value
        self.max_memory = max_memory
        self.base = base

    # -- parameters -----------------------------------------------------------------------

    def _check_params(self):
        if self.activation is not None and self.lower_bound is not None:
            raise ValueError(
                "give either activation or lower_bound, not both: got "
                f"activation={self.activation!r} and lower_bound={self.lower_bound!r}"
            )
        if self.bin_size is not None and self.binning != "fixed":
            raise ValueError(
                f"bin_size applies to binning='fixed' only, got binning={self.binning!r} with "
                f"bin_size={self.bin_size!r}"
            )
        if self.max_value is not None and self.binning != "adaptive_range":
            raise ValueError(
                f"max_value applies to binning='adaptive_range' only, got "
                f"binning={self.binning!r} with max_value={self.max_value!r}"
            )
        check_memory(16.0 * self.n_bins, self.max_memory,
                     what=f"the {self.n_bins} bin edges and their lookup table",
                     alternative="fewer bins")

    def _validate_X(self, X, n_min, why):
        # refuse before validation copies an array whose working copies exceed max_memory
        shape = getattr(X, "shape", None)
        if shape is not None and len(shape) == 2:
            n, d = (int(s) for s in shape)
            copy = 0 if getattr(X, "dtype", None) == np.float64 else 8
            # a float64 copy (unless already float64) and at most 8 bytes of bin code per value
            check_memory(
                float(n) * d * (copy + 8), self.max_memory,
                what=f"binning the {n} x {d} activations",
                alternative="partial_fit over batches of rows (e.g. of a memory-mapped array)",
            )
        return super()._validate_X(X, n_min, why)

    # -- binning ----------------------------------------------------------------------------

    def _resolved_low(self, t_min: float) -> float:
        if self.activation is not None:
            return ACTIVATION_LOWER_BOUNDS[self.activation]
        if self.lower_bound is not None:
            return float(self.lower_bound)
        return t_min

    def _learn(self, T, y=None, **side):
        """The bin edges of this layer (the only place where the binning rule lives)."""
        return self._edges(lambda: float(T.min()), lambda: float(T.max()),
                           lambda low: entropy_based_edges(T, self.n_bins, low))

    def _learn_chunked(self, T, y=None, **side):
        """:meth:`_learn` for chunked ``T``: the same edges, from one pass for the extrema and,
        for entropy-based binning, the distinct values merged over chunks."""
        extrema = cache(lambda: chunked.extrema(T))

        def entropy_based(low):
            u = chunked.distinct_values(T, max_memory=self.max_memory)
            return _edges_of_distinct(u[u != low], self.n_bins, low)

        return self._edges(lambda: extrema()[0], lambda: extrema()[1], entropy_based)

    def _edges(self, t_min, t_max, entropy_based):
        """The binning rule, given ``t_min()``, ``t_max()`` and ``entropy_based(low)`` of the
        data (called only when the rule needs them)."""
        if self.binning == "fixed":
            if self.bin_size is not None:
                return {"bin_edges_": None, "lower_bound_": None, "max_value_": None}
            low, high = (float(v) for v in self.bin_range)
            return {"bin_edges_": np.linspace(low, high, self.n_bins), "lower_bound_": low,
                    "max_value_": None}
        lowest = t_min()
        low = self._resolved_low(lowest)
        if lowest < low:
            raise ValueError(
                f"X has values below the lower bound {low!r} (minimum {lowest!r}) required by "
                f"binning={self.binning!r}: set activation (tanh, relu) or lower_bound to the "
                "activation's true lower bound, or leave both None to use the data minimum"
            )
        if self.binning == "adaptive_range":
            high = t_max() if self.max_value is None else float(self.max_value)
            if high < low:
                raise ValueError(
                    f"max_value must be >= the lower bound {low!r}, got {high!r}"
                )
            return {"bin_edges_": np.linspace(low, high, self.n_bins), "lower_bound_": low,
                    "max_value_": high}
        return {"bin_edges_": entropy_based(low), "lower_bound_": low, "max_value_": None}

    def _digitize(self, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bin codes of every value and one hash per row (one pass over ``T``)."""
        n, d = T.shape
        hashes = np.empty(n, dtype=np.uint64)
        if self.bin_edges_ is None:
            bs = float(self.bin_size)
            extent = float(np.abs(T).max()) / bs
            if extent >= 2.0**62:
                raise ValueError(
                    f"bin_size={bs!r} is too small for X: |X| / bin_size reaches {extent:.3g}, "
                    "beyond the 2**62 bins an int64 code can hold"
                )
            codes = np.empty((n, d), dtype=np.int64)
            floor_hash(T, bs, codes, hashes)
            return codes, hashes
        edges = self.bin_edges_
        ne = edges.size
        dtype = np.uint8 if ne < 255 else (np.int16 if ne < 32767 else np.int32)
        codes = np.empty((n, d), dtype=dtype)
        table, low, inv_width = lookup_table(edges)
        digitize_hash(T, edges, table, low, inv_width, codes, hashes)
        return codes, hashes

    # -- counting ---------------------------------------------------------------------------

    def _count(self, counts: _Counts, T: np.ndarray, y_codes=None, x_codes=None, *,
               digitized=None, weights=None) -> None:
        """Add one batch to the counts: T symbols, and (T, y), (x), (T, x) pairs when given.

        ``digitized`` (codes, hashes) replaces binning ``T``; ``weights`` counts each row that
        many times (a chunk's distinct rows with their counts).
        """
        codes, hashes = self._digitize(T) if digitized is None else digitized
        t_ids = counts.t.add(codes, hashes, weights)
        counts.n += codes.shape[0] if weights is None else int(np.sum(weights))
        if y_codes is not None:
            prev = np.zeros(0, np.int64) if counts.y is None else counts.y
            cur = _bincount(y_codes, weights)
            size = max(prev.size, cur.size)
            counts.y = np.pad(prev, (0, size - prev.size)) + np.pad(cur, (0, size - cur.size))
            pairs = np.stack([t_ids, y_codes], axis=1)
            if counts.ty is None:
                counts.ty = _SymbolTable()
            counts.ty.add(pairs, _hash_int_rows(pairs), weights)
        if x_codes is not None:
            if counts.x is None:
                counts.x, counts.tx = _SymbolTable(), _SymbolTable()
            x_ids = counts.x.add(x_codes, _hash_int_rows(x_codes))
            pairs = np.stack([t_ids, x_ids], axis=1)
            counts.tx.add(pairs, _hash_int_rows(pairs))

    def _count_chunked(self, counts: _Counts, X, y_codes=None) -> None:
        """Add a row-chunked Dask array to the counts, chunk by chunk (bounded memory).

        Each chunk is binned where it lives (a Dask task) and reduced to its distinct rows (with
        their label when ``y_codes`` is given) and their counts, which are merged here, a batch
        of chunks at a time, into the symbol tables: the counts equal those of the whole array.
        Memory: the chunks in flight plus one row of bin codes per distinct symbol.
        """
        n, d = X.shape
        block_rows = max(X.chunks[0])
        check_memory(
            float(block_rows) * d * 16, self.max_memory,
            what=f"binning one {block_rows} x {d} chunk of the activations",
            alternative="smaller chunks of rows (X.rechunk)",
        )
        arrays = (X,) if y_codes is None else (X, chunked.align_rows(y_codes, X))
        budget = parse_memory(self.max_memory)
        n_before = counts.n
        for codes, hashes, weights, ys in chunked.map_blocks_batched(
            _chunk_symbols, *arrays, est=self
        ):
            self._count(counts, None, ys, digitized=(codes, hashes), weights=weights)
            # one row of codes plus hash, id and count per symbol (and per (symbol, label) pair)
            held = sum(t.size * (t.codes.itemsize * t.codes.shape[1] + 24)
                       for t in (counts.t, counts.ty) if t is not None and t.size)
            if held > budget:
                raise MemoryBudgetError(
                    f"the exact symbol counts of X hold {counts.t.size} distinct binned rows "
                    f"of {d} units after {counts.n - n_before} of {n} samples, "
                    f"{held / 1e9:.2g} GB, more than max_memory={self.max_memory!r}. Use fewer "
                    "bins or units, or raise max_memory if the machine has the memory."
                )

    @staticmethod
    def _entropies(counts: _Counts) -> _Entropies:
        """Plug-in entropies in nats of every accumulated variable."""
        def h(table):
            return None if table is None else plugin_entropy(table.counts)

        return _Entropies(
            t=plugin_entropy(counts.t.counts),
            y=None if counts.y is None else plugin_entropy(counts.y),
            ty=h(counts.ty), x=h(counts.x), tx=h(counts.tx),
        )

    def _validate_y(self, y, X):
        # labels are validated (and encoded across batches) by BinnedMI itself
        return y


def _chunk_symbols(block, y_block=None, *, index, est):
    """One chunk's distinct binned rows (and labels) with their counts (runs on a worker)."""
    T = chunked.as_float_block(block, "X", index)
    codes, hashes = est._digitize(T)
    ids, reps = _group(codes, hashes)
    if y_block is None:
        return codes[reps], hashes[reps], np.bincount(ids), None
    y = np.asarray(y_block, dtype=np.int64).reshape(-1)
    _, first, counts = np.unique(ids * np.int64(y.max() + 1) + y, return_index=True,
                                 return_counts=True)
    return codes[first], hashes[first], counts, y[first]


def _label_kind(classes: np.ndarray) -> str:
    """"number" or "string": the kind of (validated, single-kind) labels."""
    if classes.dtype.kind == "O":
        return "string" if isinstance(classes[0], (str, bytes)) else "number"
    return "string" if classes.dtype.kind in "USa" else "number"


def _labels_to_codes(y, n: int, classes: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Validated labels as codes into ``classes``, extended by labels not seen before."""
    codes, batch_classes = check_labels(y, n_samples=n, return_classes=True)
    if classes is None:
        return codes, batch_classes
    if _label_kind(batch_classes) != _label_kind(classes):
        raise TypeError(
            f"y has {_label_kind(batch_classes)} labels (dtype {batch_classes.dtype}) but the "
            f"earlier batches had {_label_kind(classes)} labels (dtype {classes.dtype}): labels "
            "of one type are needed, or 1 and '1' would count as two classes"
        )
    try:
        merged = np.concatenate([classes, batch_classes[~np.isin(batch_classes, classes)]])
    except (TypeError, ValueError):
        raise TypeError(
            f"y has labels of dtype {batch_classes.dtype} that cannot be compared with the "
            f"labels of earlier batches (dtype {classes.dtype})"
        ) from None
    # position of each batch class in `merged` (merged keeps earlier codes stable)
    order = np.argsort(merged, kind="stable")
    where = order[np.searchsorted(merged, batch_classes, sorter=order)]
    return where[codes].astype(np.int64), merged
