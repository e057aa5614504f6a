"""Mutual information between discrete variables from symbol counts."""

from __future__ import annotations

import numpy as np

from .. import chunked
from .._base import Estimate, InfoEstimator
from .._kernels.counting import counts_from_codes, joint_codes, symbol_codes
from .._params import StrOptions
from ..entropy.discrete import (
    _plugin_se,
    _SymbolInput,
    discrete_entropy_from_counts,
    numeric_symbols,
)

__all__ = ["DiscreteMI"]

_MI_METHODS = ("plugin", "miller_madow")


class DiscreteMI(_SymbolInput, InfoEstimator):
    r"""Mutual information between discrete variables (rows of ``X`` and of ``y`` are symbols).

    .. math:: \hat I(X;Y) = \hat H(X) + \hat H(Y) - \hat H(X, Y)

    with each entropy estimated from symbol counts by ``method`` (see
    :class:`~infotheory.entropy.DiscreteEntropy`). With ``"plugin"`` this is the maximum-likelihood
    value :math:`\sum_{x,y}\hat p(x,y)\log\frac{\hat p(x,y)}{\hat p(x)\hat p(y)}`, identical to
    :func:`sklearn.metrics.mutual_info_score`; it is biased upwards by about
    :math:`(m_x-1)(m_y-1)/(2N)` for independent variables. ``"miller_madow"`` adds the
    Miller–Madow term :math:`(m-1)/(2N)` to each entropy, i.e. subtracts
    :math:`(m_{xy} - m_x - m_y + 1)/(2N)` from the plug-in MI, and can be slightly negative.

    Values are in nats (``base=None``) or in the unit of ``base`` (``2``: bits). Symbols may be
    numbers, strings, objects or pandas categoricals (coded column by column as class labels
    are, see :func:`~infotheory.entropy.discrete.numeric_symbols`).

    ``standard_error_`` is the plug-in delta-method one,
    :math:`\sqrt{\widehat{\mathrm{Var}}[\log \hat p(x,y)/(\hat p(x)\hat p(y))]/N}`, with the
    :math:`\chi^2_{(m_x-1)(m_y-1)}/(2N)` spread as floor and correction (under independence the
    first-order term vanishes; there it errs upward by up to 30 %); it describes sampling
    variability, not the bias.

    Parameters
    ----------
    method : {"plugin", "miller_madow"}, default="plugin"
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.

    Attributes
    ----------
    mutual_info_ : float
        The mutual information, in the unit of ``base``.
    standard_error_ : float
        Delta-method standard error, in the unit of ``base``.
    n_features_in_ : int
        Number of features (columns) of ``X`` seen in ``fit``.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Ch. 2.
    .. [2] G. A. Miller, "Note on the bias of information estimates", 1955.

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory import DiscreteMI
    >>> x = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    >>> round(DiscreteMI(base=2).fit(x, x // 2).mutual_info_, 10)  # y is the high bit of x
    1.0
    >>> DiscreteMI(base=2).fit(["a", "a", "b", "b"], ["x", "x", "y", "y"]).mutual_info_
    1.0
    """

    _result_attr = "mutual_info_"
    _requires_y = True
    _min_samples = 1
    _cli_name = "discrete"
    _parameter_constraints = {"method": [StrOptions(_MI_METHODS)], "base": ["base"]}
    _chunked = True  # numeric symbols; joint counts merged over chunks

    def __init__(self, *, method="plugin", base=None):
        self.method = method
        self.base = base

    def _validate_y(self, y, X):
        return super()._validate_y(numeric_symbols(y, "y"), X)

    def _estimate(self, X, y):
        cx, mx = symbol_codes(X)
        cy, my = symbol_codes(y)
        cxy, mxy = joint_codes(cx, mx, cy, my)
        counts = [counts_from_codes(c, m) for c, m in ((cx, mx), (cy, my), (cxy, mxy))]
        h = [discrete_entropy_from_counts(c, self.method) for c in counts]
        n = cx.shape[0]
        # pointwise MI log p(x,y) / (p(x) p(y)) of each sample: the influence of the plug-in MI
        pointwise = np.log(counts[2][cxy] * n / (counts[0][cx] * counts[1][cy]))
        se = _plugin_se(pointwise, (mx - 1) * (my - 1))
        return Estimate(h[0] + h[1] - h[2], standard_error=se)

    def _estimate_chunked(self, X, y):
        # the joint symbols' counts, merged over chunks, give both marginals' counts exactly
        rows, cxy = chunked.distinct_rows(X, y)
        n = cxy.sum()
        dx = X.shape[1]
        marginal = []
        for part in (rows[:, :dx], rows[:, dx:]):
            _, inverse = np.unique(part, axis=0, return_inverse=True)
            inverse = inverse.reshape(-1)
            c = np.rint(np.bincount(inverse, weights=cxy)).astype(np.int64)
            marginal.append((c, inverse))
        (cx, ix), (cy, iy) = marginal
        h = [discrete_entropy_from_counts(c, self.method) for c in (cx, cy, cxy)]
        pointwise = np.log(cxy * n / (cx[ix] * cy[iy]))
        se = _plugin_se(pointwise, (cx.size - 1) * (cy.size - 1), cxy)
        return Estimate(h[0] + h[1] - h[2], standard_error=se)
