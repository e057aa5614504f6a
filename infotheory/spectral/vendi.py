"""The Vendi score of all orders q: exact (dual or kernel) and low-rank (Nyström, random features).

The score is the exponential of the Rényi entropy of the eigenvalues of the normalised kernel
matrix (Friedman & Dieng 2023; Pasarkar & Dieng 2024). Which matrix is diagonalised depends on the
kernel and the size: the ``d x d`` second-moment matrix for linear / cosine kernels (the "dual"
path, which also streams with :meth:`VendiScore.partial_fit`), the ``n x n`` kernel matrix up to a
memory budget, and beyond it an ``m x m`` matrix of a rank-``m`` approximation.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import linalg
from scipy.special import logsumexp
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._base import InfoEstimator
from .._validation import (
    DEFAULT_MAX_MEMORY,
    check_memory,
    check_option,
    check_param,
    check_random_state,
    check_samples,
    check_values,
    parse_memory,
)

__all__ = ["VendiScore", "renyi_entropy_of_spectrum"]

_EPS = np.finfo(np.float64).eps
_KERNELS = ("cosine", "linear", "rbf", "precomputed")
_METHODS = ("auto", "dual", "kernel", "nystroem", "rff")
# Points used for the median-distance bandwidth: all pairs of at most this many points.
_MEDIAN_POINTS = 2000
# Rows per block when a rank-m approximation streams over the samples (keeps n x m off memory).
_BLOCK_BYTES = 32 * 2**20
# Landmark-kernel eigenvalues below this fraction of the largest are dropped from the Nyström
# pseudo-inverse: W^{-1/2} amplifies round-off by 1/s, so the approximation's eigenvalues carry
# noise of about eps / _NYSTROEM_RCOND (relative), which the zero threshold must exceed.
_NYSTROEM_RCOND = 1e-8
# A precomputed / callable kernel matrix must match these within round-off.
_DIAG_ATOL = 1e-8
_SYM_ATOL = 1e-8


# Round-off tolerated in a normalised spectrum (negative values, sum differing from 1).
_SPECTRUM_RTOL = 1e-6


def renyi_entropy_of_spectrum(eigenvalues, q, *, tol: float = 0.0) -> float:
    r"""Rényi entropy of order ``q`` (nats) of a spectrum normalised to sum to 1.

    .. math:: H_q(\lambda) = \frac{1}{1-q}\log\sum_i \lambda_i^q,\quad
              H_1 = -\sum_i \lambda_i\log\lambda_i,\quad H_\infty = -\log\max_i\lambda_i,\quad
              H_0 = \log\#\{i : \lambda_i > \mathrm{tol}\}

    Eigenvalues ``<= tol`` are numerically zero and left out for every order (``0 log 0 = 0``).

    Parameters
    ----------
    eigenvalues : ndarray of shape (m,)
        Non-negative values summing to 1 (up to round-off).
    q : float
        Order, ``>= 0``; ``numpy.inf`` allowed.
    tol : float, default=0.0
        Absolute threshold below which an eigenvalue counts as zero.

    Returns
    -------
    float
        The entropy in nats.
    """
    lam = check_values(eigenvalues, "eigenvalues", ndim=1)
    check_param(q, "q", numbers.Real, low=0)
    tol = check_param(tol, "tol", numbers.Real, low=0, finite=True)
    peak = float(np.abs(lam).max())
    if lam.min() < -_SPECTRUM_RTOL * peak:
        raise ValueError(
            f"eigenvalues must be non-negative (a normalised spectrum), got {float(lam.min())!r}"
        )
    total = float(lam[lam > 0].sum())
    if abs(total - 1.0) > _SPECTRUM_RTOL:
        raise ValueError(
            f"eigenvalues must sum to 1 (a normalised spectrum, e.g. of K / n), got sum "
            f"{total!r}; divide them by their sum first"
        )
    pos = lam[lam > tol]
    if pos.size == 0:
        raise ValueError(f"eigenvalues has no value above tol={tol!r}: the spectrum is empty")
    if q == 0:
        return math.log(pos.size)
    if math.isinf(q):
        return -math.log(pos.max())
    if q == 1:
        return float(-(pos * np.log(pos)).sum())
    # log-sum-exp keeps large orders (q = 50, 100) from underflowing to log(0).
    return float(logsumexp(q * np.log(pos)) / (1.0 - q))


# -- kernels ------------------------------------------------------------------------------------


def _row_normalise(X: np.ndarray) -> np.ndarray:
    norms = np.sqrt(np.einsum("ij,ij->i", X, X))
    zero = norms == 0
    if zero.any():
        raise ValueError(
            f"X has {int(zero.sum())} all-zero row(s) (first at index {int(np.argmax(zero))}): "
            "the cosine kernel is undefined for them; expected rows with a non-zero norm. Drop "
            "them or use kernel='linear'."
        )
    return X / norms[:, None]


def _sq_distances(A: np.ndarray, B: np.ndarray, same: bool) -> np.ndarray:
    D = np.einsum("ij,ij->i", A, A)[:, None] + np.einsum("ij,ij->i", B, B)[None, :]
    D -= 2.0 * (A @ B.T)
    # The expansion loses a few ulps; distances are >= 0 and exactly 0 from a point to itself.
    np.maximum(D, 0.0, out=D)
    if same:
        np.fill_diagonal(D, 0.0)
    return D


def _median_bandwidth(X: np.ndarray) -> float:
    n = X.shape[0]
    # A fixed, evenly spaced subset keeps the bandwidth deterministic (no random_state needed).
    idx = np.linspace(0, n - 1, min(n, _MEDIAN_POINTS)).round().astype(np.intp)
    S = X[idx]
    D = _sq_distances(S, S, same=True)
    iu = np.triu_indices(S.shape[0], k=1)
    if n < 2:
        raise ValueError(
            "bandwidth='median' needs at least 2 samples (a pairwise distance), got 1 sample; "
            "pass a positive number as bandwidth"
        )
    # Median of the distances (not the root of the median squared distance: they differ by
    # the averaging of the two middle values when the count is even).
    h = float(np.median(np.sqrt(D[iu])))
    if h == 0.0:
        raise ValueError(
            "bandwidth='median' gives 0: at least half of the pairs of points of X coincide. "
            "Pass a positive number as bandwidth."
        )
    return h


def _callable_kernel(kernel, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    K = np.asarray(kernel(A, B), dtype=np.float64)
    if K.shape != (A.shape[0], B.shape[0]):
        raise ValueError(
            f"kernel(A, B) must return an array of shape (len(A), len(B)) = "
            f"{(A.shape[0], B.shape[0])}, got shape {K.shape}"
        )
    if not np.isfinite(K).all():
        raise ValueError(f"kernel(A, B) returned {int((~np.isfinite(K)).sum())} non-finite values")
    return K


def _check_kernel_matrix(K: np.ndarray, name: str) -> None:
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise ValueError(f"{name} must be a square kernel matrix (n, n), got shape {K.shape}")
    asym = float(np.abs(K - K.T).max())
    if asym > _SYM_ATOL:
        raise ValueError(
            f"{name} must be a symmetric kernel matrix: expected |K - K.T| <= {_SYM_ATOL}, got a "
            f"largest difference of {asym:.3g}"
        )
    diag_err = float(np.abs(np.diagonal(K) - 1.0).max())
    if diag_err > _DIAG_ATOL:
        raise ValueError(
            f"{name} must have k(x, x) = 1 on its diagonal (the Vendi score's normalisation): "
            f"expected |K_ii - 1| <= {_DIAG_ATOL}, got a largest deviation of {diag_err:.3g}. "
            "Normalise it first, K / sqrt(outer(diag(K), diag(K)))."
        )


def _streamable(est) -> bool:
    if est.kernel in ("linear", "cosine") and est.method in ("auto", "dual"):
        return True
    # available_if turns this into an AttributeError whose cause carries the message.
    raise ValueError(
        "partial_fit streams the d x d dual matrix: it needs kernel='linear' or 'cosine' "
        f"and method='auto' or 'dual', got kernel={est.kernel!r}, method={est.method!r}"
    )


# -- the estimator ------------------------------------------------------------------------------


class VendiScore(InfoEstimator):
    r"""Vendi score of order q: the effective number of distinct items in a sample.

    With a positive semi-definite similarity kernel :math:`k` with :math:`k(x, x) = 1`, samples
    :math:`x_1..x_n` and probabilities :math:`p` (uniform :math:`1/n` by default), let
    :math:`\lambda` be the eigenvalues of :math:`\operatorname{diag}(\sqrt p)\,K\,
    \operatorname{diag}(\sqrt p)` (:math:`K/n` unweighted); they sum to 1. Then

    .. math:: \mathrm{VS}_q = \exp H_q(\lambda),\qquad
              H_q = \frac{1}{1-q}\log\sum_i\lambda_i^q,\quad H_1 = -\sum_i\lambda_i\log\lambda_i,

    :math:`\mathrm{VS}_\infty = 1/\lambda_{\max}` and :math:`\mathrm{VS}_0` the numerical rank.
    The score is **unitless** (a number of items): :math:`1 \le \mathrm{VS}_q \le n`, equal to 1
    for n copies of one item and to n for n mutually dissimilar items; it does not increase with q.
    The entropy :math:`H_q` is stored too, in nats.

    Methods (``method``):

    - ``"dual"`` — linear / cosine kernels: the nonzero eigenvalues of :math:`X^\top P X` (d x d)
      equal those of :math:`P^{1/2} X X^\top P^{1/2}`; O(n d²) time, O(d²) memory, and streamable
      with :meth:`partial_fit`.
    - ``"kernel"`` — the n x n matrix, O(n³); refused past ``max_memory`` (2 x 8n² bytes).
    - ``"nystroem"`` — rank-``n_components`` Nyström approximation :math:`K \approx C W^+ C^\top`
      on uniformly drawn landmarks [3]_; any kernel given on features.
    - ``"rff"`` — random Fourier features [4]_ (``kernel="rbf"`` only).
    - ``"auto"`` — ``"dual"`` for linear / cosine when d < n; else ``"kernel"`` if it fits in
      ``max_memory``; else ``"nystroem"``.

    The approximations' eigenvalues are normalised by their trace. Their convergence check: the
    score is computed again at half the rank (the first half of the landmarks / features, so no
    new kernel evaluation) and ``approximation_error_ = |VS(m) - VS(m/2)|``; a small value means
    the rank suffices, a large one says to raise ``n_components``. A rank-m approximation cannot
    give a score above m.

    Parameters
    ----------
    q : float, default=1.0
        Order of the Rényi entropy, ``>= 0``; ``numpy.inf`` (or ``float("inf")``) for
        :math:`1/\lambda_{\max}`; ``0`` for the numerical rank.
    kernel : {"cosine", "linear", "rbf", "precomputed"} or callable, default="cosine"
        ``"cosine"``: :math:`x^\top y/(\|x\|\|y\|)`. ``"linear"``: :math:`x^\top y`, whose
        eigenvalues are divided by :math:`\sum_i p_i\|x_i\|^2` (it does not have
        :math:`k(x,x)=1`; for unit-norm rows it equals ``"cosine"``). ``"rbf"``:
        :math:`\exp(-\|x-y\|^2/(2h^2))`. ``"precomputed"``: ``X`` is the n x n kernel matrix,
        symmetric with unit diagonal (to 1e-8). A callable ``kernel(A, B)`` returns the
        ``(len(A), len(B))`` matrix, positive semi-definite with :math:`k(x, x) = 1`.
    bandwidth : float or "median", default="median"
        :math:`h` of the RBF kernel (:math:`\gamma = 1/(2h^2)`). ``"median"``: the median
        pairwise distance over at most 2000 evenly spaced samples. Ignored by other kernels.
    method : {"auto", "dual", "kernel", "nystroem", "rff"}, default="auto"
        See above; the method used is stored in ``method_``.
    n_components : int, default=1000
        Rank m of the Nyström / random-feature approximation (Nyström uses ``min(m, n)``).
    rank_tol : float or None, default=None
        Eigenvalues :math:`\le` ``rank_tol`` :math:`\cdot\lambda_{\max}` are numerically zero
        (all orders; they define the rank at q = 0). ``None``: ``max(n, m) * eps`` with m the size
        of the eigenproblem, as in :func:`numpy.linalg.matrix_rank` for a symmetric matrix; for
        the approximations at least ``eps / 1e-8`` (about 2e-8), the round-off level left by
        the Nyström pseudo-inverse, whose cutoff drops landmark-kernel eigenvalues below 1e-8 of
        the largest.
    max_memory : int, float or str, default="4GB"
        Budget for the n x n kernel matrix (method ``"kernel"``) or the d x d matrix (``"dual"``).
    random_state : None, int, numpy.random.Generator or RandomState, default=None
        Landmarks (Nyström) and random features (RFF); the exact paths do not use it.

    Attributes
    ----------
    score_ : float
        The Vendi score (unitless: an effective number of items).
    entropy_ : float
        :math:`H_q(\lambda)` in nats (``log(score_)``).
    eigenvalues_ : ndarray of shape (n_eigenvalues,)
        The normalised eigenvalues :math:`\lambda`, descending (sum 1); entries
        ``<= rank_tol_ * eigenvalues_[0]`` count as zero.
    method_ : str
        The method used.
    n_components_ : int
        Size of the eigenproblem solved (d, n, or the approximation rank m).
    bandwidth_ : float or None
        The RBF bandwidth used (``None`` for other kernels).
    rank_tol_ : float
        The relative eigenvalue threshold used.
    approximation_error_ : float
        ``|VS(m) - VS(m/2)|`` for the approximations (NaN for m = 1); ``0.0`` for the exact
        methods.
    n_samples_seen_ : int
        Samples used (accumulated over :meth:`partial_fit` calls).
    n_features_in_ : int
        Number of features (columns) seen in ``fit``.

    See Also
    --------
    renyi_entropy_of_spectrum : the entropy of a given spectrum.

    Notes
    -----
    Differences from the reference package ``vendi-score`` 0.0.3, which agrees with this class
    on its correct paths: its ``score_X`` ignores ``q`` (always q = 1); ``q=float("inf")``
    gives NaN (only the string ``"inf"`` works); at q = 0 it counts positive round-off
    eigenvalues as rank; for a sparse kernel matrix it keeps only 6 eigenvalues
    (``scipy.sparse.linalg.eigsh`` default). Here every order goes through one function, q = 0
    uses a tolerance, and no path truncates the spectrum silently. A kernel matrix with an
    eigenvalue below :math:`-\sqrt{\epsilon}\,\lambda_{\max}` is rejected as not positive
    semi-definite rather than read as a distribution.

    References
    ----------
    .. [1] D. Friedman and A. B. Dieng, "The Vendi Score: A Diversity Evaluation Metric for
       Machine Learning", TMLR 2023.
    .. [2] A. P. Pasarkar and A. B. Dieng, "Cousins of the Vendi Score: A Family of Similarity-Based
       Diversity Metrics for Science and Machine Learning", AISTATS 2024.
    .. [3] C. K. I. Williams and M. Seeger, "Using the Nyström Method to Speed Up Kernel
       Machines", NeurIPS 2001.
    .. [4] A. Rahimi and B. Recht, "Random Features for Large-Scale Kernel Machines", NeurIPS 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory import VendiScore
    >>> K = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0], [0.0, 0.0, 1.0]])
    >>> round(VendiScore(kernel="precomputed").fit(K).score_, 10)
    2.1573004834
    >>> round(VendiScore(q=2, kernel="precomputed").fit(K).score_, 10)
    1.9480519481
    >>> X = np.repeat(np.eye(4), 25, axis=0)  # 4 distinct items, 25 copies each
    >>> vs = VendiScore().fit(X)
    >>> round(vs.score_, 10), vs.method_
    (4.0, 'dual')
    """

    _result_attr = "score_"
    _unit = ""  # an effective number of distinct samples: unitless, never converted by a base
    _min_samples = 1

    def __init__(
        self,
        *,
        q=1.0,
        kernel="cosine",
        bandwidth="median",
        method="auto",
        n_components=1000,
        rank_tol=None,
        max_memory=DEFAULT_MAX_MEMORY,
        random_state=None,
    ):
        self.q = q
        self.kernel = kernel
        self.bandwidth = bandwidth
        self.method = method
        self.n_components = n_components
        self.rank_tol = rank_tol
        self.max_memory = max_memory
        self.random_state = random_state

    @classmethod
    def _common_test_instances(cls):
        return [
            cls(),
            cls(q=2.0, kernel="linear"),
            cls(q=0.5, kernel="rbf", bandwidth=1.0),
            cls(q=np.inf, kernel="rbf", method="nystroem", n_components=8, random_state=0),
            cls(kernel="rbf", method="rff", n_components=16, random_state=0),
        ]

    @property
    def _expected_failed_checks(self):
        if self.kernel != "cosine":
            return {}
        return {
            "check_estimators_dtypes": "its integer data has an all-zero row, for which the "
            "cosine kernel is undefined; VendiScore raises a ValueError naming the row",
        }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.kernel == "precomputed"
        tags.non_deterministic = self.method in ("nystroem", "rff")
        return tags

    # -- parameters --------------------------------------------------------------------------

    def _check_params(self) -> None:
        super()._check_params()
        check_param(self.q, "q", numbers.Real, low=0)
        if not callable(self.kernel):
            check_option(self.kernel, "kernel", _KERNELS)
        check_option(self.method, "method", _METHODS)
        if not (isinstance(self.bandwidth, str) and self.bandwidth == "median"):
            if isinstance(self.bandwidth, str):
                raise ValueError(
                    f"bandwidth must be a positive number or 'median', got {self.bandwidth!r}"
                )
            check_param(self.bandwidth, "bandwidth", numbers.Real, low=0, low_inclusive=False)
            if math.isinf(self.bandwidth):
                raise ValueError(f"bandwidth must be finite, got {self.bandwidth!r}")
        check_param(self.n_components, "n_components", numbers.Integral, low=1)
        check_param(self.rank_tol, "rank_tol", numbers.Real, low=0, high=1, allow_none=True)
        parse_memory(self.max_memory)
        feature_kernel = self.kernel in ("linear", "cosine")
        if self.method == "dual" and not feature_kernel:
            raise ValueError(
                f"method='dual' needs kernel='linear' or 'cosine' (it diagonalises X^T X), got "
                f"kernel={self.kernel!r}; use method='kernel', 'nystroem' or 'auto'"
            )
        if self.method == "rff" and self.kernel != "rbf":
            raise ValueError(
                f"method='rff' (random Fourier features) needs kernel='rbf', got "
                f"kernel={self.kernel!r}; use method='nystroem' for other kernels"
            )
        if self.method == "nystroem" and self.kernel == "precomputed":
            raise ValueError(
                "method='nystroem' needs features to evaluate the kernel on, but "
                "kernel='precomputed'; use method='kernel' (the matrix is already in memory)"
            )

    def _min_samples_required(self):
        return 1, ""

    # -- public API --------------------------------------------------------------------------

    def fit(self, X, y=None, sample_weight=None, p=None):
        """Compute the Vendi score of the samples ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_samples)
            Samples, or the kernel matrix when ``kernel="precomputed"``.
        y : None
            Ignored (present for scikit-learn compatibility).
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights, normalised internally to probabilities
            ``p = sample_weight / sum(sample_weight)``; integer weights are equivalent to
            repeating samples, zero weights to removing them.
        p : array-like of shape (n_samples,), optional
            Probabilities of the samples (non-negative, summing to 1 within 1e-8), as in the Vendi
            score's weighted form; a stricter alternative to ``sample_weight`` that catches
            unnormalised input. Give at most one of the two.

        Returns
        -------
        self
        """
        Xa, _ = self._validate(X, None, reset=True)
        w = self._check_weights(Xa.shape[0], sample_weight, p)
        self._scatter = None
        # Total weight this fit contributes if partial_fit continues it: the sum of
        # sample_weight, else one per sample (p spreads n samples' worth of weight).
        self._weight_sum = (
            float(np.asarray(sample_weight, dtype=float).sum())
            if sample_weight is not None
            else float(Xa.shape[0])
        )
        self._set_result(self._compute(Xa, w, store=True), Xa.shape[0])
        return self

    @available_if(_streamable)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Add a batch of samples to the streamed dual-path statistics and update the score.

        Only for ``kernel="linear"`` / ``"cosine"`` with ``method`` ``"auto"`` or ``"dual"`` (for
        other settings the attribute does not exist, as scikit-learn's ``available_if``): the
        d x d matrix :math:`\\sum_i w_i x_i x_i^\\top` and :math:`\\sum_i w_i` are accumulated,
        so memory stays O(d²) whatever the number of samples; the result equals ``fit`` on the
        concatenated batches (with the concatenated weights). Each call diagonalises the d x d
        matrix (O(d³)).

        Parameters
        ----------
        X : array-like of shape (n_batch, n_features)
            A batch of samples.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_batch,), optional
            Non-negative weights of the batch (relative to the other batches' weights).

        Returns
        -------
        self
        """
        first = getattr(self, "_scatter", None) is None
        if first and hasattr(self, "method_"):  # `fit` took another path: nothing to add to
            raise ValueError(
                f"partial_fit cannot continue a fit that used method_={self.method_!r}; use a "
                "fresh estimator (or fit with method='dual')"
            )
        Xa, _ = self._validate(X, None, reset=first)
        w = self._check_weights(Xa.shape[0], sample_weight, None, normalise=False)
        S, wsum = self._dual_moments(Xa, w)
        if first:
            self._scatter, self._weight_sum, self.n_samples_seen_ = S, wsum, 0
        else:
            self._scatter += S
            self._weight_sum += wsum
        self.n_samples_seen_ += Xa.shape[0]
        if self._weight_sum <= 0:
            raise ValueError(
                "sample_weight: the weights seen so far are all zero; expected at least one "
                "non-zero weight"
            )
        lam = self._spectrum(self._scatter / self._weight_sum)
        self._set_result((lam, "dual", 0.0), self.n_samples_seen_)
        return self

    def score(self, X, y=None) -> float:
        """Return the Vendi score of ``X`` (unweighted), with the fitted parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples (for ``kernel="precomputed"``: any square kernel matrix).
        y : None
            Ignored.

        Returns
        -------
        float
            The Vendi score (unitless).
        """
        check_is_fitted(self)
        if self.kernel == "precomputed":  # a new kernel matrix has its own size
            self._check_params()
            Xa = check_samples(X, estimator=self)
        else:
            Xa, _ = self._validate(X, None, reset=False)
        n = Xa.shape[0]
        lam, _, _ = self._compute(Xa, np.full(n, 1.0 / n), store=False)
        return float(math.exp(self._entropy(lam, n)))

    # -- internals ---------------------------------------------------------------------------

    def _check_weights(self, n, sample_weight, p, *, normalise=True):
        if sample_weight is not None and p is not None:
            raise ValueError("Give at most one of sample_weight and p, got both")
        name = "p" if p is not None else "sample_weight"
        w = p if p is not None else sample_weight
        if w is None:
            return np.full(n, 1.0 / n) if normalise else np.ones(n)
        w = check_samples(w, name=name)
        if w.shape[1] != 1 and w.shape[0] == 1:
            w = w.T
        if w.shape != (n, 1):
            raise ValueError(
                f"{name} must have shape (n_samples,) = ({n},), got shape "
                f"{np.shape(p if p is not None else sample_weight)}"
            )
        w = w[:, 0].copy()
        if (w < 0).any():
            raise ValueError(
                f"{name} must be non-negative, got {int((w < 0).sum())} negative value(s) "
                f"(smallest {w.min():.3g})"
            )
        total = w.sum()
        if total <= 0:
            raise ValueError(f"{name}: all weights are zero; expected at least one non-zero weight")
        if p is not None and abs(total - 1.0) > 1e-8:
            raise ValueError(
                "p must be probabilities summing to 1 (within 1e-8), got sum "
                f"{float(total)!r}; pass unnormalised weights as sample_weight instead"
            )
        return w / total if normalise else w

    def _dual_moments(self, X, w):
        d = X.shape[1]
        check_memory(
            3 * 8.0 * d * d, self.max_memory, what=f"the {d} x {d} dual matrix X^T X",
            alternative="method='kernel' or 'nystroem' (fewer samples than features)",
        )
        Z = _row_normalise(X) if self.kernel == "cosine" else X
        # sqrt(w) on both sides makes the product Z^T Z of one buffer, which NumPy sends to the
        # symmetric rank-k BLAS update (half the work of a general product, and symmetric).
        Z = Z * np.sqrt(w)[:, None]
        return Z.T @ Z, float(w.sum())

    def _kernel_fn(self, A, B, bandwidth, same=False):
        if callable(self.kernel):
            return _callable_kernel(self.kernel, A, B)
        if self.kernel == "rbf":
            K = _sq_distances(A, B, same)
            K *= -0.5 / bandwidth**2
            return np.exp(K, out=K)
        if self.kernel == "cosine":
            A = _row_normalise(A)
            return A @ (A if same else _row_normalise(B)).T
        return A @ B.T

    def _resolve_method(self, n, d):
        if self.method != "auto":
            return self.method
        if self.kernel in ("linear", "cosine") and d < n:
            return "dual"
        if self.kernel == "precomputed" or 2 * 8.0 * n * n <= parse_memory(self.max_memory):
            return "kernel"
        return "nystroem"

    def _compute(self, X, w, *, store):
        """Return (eigenvalues normalised to sum 1, method, approximation error)."""
        n, d = X.shape
        bw = None
        if self.kernel == "rbf":
            bw = float(_median_bandwidth(X) if isinstance(self.bandwidth, str) else self.bandwidth)
        if store:
            self.bandwidth_ = bw
        method = self._resolve_method(n, d)
        if method == "dual":
            S, wsum = self._dual_moments(X, w)
            if store:
                self._scatter = S * self._weight_sum
            return self._spectrum(S / wsum), method, 0.0
        if method == "kernel":
            return self._spectrum(self._weighted_kernel(X, w, bw)), method, 0.0
        return self._low_rank(X, w, method, bw)

    def _weighted_kernel(self, X, w, bw):
        n = X.shape[0]
        precomputed = self.kernel == "precomputed"
        check_memory(
            (1 if precomputed else 2) * 8.0 * n * n, self.max_memory,
            what=f"the {n} x {n} kernel matrix" + ("" if precomputed else " and its eigensolve"),
            alternative=(
                "a smaller sample" if precomputed
                else "method='nystroem' (or 'rff' for kernel='rbf') with n_components=m"
            ),
        )
        if precomputed:
            _check_kernel_matrix(X, "X (kernel='precomputed')")
            K = X.copy()
        else:
            K = self._kernel_fn(X, X, bw, same=True)
            if callable(self.kernel):
                _check_kernel_matrix(K, "kernel(X, X)")
        sw = np.sqrt(w)
        K *= sw[:, None]
        K *= sw[None, :]
        return K

    def _spectrum(self, M, check_psd=True):
        """Eigenvalues of the symmetric PSD matrix M divided by its trace, descending."""
        trace = float(np.trace(M))
        if trace <= 0:
            raise ValueError(
                "X has all-zero rows where the weights are non-zero: the kernel matrix has zero "
                "trace, so its eigenvalues cannot be normalised"
            )
        lam = linalg.eigvalsh(M, overwrite_a=True, check_finite=False)[::-1] / trace
        if check_psd and lam[-1] < -math.sqrt(_EPS) * lam[0]:
            raise ValueError(
                "The kernel matrix is not positive semi-definite: smallest eigenvalue "
                f"{lam[-1]:.3g} against a largest of {lam[0]:.3g} (normalised); the Vendi score "
                "needs a positive semi-definite kernel"
            )
        return np.ascontiguousarray(lam)

    def _low_rank(self, X, w, method, bw):
        n, d = X.shape
        rng = check_random_state(self.random_state)
        m = min(self.n_components, n) if method == "nystroem" else self.n_components
        check_memory(
            4 * 8.0 * m * m, self.max_memory, what=f"the {m} x {m} approximation matrices",
            alternative="a smaller n_components",
        )
        if method == "nystroem":
            landmarks = X[rng.choice(n, size=m, replace=False)]
            W = self._kernel_fn(landmarks, landmarks, bw, same=True)
            if callable(self.kernel):
                _check_kernel_matrix(W, "kernel(landmarks, landmarks)")

            def features(B):
                return self._kernel_fn(B, landmarks, bw)
        else:
            omega = rng.normal(scale=1.0 / bw, size=(d, m))
            phase = rng.uniform(0.0, 2.0 * np.pi, size=m)

            def features(B):
                Z = B @ omega
                Z += phase
                # sqrt(2/m) scaling is left out: the spectrum is normalised by its trace.
                return np.cos(Z, out=Z)
        G = np.zeros((m, m))
        step = max(1, int(_BLOCK_BYTES // (8 * (m + d))))
        for start in range(0, n, step):
            C = features(X[start:start + step])
            G += C.T @ (C * w[start:start + step, None])
        scores = []
        for r in (m, m // 2) if m > 1 else (m,):
            Gr = G[:r, :r]
            if method == "nystroem":
                s, U = linalg.eigh(W[:r, :r], check_finite=False)
                keep = s > _NYSTROEM_RCOND * s[-1]
                T = U[:, keep] / np.sqrt(s[keep])
                Gr = T.T @ Gr @ T
            # PSD by construction: negative eigenvalues are round-off and count as zero.
            lam = self._spectrum(np.array(Gr), check_psd=False)
            scores.append((lam, math.exp(self._entropy(lam, n, approx=True))))
        if m == 1:  # no smaller rank to compare with
            return scores[0][0], method, math.nan
        (lam, vs), (_, vs_half) = scores
        return lam, method, abs(vs - vs_half)

    def _tol(self, n, m, approx=False):
        if self.rank_tol is not None:
            return float(self.rank_tol)
        return max(n, m) * _EPS if not approx else max(max(n, m) * _EPS, _EPS / _NYSTROEM_RCOND)

    def _entropy(self, lam, n, approx=False):
        tol = self._tol(n, lam.size, approx) * lam[0]
        return renyi_entropy_of_spectrum(lam, float(self.q), tol=tol)

    def _set_result(self, result, n):
        lam, method, err = result
        approx = method in ("nystroem", "rff")
        self.rank_tol_ = self._tol(n, lam.size, approx)
        self.entropy_ = float(self._entropy(lam, n, approx))
        self.score_ = float(math.exp(self.entropy_))
        self.eigenvalues_ = lam
        self.method_ = method
        self.n_components_ = int(lam.size)
        self.approximation_error_ = float(err)
        self.n_samples_seen_ = int(n)
