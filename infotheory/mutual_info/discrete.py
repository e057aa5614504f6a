"""Mutual information between discrete variables from symbol counts."""

from __future__ import annotations

from .._base import InfoEstimator
from .._kernels.counting import counts_from_codes, joint_codes, symbol_codes
from .._validation import check_option
from ..entropy.discrete import discrete_entropy_from_counts

__all__ = ["DiscreteMI"]

_MI_METHODS = ("plugin", "miller_madow")


class DiscreteMI(InfoEstimator):
    r"""Mutual information between discrete variables (rows of ``X`` and of ``y`` are symbols).

    .. math:: \hat I(X;Y) = \hat H(X) + \hat H(Y) - \hat H(X, Y)

    with each entropy estimated from symbol counts by ``method`` (see
    :class:`~infotheory.entropy.DiscreteEntropy`). With ``"plugin"`` this is the maximum-likelihood
    value :math:`\sum_{x,y}\hat p(x,y)\log\frac{\hat p(x,y)}{\hat p(x)\hat p(y)}`, identical to
    :func:`sklearn.metrics.mutual_info_score`; it is biased upwards by about
    :math:`(m_x-1)(m_y-1)/(2N)` for independent variables. ``"miller_madow"`` adds the
    Miller–Madow term :math:`(m-1)/(2N)` to each entropy, i.e. subtracts
    :math:`(m_{xy} - m_x - m_y + 1)/(2N)` from the plug-in MI, and can be slightly negative.

    Values are in nats (``base=None``) or in the unit of ``base`` (``2``: bits).

    Parameters
    ----------
    method : {"plugin", "miller_madow"}, default="plugin"
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.

    Attributes
    ----------
    mutual_info_ : float
        The mutual information, in the unit of ``base``.
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
    """

    _result_attr = "mutual_info_"
    _requires_y = True
    _min_samples = 1

    def __init__(self, *, method="plugin", base=None):
        self.method = method
        self.base = base

    def _check_params(self):
        super()._check_params()
        check_option(self.method, "method", _MI_METHODS)

    def _estimate(self, X, y):
        cx, mx = symbol_codes(X)
        cy, my = symbol_codes(y)
        cxy, mxy = joint_codes(cx, mx, cy, my)
        h = [
            discrete_entropy_from_counts(counts_from_codes(c, m), self.method)
            for c, m in ((cx, mx), (cy, my), (cxy, mxy))
        ]
        return h[0] + h[1] - h[2]
