r"""Known-MI tasks with 1-50 features per side: the ground truth of the MI benchmark.

Families (each generator returns ``X, Y, true_mi`` with the truth in nats):

* :func:`gaussian_interaction` - jointly Gaussian, dense or sparse cross-covariance (closed form);
* :func:`student_t_interaction` - multivariate Student-t (heavy tails; closed form);
* :func:`uniform_additive_noise` - uniform signal plus uniform noise (closed form);
* :func:`gaussian_mixture` - Gaussian mixtures whose components have opposite correlations,
  dependence invisible to correlation (Monte-Carlo truth with its standard error);
* :func:`transform_marginals` - injective maps that leave MI unchanged: coordinate-wise (normal
  CDF, cube, asinh) and not (a spiral rotation, the Swiss roll).

:func:`mi_suite` lists about fifty :class:`MITask` objects over these families; each draws
samples with :meth:`MITask.sample`.
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, special

from .._closed_forms import t_mi_excess
from .._kernels.linalg import gaussian_mixture_logpdf
from .._validation import check_option, check_param, check_random_state
from .distributions import monotone_transform

__all__ = [
    "FAMILIES",
    "MITask",
    "gaussian_interaction",
    "gaussian_interaction_cov",
    "gaussian_mixture",
    "mi_suite",
    "spiral",
    "student_t_interaction",
    "swiss_roll",
    "transform_marginals",
    "uniform_additive_noise",
    "uniform_noise_mi",
]


def _check_int(value, name: str, low: int = 1) -> int:
    return int(check_param(value, name, numbers.Integral, low=low))


def _check_positive(value, name: str) -> float:
    value = float(check_param(value, name, numbers.Real, low=0, low_inclusive=False))
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def _gaussian_mi_of_cov(cov: np.ndarray, dim_x: int) -> float:
    """½ log(det Σ_X det Σ_Y / det Σ) from Cholesky factors."""

    def logdet(A):
        return 2.0 * np.log(np.diag(np.linalg.cholesky(A))).sum()

    return float(0.5 * (logdet(cov[:dim_x, :dim_x]) + logdet(cov[dim_x:, dim_x:]) - logdet(cov)))


# -- Gaussian family ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _interaction_cov(dim_x: int, dim_y: int, mi: float, interaction: str,
                     structure_seed: int) -> np.ndarray:
    """Joint covariance of ``(X, A X + ε)`` scaled so that its Gaussian MI is ``mi``.

    ``X ~ N(0, Σ_X)`` and ``ε ~ N(0, I)``; the MI is :math:`\\tfrac12\\log\\det(I + c^2 A
    Σ_X A^T)`, increasing in the scale ``c``, which is found by root finding. Dense: Σ_X
    equicorrelated (0.5) and ``A`` a full random matrix; sparse: Σ_X = I and only the first
    ``min(2, dim_x, dim_y)`` coordinate pairs interact.
    """
    rng = np.random.default_rng(structure_seed)
    if interaction == "dense":
        sx = 0.5 * np.eye(dim_x) + 0.5
        A = rng.standard_normal((dim_y, dim_x)) / math.sqrt(dim_x)
    else:
        sx = np.eye(dim_x)
        A = np.zeros((dim_y, dim_x))
        for i in range(min(2, dim_x, dim_y)):
            A[i, i] = 1.0
    M = A @ sx @ A.T
    eig = np.clip(np.linalg.eigvalsh(M), 0.0, None)
    if mi > 0:
        def excess(log_c2):
            return 0.5 * np.log1p(math.exp(log_c2) * eig).sum() - mi

        log_c2 = optimize.brentq(excess, -60.0, 60.0, xtol=1e-14, rtol=1e-14)
        A = A * math.exp(0.5 * log_c2)
    else:
        A = A * 0.0
    cross = sx @ A.T
    cov = np.block([[sx, cross], [cross.T, A @ sx @ A.T + np.eye(dim_y)]])
    cov.setflags(write=False)
    return cov


def gaussian_interaction_cov(dim_x, dim_y, mi, interaction="dense", structure_seed=0):
    """Joint covariance, shape ``(dim_x + dim_y, dim_x + dim_y)``, of :func:`gaussian_interaction`.

    Examples
    --------
    >>> C = gaussian_interaction_cov(2, 1, mi=0.5, interaction="sparse")
    >>> C.shape
    (3, 3)
    """
    dim_x, dim_y = _check_int(dim_x, "dim_x"), _check_int(dim_y, "dim_y")
    mi = float(check_param(mi, "mi", numbers.Real, low=0, finite=True))
    check_option(interaction, "interaction", ("dense", "sparse"))
    seed = _check_int(structure_seed, "structure_seed", low=0)
    return _interaction_cov(dim_x, dim_y, mi, interaction, seed).copy()


def _draw_gaussian(n: int, cov: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal((n, cov.shape[0])) @ np.linalg.cholesky(cov).T


def gaussian_interaction(n_samples, dim_x=1, dim_y=1, mi=1.0, interaction="dense",
                         random_state=None, structure_seed=0):
    r"""Jointly Gaussian ``X`` (``dim_x`` features) and ``Y = A X + ε``, with MI ``mi``.

    .. math:: I(X;Y) = \tfrac12\log\det\left(I + A\Sigma_X A^{T}\right)

    ``interaction="dense"``: the features of ``X`` are equicorrelated (0.5) and every feature of
    ``Y`` depends on every feature of ``X`` through a random matrix ``A`` (drawn from
    ``structure_seed``); ``"sparse"``: independent features and only the first
    ``min(2, dim_x, dim_y)`` pairs ``(X_i, Y_i)`` interact, the other features are noise. ``A`` is
    scaled so that the MI is exactly ``mi``.

    Parameters
    ----------
    n_samples : int
    dim_x, dim_y : int, default=1
    mi : float, default=1.0
        True mutual information in nats, >= 0.
    interaction : {"dense", "sparse"}, default="dense"
    random_state : None, int, Generator or RandomState
        Seed of the samples.
    structure_seed : int, default=0
        Seed of the interaction matrix (fixed by default, so one task is one distribution).

    Returns
    -------
    X : ndarray of shape (n_samples, dim_x)
    Y : ndarray of shape (n_samples, dim_y)
    true_mi : float
        ``mi``, in nats.

    Examples
    --------
    >>> X, Y, true_mi = gaussian_interaction(1000, 3, 2, mi=0.8, random_state=0)
    >>> X.shape, Y.shape, true_mi
    ((1000, 3), (1000, 2), 0.8)
    """
    n = _check_int(n_samples, "n_samples")
    cov = gaussian_interaction_cov(dim_x, dim_y, mi, interaction, structure_seed)
    Z = _draw_gaussian(n, cov, check_random_state(random_state))
    return Z[:, :dim_x], Z[:, dim_x:], float(mi)


# -- Student-t family -----------------------------------------------------------------------------


def _student_t_mi_of_cov(cov: np.ndarray, dim_x: int, df: float) -> float:
    """MI of :math:`t_\\nu(0, \\Sigma)`: the Gaussian MI of Σ plus c(d_x) + c(d_y) - c(d)."""
    d = cov.shape[0]
    return float(_gaussian_mi_of_cov(cov, dim_x) + t_mi_excess(df, dim_x, d - dim_x))


def student_t_interaction(n_samples, dim_x=1, dim_y=1, df=3.0, dispersion_mi=0.5,
                          interaction="dense", random_state=None, structure_seed=0):
    r"""Multivariate Student-t ``(X, Y) = Z / \sqrt{W}``, heavy-tailed, with closed-form MI.

    ``Z`` is the Gaussian pair of :func:`gaussian_interaction` (scale matrix :math:`\Sigma` with
    Gaussian MI ``dispersion_mi``) and :math:`W \sim \chi^2_\nu / \nu` is shared by all features.
    The MI is the Gaussian term plus the dependence carried by the shared scale,

    .. math:: I = \tfrac12\log\frac{\det\Sigma_X\det\Sigma_Y}{\det\Sigma}
              + c(d_x) + c(d_y) - c(d_x + d_y),\quad
              c(d) = \log\frac{\Gamma(\nu/2)}{\Gamma((\nu+d)/2)}
              + \frac{\nu+d}2\left[\psi\left(\frac{\nu+d}2\right)
              - \psi\left(\frac\nu2\right)\right],

    positive even at ``dispersion_mi=0`` (Arellano-Valle, Contreras-Reyes & Genton 2013; see
    :func:`~infotheory.datasets.student_t_mi` for the paired case). That part of the dependence
    is invisible to correlation, hence to every Gaussian method.

    Parameters
    ----------
    n_samples : int
    dim_x, dim_y : int, default=1
    df : float, default=3.0
        Degrees of freedom :math:`\nu > 0` (1 is the Cauchy distribution).
    dispersion_mi : float, default=0.5
        Gaussian MI of the scale matrix, nats, >= 0.
    interaction : {"dense", "sparse"}, default="dense"
    random_state : None, int, Generator or RandomState
    structure_seed : int, default=0

    Returns
    -------
    X : ndarray of shape (n_samples, dim_x)
    Y : ndarray of shape (n_samples, dim_y)
    true_mi : float
        In nats.

    References
    ----------
    .. [1] R. B. Arellano-Valle, J. E. Contreras-Reyes and M. G. Genton, "Shannon entropy and
       mutual information for multivariate skew-elliptical distributions", *Scandinavian Journal
       of Statistics* 40:42-62, 2013.

    Examples
    --------
    >>> X, Y, true_mi = student_t_interaction(1000, 1, 1, df=1, dispersion_mi=0.0, random_state=0)
    >>> round(true_mi, 4)  # two uncorrelated Cauchy variables sharing a scale
    0.2242
    """
    n = _check_int(n_samples, "n_samples")
    df = _check_positive(df, "df")
    cov = gaussian_interaction_cov(dim_x, dim_y, dispersion_mi, interaction, structure_seed)
    rng = check_random_state(random_state)
    Z = _draw_gaussian(n, cov, rng)
    Z /= np.sqrt(rng.chisquare(df, size=(n, 1)) / df)
    return Z[:, :dim_x], Z[:, dim_x:], _student_t_mi_of_cov(cov, dim_x, df)


# -- uniform signal, additive uniform noise -------------------------------------------------------


def uniform_noise_mi(epsilon, dim=1) -> float:
    r"""MI of :math:`X \sim U(0,1)^d` and :math:`Y = X + N`, :math:`N \sim U(-\varepsilon,
    \varepsilon)^d`, in nats.

    Per coordinate :math:`I = h(Y) - \log(2\varepsilon)`, where the density of :math:`Y` is a
    trapezoid: :math:`I = \varepsilon - \log(2\varepsilon)` for :math:`\varepsilon \le 1/2`,
    :math:`1/(4\varepsilon)` above.

    Examples
    --------
    >>> round(uniform_noise_mi(0.1), 4), uniform_noise_mi(0.5), uniform_noise_mi(1.0, dim=2)
    (1.7094, 0.5, 0.5)
    """
    eps = _check_positive(epsilon, "epsilon")
    dim = _check_int(dim, "dim")
    per = eps - math.log(2.0 * eps) if eps <= 0.5 else 0.25 / eps
    return float(dim * per)


def uniform_additive_noise(n_samples, dim=1, epsilon=0.5, random_state=None):
    r"""Uniform signal :math:`X \sim U(0,1)^d` and :math:`Y = X + U(-\varepsilon, \varepsilon)^d`.

    A non-Gaussian copula with bounded support; the MI (:func:`uniform_noise_mi`) is closed form.

    Parameters
    ----------
    n_samples : int
    dim : int, default=1
        Features per side.
    epsilon : float, default=0.5
        Half-width of the noise, > 0.
    random_state : None, int, Generator or RandomState

    Returns
    -------
    X, Y : ndarray of shape (n_samples, dim)
    true_mi : float
        In nats.

    Examples
    --------
    >>> X, Y, true_mi = uniform_additive_noise(1000, dim=2, epsilon=0.75, random_state=0)
    >>> X.shape, round(true_mi, 4)
    ((1000, 2), 0.6667)
    """
    n = _check_int(n_samples, "n_samples")
    true_mi = uniform_noise_mi(epsilon, dim)
    rng = check_random_state(random_state)
    X = rng.uniform(0.0, 1.0, size=(n, dim))
    Y = X + rng.uniform(-epsilon, epsilon, size=(n, dim))
    return X, Y, true_mi


# -- Gaussian mixtures ----------------------------------------------------------------------------


def _mixture_params(dim_x: int, dim_y: int, n_components: int, rho: float, separation: float,
                    structure_seed: int):
    """Component means and joint covariances of :func:`gaussian_mixture`."""
    rng = np.random.default_rng(structure_seed)
    d = dim_x + dim_y
    means = separation * rng.standard_normal((n_components, d)) / math.sqrt(d)
    covs = []
    m = min(dim_x, dim_y)
    for j in range(n_components):
        sign = 1.0 if j % 2 == 0 else -1.0  # opposite correlations cancel in the mixture
        C = np.eye(d)
        for i in range(m):
            C[i, dim_x + i] = C[dim_x + i, i] = sign * rho
        covs.append(C)
    return means, np.array(covs)


def _mixture_logpdf(Z: np.ndarray, means: np.ndarray, covs: np.ndarray) -> np.ndarray:
    """log density of an equal-weight Gaussian mixture at the rows of Z."""
    weights = np.full(means.shape[0], 1.0 / means.shape[0])
    return gaussian_mixture_logpdf(Z, weights, means, covs)


_MC_SAMPLES = 200_000
_MC_SEED = 20_261_127


@functools.lru_cache(maxsize=128)
def _mixture_truth(dim_x, dim_y, n_components, rho, separation, structure_seed,
                   n_mc=_MC_SAMPLES) -> tuple[float, float]:
    """Monte-Carlo MI (mean of the log-density ratio over ``n_mc`` fixed-seed draws) and its SE."""
    means, covs = _mixture_params(dim_x, dim_y, n_components, rho, separation, structure_seed)
    Z = _draw_mixture(n_mc, means, covs, np.random.default_rng(_MC_SEED))
    sx, sy = slice(0, dim_x), slice(dim_x, dim_x + dim_y)
    ratio = (_mixture_logpdf(Z, means, covs)
             - _mixture_logpdf(Z[:, sx], means[:, sx], covs[:, sx, sx])
             - _mixture_logpdf(Z[:, sy], means[:, sy], covs[:, sy, sy]))
    return float(ratio.mean()), float(ratio.std(ddof=1) / math.sqrt(n_mc))


def _draw_mixture(n, means, covs, rng):
    labels = rng.integers(0, means.shape[0], size=n)
    Z = np.empty((n, means.shape[1]))
    for j in range(means.shape[0]):
        rows = np.flatnonzero(labels == j)
        Z[rows] = means[j] + _draw_gaussian(rows.size, covs[j], rng)
    return Z


def gaussian_mixture(n_samples, dim_x=1, dim_y=1, n_components=2, rho=0.9, separation=0.0,
                     random_state=None, structure_seed=0, return_se=False):
    r"""Equal-weight Gaussian mixture in the joint space, with a Monte-Carlo MI.

    Component ``j`` is :math:`\mathcal N(\mu_j, \Sigma_j)` with unit variances and correlation
    :math:`\pm\rho` between the pairs :math:`(X_i, Y_i)`, :math:`i < \min(d_x, d_y)`, the sign
    alternating with ``j``: with ``separation=0`` the two-component mixture is the "X" shape, whose
    features are uncorrelated yet dependent. The means are
    ``separation * N(0, I) / sqrt(d)`` (drawn from ``structure_seed``).

    The MI has no closed form; the truth is :math:`E[\log p(x,y) - \log p(x) - \log p(y)]`
    averaged over 200 000 draws of a fixed seed (computed once per task and cached), with its
    standard error (``return_se=True``), about 0.001-0.004 nats.

    Parameters
    ----------
    n_samples : int
    dim_x, dim_y : int, default=1
    n_components : int, default=2
    rho : float, default=0.9
        Within-component correlation of each pair, in (0, 1).
    separation : float, default=0.0
        Spread of the component means.
    random_state : None, int, Generator or RandomState
    structure_seed : int, default=0
    return_se : bool, default=False
        Also return the Monte-Carlo standard error of ``true_mi``.

    Returns
    -------
    X : ndarray of shape (n_samples, dim_x)
    Y : ndarray of shape (n_samples, dim_y)
    true_mi : float
        In nats (Monte Carlo).
    true_mi_se : float
        Only with ``return_se=True``.

    Examples
    --------
    >>> X, Y, true_mi, se = gaussian_mixture(1000, rho=0.9, random_state=0, return_se=True)
    >>> X.shape, round(true_mi, 2), round(se, 3)  # uncorrelated features, yet 0.41 nats
    ((1000, 1), 0.41, 0.002)
    """
    n = _check_int(n_samples, "n_samples")
    dim_x, dim_y = _check_int(dim_x, "dim_x"), _check_int(dim_y, "dim_y")
    k = _check_int(n_components, "n_components")
    rho = float(check_param(rho, "rho", numbers.Real, low=0, high=1, high_inclusive=False))
    separation = float(check_param(separation, "separation", numbers.Real, low=0, finite=True))
    seed = _check_int(structure_seed, "structure_seed", low=0)
    means, covs = _mixture_params(dim_x, dim_y, k, rho, separation, seed)
    Z = _draw_mixture(n, means, covs, check_random_state(random_state))
    mi, se = _mixture_truth(dim_x, dim_y, k, rho, separation, seed)
    out = (Z[:, :dim_x], Z[:, dim_x:], mi)
    return (*out, se) if return_se else out


# -- injective transforms -------------------------------------------------------------------------


def spiral(X, speed=0.5):
    r"""Rotate the first two coordinates by the angle ``speed * ||x||^2``: an injective map.

    :math:`x \mapsto R(\theta(x))\,x` with :math:`\theta = v\lVert x\rVert^2` and :math:`R` the
    rotation of the (0, 1) plane. It keeps the norm, so its inverse is the rotation by
    :math:`-\theta`; mutual information is unchanged, but the map is not coordinate-wise, so
    rank and copula methods see a different dependence.

    Examples
    --------
    >>> spiral(np.array([[1.0, 0.0]]), speed=np.pi / 2).round(6)
    array([[0., 1.]])
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 2:
        raise ValueError(
            f"X must have shape (n_samples, >= 2 features) for a spiral, got {X.shape}"
        )
    theta = speed * np.einsum("ij,ij->i", X, X)
    c, s = np.cos(theta), np.sin(theta)
    out = X.copy()
    out[:, 0] = c * X[:, 0] - s * X[:, 1]
    out[:, 1] = s * X[:, 0] + c * X[:, 1]
    return out


