"""Parametric mutual information: the Gaussian closed form and the Gaussian-copula estimator."""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from .. import chunked
from .._base import Estimate, InfoEstimator
from .._kernels.linalg import logdet_psd, whiten_rows
from .._validation import (
    DEFAULT_MAX_MEMORY,
    check_bool,
    check_covariance_memory,
    check_paired,
    pow2_scale,
)
from ._diagnostics import (
    drop_constant_columns,
    label_like_inputs,
    warn_constant_columns,
    warn_label_like_inputs,
)

__all__ = [
    "GaussianMI",
    "GaussianCopulaMI",
    "gaussian_mi",
    "gaussian_copula_mi",
    "gaussian_copula_mi_se",
]


def _copula_normalize(A: np.ndarray) -> np.ndarray:
    """Map each column to standard-normal scores ``ndtri(rank / (n + 1))``.

    Ties get their average rank, so tied values stay tied and the result depends only on the
    order of the values: any strictly increasing transform of a column leaves it unchanged.
    """
    ranks = stats.rankdata(A, axis=0, method="average")
    return special.ndtri(ranks / (A.shape[0] + 1.0))


def _half_logdets(X: np.ndarray, Y: np.ndarray, bias_correct: bool) -> tuple[float, float, float]:
    """½ log det of the sample covariances of X, Y and (X, Y), optionally made unbiased.

    With :math:`(n-1) S \\sim W_d(n-1, \\Sigma)` (Gaussian data),
    :math:`E[\\log\\det S] = \\log\\det\\Sigma + d\\log\\frac{2}{n-1} + \\sum_{i=1}^{d}
    \\psi\\!\\left(\\frac{n-i}{2}\\right)`; subtracting the excess gives an unbiased estimate of
    :math:`\\log\\det\\Sigma` (Ince et al. 2017, eq. A.3; Misra, Singh & Demchuk 2005).
    """
    # Each column scaled by a power of two (exact): the log-determinants shift by constants
    # that cancel in the MI, and data of magnitude 1e300 or 1e-300 no longer overflows or
    # underflows in the covariance.
    XY = np.hstack([pow2_scale(X, axis=0)[0], pow2_scale(Y, axis=0)[0]])
    cov = np.atleast_2d(np.cov(XY, rowvar=False, ddof=1))
    return _half_logdets_of_cov(cov, X.shape[0], X.shape[1], bias_correct)


def _half_logdets_of_cov(cov: np.ndarray, n: int, dx: int, bias_correct: bool):
    """:func:`_half_logdets` from the joint covariance of ``n`` samples (X's ``dx`` first)."""
    d = cov.shape[0]
    half = [
        0.5 * logdet_psd(np.ascontiguousarray(cov[:dx, :dx]), name="covariance of X"),
        0.5 * logdet_psd(np.ascontiguousarray(cov[dx:, dx:]), name="covariance of y"),
        0.5 * logdet_psd(cov, name="joint covariance of (X, y)"),
    ]
    if bias_correct:
        excess = _half_logdet_excess(n, d)
        half[0] -= excess[dx - 1]
        half[1] -= excess[d - dx - 1]
        half[2] -= excess[d - 1]
    return half[0], half[1], half[2]


def _half_logdet_excess(n: int, d: int) -> np.ndarray:
    """E[½ log det S] - ½ log det Σ for the leading 1..d variables of n Gaussian samples."""
    return np.cumsum(
        0.5 * special.digamma((n - np.arange(1, d + 1)) / 2.0)
        + 0.5 * (math.log(2.0) - math.log(n - 1.0))
    )


def _gaussian_mi_bias(n: int, dx: int, dy: int) -> float:
    """Expected excess of the plug-in Gaussian MI over the truth, about d_x d_y / (2n)."""
    excess = _half_logdet_excess(n, dx + dy)
    return float(excess[dx - 1] + excess[dy - 1] - excess[dx + dy - 1])


def _gaussian_mi_nats(X: np.ndarray, Y: np.ndarray, bias_correct: bool = False,
                      max_memory=DEFAULT_MAX_MEMORY) -> float:
    check_covariance_memory(X.shape[0], X.shape[1] + Y.shape[1], max_memory, "(X, Y)")
    hx, hy, hxy = _half_logdets(X, Y, bias_correct)
    return float(hx + hy - hxy)


