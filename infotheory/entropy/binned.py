"""Binned entropy of network activations: each sample's row of binned values is one symbol.

The binning (fixed range or bin size, adaptive range, entropy-based) and the symbol counting live
here, in one place, and are shared by :class:`BinnedEntropy` and
:class:`infotheory.mutual_info.BinnedMI`.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._base import InfoEstimator
from .._kernels.binning import (
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
from .._validation import (
    DEFAULT_MAX_MEMORY,
    check_bool,
    check_labels,
    check_memory,
    check_option,
    check_param,
    check_samples,
    check_values,
)

__all__ = ["BinnedEntropy", "adaptive_range_max", "entropy_based_edges"]

_BINNINGS = ("fixed", "adaptive_range", "entropy_based")
_ACTIVATIONS = (None, "tanh", "relu")
# Lower bounds used by Chelombiev et al.'s code: just below tanh's range, and ReLU's zero.
_ACTIVATION_LOW = {"tanh": -1.000001, "relu": 0.0}


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
    u = sorted_distinct_except(values, float(low))
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

    def add(self, codes: np.ndarray, hashes: np.ndarray) -> np.ndarray:
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
        self.counts += np.bincount(sample_ids, minlength=self.counts.size)
        return sample_ids


def _input_codes(inputs: np.ndarray) -> np.ndarray:
    """Rows of the inputs as int64 codes: equal floats (0.0 and -0.0 alike) give equal codes."""
    return np.ascontiguousarray(inputs + 0.0).view(np.int64)


class _BinnedBase(InfoEstimator):
    """Binning, digitisation and symbol counting shared by BinnedEntropy and BinnedMI."""

    _abstract = True
    _min_samples = 1

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
        super()._check_params()
        check_option(self.binning, "binning", _BINNINGS)
        check_param(self.n_bins, "n_bins", numbers.Integral, low=2)
        check_option(self.activation, "activation", _ACTIVATIONS)
        check_param(self.lower_bound, "lower_bound", numbers.Real, allow_none=True, finite=True)
        check_param(self.max_value, "max_value", numbers.Real, allow_none=True, finite=True)
        check_param(self.bin_size, "bin_size", numbers.Real, low=0, low_inclusive=False,
                    allow_none=True, finite=True)
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
        # bin_range is checked on every path, so that a typo never passes unnoticed
        r = self.bin_range
        ok = (
            isinstance(r, tuple | list | np.ndarray)
            and np.ndim(r) == 1
            and len(r) == 2
            and all(isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)
                    for v in r)
            and np.isfinite(np.asarray(r, dtype=np.float64)).all()
            and r[0] < r[1]
        )
        if not ok:
            raise ValueError(
                "bin_range must be a pair (low, high) of finite numbers with low < high, "
                f"got {r!r}"
            )

    def _check_size(self, X) -> None:
        """Refuse before validation copies an array whose working copies exceed max_memory."""
        shape = getattr(X, "shape", None)
        if shape is None or len(shape) != 2:
            return
        n, d = (int(s) for s in shape)
        dtype = getattr(X, "dtype", None)
        copy = 0 if dtype == np.float64 else 8
        # a float64 copy (unless already float64) and at most 8 bytes of bin code per value
        check_memory(
            float(n) * d * (copy + 8), self.max_memory,
            what=f"binning the {n} x {d} activations",
            alternative="partial_fit over batches of rows (e.g. of a memory-mapped array)",
        )

    # -- binning ----------------------------------------------------------------------------

    def _resolved_low(self, T: np.ndarray) -> float:
        if self.activation is not None:
            return _ACTIVATION_LOW[self.activation]
        if self.lower_bound is not None:
            return float(self.lower_bound)
        return float(T.min())

    def _fit_edges(self, T: np.ndarray) -> None:
        """Learn the bin edges of this layer (the only place where the binning rule lives)."""
        self.max_value_ = None
        if self.binning == "fixed":
            if self.bin_size is not None:
                self.bin_edges_ = None
                self.lower_bound_ = None
                return
            low, high = (float(v) for v in self.bin_range)
            self.lower_bound_ = low
            self.bin_edges_ = np.linspace(low, high, self.n_bins)
            return
        low = self._resolved_low(T)
        t_min = float(T.min())
        if t_min < low:
            raise ValueError(
                f"X has values below the lower bound {low!r} (minimum {t_min!r}) required by "
                f"binning={self.binning!r}: set activation (tanh, relu) or lower_bound to the "
                "activation's true lower bound, or leave both None to use the data minimum"
            )
        self.lower_bound_ = low
        if self.binning == "adaptive_range":
            high = float(T.max()) if self.max_value is None else float(self.max_value)
            if high < low:
                raise ValueError(
                    f"max_value must be >= the lower bound {low!r}, got {high!r}"
                )
            self.max_value_ = high
            self.bin_edges_ = np.linspace(low, high, self.n_bins)
        else:
            self.bin_edges_ = entropy_based_edges(T, self.n_bins, low)

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

    def _new_state(self) -> dict:
        return {"t": _SymbolTable(), "n": 0}

    def _count(self, state: dict, T: np.ndarray, y_codes=None, x_codes=None) -> None:
        """Add one batch to the counts: T symbols, and (T, y), (x), (T, x) pairs when given."""
        t_ids = state["t"].add(*self._digitize(T))
        state["n"] += T.shape[0]
        if y_codes is not None:
            prev = state.get("y", np.zeros(0, np.int64))
            cur = np.bincount(y_codes)
            size = max(prev.size, cur.size)
            state["y"] = np.pad(prev, (0, size - prev.size)) + np.pad(cur, (0, size - cur.size))
            pairs = np.stack([t_ids, y_codes], axis=1)
            state.setdefault("ty", _SymbolTable()).add(pairs, _hash_int_rows(pairs))
        if x_codes is not None:
            x_ids = state.setdefault("x", _SymbolTable()).add(x_codes, _hash_int_rows(x_codes))
            pairs = np.stack([t_ids, x_ids], axis=1)
            state.setdefault("tx", _SymbolTable()).add(pairs, _hash_int_rows(pairs))

    def _entropies(self, state: dict) -> dict:
        """Plug-in entropies in nats of every accumulated variable."""
        out = {"t": plugin_entropy(state["t"].counts)}
        if "y" in state:
            out["y"] = plugin_entropy(state["y"])
            out["ty"] = plugin_entropy(state["ty"].counts)
        if "x" in state:
            out["x"] = plugin_entropy(state["x"].counts)
            out["tx"] = plugin_entropy(state["tx"].counts)
        return out

    # -- the contract -----------------------------------------------------------------------

    def _validate_y(self, y, X):
        # labels are validated (and encoded across batches) by BinnedMI itself
        return y

    def _start(self, X, y=None):
        """Validate ``X`` for a fresh fit and learn the edges."""
        self._check_size(X)
        T, _ = self._validate(X, y, reset=True)
        self._fit_edges(T)
        return T

    def _more(self, X, y=None):
        """Validate ``X`` against the fitted state (same features)."""
        check_is_fitted(self)
        self._check_size(X)
        T, _ = self._validate(X, y, reset=False)
        return T


class BinnedEntropy(_BinnedBase):
    r"""Entropy of binned activations, each sample's row of bins being one symbol.

    Every value of the layer's activations :math:`T` (shape ``(n_samples, n_units)``) is replaced
    by the left edge of its bin; each row of replaced values is one discrete symbol :math:`t`, and

    .. math:: H(T) = -\sum_t \hat p(t) \log \hat p(t), \qquad \hat p(t) = n_t / N

    is the plug-in entropy over the observed symbols, in nats (``base=2``: bits, the unit of the
    papers). The binning strategies of the information-plane literature, all per layer:

    ``"fixed"``
        ``edges = linspace(low, high, n_bins)`` over ``bin_range=(low, high)``, as in
        Shwartz-Ziv & Tishby's code (30 edges on [−1, 1]: 29 equal bins plus the value 1 itself);
        or, with ``bin_size`` set, bins ``floor(T / bin_size)`` (Saxe et al.: 0.07).
    ``"adaptive_range"``
        ``edges = linspace(low, M, n_bins)`` with ``M = max_value`` — the largest activation over
        all layers so far, non-decreasing over epochs (Chelombiev et al.; see
        :func:`adaptive_range_max`). ``max_value=None`` uses this ``X``'s maximum.
    ``"entropy_based"`` (default; EBAB, Chelombiev et al.'s default)
        ``[low] + [u[int(k·len(u)/n_bins)] for k < n_bins] + [u[-1]]`` with ``u`` the sorted
        distinct values other than ``low`` (:func:`entropy_based_edges`): each bin holds an
        equal share of distinct values, so the estimate is invariant to rescaling ReLU activity.

    ``low`` is the activation's lower bound: −1.000001 for ``activation="tanh"`` and 0 for
    ``"relu"`` (the reference code's values), ``lower_bound`` if given, else the minimum of ``X``.
    A value ``v`` goes to bin ``digitize(v, edges)`` (left edge ``edges[digitize(v, edges) − 1]``);
    values below the first edge form one bin of their own (the reference code would wrap them
    into the top bin), values at or above the last edge share the top bin.

    ``fit`` learns the edges and ``score`` applies them to new data. ``partial_fit`` accumulates
    symbol counts over batches of rows, so a layer larger than memory streams through: the state
    is one row of bin codes per distinct symbol (1 byte per unit with fewer than 255 edges, so at
    most a quarter of the float32 activations when every row is distinct). The edges are learned
    from the first batch, so streaming equals ``fit`` on the whole exactly for fixed binning and
    for ``adaptive_range`` with ``max_value`` given.

    Cost: one O(N·d) pass digitises and hashes the rows (no Python loop over samples); equal
    hashes are verified element by element, so a hash collision never merges two symbols.
    ``"entropy_based"`` adds finding the edges among the layer's distinct values: an exact
    two-pass selection for float32-valued activations (no sort), a linear-time bucket sort
    otherwise. The kernels release the GIL, so layers can be fitted in threads.

    Parameters
    ----------
    binning : {"entropy_based", "fixed", "adaptive_range"}, default="entropy_based"
        Binning strategy (see above).
    n_bins : int, default=30
        Number of edges for ``"fixed"`` / ``"adaptive_range"``, of quantile edges for
        ``"entropy_based"`` (``n_bins + 2`` edges in all), as in the reference code.
    bin_range : (float, float), default=(-1.0, 1.0)
        Range of ``"fixed"`` binning (Shwartz-Ziv & Tishby use tanh's [−1, 1]).
    bin_size : float or None, default=None
        With ``binning="fixed"``, bin by ``floor(T / bin_size)`` instead of ``bin_range``.
    activation : {None, "tanh", "relu"}, default=None
        Sets the lower bound of ``"adaptive_range"`` / ``"entropy_based"`` binning.
    lower_bound : float or None, default=None
        The lower bound when ``activation`` is None; None means the minimum of ``X`` in ``fit``.
    max_value : float or None, default=None
        Upper end of ``"adaptive_range"`` binning (None: the maximum of ``X`` in ``fit``).
    max_memory : int, float or str, default="4GB"
        Budget for the working copies (float64 values and bin codes); larger inputs are refused
        with a pointer to ``partial_fit``.
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.

    Attributes
    ----------
    entropy_ : float
        :math:`H(T)`, in the unit of ``base``.
    n_symbols_ : int
        Number of distinct binned rows observed.
    bin_edges_ : ndarray or None
        The fitted edges (None for a fixed ``bin_size``).
    lower_bound_ : float or None
        The lower bound used (None for a fixed ``bin_size``).
    max_value_ : float or None
        The upper end used by ``"adaptive_range"`` binning.
    n_features_in_ : int
        Number of units seen in ``fit``.

    See Also
    --------
    infotheory.mutual_info.BinnedMI : I(X;T) and I(T;Y) with the same binning.

    References
    ----------
    .. [1] R. Shwartz-Ziv and N. Tishby, "Opening the black box of deep neural networks via
       information", arXiv:1703.00810, 2017.
    .. [2] A. M. Saxe et al., "On the information bottleneck theory of deep learning", ICLR 2018.
    .. [3] I. Chelombiev, C. Houghton and C. O'Donnell, "Adaptive estimators show information
       compression in deep neural networks", ICLR 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory.entropy import BinnedEntropy
    >>> T = np.array([[0.1, 0.9], [0.1, 0.9], [0.5, 0.2], [0.6, 0.2]])
    >>> est = BinnedEntropy(binning="fixed", n_bins=3, bin_range=(0, 1)).fit(T)
    >>> est.bin_edges_
    array([0. , 0.5, 1. ])
    >>> round(est.entropy_, 6)  # rows (0, 0.5), (0, 0.5), (0.5, 0), (0.5, 0): two symbols
    0.693147
    >>> BinnedEntropy(binning="fixed", n_bins=3, bin_range=(0, 1), base=2).fit(T).entropy_
    1.0
    """

    _result_attr = "entropy_"

    def _store(self, state: dict) -> None:
        self._state = state
        self.n_symbols_ = int(state["t"].counts.size)
        self.entropy_ = self._in_unit(self._entropies(state)["t"])

    def fit(self, X, y=None):
        """Learn the bin edges on ``X`` and estimate :math:`H(T)`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_units)
            Activations of one layer.
        y : None
            Ignored.

        Returns
        -------
        self
        """
        T = self._start(X)
        state = self._new_state()
        self._count(state, T)
        self._store(state)
        return self

    def partial_fit(self, X, y=None):
        """Add a batch of rows to the counts (the first call learns the edges).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_units)
            A batch of activations of one layer.
        y : None
            Ignored.

        Returns
        -------
        self
        """
        if not hasattr(self, "_state"):
            return self.fit(X)
        T = self._more(X)
        self._count(self._state, T)
        self._store(self._state)
        return self

    def score(self, X, y=None) -> float:
        """:math:`H(T)` of ``X`` binned with the fitted edges, in the unit of ``base``."""
        T = self._more(X)
        state = self._new_state()
        self._count(state, T)
        return self._in_unit(self._entropies(state)["t"])


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


def _check_inputs(inputs, n: int) -> np.ndarray:
    """Validated inputs X (one row per sample) as int64 codes of their float64 values."""
    arr = check_samples(inputs, name="inputs")
    if arr.shape[0] != n:
        raise ValueError(
            f"X and inputs must have the same number of samples: X has {n}, inputs has "
            f"{arr.shape[0]} (shape={arr.shape})"
        )
    return _input_codes(arr)
