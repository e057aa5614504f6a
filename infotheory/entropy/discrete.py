"""Entropy of discrete symbols: plug-in, Miller–Madow and Chao–Shen estimators."""

from __future__ import annotations

import numpy as np
from scipy import special

from .._base import InfoEstimator
from .._kernels.counting import counts_from_codes, symbol_codes
from .._validation import check_option

__all__ = ["DiscreteEntropy", "discrete_entropy_from_counts"]


def _plugin(counts: np.ndarray, n: int) -> float:
    # H = log N - (1/N) sum c log c, exact for counts without forming probabilities
    return float(np.log(n) - special.xlogy(counts, counts).sum() / n)


def _miller_madow(counts: np.ndarray, n: int) -> float:
    return _plugin(counts, n) + (counts.size - 1) / (2.0 * n)


def _chao_shen(counts: np.ndarray, n: int) -> float:
    f1 = int(np.count_nonzero(counts == 1))
    if f1 == n:  # all singletons: coverage 0 would make every probability 0
        f1 = n - 1
    coverage = 1.0 - f1 / n
    p = coverage * counts / n
    # Horvitz–Thompson: each symbol weighted by its inclusion probability 1 - (1 - p)^N
    inclusion = -np.expm1(n * np.log1p(-p))
    return float(-(special.xlogy(p, p) / inclusion).sum())


_METHODS = {"plugin": _plugin, "miller_madow": _miller_madow, "chao_shen": _chao_shen}


def discrete_entropy_from_counts(counts, method: str = "plugin") -> float:
    """Entropy in nats from positive symbol counts, by one of ``plugin``, ``miller_madow``,
    ``chao_shen`` (see :class:`DiscreteEntropy`). ``counts`` must be validated by the caller."""
    counts = np.asarray(counts, dtype=np.float64)
    counts = counts[counts > 0]
    return _METHODS[method](counts, int(round(counts.sum())))


def _entropy_of_rows(A: np.ndarray, method: str) -> float:
    codes, m = symbol_codes(A)
    return discrete_entropy_from_counts(counts_from_codes(codes, m), method)


class DiscreteEntropy(InfoEstimator):
    r"""Shannon entropy of discrete symbols (each row of ``X`` is one joint symbol).

    With :math:`c_i` the count of symbol :math:`i`, :math:`N` samples and :math:`m` observed
    symbols:

    ``"plugin"`` (maximum likelihood)
        :math:`\hat H = -\sum_i \frac{c_i}{N}\log\frac{c_i}{N}`; biased low by about
        :math:`(m-1)/(2N)`.
    ``"miller_madow"``
        :math:`\hat H_{MM} = \hat H + \frac{m-1}{2N}` [1]_.
    ``"chao_shen"``
        coverage :math:`C = 1 - f_1/N` (:math:`f_1` singletons; :math:`f_1 = N-1` when every
        symbol is a singleton), :math:`\tilde p_i = C c_i/N` and the Horvitz–Thompson sum
        :math:`\hat H_{CS} = -\sum_i \frac{\tilde p_i\log\tilde p_i}{1-(1-\tilde p_i)^N}` [2]_,
        which accounts for unseen symbols (undersampled regime).

    Values are in nats (``base=None``) or in the unit of ``base`` (``2``: bits). Any numeric
    array is accepted; each distinct value (row) is one symbol.

    Parameters
    ----------
    method : {"plugin", "miller_madow", "chao_shen"}, default="plugin"
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.

    Attributes
    ----------
    entropy_ : float
        The entropy, in the unit of ``base``.
    n_features_in_ : int
        Number of features (columns) seen in ``fit``.

    References
    ----------
    .. [1] G. A. Miller, "Note on the bias of information estimates", in *Information Theory in
       Psychology*, 1955, pp. 95-100.
    .. [2] A. Chao and T.-J. Shen, "Nonparametric estimation of Shannon's index of diversity when
       there are unseen species in sample", *Environmental and Ecological Statistics* 10:429-443,
       2003.

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory import DiscreteEntropy
    >>> x = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    >>> round(DiscreteEntropy(base=2).fit(x).entropy_, 10)  # 4 equiprobable symbols
    2.0
    >>> round(DiscreteEntropy(method="miller_madow").fit(x).entropy_, 4)  # log 4 + 3/16
    1.5738
    >>> XY = np.array([[0, 0], [0, 1], [0, 0], [1, 1]])  # rows are joint symbols
    >>> round(DiscreteEntropy().fit(XY).entropy_, 4)
    1.0397
    """

    _result_attr = "entropy_"
    _min_samples = 1

    def __init__(self, *, method="plugin", base=None):
        self.method = method
        self.base = base

    def _check_params(self):
        super()._check_params()
        check_option(self.method, "method", tuple(_METHODS))

    def _estimate(self, X, y):
        return _entropy_of_rows(X, self.method)