def _chunked_gaussian_mi(X, Y, owner: str, *, copula: bool, bias_correct: bool) -> Estimate:
    """:func:`_checked_gaussian_mi` for row-chunked Dask arrays, merged over chunks.

    The joint covariance (of the normal scores, ranked exactly across chunks, for the copula) is
    a reduction over chunks; constant columns (zero variance) are left out with the same warning;
    a second pass gives the delta-method standard error from each sample's Mahalanobis norms.
    The label-like check needs the values in memory and is not made.
    """
    transform = _chunked_copula_scores(X, Y) if copula else None
    n, mean, M = chunked.moments(X, Y, names=("X", "y"), transform=transform)
    dx, d = X.shape[1], M.shape[0]
    zero = np.diag(M) == 0  # exactly 0 for a constant column (each chunk's deviations are 0)
    kept = []
    for cols, name, offset in ((np.arange(dx), "X", 0), (np.arange(d - dx), "y", dx)):
        keep = warn_constant_columns(np.flatnonzero(zero[cols + offset]), cols.size, name, owner)
        kept.append(offset + (cols if keep is None else keep))
    if kept[0].size == 0 or kept[1].size == 0:  # a constant variable shares no information
        return Estimate(0.0, standard_error=0.0)
    keep = np.concatenate(kept)
    kx = kept[0].size
    cov = M[np.ix_(keep, keep)] / (n - 1.0)
    hx, hy, hxy = _half_logdets_of_cov(cov, n, kx, bias_correct)
    factors = _cholesky_factors(cov, kx)
    centre = mean[keep]

    def influence(A, index):
        A = (transform(A, index) if transform is not None else A)[:, keep] - centre
        return _influence(A, factors, kx)[:, None]

    n_if, _, M_if = chunked.moments(X, Y, names=("X", "y"), transform=influence)
    se = _se_of_influence(float(M_if[0, 0]) / (n_if - 1.0), n, kx, keep.size - kx)
    return Estimate(float(hx + hy - hxy), standard_error=se)


def _chunked_copula_scores(X, Y):
    """Block transform to normal scores with ranks exact across chunks (ties averaged)."""
    n = X.shape[0]
    tables = chunked.column_value_counts(X, "X") + chunked.column_value_counts(Y, "y")

    def scores(A, index):
        return special.ndtri(chunked.average_ranks(A, tables) / (n + 1.0))

    return scores


def _mi_standard_error(X: np.ndarray, Y: np.ndarray) -> float:
    r"""Standard error of the Gaussian MI estimate by the delta method (influence function).

    The influence function of :math:`\log\det\hat\Sigma` at a sample z is
    :math:`(z-\mu)^T\Sigma^{-1}(z-\mu) - d`, so that of :math:`\hat I` is
    :math:`\tfrac12 (q_x + q_y - q_{xy})` with q the squared Mahalanobis norms, and
    :math:`\mathrm{Var}(\hat I) \approx \mathrm{Var}(\mathrm{IF})/n`. That first-order term
    vanishes under independence, where :math:`2n\hat I \to \chi^2_{d_x d_y}` (variance
    :math:`v_0 = d_x d_y / (2n^2)`), but its sample version does not: the estimated covariances
    add about :math:`2 v_0` to it. Hence :math:`\mathrm{SE}^2 = \max(\widehat{\mathrm{Var}}
    (\mathrm{IF})/n - v_0,\; v_0)`, which matches the spread over seeds within 20 % from
    independence to strong dependence (tests/mutual_info/test_gaussian.py).
    """
    n, dx = X.shape
    # each column scaled by a power of two (exact): the Mahalanobis norms are unchanged
    A = np.hstack([pow2_scale(X, axis=0)[0], pow2_scale(Y, axis=0)[0]])
    A -= A.mean(axis=0)
    factors = _cholesky_factors(np.atleast_2d(np.cov(A, rowvar=False, ddof=1)), dx)
    return _se_of_influence(_influence(A, factors, dx).var(ddof=1), n, dx, Y.shape[1])


