"""Frenzel–Pompe kNN conditional mutual information I(X; Y | Z)."""

from __future__ import annotations

import numpy as np
from scipy.special import digamma

from .._base import Estimate, InfoEstimator
from .._kernels import knn as _knn
from .._params import KNN_CONSTRAINTS
from ._knn import _check_radii, _estimate_with_checks, _prepare, _terms_se
from .ksg import _ksg

__all__ = ["ConditionalMI"]


class ConditionalMI(InfoEstimator):
    r"""Frenzel–Pompe kNN conditional mutual information :math:`I(X;Y\mid Z)` (nats by default).

    With :math:`\varepsilon_i` the max-norm distance to the :math:`k`-th neighbour in the joint
    space :math:`(X, Y, Z)` and :math:`n_{xz}, n_{yz}, n_z` the numbers of other samples strictly
    closer than :math:`\varepsilon_i` in the subspaces :math:`(X,Z)`, :math:`(Y,Z)` and :math:`Z`,

    .. math:: \hat I(X;Y\mid Z) = \psi(k) - \langle \psi(n_{xz}+1) + \psi(n_{yz}+1)
              - \psi(n_z+1) \rangle .

    ``X`` or ``y`` with at most 20 distinct values (class labels) get a
    :class:`~infotheory.mutual_info.DiscreteInputWarning`.

    Without ``z`` (``z=None``) every other sample counts in the empty space :math:`Z`
    (:math:`n_z = N - 1`), and the formula is exactly KSG algorithm 1 (:class:`KSGMI` with
    ``algorithm=1``), which is what is computed then.

    Usage: ``fit(X, y, z=z)`` (and ``score(X, y, z=z)``), ``z`` of shape ``(n_samples,)`` or
    ``(n_samples, n_features_z)``.

    Parameters
    ----------
    k : int, default=3
        Number of neighbours.
    noise : float, default=0.0
        Relative jitter ``noise * max(1, mean|x|) * N(0, 1)`` added to every (scaled) column;
        see :class:`KSGMI`. Off by default; repeated values raise an error suggesting it.
    standardize : bool, default=True
        Divide each column of X, y and z by its standard deviation first.
    warn_discrete : bool, default=True
        Warn (:class:`~infotheory.mutual_info.DiscreteInputWarning`) when ``X`` or
        ``y`` takes at most 20 distinct values (class labels), with their entropy.
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
        The conditional MI, in the unit of ``base``.
    standard_error_ : float
        Standard error of the mean of the per-sample terms (a rough scale: neighbouring terms
        are correlated), in the unit of ``base``.
    n_features_in_ : int
        Number of features of ``X`` seen in ``fit``.

    References
    ----------
    .. [1] S. Frenzel and B. Pompe, "Partial mutual information for coupling analysis of
       multivariate time series", *Phys. Rev. Lett.* 99:204101, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory import ConditionalMI
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=2000)
    >>> x = z + rng.normal(size=2000)
    >>> y = z + rng.normal(size=2000)   # X and Y depend only through Z
    >>> abs(ConditionalMI().fit(x, y, z=z).mutual_info_) < 0.05
    True
    """

    _result_attr = "mutual_info_"
    _requires_y = True
    _side_inputs = ("z",)
    #: Duplicated rows break kNN distances: resampling subsamples without replacement.
    _duplicate_sensitive = True
    _parameter_constraints = {**KNN_CONSTRAINTS, "warn_discrete": ["boolean"]}

    def __init__(self, *, k=3, noise=0.0, standardize=True, warn_discrete=True,
                 random_state=None, base=None, n_jobs=None):
        self.k = k
        self.noise = noise
        self.standardize = standardize
        self.warn_discrete = warn_discrete
        self.random_state = random_state
        self.base = base
        self.n_jobs = n_jobs

    def _min_samples_required(self):
        return self.k + 1, f"k={self.k} neighbours need k + 1 samples"

    def _estimate(self, X, y, z=None):
        # a discrete z is a legitimate condition; discrete X or y are not kNN material
        checked = {"X": X, "y": y} if self.warn_discrete else {}
        value, se = _estimate_with_checks(lambda: self._cmi(X, y, z), checked,
                                          "ConditionalMI", self.base)
        return Estimate(value, standard_error=se)

    def _cmi(self, X, Y, Z) -> tuple[float, float]:
        """The estimate in nats and the standard error of its per-sample terms."""
        arrays = (X, Y) if Z is None else (X, Y, Z)
        prepared = _prepare(arrays, standardize=self.standardize, noise=self.noise,
                            random_state=self.random_state)
        if Z is None:
            return _ksg(prepared[0], prepared[1], self.k, 1, self.n_jobs, "ConditionalMI")
        X, Y, Z = prepared
        k, n_jobs = self.k, self.n_jobs
        dist, _ = _knn.knn(np.ascontiguousarray(np.hstack([X, Y, Z])), k, "chebyshev", n_jobs)
        eps = dist[:, -1]
        _check_radii(eps, k, "ConditionalMI")
        n_xz = _knn.count_within(np.hstack([X, Z]), eps, strict=True, n_jobs=n_jobs)
        n_yz = _knn.count_within(np.hstack([Y, Z]), eps, strict=True, n_jobs=n_jobs)
        n_z = _knn.count_within(Z, eps, strict=True, n_jobs=n_jobs)
        terms = digamma(n_xz + 1) + digamma(n_yz + 1) - digamma(n_z + 1)
        return float(digamma(k) - terms.mean()), _terms_se(terms)