def swiss_roll(u):
    r"""Embed one feature in (0, 1) as the Swiss roll in the plane, an injective map.

    :math:`t = \tfrac{3\pi}{2}(1 + 2u)`, :math:`u \mapsto (t\cos t, t\sin t)/21`.

    Examples
    --------
    >>> swiss_roll(np.array([[0.0], [1.0]])).shape
    (2, 2)
    """
    u = np.asarray(u, dtype=np.float64)
    if u.ndim != 2 or u.shape[1] != 1:
        raise ValueError(f"u must have shape (n_samples, 1) for the Swiss roll, got {u.shape}")
    t = 1.5 * np.pi * (1.0 + 2.0 * u[:, 0])
    return np.column_stack([t * np.cos(t), t * np.sin(t)]) / 21.0


_KINDS = ("normal_cdf", "cube", "asinh", "spiral", "swiss_roll")


def transform_marginals(X, kind):
    """Apply an injective map that leaves mutual information unchanged.

    ``"normal_cdf"`` (:math:`\\Phi`, uniform margins for Gaussian inputs), ``"cube"``
    (:math:`x^3`) and ``"asinh"`` act on each feature; ``"spiral"`` (:func:`spiral`) rotates the
    first two features by a norm-dependent angle; ``"swiss_roll"`` maps one feature through
    :math:`\\Phi` and then onto the Swiss roll (:func:`swiss_roll`), giving two features.

    Examples
    --------
    >>> transform_marginals(np.array([[0.0, 1.0]]), "asinh").round(4)
    array([[0.    , 0.8814]])
    """
    check_option(kind, "kind", _KINDS)
    X = np.asarray(X, dtype=np.float64)
    if kind == "normal_cdf":
        return special.ndtr(X)
    if kind == "cube":
        return monotone_transform(X, "cube")
    if kind == "asinh":
        return np.arcsinh(X)
    if kind == "spiral":
        return spiral(X)
    return swiss_roll(special.ndtr(X))


