"""The Vendi score of all orders q: exact (dual or kernel) and low-rank (Nyström, random features).

The score is the exponential of the Rényi entropy of the eigenvalues of the normalised kernel
matrix (Friedman & Dieng 2023; Pasarkar & Dieng 2024). Which matrix is diagonalised depends on the
kernel and the size: the ``d x d`` second-moment matrix for linear / cosine kernels (the "dual"
path, which also streams with :meth:`VendiScore.partial_fit`), the ``n x n`` kernel matrix up to a
memory budget, and beyond it an ``m x m`` matrix of a rank-``m`` approximation.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import partial
from numbers import Integral, Real

import numpy as np
from scipy import linalg
from scipy.special import logsumexp
from sklearn.utils.metaestimators import available_if

from .. import chunked
from .._bandwidth import median_bandwidth, warn_if_scale_dominated
from .._base import Estimate, InfoEstimator, PartialFitMixin
from .._params import Interval, StrOptions
from .._validation import (
    DEFAULT_MAX_MEMORY,
    check_memory,
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
    check_param(q, "q", Real, low=0)
    tol = check_param(tol, "tol", Real, low=0, finite=True)
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


def _row_normalise(X: np.ndarray, augment: bool | None = None) -> np.ndarray:
    """Rows divided by their norm; all-zero rows become a direction of their own.

    The cosine similarity of an all-zero row is undefined; it is taken to be 1 with itself (and
    with other all-zero rows: they are the same point) and 0 with every non-zero row. This is
    the Gram matrix of the rows mapped to unit vectors in one more dimension, the zero rows to
    the new axis, so the kernel stays positive semi-definite with a unit diagonal, and the dual
    path and streaming keep working. ``augment`` forces (or refuses) the extra column; None adds
    it only when ``X`` has an all-zero row.
    """
    norms = np.sqrt(np.einsum("ij,ij->i", X, X))
    zero = norms == 0
    Z = X / np.where(zero, 1.0, norms)[:, None]
    if not (zero.any() if augment is None else augment):
        return Z
    return np.hstack([Z, zero[:, None].astype(np.float64)])


def _sq_distances(A: np.ndarray, B: np.ndarray, same: bool) -> np.ndarray:
    D = np.einsum("ij,ij->i", A, A)[:, None] + np.einsum("ij,ij->i", B, B)[None, :]
    D -= 2.0 * (A @ B.T)
    # The expansion loses a few ulps; distances are >= 0 and exactly 0 from a point to itself.
    np.maximum(D, 0.0, out=D)
    if same:
        np.fill_diagonal(D, 0.0)
    return D


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


@dataclass
class _Spectrum:
    """What a Vendi computation leaves: the normalised spectrum and, on the dual path, the
    weighted second-moment matrix and total weight that ``partial_fit`` adds batches to."""

    eigenvalues: np.ndarray
    method: str
    approximation_error: float
    n_samples: int
    bandwidth: float | None
    scatter: np.ndarray | None = None
    weight_sum: float = 0.0


class _DualStream:
    """The statistics ``partial_fit`` starts a stream with: nothing yet, dual path."""


class VendiScore(PartialFitMixin, InfoEstimator):
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
        ``"cosine"``: :math:`x^\top y/(\|x\|\|y\|)` (an all-zero row has similarity 1 with
        itself and other all-zero rows, 0 with the others). ``"linear"``: :math:`x^\top y`, whose
        eigenvalues are divided by :math:`\sum_i p_i\|x_i\|^2` (it does not have
        :math:`k(x,x)=1`; for unit-norm rows it equals ``"cosine"``). ``"rbf"``:
        :math:`\exp(-\|x-y\|^2/(2h^2))`. ``"precomputed"``: ``X`` is the n x n kernel matrix,
        symmetric with unit diagonal (to 1e-8). A callable ``kernel(A, B)`` returns the
        ``(len(A), len(B))`` matrix, positive semi-definite with :math:`k(x, x) = 1`.
    bandwidth : float or "median", default="median"
        :math:`h` of the RBF kernel (:math:`\gamma = 1/(2h^2)`). ``"median"``: the median
        pairwise distance over all pairs, or over a random subset of 2000 samples (seeded by
        ``random_state``) when there are more. Ignored by other kernels. A numeric bandwidth
        whose score lands within 5 % of a bound (1 or n) while it is more than 10 times away
        from the median pairwise distance raises a :class:`~infotheory.spectral.BandwidthWarning`.
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
        Landmarks (Nyström), random features (RFF) and the median-heuristic subset above 2000
        samples.

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
    n_eigenvalues_ : int
        Size of the eigenproblem solved (d, n, or the approximation rank m); ``n_components_``
        is its deprecated alias (``n_components_`` means the number of components of an
        approximation or a compressor across the package).
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

    Usage: ``fit(X, sample_weight=w)`` or ``fit(X, p=p)`` for weighted samples (at most one of
    the two); ``score(X)`` takes the same side inputs.

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
    _chunked = True  # on the dual path (linear / cosine kernels) only
    _min_samples = 1
    _side_inputs = ("sample_weight", "p")
    _cli_name = "vendi"
    _parameter_constraints = {
        "q": [Interval(Real, 0, None, closed="left", finite=False)],
        "kernel": [StrOptions(_KERNELS), callable],
        "bandwidth": [Interval(Real, 0, None, closed="neither"), StrOptions(("median",))],
        "method": [StrOptions(_METHODS)],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "rank_tol": [Interval(Real, 0, 1, closed="both"), None],
        "max_memory": ["max_memory"],
        "random_state": ["random_state"],
    }

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.kernel == "precomputed"
        tags.non_deterministic = self.method in ("nystroem", "rff")
        return tags

    # -- parameters --------------------------------------------------------------------------

    def _check_params(self) -> None:
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

    @property
    def n_components_(self):
        """Deprecated alias of ``n_eigenvalues_`` (removed in 0.3)."""
        warnings.warn(
            "VendiScore.n_components_ was renamed n_eigenvalues_ in version 0.2 and will be "
            "removed in 0.3 (n_components_ means the number of components of an approximation "
            "or a compressor across the package)", FutureWarning, stacklevel=2)
        return self.n_eigenvalues_

    # -- the contract ----------------------------------------------------------------------

    def _validate_side(self, name, value, X):
        if value is None:
            return None
        w = check_samples(value, name=name)
        n = X.shape[0]
        if w.shape[1] != 1 and w.shape[0] == 1:
            w = w.T
        if w.shape != (n, 1):
            raise ValueError(
                f"{name} must have shape (n_samples,) = ({n},), got shape {np.shape(value)}"
            )
        return w[:, 0].copy()

    def _learn(self, X, y=None, **side):
        return {}

    def _new_stream(self):
        return _DualStream()

    def _accumulate(self, stats, X, y=None, sample_weight=None, p=None):
        """The spectrum of ``X`` (``stats`` None), or the dual statistics plus this batch."""
        if stats is None:
            w = self._check_weights(X.shape[0], sample_weight, p)
            # the weight this batch carries if partial_fit continues: the sum of sample_weight,
            # else one per sample (p spreads n samples' worth of weight)
            total = float(sample_weight.sum()) if sample_weight is not None else float(X.shape[0])
            return self._compute(X, w, total)
        _check_continues(stats)
        w = self._check_weights(X.shape[0], sample_weight, None, normalise=False)
        return _add_dual(stats, *self._dual_moments(X, w), X.shape[0], self._spectrum)

    # -- chunked input: the dual path only ---------------------------------------------------

    def _validate_X_chunked(self, X, n_min, why):
        # Only the dual path decomposes over samples (the kernel and low-rank paths need all
        # pairs, or landmarks drawn from all samples).
        if self.kernel not in ("linear", "cosine") or self.method not in ("auto", "dual"):
            raise TypeError(
                "VendiScore takes chunked X (Dask / Zarr) on the dual path only: kernel='linear' "
                f"or 'cosine' with method='auto' or 'dual', got kernel={self.kernel!r}, "
                f"method={self.method!r}; or pass a seeded subsample that fits in memory: "
                "infotheory.chunked.subsample(X, n_samples, random_state=0)"
            )
        Xd = super()._validate_X_chunked(X, n_min, why)
        d = int(Xd.shape[1])
        check_memory(
            3 * 8.0 * d * d, self.max_memory, what=f"the {d} x {d} dual matrix X^T X",
            alternative="a subsample with method='kernel' or 'nystroem'",
        )
        return Xd

    def _validate_side_chunked(self, name, value, X):
        # one weight per sample: read into memory, then checked as in memory
        return self._validate_side(name, chunked.materialise_small(value, name), X)

    def _accumulate_chunked(self, stats, X, y=None, sample_weight=None, p=None):
        """:meth:`_accumulate` for chunked ``X``: the dual statistics by a reduction over chunks
        (``fit`` takes the dual path whatever ``n`` and ``d``)."""
        n = int(X.shape[0])
        if stats is None:
            w = (None if sample_weight is None and p is None
                 else self._check_weights(n, sample_weight, p, normalise=False))
            S, wsum = self._chunked_moments(X, w)
            # as in memory: the weight partial_fit continues from is sum(sample_weight), else n
            total = float(sample_weight.sum()) if sample_weight is not None else float(n)
            return _Spectrum(self._spectrum(S / wsum), "dual", 0.0, n, None,
                             scatter=S * (total / wsum), weight_sum=total)
        _check_continues(stats)
        w = (None if sample_weight is None
             else self._check_weights(n, sample_weight, None, normalise=False))
        return _add_dual(stats, *self._chunked_moments(X, w), n, self._spectrum)

    def _chunked_moments(self, X, w):
        """``(sum_i w_i z_i z_i^T, sum_i w_i)`` of chunked ``X`` (``w`` None: unweighted).

        For the cosine kernel every chunk is augmented with the all-zero-row axis of
        :func:`_row_normalise` (so the chunks' matrices have one size); the axis is dropped
        again when no row of the whole array is zero, as the in-memory path never adds it.
        """
        cosine = self.kernel == "cosine"
        if w is None:
            transform = partial(_row_normalise, augment=True) if cosine else None
            n, S = chunked.second_moment(X, transform=transform)
            has_zero_row = cosine and S[-1, -1] > 0  # the number of all-zero rows
            wsum = float(n)
        else:
            # each row scaled by sqrt(w_i) before the product: sum_i w_i z_i z_i^T; a last,
            # unweighted column flags the all-zero rows (whatever their weight)
            joint = chunked.hstack_rows(X, chunked.align_rows(np.sqrt(w), X))
            _, S = chunked.second_moment(joint, transform=partial(_scaled_rows, cosine=cosine))
            has_zero_row = cosine and S[-1, -1] > 0
            S = S[:-1, :-1] if cosine else S
            wsum = float(w.sum())
        if cosine and not has_zero_row:
            S = S[:-1, :-1]
        return np.ascontiguousarray(S), wsum

    def _estimate_from(self, stats: _Spectrum):
        lam, n = stats.eigenvalues, stats.n_samples
        approx = stats.method in ("nystroem", "rff")
        entropy = float(self._entropy(lam, n, approx))
        return Estimate(float(math.exp(entropy)), attributes={
            "rank_tol_": self._tol(n, lam.size, approx),
            "entropy_": entropy,
            "eigenvalues_": lam,
            "method_": stats.method,
            "n_eigenvalues_": int(lam.size),
            "approximation_error_": float(stats.approximation_error),
            "n_samples_seen_": int(n),
            "bandwidth_": stats.bandwidth,
        })

    partial_fit = available_if(_streamable)(PartialFitMixin.partial_fit)

    # -- internals ---------------------------------------------------------------------------

    def _check_weights(self, n, sample_weight, p, *, normalise=True):
        if sample_weight is not None and p is not None:
            raise ValueError("Give at most one of sample_weight and p, got both")
        name = "p" if p is not None else "sample_weight"
        w = p if p is not None else sample_weight
        if w is None:
            return np.full(n, 1.0 / n) if normalise else np.ones(n)
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
            if same:
                A = _row_normalise(A)
                return A @ A.T
            augment = bool((~A.any(axis=1)).any() or (~B.any(axis=1)).any())
            return _row_normalise(A, augment) @ _row_normalise(B, augment).T
        return A @ B.T

    def _resolve_method(self, n, d):
        if self.method != "auto":
            return self.method
        if self.kernel in ("linear", "cosine") and d < n:
            return "dual"
        if self.kernel == "precomputed" or 2 * 8.0 * n * n <= parse_memory(self.max_memory):
            return "kernel"
        return "nystroem"

    def _compute(self, X, w, total_weight) -> _Spectrum:
        """The normalised spectrum of the weighted kernel of ``X`` by the resolved method."""
        n, d = X.shape
        bw = None
        if self.kernel == "rbf":
            bw = (median_bandwidth(X, check_random_state(self.random_state),
                                   max_memory=self.max_memory)
                  if isinstance(self.bandwidth, str) else float(self.bandwidth))
        method = self._resolve_method(n, d)
        if method == "dual":
            S, wsum = self._dual_moments(X, w)
            return _Spectrum(self._spectrum(S / wsum), method, 0.0, n, bw,
                             scatter=S * total_weight, weight_sum=total_weight)
        if method == "kernel":
            result = _Spectrum(self._spectrum(self._weighted_kernel(X, w, bw)), method, 0.0, n, bw)
        else:
            result = _Spectrum(*self._low_rank(X, w, method, bw), n, bw)
        if bw is not None and not isinstance(self.bandwidth, str) and n > 1:
            vs = math.exp(self._entropy(result.eigenvalues, n, method in ("nystroem", "rff")))
            warn_if_scale_dominated(vs, 1.0, float(n), X, bw, what="The Vendi score",
                                    stacklevel=5)
        return result

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


def _check_continues(stats) -> None:
    """Refuse to add a batch to a fit that did not take the dual path."""
    if not (isinstance(stats, _DualStream) or stats.scatter is not None):
        raise ValueError(
            f"partial_fit cannot continue a fit that used method_={stats.method!r}; use a "
            "fresh estimator (or fit with method='dual')"
        )


def _add_dual(stats, S: np.ndarray, wsum: float, n_batch: int, spectrum) -> _Spectrum:
    """The dual statistics of a stream (or of a dual fit) plus one batch's, and their spectrum."""
    if not isinstance(stats, _DualStream):
        S, old = _pad_to(S, stats.scatter)
        S += old
        wsum += stats.weight_sum
    n = n_batch + (0 if isinstance(stats, _DualStream) else stats.n_samples)
    if wsum <= 0:
        raise ValueError(
            "sample_weight: the weights seen so far are all zero; expected at least one "
            "non-zero weight"
        )
    return _Spectrum(spectrum(S / wsum), "dual", 0.0, n, None, scatter=S, weight_sum=wsum)


def _scaled_rows(A: np.ndarray, *, cosine: bool) -> np.ndarray:
    """A chunk of ``[X, sqrt(w)]`` as the rows ``sqrt(w_i) z_i`` (cosine: the augmented unit
    rows, followed by the unweighted all-zero-row flag)."""
    X, root_w = A[:, :-1], A[:, -1:]
    if not cosine:
        return X * root_w
    Z = _row_normalise(X, augment=True)
    return np.hstack([Z * root_w, Z[:, -1:]])


def _pad_to(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zero-pad two square matrices to the larger size (a batch with all-zero cosine rows adds
    one dimension to the dual matrix)."""
    m = max(A.shape[0], B.shape[0])

    def pad(M):
        return M if M.shape[0] == m else np.pad(M, ((0, m - M.shape[0]), (0, m - M.shape[0])))

    return pad(A), pad(B)
