"""Binned activation MI for information planes: I(T;Y) and I(X;T) from one hashing of T."""

from __future__ import annotations

from .. import chunked
from .._base import Estimate
from .._binning import _BinnedBase, _Counts, _input_codes, _labels_to_codes

__all__ = ["BinnedMI"]


class BinnedMI(_BinnedBase):
    r"""Mutual information of binned activations with the labels, I(T;Y), and the inputs, I(X;T).

    Each sample's row of binned activations of one layer is one discrete symbol :math:`t` (the
    binning is that of :class:`~infotheory.entropy.BinnedEntropy`, documented there); with
    plug-in probabilities over the observed symbols,

    .. math::

        I(T;Y) = H(T) - \sum_y \hat p(y)\, H(T \mid Y = y), \qquad
        I(X;T) = H(T) - H(T \mid X),

    in nats (``base=2``: bits, the unit of the papers). One pass digitises and hashes ``T``;
    :math:`H(T)`, :math:`H(T \mid Y)` and :math:`H(T \mid X)` all come from the symbol counts,
    so one call gives both coordinates of a layer's point in the information plane.

    Usage: ``BinnedMI(...).fit(T, y)`` stores :math:`I(T;Y)` in ``mutual_info_`` (also
    ``mi_ty_``), :math:`H(T)` in ``entropy_`` and :math:`I(X;T)` in ``mi_xt_``. Without
    ``inputs`` the inputs are taken to be distinct and the network deterministic, so
    :math:`H(T \mid X) = 0` and ``mi_xt_ = entropy_``; pass ``inputs=X`` (or precomputed input
    ids, shape ``(n_samples,)``, which is cheaper to hash than wide inputs) when inputs repeat.

    Parameters
    ----------
    binning : {"entropy_based", "fixed", "adaptive_range"}, default="entropy_based"
        Binning strategy, see :class:`~infotheory.entropy.BinnedEntropy`.
    n_bins : int, default=30
        Number of edges for ``"fixed"`` / ``"adaptive_range"``; of quantile edges for
        ``"entropy_based"`` (``n_bins + 2`` edges), as in the reference code.
    bin_range : (float, float), default=(-1.0, 1.0)
        Range of ``"fixed"`` binning.
    bin_size : float or None, default=None
        With ``binning="fixed"``, bin by ``floor(T / bin_size)`` (Saxe et al.: 0.07).
    activation : {None, "tanh", "relu"}, default=None
        Lower bound of adaptive binning: −1.000001 (tanh) or 0 (ReLU).
    lower_bound : float or None, default=None
        The lower bound when ``activation`` is None; None means the minimum of ``X`` in ``fit``.
    max_value : float or None, default=None
        Upper end of ``"adaptive_range"`` binning, e.g. the running maximum over all layers
        from :func:`~infotheory.entropy.adaptive_range_max`; None uses the maximum of ``X``.
    max_memory : int, float or str, default="4GB"
        Budget for the working copies; larger inputs are refused with a pointer to
        ``partial_fit``.
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.

    Attributes
    ----------
    mutual_info_ : float
        :math:`I(T;Y)`, in the unit of ``base``.
    mi_ty_ : float
        Same as ``mutual_info_``.
    mi_xt_ : float
        :math:`I(X;T)` (equal to ``entropy_`` when ``inputs`` was not given).
    entropy_ : float
        :math:`H(T)`.
    n_symbols_ : int
        Number of distinct binned rows observed.
    classes_ : ndarray
        The labels seen, in order of their codes.
    bin_edges_, lower_bound_, max_value_ : ndarray or float or None
        The fitted binning, see :class:`~infotheory.entropy.BinnedEntropy`.
    n_features_in_ : int
        Number of units seen in ``fit``.

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
    >>> from infotheory.mutual_info import BinnedMI
    >>> T = np.array([[0.1], [0.2], [0.7], [0.8]])
    >>> y = np.array([0, 0, 1, 1])
    >>> est = BinnedMI(binning="fixed", n_bins=3, bin_range=(0, 1), base=2).fit(T, y)
    >>> est.mutual_info_, est.mi_xt_  # two symbols, each fixing the label
    (1.0, 1.0)
    >>> est.fit(T, y, inputs=[0, 0, 1, 1]).mi_xt_  # repeated inputs: H(T|X) = 0 still
    1.0
    """

    _result_attr = "mutual_info_"
    _requires_y = True
    _side_inputs = ("inputs",)

    def _accumulate(self, counts, T, y, inputs=None):
        counts = _with_inputs(counts, inputs is not None)
        y_codes, classes = _labels_to_codes(y, T.shape[0], counts.classes)
        x_codes = None if inputs is None else _input_codes(inputs)
        self._count(counts, T, y_codes, x_codes)
        counts.classes = classes
        return counts

    def _validate_y_chunked(self, y, X):
        # the labels (one per sample) are read into memory, validated and encoded by _accumulate
        return chunked.materialise_small(y, "y")

    def _accumulate_chunked(self, counts, T, y):
        counts = _with_inputs(counts, False)  # chunked T takes no inputs (refused before)
        y_codes, classes = _labels_to_codes(y, T.shape[0], counts.classes)
        self._count_chunked(counts, T, y_codes)
        counts.classes = classes
        return counts

    def _estimate_from(self, counts):
        h = self._entropies(counts)
        mi_ty = h.t + h.y - h.ty
        return Estimate(
            mi_ty,
            in_unit={"entropy_": h.t, "mi_ty_": mi_ty,
                     "mi_xt_": h.t + h.x - h.tx if h.x is not None else h.t},
            attributes={"n_symbols_": int(counts.t.counts.size), "classes_": counts.classes},
        )


def _with_inputs(counts: _Counts | None, given: bool) -> _Counts:
    """``counts`` (fresh when None), checked to have inputs in every batch or in none."""
    counts = _Counts() if counts is None else counts
    if counts.has_inputs is None:
        counts.has_inputs = given
    elif counts.has_inputs != given:
        raise ValueError(
            "inputs must be given in every partial_fit call or in none: earlier batches "
            f"had inputs={'given' if counts.has_inputs else 'None'}, this one has "
            f"inputs={'None' if not given else 'given'}"
        )
    return counts
