r"""Full-covariance Gaussian mixtures fitted by EM, for the mixture copula of :class:`MutualInfo`.

The model and the algorithm are scikit-learn's ``GaussianMixture(covariance_type="full",
init_params="kmeans", n_init=1)``: hard k-means labels (k-means++ seeding with
:math:`2 + \lfloor\log k\rfloor` greedy trials per centre, then Lloyd iterations) give the first
responsibilities; EM then alternates

.. math:: r_{ij} \propto w_j\,\mathcal N(z_i; \mu_j, \Sigma_j), \qquad
          n_j = \textstyle\sum_i r_{ij},\quad w_j = n_j / n,\quad
          \mu_j = \frac1{n_j}\sum_i r_{ij} z_i,\quad
          \Sigma_j = \frac1{n_j}\sum_i r_{ij}(z_i-\mu_j)(z_i-\mu_j)^T + \epsilon I

until the mean log-likelihood changes by less than ``tol`` (McLachlan & Peel 2000). Written
here in NumPy because the mixture copula fits a few small mixtures (d <= 20, a few thousand
rows) per call, where importing ``sklearn.mixture`` (and with it ``sklearn.cluster``) cost more
than the fits, and its input validation and thread pools more than their arithmetic.
"""

from __future__ import annotations

import math

import numpy as np

from .._kernels.linalg import gaussian_mixture_log_terms, gaussian_mixture_logpdf, logsumexp_rows

__all__ = ["GaussianMixtureFit", "fit_gaussian_mixture"]

#: Lloyd iterations of the k-means initialisation (scikit-learn's ``max_iter``) and its tolerance
#: on the squared shift of the centres, relative to the mean variance of the features.
_KMEANS_ITER = 300
_KMEANS_TOL = 1e-4


class GaussianMixtureFit:
    """A fitted mixture: ``weights (k,)``, ``means (k, d)``, ``covariances (k, d, d)``."""

    def __init__(self, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray,
                 n_iter: int, converged: bool):
        self.weights, self.means, self.covariances = weights, means, covariances
        self.n_iter, self.converged = n_iter, converged

    def score_samples(self, Z: np.ndarray) -> np.ndarray:
        """Log density of the mixture at the rows of ``Z``."""
        return gaussian_mixture_logpdf(Z, self.weights, self.means, self.covariances)


def _sq_dist(Z: np.ndarray, sq_norms: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances ``(n, m)`` from the rows of ``Z`` to the rows of ``C``."""
    D = sq_norms[:, None] - 2.0 * (Z @ C.T) + np.einsum("ij,ij->i", C, C)[None, :]
    return np.maximum(D, 0.0, out=D)


def _kmeans_labels(Z: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Hard labels of k-means: k-means++ seeding (greedy, several trials per centre), then Lloyd
    iterations."""
    Z = Z - Z.mean(axis=0)  # distances by inner products lose less to rounding when centred
    sq_norms = np.einsum("ij,ij->i", Z, Z)
    tol = _KMEANS_TOL * float(np.mean(np.var(Z, axis=0)))
    return _lloyd(Z, sq_norms, _kmeans_plus_plus(Z, sq_norms, k, rng), tol)


def _kmeans_plus_plus(Z: np.ndarray, sq_norms: np.ndarray, k: int, rng) -> np.ndarray:
    n = Z.shape[0]
    trials = 2 + int(math.log(k))
    centres = np.empty((k, Z.shape[1]))
    centres[0] = Z[rng.integers(n)]
    closest = _sq_dist(Z, sq_norms, centres[:1])[:, 0]
    for c in range(1, k):
        cand = np.searchsorted(np.cumsum(closest), rng.uniform(size=trials) * closest.sum())
        cand = np.minimum(cand, n - 1)
        with_cand = np.minimum(closest[None, :], _sq_dist(Z, sq_norms, Z[cand]).T)
        best = int(np.argmin(with_cand.sum(axis=1)))
        centres[c], closest = Z[cand[best]], with_cand[best]
    return centres


def _lloyd(Z: np.ndarray, sq_norms: np.ndarray, centres: np.ndarray, tol: float):
    """Labels of the Lloyd iterations from ``centres``."""
    n, k = Z.shape[0], centres.shape[0]
    D = _sq_dist(Z, sq_norms, centres)
    labels = np.argmin(D, axis=1)
    for _ in range(_KMEANS_ITER):
        onehot = np.zeros((k, n))
        onehot[labels, np.arange(n)] = 1.0
        counts = onehot.sum(axis=1)
        # an emptied cluster keeps its centre (scikit-learn moves it to a far point instead;
        # with k-means++ seeds and a few thousand rows it does not happen in practice)
        new = np.where(counts[:, None] > 0, (onehot @ Z) / np.maximum(counts, 1)[:, None],
                       centres)
        shift = float(((new - centres) ** 2).sum())
        centres = new
        D = _sq_dist(Z, sq_norms, centres)
        new_labels = np.argmin(D, axis=1)
        done = np.array_equal(new_labels, labels) or shift <= tol
        labels = new_labels
        if done:
            break
    return labels


def _m_step(Z: np.ndarray, resp: np.ndarray, reg_covar: float):
    n, d = Z.shape
    nk = resp.sum(axis=0) + 10.0 * np.finfo(resp.dtype).eps  # no division by an empty component
    means = (resp.T @ Z) / nk[:, None]
    covs = np.empty((resp.shape[1], d, d))
    for j in range(resp.shape[1]):
        diff = Z - means[j]
        covs[j] = (resp[:, j] * diff.T) @ diff / nk[j]
        covs[j].flat[:: d + 1] += reg_covar
    return nk / n, means, covs


def fit_gaussian_mixture(Z: np.ndarray, k: int, rng: np.random.Generator, *,
                         reg_covar: float = 1e-6, max_iter: int = 100,
                         tol: float = 1e-3) -> GaussianMixtureFit:
    """Fit a ``k``-component full-covariance Gaussian mixture to the rows of ``Z`` by EM.

    ``reg_covar`` is added to every covariance's diagonal; EM stops when the mean log-likelihood
    changes by less than ``tol`` or after ``max_iter`` iterations (scikit-learn's defaults and
    meaning). Raises ``numpy.linalg.LinAlgError`` when a covariance is not positive definite.
    """
    n = Z.shape[0]
    resp = np.zeros((n, k))
    resp[np.arange(n), _kmeans_labels(Z, k, rng)] = 1.0
    weights, means, covs = _m_step(Z, resp, reg_covar)
    previous, n_iter, converged = -np.inf, 0, False
    while n_iter < max_iter and not converged:
        n_iter += 1
        norm, resp = logsumexp_rows(gaussian_mixture_log_terms(Z, weights, means, covs))
        weights, means, covs = _m_step(Z, resp, reg_covar)
        bound = float(norm.mean())  # the likelihood of the parameters before this M-step
        converged = abs(bound - previous) < tol
        previous = bound
    return GaussianMixtureFit(weights, means, covs, n_iter, converged)
