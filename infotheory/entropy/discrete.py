"""Entropy of discrete symbols: plug-in, Miller–Madow and Chao–Shen estimators."""

from __future__ import annotations

import numbers

import numpy as np
from scipy import special

from .. import chunked
from .._base import Estimate, InfoEstimator
from .._kernels.counting import counts_from_codes, symbol_codes
from .._params import StrOptions
from .._validation import check_labels

__all__ = ["DiscreteEntropy", "discrete_entropy_from_counts", "numeric_symbols"]


def numeric_symbols(A, name: str = "X"):
    """Code non-numeric symbols (strings, objects, pandas categoricals) as numbers.

    Each column is coded by :func:`~infotheory._validation.check_labels` (the class-label coding
    of :class:`~infotheory.MixedMI`: sorted distinct values to ``0..m-1``), so equal symbols
    get equal codes and distinct symbols distinct ones; a symbol's identity, not its code,
    determines every entropy. Numeric arrays are returned unchanged.
    """
    dtype = getattr(A, "dtype", None)
    if dtype is not None and getattr(dtype, "kind", "O") in "biuf":
        return A
    arr = np.asarray(A)
    if arr.dtype.kind in "biufc" or arr.ndim == 0 or arr.ndim > 2:
        return A  # numbers, or shapes the sample checks reject with their own message
    if arr.dtype.kind == "O":
        kinds = {type(v) for v in arr.ravel().tolist()}
        if all(issubclass(k, numbers.Number) for k in kinds):
            return arr.astype(np.float64)  # numbers stored as objects: the numeric path
        odd = [k for k in kinds if not issubclass(k, (numbers.Number, str, bytes))]
        if odd:
            raise TypeError(
                f"{name} holds a {odd[0].__name__}: every symbol argument must be a string or a "
                "number (or a pandas categorical of them)"
            )
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 1:
        return check_labels(arr, name=name).astype(np.float64)
    return np.column_stack([check_labels(arr[:, j], name=f"{name}[:, {j}]")
                            for j in range(arr.shape[1])]).astype(np.float64)


def _plugin_se(log_p: np.ndarray, n_free: int, counts: np.ndarray | None = None) -> float:
    r"""Delta-method standard error of a plug-in functional with influence ``log_p`` per sample.

    :math:`\mathrm{SE}^2 = \max(\widehat{\mathrm{Var}}(\mathrm{IF})/N - v_0,\; v_0)` with
    :math:`v_0 = \mathrm{free}/(2N^2)`, the variance of the :math:`\chi^2_{\mathrm{free}}/(2N)`
    limit where the first-order term vanishes (a uniform distribution for an entropy,
    independence for an MI), which the sample variance of the influence overstates by about
    :math:`v_0`. With ``counts``, ``log_p`` is given once per symbol and symbol ``i`` stands for
    ``counts[i]`` samples (the same variance, from merged counts of chunked input).
    """
    w = np.ones(log_p.shape[0]) if counts is None else np.asarray(counts, dtype=np.float64)
    n = float(w.sum())
    v0 = max(n_free, 0) / (2.0 * n * n)
    if n > 1:
        mean = float(w @ log_p) / n
        var = float(w @ (log_p - mean) ** 2) / (n - 1.0) / n
    else:
        var = 0.0
    return float(np.sqrt(max(var - v0, v0)))


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


def _entropy_of_rows(A: np.ndarray, method: str) -> Estimate:
    codes, m = symbol_codes(A)
    counts = counts_from_codes(codes, m)
    n = codes.shape[0]
    se = _plugin_se(np.log(counts[codes] / n), m - 1)
    return Estimate(discrete_entropy_from_counts(counts, method), standard_error=se)


class _SymbolInput:
    """Accept string, object and categorical symbols (coded by :func:`numeric_symbols`)."""

    def _validate_X(self, X, n_min, why):
        return super()._validate_X(numeric_symbols(X, "X"), n_min, why)


class DiscreteEntropy(_SymbolInput, InfoEstimator):
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
    array is accepted, and so are strings, objects and pandas categoricals (coded column by
    column as class labels are); each distinct value (row) is one symbol.

    ``standard_error_`` is the plug-in delta-method one,
    :math:`\sqrt{\widehat{\mathrm{Var}}(\log\hat p(X))/N}`, floored at the
    :math:`\chi^2_{m-1}/(2N)` spread of the uniform case where that term vanishes; it describes
    the sampling variability, not the bias (large when symbols are undersampled).

    Parameters
    ----------
    method : {"plugin", "miller_madow", "chao_shen"}, default="plugin"
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.

    Attributes
    ----------
    entropy_ : float
        The entropy, in the unit of ``base``.
    standard_error_ : float
        Delta-method standard error, in the unit of ``base``.
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
    >>> DiscreteEntropy(base=2).fit(["cat", "dog", "cat", "eel"]).entropy_
    1.5
    """

    _result_attr = "entropy_"
    _min_samples = 1
    _cli_name = "discrete"
    _parameter_constraints = {"method": [StrOptions(("plugin", "miller_madow", "chao_shen"))],
                              "base": ["base"]}
    _chunked = True  # numeric symbols; counts merged over chunks

    def __init__(self, *, method="plugin", base=None):
        self.method = method
        self.base = base

    def _estimate(self, X, y):
        return _entropy_of_rows(X, self.method)

    def _estimate_chunked(self, X, y):
        _, counts = chunked.distinct_rows(X, names=("X",))
        n = counts.sum()
        se = _plugin_se(np.log(counts / n), counts.size - 1, counts)
        return Estimate(discrete_entropy_from_counts(counts, self.method), standard_error=se)