def _cholesky_factors(cov: np.ndarray, dx: int) -> tuple:
    """Cholesky factors of the covariances of X, of Y and of (X, Y) (X's ``dx`` columns first)."""
    return tuple(np.linalg.cholesky(np.ascontiguousarray(c))
                 for c in (cov[:dx, :dx], cov[dx:, dx:], cov))


def _influence(A: np.ndarray, factors: tuple, dx: int) -> np.ndarray:
    """½ (q_x + q_y − q_xy) of each centred joint row: q the squared Mahalanobis norms."""

    def mahalanobis_sq(B, L):
        W = whiten_rows(B, L)  # q = ||L^{-1} b||^2 with the Cholesky factor
        return np.einsum("ij,ij->i", W, W)

    Lx, Ly, Lxy = factors
    return 0.5 * (mahalanobis_sq(A[:, :dx], Lx) + mahalanobis_sq(A[:, dx:], Ly)
                  - mahalanobis_sq(A, Lxy))


def _se_of_influence(var_influence: float, n: int, dx: int, dy: int) -> float:
    """The standard error from the sample variance of the influence (see above)."""
    v0 = dx * dy / (2.0 * n * n)
    return float(math.sqrt(max(var_influence / n - v0, v0)))



def _checked_gaussian_mi(X, Y, owner: str, base, *, copula: bool, bias_correct: bool,
                         warn_discrete: bool = True, max_memory=DEFAULT_MAX_MEMORY) -> Estimate:
    """Gaussian (or copula) MI with its delta-method SE, after the input diagnostics.

    Constant columns are dropped (named in a warning); label-like inputs are warned about, with
    their entropy and whether the estimate exceeds it. The covariances are budgeted against
    ``max_memory`` before any work.
    """
    check_covariance_memory(X.shape[0], X.shape[1] + Y.shape[1], max_memory, "(X, y)")
    infos = label_like_inputs({"X": X, "y": Y}) if warn_discrete else {}
    X = drop_constant_columns(X, "X", owner)
    Y = drop_constant_columns(Y, "y", owner)
    if X.shape[1] == 0 or Y.shape[1] == 0:  # a constant variable shares no information
        return Estimate(0.0, standard_error=0.0)
    if copula:
        X, Y = _copula_normalize(X), _copula_normalize(Y)
    value = _gaussian_mi_nats(X, Y, bias_correct=bias_correct, max_memory=max_memory)
    warn_label_like_inputs({"X": X, "y": Y}, infos, owner, value=value, base=base)
    return Estimate(value, standard_error=_mi_standard_error(X, Y))


def _check_xy(X, Y, min_samples: int = 3):
    return check_paired(
        X, Y, names=("X", "Y"), min_samples=min_samples,
        requirement="a sample covariance needs at least 3 samples",
    )


def gaussian_mi(X, Y, *, max_memory=DEFAULT_MAX_MEMORY) -> float:
    r"""Mutual information of the Gaussian fitted to the paired samples, in nats.

    .. math:: I(X;Y) = \tfrac12 \log\frac{\det\hat\Sigma_X \det\hat\Sigma_Y}{\det\hat\Sigma}

    with :math:`\hat\Sigma` the sample covariance of the concatenated ``(X, Y)`` and log
    determinants from Cholesky factors. Exact (up to sampling error) for jointly Gaussian data;
    for other data it is the MI of the Gaussian with the same covariance.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features_x)
    Y : array-like of shape (n_samples, n_features_y)
    max_memory : int, float or str, default="4GB"
        Budget for the covariance matrices; exceeding it raises
        :class:`~infotheory.MemoryBudgetError` before allocating.

    Returns
    -------
    float
        The mutual information in nats (plug-in, not bias-corrected).

    See Also
    --------
    GaussianMI : the estimator class, with units.
    gaussian_copula_mi : robust to the marginals, with bias correction.

    Examples
    --------
    >>> from infotheory.datasets import correlated_gaussians
    >>> X, Y, true_mi = correlated_gaussians(20_000, mi=1.0, dim=2, random_state=0)
    >>> round(gaussian_mi(X, Y), 1)
    1.0
    """
    Xa, Ya = _check_xy(X, Y)
    return _gaussian_mi_nats(Xa, Ya, max_memory=max_memory)


