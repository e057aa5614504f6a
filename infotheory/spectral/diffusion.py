r"""Diffusion spectral entropy (DSE) and diffusion spectral mutual information (DSMI).

Liao, Liu et al. (2023), arXiv:2312.04823; reference package ``dse-dsmi``. See DESIGN.md §4.4.
"""

from __future__ import annotations

import math
import numbers
import random

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._base import InfoEstimator
from .._kernels import spectral as _k
from .._progress import progress
from .._validation import (
    check_backend,
    check_bool,
    check_labels,
    check_memory,
    check_option,
    check_param,
    check_random_state,
    check_samples,
    parse_memory,
    plain_array,
    pow2_scale,
)

__all__ = ["DiffusionSpectralEntropy", "DiffusionSpectralMI"]

# method="auto" diagonalises exactly up to this many points and uses SLQ above it: at N = 4000 the
# exact path takes a few seconds and SLQ is not yet faster by much; see benchmarks/bench_dse.py.
AUTO_EXACT_MAX = 4000

# knn="auto" keeps enough neighbours to hold this fraction of every sampled kernel row's mass.
# Range of the bandwidth relative to data scaled to magnitude 1 (see _scaled).
_SIGMA_MIN, _SIGMA_MAX = 1e-150, 1e150
_KNN_MASS = 0.9999
# Sampled rows used to choose knn, and the sample size of the median heuristic.
_KNN_ROWS = 200
_MEDIAN_SAMPLES = 2000
# A kNN graph denser than this fraction of n costs more than the matrix-free product.
_KNN_DENSE_FRACTION = 0.25