# -- the suite ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MITask:
    """One known-MI task: a named distribution over ``(X, Y)`` and its mutual information.

    Attributes
    ----------
    name : str
    family : str
        ``"gaussian"``, ``"student-t"``, ``"uniform-noise"``, ``"mixture"`` or ``"transformed"``.
    dim_x, dim_y : int
    true_mi : float
        In nats.
    true_mi_se : float
        Monte-Carlo standard error of ``true_mi`` (0 for closed forms).
    """

    name: str
    family: str
    dim_x: int
    dim_y: int
    true_mi: float
    true_mi_se: float
    generator: Any = field(repr=False)
    params: tuple = field(repr=False)
    transform: tuple = field(default=(None, None), repr=False)

    def sample(self, n_samples, random_state=None):
        """Draw ``n_samples`` pairs; returns ``X, Y, true_mi``."""
        X, Y, *_ = self.generator(n_samples, **dict(self.params), random_state=random_state)
        tx, ty = self.transform
        if tx is not None:
            X = transform_marginals(X, tx)
        if ty is not None:
            Y = transform_marginals(Y, ty)
        return X, Y, self.true_mi


def _task(name, family, generator, params, transform=(None, None)):
    params = tuple(sorted(params.items()))
    X, Y, mi, *se = generator(2, **dict(params), random_state=0,
                              **({"return_se": True} if generator is gaussian_mixture else {}))
    dx, dy = X.shape[1], Y.shape[1]
    if transform[0] == "swiss_roll":
        dx = 2
    if transform[1] == "swiss_roll":
        dy = 2
    return MITask(name, family, dx, dy, float(mi), float(se[0]) if se else 0.0, generator,
                  params, transform)