def gaussian_copula_mi(X, Y, *, bias_correct=True, max_memory=DEFAULT_MAX_MEMORY) -> float:
    r"""Gaussian-copula mutual information (Ince et al. 2017), in nats.

    Each column of ``X`` and ``Y`` is replaced by its normal scores
    :math:`\Phi^{-1}(r_i / (n + 1))` (:math:`r_i` the rank, ties averaged), then the Gaussian MI

    .. math:: I = \tfrac12 \left(\log\det\hat\Sigma_X + \log\det\hat\Sigma_Y
              - \log\det\hat\Sigma\right)

    is computed, each log-determinant corrected for the bias of the sample covariance
    (``bias_correct=True``):
    :math:`\log\det\Sigma \approx \log\det\hat\Sigma - d\log\frac{2}{n-1}
    - \sum_{i=1}^{d}\psi\left(\frac{n-i}{2}\right)`.

    The value depends on the data only through the ranks of each column, so it is invariant to
    strictly increasing transforms of every feature. It is exact for data with a Gaussian
    copula, in any dimension. For one-dimensional ``X`` and ``Y`` it is a lower bound on the MI
    of any distribution (each normal-score marginal is then exactly Gaussian, and the Gaussian
    has the largest joint entropy at given covariance). For vectors it is **not** a bound:
    normal scores make each coordinate Gaussian, not the vector, and the value can exceed the MI
    several-fold (5.5 nats for a true 2.0 on 128-dimensional embeddings of a 4-dimensional
    Gaussian). The largest pairwise one-dimensional value is a valid bound in every dimension
    (:func:`~infotheory.mutual_info.pairwise_copula_lower_bound`).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features_x)
    Y : array-like of shape (n_samples, n_features_y)
    bias_correct : bool, default=True
        Apply the analytic correction of the log-determinants.
    max_memory : int, float or str, default="4GB"
        Budget for the covariance matrices; exceeding it raises
        :class:`~infotheory.MemoryBudgetError` before allocating.

    Returns
    -------
    float
        The mutual information in nats.

    References
    ----------
    .. [1] R. A. A. Ince, B. L. Giordano, C. Kayser, G. A. Rousselet, J. Gross and P. G. Schyns,
       "A statistical framework for neuroimaging data analysis based on mutual information
       estimated via a Gaussian copula", *Human Brain Mapping* 38:1541-1573, 2017.
    .. [2] N. Misra, H. Singh and E. Demchuk, "Estimation of the entropy of a multivariate normal
       distribution", *J. Multivariate Analysis* 92:324-342, 2005.

    Examples
    --------
    >>> from infotheory.datasets import correlated_gaussians
    >>> X, Y, true_mi = correlated_gaussians(20_000, mi=1.0, dim=2, random_state=0)
    >>> import numpy as np
    >>> round(gaussian_copula_mi(np.exp(X), Y ** 3), 1)  # monotone transforms change nothing
    1.0
    """
    check_bool(bias_correct, "bias_correct")
    Xa, Ya = _check_xy(X, Y)
    check_covariance_memory(Xa.shape[0], Xa.shape[1] + Ya.shape[1], max_memory, "(X, Y)")
    return _gaussian_mi_nats(_copula_normalize(Xa), _copula_normalize(Ya), bool(bias_correct),
                             max_memory)