def _python_seed(rng: np.random.Generator, random_state) -> int:
    """Seed for :class:`random.Random`: an int ``random_state`` is used as is, so subsets are the
    ones ``dse-dsmi`` draws with ``random.seed(random_state)``; otherwise one draw from ``rng``."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    return int(rng.integers(0, 2**63 - 1))


def _subsample(X: np.ndarray, max_samples, seed_rng: random.Random) -> np.ndarray:
    """At most ``max_samples`` rows drawn without replacement as ``random.sample`` draws them."""
    n = X.shape[0]
    if max_samples is None or n <= max_samples:
        return X
    return X[np.array(seed_rng.sample(range(n), k=max_samples))]


class DiffusionSpectralEntropy(InfoEstimator):
    r"""Diffusion spectral entropy (DSE) of a point cloud.

    With the Gaussian affinity :math:`G_{ij} = \exp(-\lVert x_i - x_j\rVert^2 / (2\sigma^2))`,
    the degrees :math:`D = \mathrm{diag}(G\mathbf 1)` and the symmetric diffusion kernel
    :math:`K = D^{-1/2} G D^{-1/2}` (which has the spectrum of the random-walk matrix
    :math:`P = D^{-1} G`), let :math:`\lambda_i` be the eigenvalues of :math:`K` and

    .. math::

        \alpha_i = \frac{|\lambda_i|^t}{\sum_j |\lambda_j|^t}, \qquad
        \mathrm{DSE} = -\sum_i \alpha_i \log \alpha_i
        = \log S_1 - \frac{S_2}{S_1},\quad S_1 = \sum_i |\lambda_i|^t,\;
        S_2 = \sum_i |\lambda_i|^t \log |\lambda_i|^t .

    :math:`0 \le \mathrm{DSE} \le \log n`: it is :math:`\log n` when the points do not see each
    other (:math:`\sigma \to 0`, :math:`K = I`) and 0 when they all look alike
    (:math:`\sigma \to \infty`, rank-one :math:`K`); for :math:`c` well separated clusters it
    tends to :math:`\log c` as :math:`t` grows.

    Interpreting the plain form: the conditional terms are entropies of smaller point sets,
    so DSMI is positive even for labels independent of :math:`Z` (0.1-0.3 nats for 10 classes
    of about 50 points each on digits representations), and at small ``sigma`` it equals the
    label entropy whatever the labels. Compare with the value for shuffled labels, or use
    ``reference=True``, which removes that sample-size effect. ``sigma="median"`` is a
    distance *between* classes on class-structured data, so the kernel is wide; a fraction of
    it (e.g. a quarter) resolves the clusters.

    Unit: nats by default (``base=None``); ``base=2`` gives bits, the unit of ``dse-dsmi``.

    Parameters
    ----------
    sigma : float or "median", default=10.0
        Kernel bandwidth :math:`\sigma`. ``10.0`` is the reference package's default; it is a
        length in the units of ``X`` and only meaningful when pairwise distances are of that
        order. When all distances are much smaller than ``sigma``, :math:`G` is nearly all ones,
        :math:`K` nearly rank one, and DSE is close to 0 whatever the structure of the data
        (e.g. embeddings normalised to the unit sphere); when they are much larger, :math:`K
        \approx I` and DSE is close to :math:`\log n`. ``"median"`` sets :math:`\sigma` to the
        median Euclidean distance :math:`\operatorname{median}_{i<j} \lVert x_i - x_j\rVert`
        over all pairs of the (subsampled) points, or of a random subset of 2000 of them when
        there are more; the value is stored in ``sigma_``. It makes DSE invariant to a rescaling
        of ``X``.
    t : float, default=1
        Diffusion time (power of the eigenvalues), > 0.
    method : {"auto", "exact", "slq"}, default="auto"
        ``"exact"``: one symmetric eigensolve of the dense :math:`K` (O(n^3) time, one
        :math:`n\times n` array). ``"slq"``: stochastic Lanczos quadrature of :math:`S_1` and
        :math:`S_2` on a kNN-truncated sparse kernel or a matrix-free kernel (never an
        :math:`n\times n` array), with a standard error. ``"auto"``: exact up to
        ``AUTO_EXACT_MAX = 4000`` points, SLQ above.
    max_samples : int or None, default=10000
        Subsample to this many points first (as ``dse-dsmi``'s ``max_N``); None keeps all.
    knn : "auto", int or None, default="auto"
        SLQ only. Number of neighbours kept per point in the sparse kernel (the graph is
        symmetrised by union and each point keeps itself). ``"auto"`` picks the smallest count
        that holds 99.99 % of the kernel mass of 200 sampled rows and switches to the matrix-free
        exact kernel when that count exceeds n/4; None always uses the matrix-free kernel. The
        choice is stored in ``knn_`` (None for matrix-free). A small explicit ``knn`` on data
        whose kernel is not local changes the quantity (it is then the DSE of a kNN graph):
        on 10 Gaussian clusters in 64-d with sigma = 10 every point sees its whole cluster, and
        ``knn=50`` gives 12.5 bits where the exact value is 7.9. The matrix-free product costs
        O(n^2 d) per Lanczos step; the sparse one O(n knn).
    n_probes : int, default=32
        SLQ only. Rademacher probe vectors.
    lanczos_steps : int, default=30
        SLQ only. Lanczos iterations per probe (Gauss quadrature nodes).
    backend : {"auto", "numba", "jax"}, default="auto"
        ``"jax"`` builds the exact kernel and runs the matrix-free Lanczos iterations in JAX
        (use it on a GPU; the sparse kNN kernel is not available there).
    max_memory : int, float or str, default="4GB"
        Budget for the dense kernel (exact path) or the Lanczos basis and sparse kernel (SLQ).
        Exceeding it raises :class:`~infotheory.MemoryBudgetError` before allocating.
    random_state : None, int, Generator or RandomState, default=None
        Seeds the subsample (an int draws the same subset as ``dse-dsmi``'s ``random_seed``),
        the median-heuristic subset and the SLQ probes.
    base : float or None, default=None
        Logarithm base of the unit: None for nats, 2 for bits.

    Attributes
    ----------
    entropy_ : float
        DSE in the unit of ``base``.
    eigenvalues_ : ndarray of shape (n,)
        Exact path only: eigenvalues of :math:`K`, in decreasing order.
    standard_error_ : float
        SLQ path only: jackknife standard error over the probes, in the unit of ``base``
        (the Lanczos truncation error is not included; see ``lanczos_steps``).
    sigma_ : float
        The bandwidth used.
    method_ : str
        ``"exact"`` or ``"slq"``.
    knn_ : int or None
        SLQ only: neighbours per point, None for the matrix-free kernel.
    n_samples_used_ : int
        Number of points after subsampling.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    Differences from ``dse-dsmi``: nats by default; ``dse-dsmi`` adds machine epsilon to every
    :math:`\alpha_i` before the entropy, which we do not (the difference is below
    :math:`n \cdot 10^{-14}` bits); the dense kernel is built in place with one eigensolve.
    :math:`K` is positive semi-definite, so on the matrix-free SLQ path at ``t=1``
    :math:`S_1 = \operatorname{tr} K = \sum_i 1/d_i` exactly and only :math:`S_2` is
    estimated. The Hutchinson estimates of :math:`S_1` and :math:`S_2` are corrected by two
    control variates whose means are known exactly, :math:`v^\top K v` (mean
    :math:`\operatorname{tr} K`) and :math:`v^\top K^2 v` (mean :math:`\lVert K\rVert_F^2`),
    read off the first Lanczos step; on clustered data this cuts the standard error about
    tenfold. Measured on 10-cluster data (d = 64, sigma = 10): at N = 3000 the SLQ value is
    within 0.05 % of the exact one with 32 probes and 30 steps (the quadrature has converged by
    20 steps; the remaining error is the reported probe noise).

    References
    ----------
    .. [1] D. Liao, C. Liu, B. W. Christensen et al., "Assessing Neural Network Representations
       During Training Using Noise-Resilient Diffusion Spectral Entropy", arXiv:2312.04823, 2023.
    .. [2] S. Ubaru, J. Chen, Y. Saad, "Fast estimation of tr(f(A)) via stochastic Lanczos
       quadrature", SIAM J. Matrix Anal. Appl. 38(4), 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory.spectral import DiffusionSpectralEntropy
    >>> X = np.random.default_rng(0).normal(size=(200, 5))
    >>> dse = DiffusionSpectralEntropy(sigma=1e-3).fit(X)  # points do not see each other
    >>> round(dse.entropy_, 6), round(float(np.log(200)), 6)  # log n nats
    (5.298317, 5.298317)
    >>> round(DiffusionSpectralEntropy(sigma=1e6).fit(X).entropy_, 6)  # all alike
    0.0
    """

    _result_attr = "entropy_"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # the value depends on random_state only through SLQ probes, the reference-mode subsets
        # and subsampling above max_samples (not on the exact path for small data)
        tags.non_deterministic = self.method == "slq" or bool(getattr(self, "reference", False))
        return tags

    def __init__(
        self,
        *,
        sigma=10.0,
        t=1,
        method="auto",
        max_samples=10000,
        knn="auto",
        n_probes=32,
        lanczos_steps=30,
        backend="auto",
        max_memory="4GB",
        random_state=None,
        base=None,
    ):
        self.sigma = sigma
        self.t = t
        self.method = method
        self.max_samples = max_samples
        self.knn = knn
        self.n_probes = n_probes
        self.lanczos_steps = lanczos_steps
        self.backend = backend
        self.max_memory = max_memory
        self.random_state = random_state
        self.base = base

    def _min_samples_required(self):
        return 1, ""

    def _check_params(self):
        super()._check_params()
        if not (isinstance(self.sigma, str) and self.sigma == "median"):
            if isinstance(self.sigma, str):
                raise ValueError(f"sigma must be a positive number or 'median', got {self.sigma!r}")
            check_param(self.sigma, "sigma", numbers.Real, low=0, low_inclusive=False)
            if not math.isfinite(self.sigma):
                raise ValueError(f"sigma must be finite, got {self.sigma!r}")
        check_param(self.t, "t", numbers.Real, low=0, low_inclusive=False)
        if not math.isfinite(self.t):
            raise ValueError(f"t must be finite, got {self.t!r}")
        check_option(self.method, "method", ("auto", "exact", "slq"))
        check_param(self.max_samples, "max_samples", numbers.Integral, low=1, allow_none=True)
        if not (self.knn is None or (isinstance(self.knn, str) and self.knn == "auto")):
            if isinstance(self.knn, str):
                raise ValueError(f"knn must be 'auto', a positive int or None, got {self.knn!r}")
            check_param(self.knn, "knn", numbers.Integral, low=1)
        check_param(self.n_probes, "n_probes", numbers.Integral, low=2)
        check_param(self.lanczos_steps, "lanczos_steps", numbers.Integral, low=1)
        check_option(self.backend, "backend", ("auto", "numba", "jax"))
        parse_memory(self.max_memory)

    # -- the computation, shared with DiffusionSpectralMI ----------------------------------

    def _scaled(self, X: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float, float]:
        """``X`` and ``sigma`` scaled by one power of two, and ``sigma`` in the units of X.

        The kernel depends on ``|x_i - x_j| / sigma`` only, so scaling both by ``2**-e`` (exact)
        changes nothing while keeping squared distances of data of magnitude 1e300 or 1e-300
        finite. The scaled ``sigma`` is kept within [1e-150, 1e150] so that ``1 / (2 sigma^2)``
        is finite: beyond, the kernel is the identity (every pair farther apart than about
        1e-148 times the largest value is unrelated) or all ones, as at the limit.
        """
        Xs, e = pow2_scale(X)
        e = int(e)
        if isinstance(self.sigma, str):
            sigma_s = self._resolve_sigma(Xs, rng)
            return Xs, sigma_s, math.ldexp(sigma_s, e)
        sigma = float(self.sigma)
        sigma_s = min(max(math.ldexp(sigma, -e), _SIGMA_MIN), _SIGMA_MAX)
        return Xs, sigma_s, sigma

    def _resolve_sigma(self, X: np.ndarray, rng: np.random.Generator) -> float:
        if not isinstance(self.sigma, str):
            return float(self.sigma)
        n = X.shape[0]
        if n < 2:
            raise ValueError("sigma='median' needs at least 2 samples to measure a distance")
        if n <= _MEDIAN_SAMPLES:
            idx = np.arange(n)
        else:
            idx = rng.choice(n, _MEDIAN_SAMPLES, replace=False)
        check_memory(len(idx) ** 2 * 8.0, self.max_memory,
                     what=f"the {len(idx)} x {len(idx)} distance matrix of sigma='median'",
                     alternative="a numeric sigma")
        med = _k.median_pairwise_distance(X, idx)
        if med <= 0:
            raise ValueError(
                "sigma='median' found a median pairwise distance of 0 (more than half of the "
                "pairs are duplicate points); pass a numeric sigma"
            )
        return med

    def _resolve_method(self, n: int) -> str:
        if self.method != "auto":
            return self.method
        return "exact" if n <= AUTO_EXACT_MAX else "slq"

    def _dse(self, X: np.ndarray, sigma: float, rng: np.random.Generator, backend: str,
             method: str | None = None, eps: float = 0.0) -> dict:
        """DSE in nats of all rows of ``X`` (no subsampling) and the diagnostics of the path."""
        n = X.shape[0]
        method = method or self._resolve_method(n)
        if n == 1:
            return {"value": 0.0, "method": method, "eigenvalues": np.ones(1), "se": 0.0,
                    "knn": None}
        if method == "exact":
            check_memory(
                n * n * 8.0, self.max_memory,
                what=f"the {n} x {n} diffusion kernel of the exact path",
                alternative="method='slq' (stochastic Lanczos quadrature, no n x n matrix)",
            )
            if backend == "jax":
                from .._kernels import spectral_jax

                lam = spectral_jax.eigenvalues_exact(X, sigma)
            else:
                lam = _k.eigvalsh_inplace(_k.diffusion_kernel_dense(X, sigma))
            lam = np.sort(lam)[::-1]
            return {"value": _k.entropy_from_eigenvalues(lam, self.t, eps), "method": method,
                    "eigenvalues": lam, "se": None, "knn": None}
        return self._slq(X, sigma, rng, backend)

    def _slq(self, X, sigma, rng, backend):
        n = X.shape[0]
        p = self.n_probes
        steps = min(self.lanczos_steps, n)
        knn = self.knn
        if backend == "jax":
            if knn not in (None, "auto"):
                raise ValueError(
                    f"knn={knn!r} is not available with backend='jax', which uses the "
                    "matrix-free kernel: pass knn=None or 'auto', or backend='numba'"
                )
            knn = None
        elif knn == "auto":
            rows = rng.choice(n, min(n, _KNN_ROWS), replace=False)
            check_memory(len(rows) * n * 8.0, self.max_memory,
                         what=f"the {len(rows)} x {n} kernel rows sampled to choose knn",
                         alternative="an explicit knn")
            need = _k.kernel_mass_neighbours(X, sigma, rows, _KNN_MASS)
            knn = None if need > _KNN_DENSE_FRACTION * n else max(need - 1, 1)
        basis = steps * n * p * 8.0
        # kNN kernel: the directed lists (index + value) and the union CSR, up to twice as long
        op_bytes = 0.0 if knn is None else n * (min(knn, n - 1) + 1) * (16 + 2 * 12)
        check_memory(
            basis + op_bytes, self.max_memory,
            what=(f"the Lanczos basis ({steps} steps x {p} probes x {n} points) and the kernel "
                  "operator"),
            alternative="fewer n_probes or lanczos_steps, a smaller knn, or max_samples",
        )
        V0 = rng.choice(np.array([-1.0, 1.0]), size=(n, p))
        pw, pwlog = _k.power_xlogx(self.t)
        if backend == "jax":
            from .._kernels import spectral_jax

            alpha, beta, trace, trace_sq = spectral_jax.lanczos_matrix_free(X, sigma, V0, steps)
            psd = True
        else:
            if knn is None:
                op = _k.BlockedDiffusionOperator(X, sigma)
            else:
                op = _k.SparseDiffusionOperator(*_k.knn_diffusion_kernel(X, sigma, min(knn, n - 1)))
            alpha, beta = _k.lanczos_tridiagonals(op.matmat, V0, steps)
            trace, trace_sq, psd = op.trace(), op.trace_sq(), op.psd
        s1, s2 = _k.quadrature(alpha, beta, np.full(p, float(n)), (pw, pwlog))
        # v^T K v = |v|^2 alpha_0 and v^T K^2 v = |v|^2 (alpha_0^2 + beta_0^2), from the Lanczos run
        C = np.column_stack([n * alpha[0] - trace,
                             n * (alpha[0] ** 2 + (beta[0] if steps > 1 else 0.0) ** 2) - trace_sq])
        exact_s1 = trace if (psd and self.t == 1) else None
        value, se = _k.slq_entropy(s1, s2, C, exact_s1)
        return {"value": value, "method": "slq", "eigenvalues": None, "se": se, "knn": knn}

    def _estimate(self, X, y):
        rng = check_random_state(self.random_state)
        backend = check_backend(self.backend)
        Xs = _subsample(X, self.max_samples, random.Random(_python_seed(rng, self.random_state)))
        Xs, sigma_s, self.sigma_ = self._scaled(Xs, rng)
        res = self._dse(Xs, sigma_s, rng, backend)
        self.method_ = res["method"]
        self.n_samples_used_ = Xs.shape[0]
        for attr in ("eigenvalues_", "standard_error_", "knn_"):
            self.__dict__.pop(attr, None)
        if res["method"] == "exact":
            self.eigenvalues_ = res["eigenvalues"]
        else:
            self.standard_error_ = self._in_unit(res["se"])
            self.knn_ = res["knn"]
        return res["value"]


class DiffusionSpectralMI(DiffusionSpectralEntropy):
    r"""Diffusion spectral mutual information (DSMI) between a point cloud and labels or a
    reference variable.

    .. math::

        \mathrm{DSMI}(Z; Y) = \mathrm{DSE}(Z) - \sum_y p(y)\, \mathrm{DSE}(Z \mid Y = y)

    with :math:`p(y)` the fraction of points in group :math:`y` and
    :math:`\mathrm{DSE}(Z \mid Y = y)` the DSE of those points (:class:`DiffusionSpectralEntropy`,
    same ``sigma`` and ``t``).

    Groups: integer, boolean or string labels ``y`` of shape ``(n,)`` are used as they are.
    A continuous ``y`` is grouped as ``dse-dsmi`` does: a scalar (1-D float ``y``) into
    ``n_clusters`` equal-width bins of its range, a vector ``y`` (2-D) by spectral clustering
    into ``n_clusters`` clusters (``SpectralClustering(affinity="nearest_neighbors",
    assign_labels="cluster_qr", random_state=0)``). ``fit(X, y, groups=...)`` takes a grouping
    of your own instead.

    Two forms of the unconditional term:

    - ``reference=False`` (default), Def. IV.2 of [1]_: :math:`\mathrm{DSE}(Z)` on all points
      (after ``max_samples`` subsampling). With one group DSMI is exactly 0; with one point per
      group it equals :math:`\mathrm{DSE}(Z)`. Bounds: :math:`\mathrm{DSE}(Z) - \sum_y p(y)
      \log n_y \le \mathrm{DSMI} \le \mathrm{DSE}(Z) \le \log n`.
    - ``reference=True``, as ``dse-dsmi`` computes it: for each group, :math:`\mathrm{DSE}(Z)`
      is the mean over ``n_repetitions`` random subsets of :math:`Z` of the group's size
      (:math:`\mathrm{DSMI} = \sum_y p(y) [\overline{\mathrm{DSE}}(Z^*_{n_y}) -
      \mathrm{DSE}(Z \mid y)]`), so both terms are computed at the same sample size. Each
      group's subsets are drawn by ``random.Random(seed).sample`` re-seeded per group as the
      reference does; with an int ``random_state`` the value equals ``dse-dsmi``'s with
      ``random_seed=random_state`` (to 1e-8 bits with ``base=2``). Bounds:
      :math:`|\mathrm{DSMI}| \le \sum_y p(y) \log n_y \le \log n`. For labels independent of
      :math:`Z` it is 0 in expectation.

    Unit: nats by default (``base=None``); ``base=2`` gives bits, the unit of ``dse-dsmi``.

    Parameters
    ----------
    sigma, t, method, max_samples, knn, n_probes, lanczos_steps, backend, max_memory, base
        As in :class:`DiffusionSpectralEntropy`; applied to every DSE term. ``sigma="median"``
        is resolved once on all of ``Z`` so that every term uses the same bandwidth.
    reference : bool, default=False
        Use ``dse-dsmi``'s subset-matched form (see above).
    n_repetitions : int, default=5
        ``reference=True`` only: random subsets per group.
    n_clusters : int, default=10
        Groups made from a continuous ``y``.
    random_state : None, int, Generator or RandomState, default=None
        Seeds the subsets (an int is the reference's ``random_seed``), the subsampling and the
        SLQ probes.
    progress : bool, default=False
        Show a progress bar over the groups.

    Attributes
    ----------
    mutual_info_ : float
        DSMI in the unit of ``base``.
    entropy_ : float
        The unconditional term (``reference=True``: the group-size-weighted mean of the subset
        means).
    conditional_entropy_ : float
        :math:`\sum_y p(y)\,\mathrm{DSE}(Z\mid Y=y)`.
    groups_ : ndarray of shape (n_samples,)
        Group code (0..n_groups-1) of each point.
    sigma_ : float
        The bandwidth used.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    .. [1] D. Liao, C. Liu, B. W. Christensen et al., "Assessing Neural Network Representations
       During Training Using Noise-Resilient Diffusion Spectral Entropy", arXiv:2312.04823, 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory.spectral import DiffusionSpectralMI
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(np.arange(4), 50)
    >>> Z = 20.0 * y[:, None] + rng.normal(size=(200, 3))   # Z determines y
    >>> mi = DiffusionSpectralMI(sigma=2.0).fit(Z, y)
    >>> bool(mi.mutual_info_ > 0.9 * np.log(4))              # about log 4 nats
    True
    """

    _result_attr = "mutual_info_"
    _requires_y = True

    def __init__(
        self,
        *,
        sigma=10.0,
        t=1,
        method="auto",
        reference=False,
        n_repetitions=5,
        n_clusters=10,
        max_samples=10000,
        knn="auto",
        n_probes=32,
        lanczos_steps=30,
        backend="auto",
        max_memory="4GB",
        random_state=None,
        progress=False,
        base=None,
    ):
        super().__init__(
            sigma=sigma, t=t, method=method, max_samples=max_samples, knn=knn,
            n_probes=n_probes, lanczos_steps=lanczos_steps, backend=backend,
            max_memory=max_memory, random_state=random_state, base=base,
        )
        self.reference = reference
        self.n_repetitions = n_repetitions
        self.n_clusters = n_clusters
        self.progress = progress

    def _check_params(self):
        super()._check_params()
        check_bool(self.reference, "reference")
        check_param(self.n_repetitions, "n_repetitions", numbers.Integral, low=1)
        check_param(self.n_clusters, "n_clusters", numbers.Integral, low=1)
        check_bool(self.progress, "progress")

    def _validate_y(self, y, X):
        return y  # grouped in _groups, where the kind of y decides the grouping

    def _groups(self, y, n: int) -> np.ndarray:
        if y is None:
            raise ValueError(
                "DiffusionSpectralMI requires y (labels or a reference variable) or groups, "
                "but y is None"
            )
        y = plain_array(y, "y")
        arr = np.asarray(y)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim == 1 and arr.dtype.kind in "iubUSO":
            return check_labels(arr, name="y", n_samples=n)
        Y = check_samples(y, name="y")
        if Y.shape[0] != n:
            raise ValueError(
                f"X and y must have the same number of samples: X has {n}, y has {Y.shape[0]} "
                f"(shape={Y.shape})"
            )
        if self.n_clusters > n:
            raise ValueError(
                f"n_clusters={self.n_clusters} is more than the {n} samples: a continuous y is "
                "grouped into at most one cluster per sample"
            )
        if Y.shape[1] == 1:
            v = Y[:, 0]
            span = v.max() - v.min()
            if span == 0:
                return np.zeros(n, dtype=np.int64)
            # equal-width bins of the range, the maximum in the last one (np.digitize, as dse-dsmi)
            edges = np.linspace(0.0, 1.0, self.n_clusters + 1)[:-1]
            codes = np.digitize((v - v.min()) / span, edges)
        else:
            from sklearn.cluster import SpectralClustering

            codes = SpectralClustering(
                n_clusters=self.n_clusters, affinity="nearest_neighbors",
                assign_labels="cluster_qr", random_state=0,
            ).fit(Y).labels_
        return check_labels(codes, name="y", n_samples=n)

    def fit(self, X, y=None, groups=None):
        """Estimate DSMI between ``X`` and ``y`` (or the user-given ``groups``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The representation :math:`Z`.
        y : array-like of shape (n_samples,) or (n_samples, n_features_y)
            Labels, or a continuous reference grouped as described above. Ignored when
            ``groups`` is given (may then be None).
        groups : array-like of shape (n_samples,), optional
            A grouping of the samples to use as :math:`Y` directly.

        Returns
        -------
        self
        """
        Xa, _ = self._validate(X, y if groups is None else groups, reset=True)
        self.mutual_info_ = self._in_unit(self._mi(Xa, y, groups))
        return self

    def score(self, X, y=None, groups=None):
        """DSMI estimated on ``X`` and ``y`` (or ``groups``), as a float in the unit of ``base``."""
        check_is_fitted(self)
        Xa, _ = self._validate(X, y if groups is None else groups, reset=False)
        return self._in_unit(self._mi(Xa, y, groups))

    def _estimate(self, X, y):
        return self._mi(X, y, None)

    def _mi(self, X, y, groups):
        n = X.shape[0]
        codes = (check_labels(groups, name="groups", n_samples=n) if groups is not None
                 else self._groups(y, n))
        rng = check_random_state(self.random_state)
        backend = check_backend(self.backend)
        seed = _python_seed(rng, self.random_state)
        X, sigma, sigma_user = self._scaled(X, rng)
        counts = np.bincount(codes)
        weights = counts / n

        def dse_of(rows_X, py_rng):
            # as every DSE call of dse-dsmi: subsample above max_samples with seed 0 in reference
            # mode (the reference re-seeds the shared generator there), else with our stream
            if self.reference:
                if self.max_samples is not None and rows_X.shape[0] > self.max_samples:
                    py_rng.seed(0)
            sub = _subsample(rows_X, self.max_samples, py_rng)
            return self._dse(sub, sigma, rng, backend, eps=eps)["value"]

        # dse-dsmi adds machine epsilon to every alpha_i; reproduced only in reference mode
        eps = np.finfo(float).eps if self.reference else 0.0
        py_rng = random.Random(seed)
        cond = np.empty(len(counts))
        uncond = np.empty(len(counts))
        for g in progress(range(len(counts)), enabled=self.progress, desc="DSMI groups"):
            cond[g] = dse_of(X[codes == g], py_rng)
            if self.reference:
                py_rng.seed(seed)
                reps = []
                for _ in range(self.n_repetitions):
                    idx = np.array(py_rng.sample(range(n), k=int(counts[g])))
                    reps.append(dse_of(X[idx], py_rng))
                uncond[g] = np.mean(reps)
        if not self.reference:
            uncond[:] = dse_of(X, random.Random(seed))
        self.sigma_ = sigma_user
        self.groups_ = codes
        self.entropy_ = self._in_unit(float(np.dot(weights, uncond)))
        self.conditional_entropy_ = self._in_unit(float(np.dot(weights, cond)))
        return float(np.dot(weights, uncond - cond))