FAMILIES = ("gaussian", "student-t", "uniform-noise", "mixture", "transformed")


def mi_suite(families=None, max_dim=None):
    """The known-MI tasks of the benchmark: Gaussian, Student-t, uniform noise, mixtures and
    injective transforms, 1-50 features per side, true MI 0.1-2 nats.

    Mixture truths are Monte-Carlo estimates computed once per process (about 10 s for all).

    Parameters
    ----------
    families : sequence of str or None, default=None
        Restrict to these families (see :data:`FAMILIES`); ``None``: all.
    max_dim : int or None, default=None
        Keep only tasks with at most this many features per side.

    Returns
    -------
    list of MITask

    Examples
    --------
    >>> tasks = mi_suite(families=["uniform-noise"])
    >>> [t.name for t in tasks][:2]
    ['uniform-noise 1v1 eps=0.1', 'uniform-noise 1v1 eps=0.75']
    >>> X, Y, true_mi = tasks[0].sample(500, random_state=0)
    >>> X.shape, round(true_mi, 3)
    ((500, 1), 1.709)
    """
    chosen = FAMILIES if families is None else tuple(families)
    for fam in chosen:
        check_option(fam, "families", FAMILIES)
    limit = None if max_dim is None else _check_int(max_dim, "max_dim")
    specs = []
    g, t, u, m = gaussian_interaction, student_t_interaction, uniform_additive_noise, \
        gaussian_mixture
    # Gaussian: dense and sparse interactions.
    for dx, dy, mi, kind in [(1, 1, 0.5, "dense"), (1, 1, 1.5, "dense"), (2, 1, 1.0, "dense"),
                             (2, 2, 1.0, "dense"), (3, 3, 1.0, "sparse"), (5, 5, 1.0, "dense"),
                             (5, 5, 1.0, "sparse"), (10, 5, 1.5, "dense"),
                             (25, 25, 1.0, "dense"), (25, 25, 1.0, "sparse"),
                             (50, 50, 1.0, "dense"), (50, 50, 0.5, "sparse")]:
        specs.append(("gaussian", f"gaussian {kind} {dx}v{dy} mi={mi}", g,
                      dict(dim_x=dx, dim_y=dy, mi=mi, interaction=kind), (None, None)))
    # Student-t: heavy tails, dependence through the shared scale.
    for dx, dy, df, dmi, kind in [(1, 1, 1, 0.0, "dense"), (1, 1, 2, 0.5, "dense"),
                                  (2, 2, 1, 0.5, "sparse"), (2, 2, 2, 0.5, "dense"),
                                  (3, 3, 2, 0.5, "sparse"), (5, 5, 3, 1.0, "dense"),
                                  (10, 10, 3, 1.0, "sparse"), (25, 25, 5, 1.0, "dense"),
                                  (50, 50, 5, 0.5, "sparse")]:
        specs.append(("student-t", f"student-t {kind} {dx}v{dy} df={df}", t,
                      dict(dim_x=dx, dim_y=dy, df=float(df), dispersion_mi=dmi,
                           interaction=kind), (None, None)))
    # Uniform signal, uniform additive noise.
    for dim, eps in [(1, 0.1), (1, 0.75), (2, 0.3), (5, 1.0), (10, 2.0), (25, 5.0)]:
        specs.append(("uniform-noise", f"uniform-noise {dim}v{dim} eps={eps}", u,
                      dict(dim=dim, epsilon=eps), (None, None)))
    # Gaussian mixtures.
    for dx, dy, k, rho, sep in [(1, 1, 2, 0.9, 0.0), (1, 1, 4, 0.7, 3.0), (2, 2, 2, 0.8, 0.0),
                                (3, 3, 3, 0.6, 2.0), (5, 5, 2, 0.5, 0.0), (10, 10, 4, 0.4, 3.0),
                                (25, 25, 2, 0.2, 2.0)]:
        specs.append(("mixture", f"mixture {dx}v{dy} k={k} rho={rho}", m,
                      dict(dim_x=dx, dim_y=dy, n_components=k, rho=rho, separation=sep),
                      (None, None)))
    # Injective transforms of Gaussian and Student-t tasks.
    for base, params, tr in [
        (g, dict(dim_x=1, dim_y=1, mi=1.0, interaction="dense"), ("normal_cdf", "normal_cdf")),
        (g, dict(dim_x=3, dim_y=3, mi=1.0, interaction="dense"), ("normal_cdf", "normal_cdf")),
        (g, dict(dim_x=25, dim_y=25, mi=1.0, interaction="sparse"), ("normal_cdf", None)),
        (g, dict(dim_x=1, dim_y=1, mi=0.5, interaction="dense"), ("cube", "cube")),
        (g, dict(dim_x=5, dim_y=5, mi=1.0, interaction="dense"), ("cube", None)),
        (g, dict(dim_x=2, dim_y=2, mi=1.0, interaction="dense"), ("asinh", "asinh")),
        (t, dict(dim_x=3, dim_y=3, df=2.0, dispersion_mi=0.5, interaction="sparse"),
         ("asinh", "asinh")),
        (g, dict(dim_x=2, dim_y=2, mi=1.0, interaction="sparse"), ("spiral", None)),
        (g, dict(dim_x=3, dim_y=3, mi=1.0, interaction="sparse"), ("spiral", "spiral")),
        (g, dict(dim_x=5, dim_y=5, mi=1.0, interaction="dense"), ("spiral", "spiral")),
        (g, dict(dim_x=1, dim_y=1, mi=1.0, interaction="dense"), ("swiss_roll", None)),
        (g, dict(dim_x=1, dim_y=1, mi=0.5, interaction="dense"), ("swiss_roll", None)),
    ]:
        label = "+".join(x for x in tr if x is not None)
        dx, dy = params["dim_x"], params["dim_y"]
        kind = "student-t" if base is t else "gaussian"
        mi = params.get("mi", params.get("dispersion_mi"))
        specs.append(("transformed", f"{label} of {kind} {dx}v{dy} mi={mi}", base, params, tr))
    tasks = []
    for fam, name, gen, params, tr in specs:
        if fam not in chosen:
            continue
        dims = (params.get("dim_x", params.get("dim")), params.get("dim_y", params.get("dim")))
        if limit is not None and max(dims) > limit:
            continue
        tasks.append(_task(name, fam, gen, params, tr))
    return tasks
