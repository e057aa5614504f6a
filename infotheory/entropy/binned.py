"""Binned entropy of network activations: each sample's row of binned values is one symbol.

The binning rules and the symbol counting live in :mod:`infotheory._binning`, shared with
:class:`infotheory.mutual_info.BinnedMI`; the binning functions are public here.
"""

from __future__ import annotations

from .._base import Estimate
from .._binning import _BinnedBase, _Counts, adaptive_range_max, entropy_based_edges

__all__ = ["BinnedEntropy", "adaptive_range_max", "entropy_based_edges"]


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

    def _accumulate(self, counts, T, y=None):
        counts = _Counts() if counts is None else counts
        self._count(counts, T)
        return counts

    def _accumulate_chunked(self, counts, T, y=None):
        counts = _Counts() if counts is None else counts
        self._count_chunked(counts, T)
        return counts

    def _estimate_from(self, counts):
        return Estimate(self._entropies(counts).t,
                        attributes={"n_symbols_": int(counts.t.counts.size)})
