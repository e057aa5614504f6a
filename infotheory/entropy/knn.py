"""Kozachenko–Leonenko kNN differential entropy, plain and weighted (Berrett et al. 2019)."""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy.special import digamma, gammaln

from .._base import Estimate, InfoEstimator
from .._kernels import knn as _knn
from .._params import Interval, StrOptions
from .._validation import pow2_scale

__all__ = ["KLEntropy", "kl_weights", "unit_ball_log_volume"]


def unit_ball_log_volume(d: int, metric: str) -> float:
    """log of the volume of the unit ball of the norm in ``d`` dimensions."""
    if metric == "chebyshev":
        return d * math.log(2.0)
    return 0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d + 1.0)


def kl_weights(k: int, d: int) -> np.ndarray:
    r"""Minimum-norm weights of the weighted Kozachenko–Leonenko estimator (Berrett et al. 2019).

    Solves :math:`\min \|w\|_2` subject to :math:`\sum_{j=1}^k w_j = 1` and
    :math:`\sum_{j=1}^k w_j\,\Gamma(j + 2l/d)/\Gamma(j) = 0` for :math:`l = 1..\lfloor d/4\rfloor`
    (the choice of the authors' ``L2OptW``). For :math:`d < 4` there is no constraint and
    :math:`w = e_k` (the plain estimator).

    Parameters
    ----------
    k : int
        Largest neighbour rank used; needs :math:`k > \lfloor d/4 \rfloor`.
    d : int
        Dimension of the data.

    Returns
    -------
    ndarray of shape (k,)

    Examples
    --------
    >>> w = kl_weights(5, 8)
    >>> round(float(w.sum()), 12)
    1.0
    """
    n_constraints = d // 4
    if n_constraints == 0:
        w = np.zeros(k)
        w[-1] = 1.0
        return w
    if k <= n_constraints:
        raise ValueError(
            f"weighted=True needs k > floor(d/4) = {n_constraints} at d={d} (one weight per "
            f"constraint plus one), got k={k}; increase k or use weighted=False"
        )
    j = np.arange(1, k + 1, dtype=np.float64)
    G = np.vstack([np.ones(k)] + [np.exp(gammaln(j + 2.0 * l / d) - gammaln(j))
                                  for l in range(1, n_constraints + 1)])
    target = np.zeros(n_constraints + 1)
    target[0] = 1.0
    # lstsq returns the minimum-norm solution of the under-determined system
    w, *_ = np.linalg.lstsq(G, target, rcond=None)
    if np.abs(G @ w - target).max() > 1e-8:
        raise ValueError(
            f"the weight constraints at d={d}, k={k} are numerically unsolvable; "
            "increase k or use weighted=False"
        )
    return w