def gaussian_copula_mi_se(X, Y, *, max_memory=DEFAULT_MAX_MEMORY) -> float:
    r"""Standard error of :func:`gaussian_copula_mi`, in nats.

    The delta-method standard error of the Gaussian MI computed on the normal scores: with
    :math:`q_x, q_y, q_{xy}` the squared Mahalanobis norms of each sample's scores,

    .. math:: \mathrm{SE}^2 = \max\left(\frac{\widehat{\mathrm{Var}}\left[\tfrac12(q_x + q_y
              - q_{xy})\right]}{n} - v_0,\; v_0\right), \qquad v_0 = \frac{d_x d_y}{2 n^2},

    :math:`v_0` being the variance of the :math:`\chi^2_{d_x d_y}/(2n)` limit under
    independence, where the first-order term vanishes while its sample version is about
    :math:`2 v_0`. Over seeds it matches the observed spread within 20 % from independence to
    strong dependence. For Gaussian data the normal-scores estimator is as
    efficient as the Gaussian MLE (Klaassen & Wellner 1997), so this is the right error there;
    for other copulas it ignores the variability of the ranks and is an approximation.

    For one-dimensional ``X`` and ``Y`` the copula value is a lower bound on the MI, so an
    estimate below ``gaussian_copula_mi(x, y) - 3 * gaussian_copula_mi_se(x, y)`` is clearly
    biased low; for vectors it is not a bound (see :func:`gaussian_copula_mi`).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features_x)
    Y : array-like of shape (n_samples, n_features_y)
    max_memory : int, float or str, default="4GB"
        Budget for the covariance matrices; exceeding it raises
        :class:`~infotheory.MemoryBudgetError` before allocating.

    Returns
    -------
    float
        The standard error in nats.

    References
    ----------
    .. [1] C. A. J. Klaassen and J. A. Wellner, "Efficient estimation in the bivariate normal
       copula model: normal margins are least favourable", *Bernoulli* 3:55-77, 1997.

    Examples
    --------
    >>> from infotheory.datasets import correlated_gaussians
    >>> X, Y, _ = correlated_gaussians(1_000, mi=0.5, random_state=0)
    >>> round(gaussian_copula_mi_se(X, Y), 3)  # rho / sqrt(n) = 0.025 for one pair
    0.026
    """
    Xa, Ya = _check_xy(X, Y)
    check_covariance_memory(Xa.shape[0], Xa.shape[1] + Ya.shape[1], max_memory, "(X, Y)")
    return _mi_standard_error(_copula_normalize(Xa), _copula_normalize(Ya))


class GaussianMI(InfoEstimator):
    r"""Mutual information of the Gaussian fitted to the paired samples.

    .. math:: I(X;Y) = \tfrac12 \log\frac{\det\hat\Sigma_X \det\hat\Sigma_Y}{\det\hat\Sigma}

    The parametric baseline: exact up to sampling error for jointly Gaussian data. See
    :func:`gaussian_mi`. Constant columns (dead ReLU units) are left out with a
    :class:`~infotheory.mutual_info.ConstantFeatureWarning` naming them (exact: a
    constant carries no information), and label-like ``X`` or ``y`` (at most 20 distinct values)
    get a :class:`~infotheory.mutual_info.DiscreteInputWarning`.

    Parameters
    ----------
    warn_discrete : bool, default=True
        Warn (:class:`~infotheory.mutual_info.DiscreteInputWarning`) when ``X`` or
        ``y`` takes at most 20 distinct values (class labels), with their entropy.
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.
    max_memory : int, float or str, default="4GB"
        Budget for the covariance matrices (about ``3 d^2`` floats for ``d`` features in all);
        exceeding it raises :class:`~infotheory.MemoryBudgetError` before allocating.

    Attributes
    ----------
    mutual_info_ : float
        The mutual information, in the unit of ``base``.
    standard_error_ : float
        Delta-method standard error (see :func:`gaussian_copula_mi_se`), in the unit of
        ``base``.
    n_features_in_ : int
        Number of features of ``X`` seen in ``fit``.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Ch. 8.

    Examples
    --------
    >>> from infotheory import GaussianMI
    >>> from infotheory.datasets import correlated_gaussians
    >>> X, Y, true_mi = correlated_gaussians(20_000, mi=1.0, dim=2, random_state=0)
    >>> round(GaussianMI(base=2).fit(X, Y).mutual_info_, 1)  # true: 1 nat = 1.44 bits
    1.5
    """

    _result_attr = "mutual_info_"
    _requires_y = True
    _cli_name = "gaussian"
    _parameter_constraints = {"warn_discrete": ["boolean"], "max_memory": ["max_memory"],
                              "base": ["base"]}
    _chunked = True

    def __init__(self, *, warn_discrete=True, base=None, max_memory=DEFAULT_MAX_MEMORY):
        self.warn_discrete = warn_discrete
        self.base = base
        self.max_memory = max_memory

    def _min_samples_required(self):
        return 3, "a sample covariance needs at least 3 samples"

    def _estimate(self, X, y):
        return _checked_gaussian_mi(X, y, "GaussianMI", self.base, copula=False,
                                    bias_correct=False, warn_discrete=self.warn_discrete,
                                    max_memory=self.max_memory)

    def _estimate_chunked(self, X, y):
        return _chunked_gaussian_mi(X, y, "GaussianMI", copula=False, bias_correct=False)


