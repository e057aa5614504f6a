"""Samplers with known entropy or mutual information, the ground truth of the tests.

Every sampler takes ``random_state`` (None, int, Generator or RandomState) and returns the samples
with the true value in nats.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import special

from .._closed_forms import t_mi_excess
from .._kernels.linalg import logdet_psd
from .._validation import (
    check_option,
    check_param,
    check_random_state,
    check_samples,
    check_values,
)

__all__ = [
    "correlated_gaussians",
    "gaussian",
    "student_t",
    "student_t_mi",
    "monotone_transform",
    "uniform",
    "exponential",
    "discrete",
    "discrete_joint",
]


def _check_n(n_samples) -> int:
    return int(check_param(n_samples, "n_samples", numbers.Integral, low=1))


def _check_dim(dim) -> int:
    return int(check_param(dim, "dim", numbers.Integral, low=1))


def correlated_gaussians(n_samples, mi, dim=1, random_state=None):
    r"""Paired standard Gaussians ``X, Y`` of ``dim`` features each with mutual information ``mi``.

    Coordinate ``i`` of ``Y`` is :math:`\rho X_i + \sqrt{1-\rho^2}\,\varepsilon_i`, independent
    across ``i``, with :math:`\rho = \sqrt{1 - e^{-2\,\mathrm{mi}/\mathrm{dim}}}` so that each pair
    carries ``mi / dim`` nats (:math:`-\tfrac12\log(1-\rho^2)`) and the total is ``mi``.

    Parameters
    ----------
    n_samples : int
    mi : float
        Total mutual information in nats, >= 0.
    dim : int, default=1
        Features per side.
    random_state : None, int, Generator or RandomState

    Returns
    -------
    X, Y : ndarray of shape (n_samples, dim)
    true_mi : float
        ``mi``, in nats.

    Examples
    --------
    >>> X, Y, true_mi = correlated_gaussians(1000, mi=0.5, dim=2, random_state=0)
    >>> X.shape, Y.shape, true_mi
    ((1000, 2), (1000, 2), 0.5)
    """
    n = _check_n(n_samples)
    check_param(mi, "mi", numbers.Real, low=0)
    if not math.isfinite(mi):
        raise ValueError(f"mi must be finite, got {mi!r}")
    dim = _check_dim(dim)
    rng = check_random_state(random_state)
    rho = math.sqrt(-math.expm1(-2.0 * mi / dim))
    X = rng.standard_normal((n, dim))
    Y = rho * X + math.sqrt(1.0 - rho * rho) * rng.standard_normal((n, dim))
    return X, Y, float(mi)


def _check_cov(cov) -> np.ndarray:
    C = np.atleast_2d(check_values(cov, "cov", allow_empty=True))
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"cov must be a square matrix (d, d), got shape {np.shape(cov)}")
    if not np.isfinite(C).all():
        raise ValueError("cov must contain finite values, got NaN or inf")
    if not np.allclose(C, C.T, rtol=1e-10, atol=1e-12):
        raise ValueError("cov must be symmetric, got a matrix with cov != cov.T")
    logdet_psd(C, name="covariance matrix cov")  # raises if not positive definite
    return C


def gaussian(n_samples, cov, random_state=None):
    r"""Samples of :math:`\mathcal N(0, \Sigma)` and their entropy
    :math:`\tfrac12\log\det(2\pi e\Sigma)` in nats.

    Parameters
    ----------
    n_samples : int
    cov : array-like of shape (d, d) or float
        Positive-definite covariance; a scalar is a variance (d = 1).
    random_state : None, int, Generator or RandomState

    Returns
    -------
    X : ndarray of shape (n_samples, d)
    true_entropy : float
        Differential entropy in nats.

    Examples
    --------
    >>> X, h = gaussian(500, [[1.0, 0.5], [0.5, 1.0]], random_state=0)
    >>> X.shape, round(h, 4)
    ((500, 2), 2.694)
    """
    n = _check_n(n_samples)
    C = _check_cov(cov)
    rng = check_random_state(random_state)
    L = np.linalg.cholesky(C)
    X = rng.standard_normal((n, C.shape[0])) @ L.T
    d = C.shape[0]
    h = 0.5 * (d * math.log(2 * math.pi * math.e) + logdet_psd(C))
    return X, float(h)


def student_t_mi(df, rho=0.0, dim=1) -> float:
    r"""Mutual information in nats of the multivariate Student-t pair of :func:`student_t`.

    For :math:`(X, Y) \sim t_\nu(0, \Sigma)` the marginals are t with the same :math:`\nu`, and
    the entropy of a :math:`d`-variate :math:`t_\nu(0,\Sigma)` is
    :math:`\tfrac12\log\det\Sigma + \tfrac d2\log(\nu\pi) + \log\frac{\Gamma(\nu/2)}
    {\Gamma((\nu+d)/2)} + \frac{\nu+d}{2}\left[\psi\left(\frac{\nu+d}2\right)-\psi\left(\frac\nu2
    \right)\right]`, so :math:`I = H(X)+H(Y)-H(X,Y)` is the Gaussian term
    :math:`-\tfrac{d}{2}\log(1-\rho^2)` plus :math:`c(d)+c(d)-c(2d)`, with :math:`c` the last two
    terms (Arellano-Valle, Contreras-Reyes & Genton 2013). It is positive even at
    :math:`\rho = 0`: the shared scale variable makes the sides dependent.

    Examples
    --------
    >>> round(student_t_mi(df=3, rho=0.0), 4)
    0.0424
    """
    df = float(check_param(df, "df", numbers.Real, low=0, low_inclusive=False, finite=True))
    check_param(rho, "rho", numbers.Real, low=-1, high=1, low_inclusive=False, high_inclusive=False)
    dim = _check_dim(dim)
    gauss = -0.5 * dim * math.log1p(-rho * rho)
    excess = t_mi_excess(df, dim, dim)
    return float(gauss + excess)


def student_t(n_samples, df, rho=0.0, dim=1, random_state=None):
    r"""Paired multivariate Student-t samples with known mutual information.

    :math:`(X, Y) = Z / \sqrt{W}` with :math:`Z \sim \mathcal N(0, \Sigma)`,
    :math:`W \sim \chi^2_\nu/\nu` shared by all coordinates; :math:`\Sigma` has unit diagonal and
    correlation ``rho`` between :math:`X_i` and :math:`Y_i` only. The true MI is
    :func:`student_t_mi` (heavy tails; dependent even at ``rho=0``).

    Parameters
    ----------
    n_samples : int
    df : float
        Degrees of freedom :math:`\nu > 0`, finite (the Gaussian limit is
        :func:`correlated_gaussians`).
    rho : float, default=0.0
        Correlation of the scale matrix between paired coordinates, in (-1, 1).
    dim : int, default=1
        Features per side.
    random_state : None, int, Generator or RandomState

    Returns
    -------
    X, Y : ndarray of shape (n_samples, dim)
    true_mi : float
        In nats.

    References
    ----------
    .. [1] R. B. Arellano-Valle, J. E. Contreras-Reyes and M. G. Genton, "Shannon entropy and
       mutual information for multivariate skew-elliptical distributions", *Scandinavian Journal
       of Statistics* 40:42-62, 2013.

    Examples
    --------
    >>> X, Y, true_mi = student_t(1000, df=3, rho=0.5, random_state=0)
    >>> round(true_mi, 4)
    0.1863
    """
    true_mi = student_t_mi(df, rho, dim)
    n = _check_n(n_samples)
    rng = check_random_state(random_state)
    X = rng.standard_normal((n, dim))
    Y = rho * X + math.sqrt(1.0 - rho * rho) * rng.standard_normal((n, dim))
    w = rng.chisquare(df, size=(n, 1)) / df
    with np.errstate(divide="ignore", over="ignore"):
        scale = 1.0 / np.sqrt(w)
        X, Y = X * scale, Y * scale
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):
        # a tiny df gives tails beyond float64: W underflows to 0 for some samples
        raise ValueError(
            f"df={df!r} gives samples beyond the float64 range (W = chi2(df)/df underflows to "
            "0); use a larger df"
        )
    return X, Y, true_mi


_TRANSFORMS = {"cube": lambda a: a * a * a, "exp": np.exp, "sinh": np.sinh}
_MAX_EXP_ARG = math.log(np.finfo(np.float64).max)


def monotone_transform(X, kind="cube"):
    """Apply a strictly increasing function to every element; mutual information is unchanged.

    ``"cube"`` is :math:`x^3`, ``"exp"`` is :math:`e^x` and ``"sinh"`` is :math:`\\sinh x`.
    Entropy changes (by :math:`E\\log|f'(X)|`), MI between transformed marginals does not.

    Parameters
    ----------
    X : array-like
        Numeric, finite; the shape is kept.
    kind : {"cube", "exp", "sinh"}, default="cube"

    Returns
    -------
    ndarray, float64, same shape as ``X``

    Examples
    --------
    >>> monotone_transform([0.0, 1.0, 2.0], kind="cube")
    array([0., 1., 8.])
    """
    check_option(kind, "kind", tuple(_TRANSFORMS))
    shape = np.shape(X)
    arr = check_samples(X, name="X").reshape(shape)
    if kind in ("exp", "sinh") and arr.size and np.abs(arr).max() > _MAX_EXP_ARG:
        raise ValueError(
            f"X has values up to {np.abs(arr).max():.4g} in absolute value: kind={kind!r} would "
            f"overflow to inf above {_MAX_EXP_ARG:.1f}; rescale X or use kind='cube'"
        )
    return _TRANSFORMS[kind](arr)


def uniform(n_samples, low=0.0, high=1.0, dim=1, random_state=None):
    r"""Uniform samples on :math:`[\mathrm{low}, \mathrm{high}]^{\mathrm{dim}}`, entropy
    :math:`\mathrm{dim}\,\log(\mathrm{high}-\mathrm{low})` nats.

    Examples
    --------
    >>> X, h = uniform(100, 0.0, 2.0, dim=3, random_state=0)
    >>> X.shape, round(h, 4)
    ((100, 3), 2.0794)
    """
    n = _check_n(n_samples)
    check_param(low, "low", numbers.Real, finite=True)
    check_param(high, "high", numbers.Real, finite=True)
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        raise ValueError(f"low and high must be finite with low < high, got low={low}, high={high}")
    dim = _check_dim(dim)
    rng = check_random_state(random_state)
    return rng.uniform(low, high, size=(n, dim)), float(dim * math.log(high - low))


def exponential(n_samples, scale=1.0, dim=1, random_state=None):
    r"""Independent exponential samples with mean ``scale``, entropy
    :math:`\mathrm{dim}\,(1 + \log \mathrm{scale})` nats.

    Examples
    --------
    >>> X, h = exponential(100, scale=2.0, random_state=0)
    >>> X.shape, round(h, 4)
    ((100, 1), 1.6931)
    """
    n = _check_n(n_samples)
    check_param(scale, "scale", numbers.Real, low=0, low_inclusive=False, finite=True)
    if not math.isfinite(scale):
        raise ValueError(f"scale must be finite, got {scale!r}")
    dim = _check_dim(dim)
    rng = check_random_state(random_state)
    return rng.exponential(scale, size=(n, dim)), float(dim * (1.0 + math.log(scale)))


def _check_pmf(pmf, ndim: int) -> np.ndarray:
    P = check_values(pmf, "pmf", allow_empty=True)
    shape = "(n_symbols,)" if ndim == 1 else "(n_x, n_y)"
    if P.ndim != ndim or P.size == 0:
        raise ValueError(f"pmf must be a non-empty array of shape {shape}, got shape {P.shape}")
    if not np.isfinite(P).all() or (P < 0).any():
        raise ValueError("pmf must contain finite non-negative probabilities")
    total = P.sum()
    if abs(total - 1.0) > 1e-8:
        raise ValueError(f"pmf must sum to 1, got a sum of {float(total)!r}")
    return P / total


def _entropy_of_pmf(p: np.ndarray) -> float:
    return float(-special.xlogy(p, p).sum())


def discrete(n_samples, pmf, random_state=None):
    """Integer symbols from 0 to ``len(pmf) - 1`` drawn from ``pmf``, and its entropy in nats.

    Examples
    --------
    >>> x, h = discrete(5, [0.5, 0.25, 0.25], random_state=0)
    >>> x.shape, round(h, 4)
    ((5,), 1.0397)
    """
    n = _check_n(n_samples)
    p = _check_pmf(pmf, 1)
    rng = check_random_state(random_state)
    return rng.choice(p.size, size=n, p=p), _entropy_of_pmf(p)


def discrete_joint(n_samples, pmf, random_state=None):
    r"""Paired integer symbols ``(x, y)`` drawn from a joint pmf, and their MI in nats.

    :math:`I = \sum_{x,y} p(x,y)\log\frac{p(x,y)}{p(x)p(y)} = H(X) + H(Y) - H(X,Y)`.

    Parameters
    ----------
    n_samples : int
    pmf : array-like of shape (n_x, n_y)
        Joint probabilities ``P[x, y]``, non-negative, summing to 1.
    random_state : None, int, Generator or RandomState

    Returns
    -------
    x, y : ndarray of shape (n_samples,), int
    true_mi : float

    Examples
    --------
    >>> x, y, mi = discrete_joint(10, [[0.5, 0.0], [0.0, 0.5]], random_state=0)
    >>> bool((x == y).all()), round(mi, 4)  # log 2
    (True, 0.6931)
    """
    n = _check_n(n_samples)
    P = _check_pmf(pmf, 2)
    rng = check_random_state(random_state)
    flat = rng.choice(P.size, size=n, p=P.ravel())
    x, y = np.divmod(flat, P.shape[1])
    outer = np.outer(P.sum(axis=1), P.sum(axis=0))
    support = P > 0
    mi = float(np.sum(P[support] * np.log(P[support] / outer[support])))
    return x, y, mi