class KLEntropy(InfoEstimator):
    r"""Kozachenko–Leonenko kNN differential entropy :math:`h(X)` (nats by default).

    With :math:`\varepsilon_i` the distance from sample :math:`i` to its :math:`k`-th nearest
    neighbour and :math:`V_d` the volume of the unit ball of the norm (Euclidean
    :math:`\pi^{d/2}/\Gamma(d/2 + 1)`, max-norm :math:`2^d`),

    .. math:: \hat h = \psi(N) - \psi(k) + \log V_d + \frac{d}{N}\sum_{i=1}^N \log\varepsilon_i .

    The weighted estimator (``weighted=True``) of Berrett, Samworth & Yuan averages the ranks
    :math:`j = 1..k`,

    .. math:: \hat h_w = \sum_{j=1}^k w_j \Big[\psi(N) - \psi(j) + \log V_d
              + \frac{d}{N}\sum_i \log\rho_{(j),i}\Big],

    with the weights of :func:`kl_weights`, which cancel the leading bias terms and make the
    estimator efficient in dimension :math:`d \ge 4` (Berrett et al. use :math:`\log(N-1)` for
    :math:`\psi(N)`; the difference is :math:`O(1/N)`, and with :math:`w = e_k` the two
    estimators coincide exactly here).

    The weights grow with the number of constraints (their norm is 16 at :math:`k = 5, d = 8`
    and 4.4 at :math:`k = 20`), so the weighted estimator needs a larger :math:`k` than the
    plain one to keep its variance comparable.

    Parameters
    ----------
    k : int, default=3
        Neighbour rank (for the weighted estimator, the largest rank used).
    metric : {"euclidean", "chebyshev"}, default="euclidean"
        Norm of the neighbour distances.
    weighted : bool or "auto", default=False
        Use the weighted estimator. ``"auto"`` chooses it when it has constraints to satisfy,
        i.e. when :math:`d \ge 4` and :math:`k > \lfloor d/4 \rfloor`; the choice is stored in
        ``weighted_``.
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.
    n_jobs : int or None, default=None
        Threads for the neighbour search, in scikit-learn's meaning: ``None`` is one thread
        unless in a :func:`joblib.parallel_config` context, ``-1`` all processors.

    Attributes
    ----------
    entropy_ : float
        The entropy, in the unit of ``base``.
    weighted_ : bool
        Whether the weighted estimator was used.
    weights_ : ndarray of shape (k,)
        The weights :math:`w_j` (``e_k`` for the plain estimator).
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    Repeated samples (a :math:`k`-th neighbour at distance 0) make :math:`\log\varepsilon_i`
    infinite: they raise a ``ValueError`` with their count. Add noise explicitly if the data are
    continuous but rounded.

    References
    ----------
    .. [1] L. F. Kozachenko and N. N. Leonenko, "Sample estimate of the entropy of a random
       vector", *Problems Inform. Transmission* 23(2):95-101, 1987.
    .. [2] T. B. Berrett, R. J. Samworth and M. Yuan, "Efficient multivariate entropy estimation
       via k-nearest neighbour distances", *Ann. Statist.* 47(1):288-318, 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory import KLEntropy
    >>> X = np.random.default_rng(0).normal(size=(10_000, 2))
    >>> round(KLEntropy().fit(X).entropy_, 1)  # true value log(2πe) = 2.84
    2.8
    """

    _result_attr = "entropy_"
    #: Duplicated rows break kNN distances: resampling subsamples without replacement.
    _duplicate_sensitive = True
    _cli_name = "kl"
    _parameter_constraints = {
        "k": [Interval(numbers.Integral, 1, None, closed="left")],
        "metric": [StrOptions(("euclidean", "chebyshev"))],
        "weighted": ["boolean", StrOptions(("auto",))],
        "base": ["base"],
        "n_jobs": ["n_jobs"],
    }

    def __init__(self, *, k=3, metric="euclidean", weighted=False, base=None, n_jobs=None):
        self.k = k
        self.metric = metric
        self.weighted = weighted
        self.base = base
        self.n_jobs = n_jobs

    def _min_samples_required(self):
        return self.k + 1, f"k={self.k} neighbours need k + 1 samples"

    def _estimate(self, X, y):
        n, d = X.shape
        k = self.k
        if isinstance(self.weighted, str):  # "auto"
            weighted = d >= 4 and k > d // 4
        else:
            weighted = bool(self.weighted)
        weights = kl_weights(k, d) if weighted else np.eye(k)[-1]
        ranks = np.flatnonzero(weights)
        # A power-of-two scale (exact) keeps squared distances of data of magnitude 1e300 or
        # 1e-300 finite and nonzero; h(aX) = h(X) + d log a adds it back.
        X, e = pow2_scale(X)
        dist, _ = _knn.knn(X, k, self.metric, self.n_jobs)
        used = dist[:, ranks]
        n_zero = int(np.count_nonzero((used <= 0).any(axis=1)))
        if n_zero:
            raise ValueError(
                f"X has {n_zero} sample(s) whose k-th nearest neighbour (k={k}) is at distance 0 "
                "(repeated values): the kNN entropy is -inf for discrete data. Add jitter "
                "explicitly (e.g. X + 1e-10 * rng.standard_normal(X.shape)) if the data are "
                "rounded continuous values, or use DiscreteEntropy."
            )
        mean_log = np.log(used).mean(axis=0)
        per_rank = digamma(n) - digamma(ranks + 1.0) + unit_ball_log_volume(d, self.metric) \
            + d * (mean_log + float(e) * math.log(2.0))
        return Estimate(float(weights[ranks] @ per_rank),
                        attributes={"weighted_": weighted, "weights_": weights})
