"""Ross's kNN mutual information between continuous features and class labels."""

from __future__ import annotations

import numpy as np
from scipy.special import digamma

from .._base import Estimate, InfoEstimator
from .._kernels import knn as _knn
from .._params import KNN_CONSTRAINTS
from .._validation import check_labels
from ._diagnostics import warn_if_above_label_entropy
from ._knn import _check_radii, _prepare, _terms_se

__all__ = ["MixedMI"]


class MixedMI(InfoEstimator):
    r"""kNN mutual information :math:`I(X;Y)` of continuous ``X`` and discrete labels ``y``.

    Ross's estimator (nats by default): for each sample :math:`i` of class :math:`y_i`, with
    :math:`N_{y_i}` samples, :math:`d_i` is the max-norm distance to its :math:`k_i`-th nearest
    neighbour *within its class* (:math:`k_i = \min(k, N_{y_i} - 1)`) and :math:`m_i` the number
    of samples of any class strictly closer than :math:`d_i`, the sample itself included:

    .. math:: \hat I = \psi(N) - \langle\psi(N_y)\rangle + \langle\psi(k_i)\rangle
              - \langle\psi(m_i)\rangle .

    Classes with a single sample have no within-class neighbour; as in scikit-learn's
    ``mutual_info_classif`` they are dropped, and :math:`N` counts the remaining samples. On 1-D
    ``X`` it equals scikit-learn's ``_compute_mi_cd`` on the same data (where the Euclidean
    metric of scikit-learn and the max-norm coincide).

    For discrete labels :math:`I(X;Y) \le H(Y)`: an estimate above the labels' entropy
    (Miller–Madow estimate) is returned with a
    :class:`~infotheory.mutual_info.DiscreteInputWarning`.

    Parameters
    ----------
    k : int, default=3
        Number of within-class neighbours.
    noise : float, default=0.0
        Relative jitter ``noise * max(1, mean|x|) * N(0, 1)`` added to every (scaled) column of
        ``X``; see :class:`KSGMI`. Off by default; repeated values raise an error suggesting it.
    standardize : bool, default=True
        Divide each column of ``X`` by its standard deviation first (as scikit-learn does).
    clip_negative : bool, default=False
        Return ``max(0, I)`` (scikit-learn clips silently).
    warn_discrete : bool, default=True
        Warn (:class:`~infotheory.mutual_info.DiscreteInputWarning`) when the
        estimate exceeds the labels' entropy in the sample.
    random_state : None, int, Generator or RandomState, default=None
        Seed of the jitter (only used when ``noise > 0``).
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.
    n_jobs : int or None, default=None
        Threads for the neighbour search, in scikit-learn's meaning: ``None`` is one thread
        unless in a :func:`joblib.parallel_config` context, ``-1`` all processors.

    Attributes
    ----------
    mutual_info_ : float
        The estimate, in the unit of ``base``.
    standard_error_ : float
        Standard error of the mean of the per-sample terms (a rough scale: neighbouring terms
        are correlated), in the unit of ``base``.
    n_samples_used_ : int
        Samples left after dropping single-sample classes.
    n_features_in_ : int
        Number of features of ``X`` seen in ``fit``.

    References
    ----------
    .. [1] B. C. Ross, "Mutual information between discrete and continuous data sets",
       *PLoS ONE* 9(2):e87357, 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory import MixedMI
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, size=5000)
    >>> X = rng.normal(size=5000) + 4.0 * y   # true I = 0.633 nats (by quadrature)
    >>> round(MixedMI().fit(X, y).mutual_info_, 2)
    0.63
    """

    _result_attr = "mutual_info_"
    _requires_y = True
    #: Duplicated rows break kNN distances: resampling subsamples without replacement.
    _duplicate_sensitive = True
    _cli_name = "mixed"
    _parameter_constraints = {**KNN_CONSTRAINTS, "clip_negative": ["boolean"],
                              "warn_discrete": ["boolean"]}

    def __init__(self, *, k=3, noise=0.0, standardize=True, clip_negative=False,
                 warn_discrete=True, random_state=None, base=None, n_jobs=None):
        self.k = k
        self.noise = noise
        self.standardize = standardize
        self.clip_negative = clip_negative
        self.warn_discrete = warn_discrete
        self.random_state = random_state
        self.base = base
        self.n_jobs = n_jobs

    def _min_samples_required(self):
        return 2, "a class needs 2 samples for a within-class neighbour"

    def _validate_y(self, y, X):
        return check_labels(y, n_samples=X.shape[0])

    def _estimate(self, X, y):
        (X,) = _prepare((X,), standardize=self.standardize, noise=self.noise,
                        random_state=self.random_state)
        counts = np.bincount(y)
        keep = counts[y] > 1
        if not keep.any():
            raise ValueError(
                f"y has {counts.size} classes, each with a single sample: MixedMI needs at least "
                "one class with 2 or more samples (y should be class labels, not a continuous "
                "target; use KSGMI for continuous y)"
            )
        X, y = np.ascontiguousarray(X[keep]), y[keep]
        n = X.shape[0]
        radius = np.empty(n)
        k_used = np.empty(n)
        for label in np.unique(y):  # loop over classes; the samples are handled by the kernels
            members = np.flatnonzero(y == label)
            k = min(self.k, members.size - 1)
            dist, _ = _knn.knn(np.ascontiguousarray(X[members]), k, "chebyshev", self.n_jobs)
            radius[members] = dist[:, -1]
            k_used[members] = k
        _check_radii(radius, self.k, "MixedMI")
        m = _knn.count_within(X, radius, strict=True, n_jobs=self.n_jobs) + 1
        terms = digamma(k_used) - digamma(counts[y]) - digamma(m)
        value = float(digamma(n) + terms.mean())
        if self.warn_discrete:
            warn_if_above_label_entropy(value, y, "MixedMI", base=self.base)
        value = max(0.0, value) if self.clip_negative else value
        return Estimate(value, {"n_samples_used_": int(n)}, standard_error=_terms_se(terms))
