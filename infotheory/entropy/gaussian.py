"""Differential entropy of a Gaussian fitted to the samples (the parametric baseline)."""

from __future__ import annotations

import math

import numpy as np

from .. import chunked
from .._base import InfoEstimator
from .._kernels.linalg import logdet_psd
from .._validation import DEFAULT_MAX_MEMORY, check_covariance_memory, pow2_scale

__all__ = ["GaussianEntropy", "gaussian_entropy_from_cov"]


def gaussian_entropy_from_cov(cov: np.ndarray) -> float:
    """Entropy in nats of N(mu, cov): ½ log det(2πe cov)."""
    d = cov.shape[0]
    return 0.5 * (d * math.log(2 * math.pi * math.e) + logdet_psd(cov, name="covariance"))


class GaussianEntropy(InfoEstimator):
    r"""Differential entropy of the Gaussian with the samples' mean and covariance.

    .. math:: h(X) = \tfrac12 \log\det(2\pi e\,\hat\Sigma)

    with :math:`\hat\Sigma` the unbiased sample covariance (``ddof=1``). Exact for Gaussian data up
    to estimation error of :math:`\hat\Sigma`; for other distributions it is an upper bound on the
    true entropy (the Gaussian maximises entropy at fixed covariance).

    Parameters
    ----------
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.
    max_memory : int, float or str, default="4GB"
        Budget for the covariance matrix (about ``3 d^2`` floats for ``d`` features);
        exceeding it raises :class:`~infotheory.MemoryBudgetError` before allocating.

    Attributes
    ----------
    entropy_ : float
        The entropy, in the unit of ``base``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Thm. 8.4.1.

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory import GaussianEntropy
    >>> X = np.random.default_rng(0).normal(size=(10_000, 2))
    >>> round(GaussianEntropy().fit(X).entropy_, 2)  # true value log(2πe) = 2.838
    2.83
    """

    _result_attr = "entropy_"
    _cli_name = "gaussian"
    _parameter_constraints = {"max_memory": ["max_memory"], "base": ["base"]}
    _chunked = True

    def __init__(self, *, base=None, max_memory=DEFAULT_MAX_MEMORY):
        self.base = base
        self.max_memory = max_memory

    def _min_samples_required(self):
        return 2, "a sample covariance needs at least 2 samples"

    def _estimate(self, X, y):
        check_covariance_memory(X.shape[0], X.shape[1], self.max_memory, "X")
        # Scaled by a power of two per column (exact), so the covariance cannot overflow or
        # underflow; h(DX) = h(X) + log|det D| adds the exponents back.
        scaled, e = pow2_scale(X, axis=0)
        cov = np.atleast_2d(np.cov(scaled, rowvar=False, ddof=1))
        return gaussian_entropy_from_cov(cov) + float(e.sum()) * math.log(2.0)

    def _estimate_chunked(self, X, y):
        n, _, M = chunked.moments(X, names=("X",))
        return gaussian_entropy_from_cov(M / (n - 1.0))