class GaussianCopulaMI(InfoEstimator):
    r"""Gaussian-copula mutual information (Ince et al. 2017).

    Normal scores of each column, then the Gaussian MI with the analytic bias correction of the
    log-determinants; invariant to monotone transforms of each feature and exact for Gaussian
    copulas in any dimension. For one-dimensional ``X`` and ``Y`` it lower-bounds the MI of any
    distribution; for vectors it does not (it can exceed the MI several-fold). See
    :func:`gaussian_copula_mi` for the formula.

    Constant columns (dead ReLU units) carry no information: they are left out, named in a
    :class:`~infotheory.mutual_info.ConstantFeatureWarning`. ``X`` or ``y`` with
    at most 20 distinct values (class labels) get a
    :class:`~infotheory.mutual_info.DiscreteInputWarning` pointing to
    :class:`MixedMI` / :class:`DiscreteMI`: the copula of discrete data is not Gaussian and the
    value is not bounded by :math:`H(Y)`.

    Parameters
    ----------
    bias_correct : bool, default=True
        Apply the analytic bias correction of the log-determinants.
    warn_discrete : bool, default=True
        Warn (:class:`~infotheory.mutual_info.DiscreteInputWarning`) when ``X`` or
        ``y`` takes at most 20 distinct values (class labels), with their entropy.
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.
    max_memory : int, float or str, default="4GB"
        Budget for the covariance matrices (about ``3 d^2`` floats for ``d`` features in all);
        exceeding it raises :class:`~infotheory.MemoryBudgetError` before allocating.

    Attributes
    ----------
    mutual_info_ : float
        The mutual information, in the unit of ``base``.
    standard_error_ : float
        Delta-method standard error (see :func:`gaussian_copula_mi_se`), in the unit of
        ``base``.
    n_features_in_ : int
        Number of features of ``X`` seen in ``fit``.

    References
    ----------
    .. [1] R. A. A. Ince et al., "A statistical framework for neuroimaging data analysis based on
       mutual information estimated via a Gaussian copula", *Human Brain Mapping* 38:1541, 2017.

    Examples
    --------
    >>> from infotheory import GaussianCopulaMI
    >>> from infotheory.datasets import correlated_gaussians
    >>> X, Y, true_mi = correlated_gaussians(10_000, mi=4.46, dim=20, random_state=0)
    >>> round(GaussianCopulaMI().fit(X, Y).mutual_info_, 1)  # kNN estimators give about 1.2
    4.4
    """

    _result_attr = "mutual_info_"
    _requires_y = True
    _cli_name = "gaussian_copula"
    _parameter_constraints = {"bias_correct": ["boolean"], "warn_discrete": ["boolean"],
                              "max_memory": ["max_memory"],
                              "base": ["base"]}
    _chunked = True

    def __init__(self, *, bias_correct=True, warn_discrete=True, base=None,
                 max_memory=DEFAULT_MAX_MEMORY):
        self.bias_correct = bias_correct
        self.warn_discrete = warn_discrete
        self.base = base
        self.max_memory = max_memory

    def _min_samples_required(self):
        return 3, "a sample covariance needs at least 3 samples"

    def _estimate(self, X, y):
        return _checked_gaussian_mi(X, y, "GaussianCopulaMI", self.base, copula=True,
                                    bias_correct=bool(self.bias_correct),
                                    warn_discrete=self.warn_discrete, max_memory=self.max_memory)

    def _estimate_chunked(self, X, y):
        return _chunked_gaussian_mi(X, y, "GaussianCopulaMI", copula=True,
                                    bias_correct=bool(self.bias_correct))
