r"""One mutual-information estimator that inspects the data and picks the method: ``MutualInfo``."""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from sklearn.base import clone

from .._base import Estimate, InfoEstimator
from .._params import Checked, StrOptions
from .._validation import check_random_state, pow2_scale
from .._warnings import format_info
from ._blocks import dependence_blocks
from ._diagnostics import MAX_LABEL_VALUES, InfotheoryWarning, warn, warn_constant_columns
from .copula import (
    DF_GRID,
    MIXTURE_COMPONENTS,
    RankScores,
    _mixture_copula_fit,
    _ranks,
    _t_copula_fit,
)
from .ksg import KSGMI

__all__ = ["DegenerateInputWarning", "MIDiagnostics", "MutualInfo", "UnverifiableEstimateWarning",
           "inspect_pair"]

#: An integer-valued column with at most this many distinct values is discrete (labels, counts):
#: the label threshold of the package's input diagnostics.
MAX_DISCRETE_LEVELS = MAX_LABEL_VALUES
#: Joint dimension up to which KSG on the ranks and the mixture copula are computed.
KNN_MAX_DIM = 20
#: Neighbours of the rank KSG.
KNN_K = 3
#: Relative jitter added before a kNN estimate when values repeat (documented in the class).
TIE_NOISE = 1e-10
_EXACT = 1e-12
#: Family-wise level of the pairwise independence tests that split ``(X, y)`` into blocks.
BLOCK_ALPHA = 0.01
#: Fewest samples for the block search (2 x 2 bins of about 20 samples each per pair).
BLOCK_MIN_SAMPLES = 80
#: Most features (both sides) for the block search: its tables cost about ``n (8 d)^2`` flops.
BLOCK_MAX_FEATURES = 512
#: Family-wise level at which KSG replaces the copula estimate of a block (or of the sum over
#: blocks): the chance that any replacement happens where both estimators are unbiased.
BLOCK_LEVEL = 0.05
#: Spread of a KSG estimate over samples in units of its per-sample-terms standard error
#: (neighbouring terms are correlated: 1.1-1.4 measured, see ``KSGMI.standard_error_``).
KSG_SPREAD = 1.4

#: ``method=`` value -> (module, class) of the package's MI estimators.
METHODS = {
    "ksg": ("infotheory.mutual_info.ksg", "KSGMI"),
    "mixed": ("infotheory.mutual_info.mixed", "MixedMI"),
    "discrete": ("infotheory.mutual_info.discrete", "DiscreteMI"),
    "gaussian": ("infotheory.mutual_info.gaussian", "GaussianMI"),
    "gaussian_copula": ("infotheory.mutual_info.gaussian", "GaussianCopulaMI"),
    "t_copula": ("infotheory.mutual_info.copula", "StudentTCopulaMI"),
    "binned": ("infotheory.mutual_info.binned", "BinnedMI"),
    "compressed": ("infotheory.mutual_info.compressed", "CompressedMI"),
    "neural": ("infotheory.mutual_info.neural", "NeuralMI"),
}


def _check_method_params(value) -> None:
    if not isinstance(value, Mapping):
        raise TypeError(
            "method_params must be a dict of parameters of the chosen estimator or None, "
            f"got {type(value).__name__}"
        )


class DegenerateInputWarning(InfotheoryWarning):
    """The inputs make the mutual information trivial (0 or infinite); nothing was estimated."""


class UnverifiableEstimateWarning(InfotheoryWarning):
    r"""The estimate exceeds :math:`\log N` nats, more than ``N`` samples can confirm.

    A lower bound on mutual information that holds with high confidence cannot exceed
    :math:`O(\log N)` from ``N`` samples (McAllester and Stratos 2020); above it the value is
    the extrapolation of a model (here the copula's near-singular correlation), typically of a
    near-deterministic dependence whose MI may be infinite (e.g. one network layer computed
    from the other).
    """


@dataclass(frozen=True)
class MIDiagnostics:
    """What :class:`MutualInfo` saw in the data and what it compared.

    Attributes
    ----------
    n_samples : int
    n_features_x, n_features_y : int
    distinct_x, distinct_y : tuple of int
        Number of distinct values of each column.
    kind_x, kind_y : str
        ``"continuous"``, ``"discrete"`` (every non-constant column integer-valued with at most
        ``MAX_DISCRETE_LEVELS`` values), ``"mixed"`` (some of each) or ``"constant"``.
    constant_x, constant_y : tuple of int
        Indices of constant columns (dropped: they carry no information).
    duplicate_rows : int
        Rows of ``(X, y)`` equal to an earlier row (they break kNN distances; a jitter of
        relative size ``TIE_NOISE`` is then added before any kNN estimate).
    degenerate : str or None
        Why the MI was not estimated (constant variable, ``y`` a deterministic function of
        ``X``, identical variables), else None.
    candidates : mapping of str to float
        The estimates computed, in nats (e.g. ``{"t_copula": 0.98, "mixture_copula": 0.99,
        "ksg_ranks": 0.71}``). The mixture copula's is computed (refitted on all samples) only
        where its held-out likelihood exceeds the t copula's: elsewhere it could not be chosen.
    copula_df : float or None
        Degrees of freedom of the fitted t copula (``inf``: Gaussian copula).
    copula_loglik : mapping of str to float
        Held-out mean log-likelihood (nats per sample) of each copula model fitted
        (``"t_copula"``, ``"mixture_copula"``); the larger one is the copula model used.
    reason : str
        One sentence: why the reported method was chosen.
    blocks : tuple of (tuple of int, tuple of int), or None
        Blocks of mutually independent coordinates found by the pairwise tests
        (:func:`~infotheory.mutual_info._blocks.dependence_blocks`): the columns ``(of X,
        of y)`` of each block with both sides; ``()`` when no pair of coordinates was found
        dependent, ``None`` when no search ran (``blocks=False``, discrete data, a 1 + 1 pair,
        fewer than ``BLOCK_MIN_SAMPLES`` samples or more than ``BLOCK_MAX_FEATURES`` features).
    block_estimates : tuple of float
        MI of each block (nats), when the sum over blocks was a candidate.
    block_methods : tuple of str
        What estimated each block.
    """

    n_samples: int
    n_features_x: int
    n_features_y: int
    distinct_x: tuple
    distinct_y: tuple
    kind_x: str
    kind_y: str
    constant_x: tuple
    constant_y: tuple
    duplicate_rows: int
    degenerate: str | None = None
    candidates: Mapping = field(default_factory=dict)
    copula_df: float | None = None
    copula_loglik: Mapping = field(default_factory=dict)
    reason: str = ""
    blocks: tuple | None = None
    block_estimates: tuple = ()
    block_methods: tuple = ()


def _distinct_counts(A: np.ndarray) -> np.ndarray:
    S = np.sort(A, axis=0)
    return 1 + np.count_nonzero(np.diff(S, axis=0), axis=0)


def _kind(distinct: np.ndarray, integer: np.ndarray) -> str:
    varying = distinct > 1
    if not varying.any():
        return "constant"
    discrete = integer & (distinct <= MAX_DISCRETE_LEVELS)
    if discrete[varying].all():
        return "discrete"
    return "mixed" if discrete[varying].any() else "continuous"


def _function_of(X: np.ndarray, Y: np.ndarray, rx: np.ndarray, ry: np.ndarray) -> str | None:
    """Name the ways a continuous ``y`` is a deterministic function of ``X`` that are cheap to see.

    A column of ``y`` with the same (or reversed) ranks as a column of ``X`` is a strictly
    monotone function of it; a column of ``y`` that is an affine function of ``X`` (least-squares
    residual below ``1e-12`` of its variance) is one as well. Either makes I(X;Y) infinite.
    Other functions (smooth, non-monotone, of several columns) are not detected here.
    """
    n = X.shape[0]
    for j in range(Y.shape[1]):
        same = np.all(rx == ry[:, j:j + 1], axis=0) | np.all(rx == n + 1 - ry[:, j:j + 1], axis=0)
        if same.any():
            i = int(np.flatnonzero(same)[0])
            return f"y[:, {j}] is a strictly monotone function of X[:, {i}]"
    if n > X.shape[1] + 2:
        # exact power-of-two scaling keeps the sums of squares finite at magnitudes 1e±300
        Xs, Ys = pow2_scale(X, axis=0)[0], pow2_scale(Y, axis=0)[0]
        Xc, Yc = Xs - Xs.mean(axis=0), Ys - Ys.mean(axis=0)
        coef, *_ = np.linalg.lstsq(Xc, Yc, rcond=None)
        resid = ((Yc - Xc @ coef) ** 2).sum(axis=0)
        total = (Yc ** 2).sum(axis=0)
        hit = np.flatnonzero(resid <= _EXACT * total)
        if hit.size:
            return f"y[:, {int(hit[0])}] is an affine function of X"
    return None


def inspect_pair(X: np.ndarray, Y: np.ndarray) -> MIDiagnostics:
    """Describe a validated pair ``(X, y)`` (2-D float arrays): dimensions, distinct values,
    discrete or continuous parts, constant columns, duplicates and degeneracies.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.column_stack([np.arange(6.0), np.ones(6)])
    >>> d = inspect_pair(X, (np.arange(6) % 2).astype(float)[:, None])
    >>> d.kind_x, d.kind_y, d.constant_x
    ('discrete', 'discrete', (1,))
    """
    n = X.shape[0]
    dist_x, dist_y = _distinct_counts(X), _distinct_counts(Y)
    int_x = np.all(X == np.round(X), axis=0)
    int_y = np.all(Y == np.round(Y), axis=0)
    kind_x, kind_y = _kind(dist_x, int_x), _kind(dist_y, int_y)
    joint = np.hstack([X, Y])
    duplicates = n - np.unique(joint, axis=0).shape[0]
    degenerate = None
    if kind_x == "constant" or kind_y == "constant":
        which = "X" if kind_x == "constant" else "y"
        degenerate = f"{which} is constant: I(X;Y) = 0"
    elif kind_x in ("continuous", "mixed") and kind_y in ("continuous", "mixed"):
        if X.shape == Y.shape and np.array_equal(X, Y):
            degenerate = "X and y are identical continuous variables: I(X;Y) is infinite"
        else:
            keep_x, keep_y = dist_x > MAX_DISCRETE_LEVELS, dist_y > MAX_DISCRETE_LEVELS
            if keep_x.any() and keep_y.any():
                f = _function_of(X[:, keep_x], Y[:, keep_y], _ranks(X[:, keep_x]),
                                 _ranks(Y[:, keep_y]))
                if f is not None:
                    degenerate = f"{f}: I(X;Y) is infinite for continuous variables"
    return MIDiagnostics(
        n_samples=n, n_features_x=X.shape[1], n_features_y=Y.shape[1],
        distinct_x=tuple(int(c) for c in dist_x), distinct_y=tuple(int(c) for c in dist_y),
        kind_x=kind_x, kind_y=kind_y,
        constant_x=tuple(int(i) for i in np.flatnonzero(dist_x == 1)),
        constant_y=tuple(int(i) for i in np.flatnonzero(dist_y == 1)),
        duplicate_rows=int(duplicates), degenerate=degenerate,
    )


def _import_method(method: str):
    module, name = METHODS[method]
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise ImportError(
            f"method={method!r} needs {name}, which this installation does not provide "
            "(the neural estimator needs the jax extra: pip install infotheory[jax])"
        ) from None


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


@dataclass(frozen=True)
class _PairFit:
    """The continuous candidates of one pair (or block) and the one the rule picks."""

    candidates: dict
    loglik: dict
    df: float | None
    method: str
    copula: str | None = None  # the copula model of larger held-out likelihood
    ksg_se: float | None = None  # KSG's standard error (per-sample terms)


def _rank_ksg(scores: RankScores, dx: int, ties: bool, noise_seed: int) -> KSGMI:
    """KSG (k = ``KNN_K``) fitted to the normal scores of the ranks; jittered when values repeat."""
    n = scores.n
    Z = scores(math.inf)
    ties = ties or bool(np.any(_distinct_counts(Z) < n))
    est = KSGMI(k=min(KNN_K, n - 1), warn_bias=False, warn_discrete=False,
                noise=TIE_NOISE if ties else 0.0, random_state=noise_seed)
    return est.fit(Z[:, :dx], Z[:, dx:])


def _pair_candidates(X, y, scores, ties, split_seed, noise_seed, *, mixture=True) -> _PairFit:
    """The copula models (t always, the Gaussian mixture up to ``KNN_MAX_DIM`` joint features
    when ``mixture``) and KSG on the ranks (up to ``KNN_MAX_DIM``); the rule picks the copula
    model of larger held-out likelihood, then the larger of it and KSG."""
    n, dx = X.shape
    d = dx + y.shape[1]
    candidates, loglik, df, ksg_se = {}, {}, None, None
    if n >= 2 * (d + 2):  # each half of the held-out split must fit a d x d correlation
        fit = _t_copula_fit(X, y, DF_GRID, np.random.default_rng(split_seed), scores)
        candidates["t_copula"], df = fit["mi"], fit["df"]
        loglik["t_copula"] = max(fit["heldout_loglik"].values())
        if mixture and d <= KNN_MAX_DIM:
            # the mixture's MI (a refit on all samples) is only needed where it is the copula
            # model of larger held-out likelihood
            mix = _mixture_copula_fit(X, y, MIXTURE_COMPONENTS,
                                      np.random.default_rng(split_seed), scores,
                                      beat=loglik["t_copula"])
            if mix["heldout_loglik"]:
                loglik["mixture_copula"] = max(mix["heldout_loglik"].values())
            if mix["mi"] is not None:
                candidates["mixture_copula"] = mix["mi"]
    if d <= KNN_MAX_DIM or not candidates:
        ksg = _rank_ksg(scores, dx, ties, noise_seed)
        candidates["ksg_ranks"], ksg_se = ksg.mutual_info_, ksg.standard_error_
    # The copula model is the one with the larger held-out likelihood; KSG is then compared.
    compared = [m for m in candidates if m == "ksg_ranks"]
    copula = max(loglik, key=loglik.get) if loglik else None
    if copula is not None:
        compared.append(copula)
    return _PairFit(candidates, loglik, df, max(compared, key=candidates.get), copula, ksg_se)


def _blocks_informative(found, d: int) -> bool:
    """Whether the sum over the blocks can differ from the whole-pair candidates: several
    blocks, or one block smaller than the pair within the reach of KSG, which gains from
    dropping independent columns. (A t copula on a subset of the columns, all a larger block
    gets, is the whole pair's model restricted: it adds nothing.)"""
    if len(found.blocks) >= 2:
        return True
    if len(found.blocks) == 1:
        size = sum(len(side) for side in found.blocks[0])
        return size < d and size <= KNN_MAX_DIM
    return False


def _block_sum(fits) -> tuple[float, tuple, tuple]:
    """Sum over blocks of one estimate each, chosen without the upward bias of a maximum.

    Each block's estimate is its copula model's, unless KSG exceeds it by more than
    :math:`z` spreads of KSG (``KSG_SPREAD`` standard errors): the copula model then misses
    dependence, as on bounded noise. The sum of the KSG estimates replaces that sum when it is
    larger and exceeds the sum of the copula estimates by :math:`z` spreads of the total (a
    misfit shared by many weak blocks, each within its noise). :math:`z` is the one-sided
    normal quantile at ``BLOCK_LEVEL`` / (blocks + 1), Bonferroni over these tests: where both
    estimators are unbiased, a replacement happens with probability at most about
    ``BLOCK_LEVEL``, so the sum over many blocks does not add up the upward bias of per-block
    maxima (25 weak Gaussian pairs: the sum of KSG values has a spread of 0.053 nats and
    exceeds the truth by 0.028 on average). Returns the sum, the per-block values and methods.
    """
    z = float(stats.norm.isf(BLOCK_LEVEL / (len(fits) + 1)))
    values, methods = [], []
    for f in fits:
        copula = f.candidates.get(f.copula) if f.copula is not None else None
        ksg = f.candidates.get("ksg_ranks")
        if ksg is not None and (copula is None
                                or ksg - copula > z * KSG_SPREAD * f.ksg_se):
            values.append(ksg)
            methods.append("ksg_ranks")
        else:
            values.append(copula)
            methods.append(f.copula)
    total = float(sum(values))
    if all(f.copula is not None and "ksg_ranks" in f.candidates for f in fits):
        ksg_total = sum(f.candidates["ksg_ranks"] for f in fits)
        excess = ksg_total - sum(f.candidates[f.copula] for f in fits)
        spread = KSG_SPREAD * math.sqrt(sum(f.ksg_se ** 2 for f in fits))
        if ksg_total > total and excess > z * spread:
            return float(ksg_total), tuple(f.candidates["ksg_ranks"] for f in fits), \
                ("ksg_ranks",) * len(fits)
    return total, tuple(float(v) for v in values), tuple(methods)


class MutualInfo(InfoEstimator):
    r"""Mutual information :math:`I(X;Y)` by the method that suits the data (nats by default).

    .. math:: I(X;Y) = \int p(x,y)\log\frac{p(x,y)}{p(x)p(y)}\,dx\,dy

    ``method="auto"`` inspects the inputs (:func:`inspect_pair`: dimensions, distinct values,
    discrete or continuous parts, constant columns, duplicate rows) and decides:

    1. **Degenerate inputs are named, not estimated** (a :class:`DegenerateInputWarning`, and
       ``diagnostics_.degenerate`` says why): a constant ``X`` or ``y`` gives exactly 0; for
       continuous variables, ``X`` identical to ``y``, a column of ``y`` with the ranks of a
       column of ``X`` (a monotone function of it) or an affine function of ``X`` give
       :math:`+\infty`. Constant columns are dropped (they carry no information).
    2. **Discrete parts** (every varying column integer-valued with at most
       ``MAX_DISCRETE_LEVELS`` = 20 values, e.g. labels): both discrete ->
       :class:`DiscreteMI` (Miller-Madow); one discrete -> :class:`MixedMI` (Ross) with the
       continuous side as its ``X`` (normal scores of its ranks, so heavy tails do not matter).
    3. **Continuous** (also "mixed" columns, jittered when rows repeat): the mutual information
       is a property of the copula, so every candidate works on the ranks and is invariant to
       monotone transforms of every feature:

       * ``"t_copula"`` (:class:`StudentTCopulaMI`): the Student-t copula, whose degrees of
         freedom (Gaussian copula included, :math:`\nu = \infty`) are chosen by 2-fold held-out
         likelihood, with the finite-sample bias of the Gaussian term (about
         :math:`d_xd_y/(2N)`) removed. Exact for Gaussian and Student-t dependence in any
         dimension; sees the shared-scale dependence of heavy tails that has zero correlation.
       * ``"mixture_copula"`` (when :math:`d_x + d_y \le` ``KNN_MAX_DIM`` = 20): a Gaussian
         mixture (2-8 components, chosen by held-out likelihood) fitted to the normal scores;
         its MI is the mean log density ratio of the fitted mixture and its marginals. It
         models non-elliptical copulas (mixtures, bounded noise, rotations).
       * ``"ksg_ranks"`` (same dimensions): KSG (algorithm 1, k = 3) on the normal scores.
         Consistent for any copula but biased low as the dimension grows.

       The copula model is the one of larger held-out copula log-likelihood (both are densities
       on the same unit cube, evaluated on the same split), and the larger of its MI and the KSG
       value is reported: each is biased low where it fails (a misspecified copula model misses
       dependence, KSG saturates with dimension), and neither is materially above the truth on
       the known-MI tasks (largest excess 0.03 nats).
    4. **Independent blocks** (``blocks=True``, :math:`d_x + d_y > 2`, at least
       ``BLOCK_MIN_SAMPLES`` = 80 samples and at most ``BLOCK_MAX_FEATURES`` = 512 features): if
       the coordinates split into mutually independent groups, the density factorizes and

       .. math:: I(X;Y) = \sum_b I(X_b; Y_b)

       exactly, each block being of low dimension. The blocks are the connected components of
       the graph of coordinate pairs (both sides together) found dependent by a G-test on 2-8
       equiprobable bins of the ranks or a correlation test of the normal scores, at a
       Bonferroni level ``BLOCK_ALPHA`` = 0.01 over the pairs or by Benjamini-Hochberg at
       0.001 (under independence: no false edge with probability 0.989) (see
       :func:`~infotheory.mutual_info._blocks.dependence_blocks`; about 0.1 s at 100 features
       and N = 5000, 1 s at 384 features and N = 4000). Blocks with one side only contribute 0.
       When the split can change the answer (two blocks or more, or one block of at most 20
       features smaller than the pair), each block gets the t copula and KSG on its ranks, and
       one of them: the copula's value unless KSG exceeds it significantly (one-sided, on KSG's
       spread); the sum of the KSG values instead when it exceeds the sum of the copula values
       significantly (a misfit shared by many weak blocks, each within its noise); both at a
       family-wise level ``BLOCK_LEVEL`` = 0.05 (Bonferroni). Choosing one value
       per block, rather than the larger, keeps the sum of many blocks from adding up the
       upward bias of maxima of noisy estimates. The sum, ``"blocks"``, is
       one more candidate in the maximum: pairwise tests miss dependence that exists only
       jointly (a shared scale, a mixture label, a rotation by the norm), where the split is
       wrong and the sum biased low, and the whole-pair candidates stay. ``diagnostics_``
       lists the blocks, each block's estimate and what made it.

    An estimate above :math:`\log N` (more than ``N`` samples can confirm: near-deterministic
    dependence, e.g. one network layer computed from the other) comes with an
    :class:`UnverifiableEstimateWarning`.

    Evidence (:func:`~infotheory.datasets.mi_suite`, 46 tasks, N = 5000, seed 1, mean absolute
    error in nats; about 0.4 s of CPU per task): Gaussian 0.014 (12 tasks,
    1+1 to 50+50 features), Student-t 0.016 (9 tasks,
    ν = 1-5; the Gaussian copula misses up to 0.8 nats there), mixtures 0.078 (7), injective
    transforms 0.086 (12), uniform noise 0.039 (6; 0.46 without the blocks); overall
    0.046 (0.104 without the blocks), against 0.30 for KSG / NPEET,
    0.33 for the Gaussian copula and 0.22 for the t copula alone. At N = 1000 the rule gives
    0.097 (0.130 without the blocks; Gaussian 0.050, Student-t 0.029, uniform noise 0.23,
    mixtures 0.105, transforms 0.124; the mixtures 0.109 on average over eight values of
    ``random_state``, from 0.086 to 0.158, as EM finds one local optimum or another): there
    the tests find 11 of the 25 pairs of 0.05 nats at 25 + 25 (0.47 for 1.25).
    The blocks win on the uniform-noise tasks of 2 + 2 to 25 + 25 features (1.19 for 1.25 at
    25 + 25, where the t copula of the whole pair gives 0.22) and tie on the sparse Gaussian
    ones; they are no split on dense, Student-t (the shared scale joins every coordinate) and
    most mixture tasks. Checks beyond the suite (N = 5000, two seeds, with / without blocks):
    Gaussian blocks of 1 + 1, 2 + 3, 4 + 2 and 6 + 6 features 3.52 / 3.52 for 3.5 (the
    whole-pair t copula wins); uniform-noise pairs beside a dense Gaussian 3 + 3 block 2.47 /
    1.96 for 2.5; two pairs :math:`y = x^2 + \varepsilon` 1.62 / 1.53 for 1.60; 50 + 50
    independent features -0.005 / -0.005, no block; 25 weak Gaussian pairs of 0.02 nats
    0.499 / 0.498 for 0.5 (0.506 over six seeds; per-block maxima would give 0.53).
    Two ReLU layers (256 and 128 units, the second computed from the first, N = 4000): one
    block, 67.8 nats and an :class:`UnverifiableEstimateWarning`. Which candidate wins on the
    whole pair: the t copula on every Gaussian and Student-t task of more than 2 + 2 features
    (rank KSG falls to
    0.71 at 5 + 5 for a truth of 1.0); KSG on 1 + 1 non-elliptical tasks (uniform noise, the
    "X" mixture, the Swiss roll: within 0.03, where the t copula gives 0.05 for 1.0); the
    mixture copula on mixtures of 3 + 3 to 10 + 10 features (1.37 for 1.34 where rank KSG gives
    0.69). Of the tasks with at most 20 joint dimensions, the held-out likelihood prefers
    the t copula on all 15 Gaussian and Student-t ones and the mixture on all 6 mixture ones.
    What remains: non-elliptical dependence above 20 joint dimensions that does not split into
    blocks (the 25 + 25 mixture: 0.15 for 0.61), and spiral rotations in 3 + 3 (0.45 for 1.0;
    0.40 without the blocks).
    ``benchmarks/bench_mi_accuracy.py`` prints the table per family beside the other
    estimators.

    Other ``method`` values run one estimator of the package with ``method_params``:
    ``"ksg"`` (:class:`KSGMI`), ``"mixed"``, ``"discrete"``, ``"gaussian"``,
    ``"gaussian_copula"``, ``"t_copula"``, ``"binned"``, ``"compressed"`` and ``"neural"``
    (when the JAX extra is installed).

    Parameters
    ----------
    method : str, default="auto"
        ``"auto"`` or one of the names above.
    method_params : dict or None, default=None
        Parameters of the estimator of a fixed ``method`` (ignored by ``"auto"``).
    blocks : bool, default=True
        With ``"auto"`` and continuous data, search for independent blocks of coordinates and
        compare the sum of their MI as one more candidate (step 4); ``False``: the whole pair
        only.
    random_state : None, int, Generator or RandomState, default=None
        Seed of the held-out split of the copula model, of the jitter of tied data and of the
        delegated estimator; the same seed gives the same estimate.
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.

    Attributes
    ----------
    mutual_info_ : float
        The estimate in the unit of ``base`` (``inf`` or ``0`` for the degenerate cases).
    method_ : str
        What ran: ``"t_copula"``, ``"mixture_copula"``, ``"ksg_ranks"``, ``"blocks"`` (the sum
        over independent blocks), ``"mixed"``, ``"discrete"``, a fixed ``method``, or
        ``"degenerate"``.
    diagnostics_ : MIDiagnostics
        What was seen and compared.
    n_features_in_ : int

    See Also
    --------
    StudentTCopulaMI, KSGMI, MixedMI, DiscreteMI, GaussianCopulaMI

    References
    ----------
    .. [1] A. Kraskov, H. Stögbauer and P. Grassberger, "Estimating mutual information",
       *Phys. Rev. E* 69:066138, 2004.
    .. [2] S. Demarta and A. J. McNeil, "The t copula and related copulas", *International
       Statistical Review* 73:111-129, 2005.
    .. [3] R. A. A. Ince et al., "A statistical framework for neuroimaging data analysis based on
       mutual information estimated via a Gaussian copula", *Human Brain Mapping* 38, 2017.
    .. [4] G. J. McLachlan and D. Peel, *Finite Mixture Models*, Wiley, 2000.
    .. [5] P. Czyż, F. Grabowski, J. E. Vogt, N. Beerenwinkel and A. Marx, "Beyond normal: on
       the evaluation of mutual information estimators", *NeurIPS* 2023.
    .. [6] D. McAllester and K. Stratos, "Formal limitations on the measurement of mutual
       information", *AISTATS* 2020.
    .. [7] A. Agresti, *Categorical Data Analysis*, 3rd ed., Wiley, 2013 (G-test, §3.2).

    Examples
    --------
    >>> from infotheory import MutualInfo
    >>> from infotheory.datasets import student_t
    >>> X, Y, true_mi = student_t(3000, df=2, rho=0.5, dim=3, random_state=0)
    >>> est = MutualInfo(random_state=0).fit(X, Y)
    >>> est.method_, round(est.mutual_info_, 2), round(true_mi, 2)
    ('t_copula', 0.74, 0.72)

    Bounded noise on three independent coordinate pairs: three blocks, one KSG each.

    >>> from infotheory.datasets import uniform_additive_noise
    >>> X, Y, true_mi = uniform_additive_noise(2000, dim=3, epsilon=1.0, random_state=0)
    >>> est = MutualInfo(random_state=0).fit(X, Y)
    >>> est.method_, est.diagnostics_.blocks, round(est.mutual_info_, 2), true_mi
    ('blocks', (((0,), (0,)), ((1,), (1,)), ((2,), (2,))), 0.74, 0.75)
    """

    _result_attr = "mutual_info_"
    _requires_y = True

    def __init__(self, *, method="auto", method_params=None, blocks=True, random_state=None,
                 base=None):
        self.method = method
        self.method_params = method_params
        self.blocks = blocks
        self.random_state = random_state
        self.base = base

    _parameter_constraints = {
        "method": [StrOptions(("auto", *METHODS))],
        "method_params": [Checked("a dict of parameters of the chosen estimator",
                                  _check_method_params), None],
        "blocks": ["boolean"],
        "random_state": ["random_state"],
        "base": ["base"],
    }

    def _min_samples_required(self):
        return 4, "the copula model's held-out split needs 2 samples per half"

    def _estimate(self, X, y):
        rng = check_random_state(self.random_state)
        if self.method != "auto":
            return self._delegate(X, y, rng)
        diag = inspect_pair(X, y)
        if diag.degenerate is not None:
            value = 0.0 if diag.degenerate.endswith("= 0") else math.inf
            warn(f"MutualInfo: {diag.degenerate}; nothing was estimated (see diagnostics_).",
                 DegenerateInputWarning)
            return Estimate(value, {"method_": "degenerate", "diagnostics_": diag})
        # named, as every estimator names the constant columns it leaves out
        for name, cols, A in (("X", diag.constant_x, X), ("y", diag.constant_y, y)):
            warn_constant_columns(np.asarray(cols, dtype=np.int64), A.shape[1], name,
                                  "MutualInfo")
        X = np.delete(X, diag.constant_x, axis=1)
        y = np.delete(y, diag.constant_y, axis=1)
        if diag.kind_x == "discrete" and diag.kind_y == "discrete":
            from .discrete import DiscreteMI

            value = DiscreteMI(method="miller_madow").fit(X, y).mutual_info_
            return self._result(value, "discrete", diag, {"discrete": value},
                                "both variables are discrete")
        if "discrete" in (diag.kind_x, diag.kind_y):
            return self._mixed(X, y, diag, rng)
        return self._continuous(X, y, diag, rng)

    @staticmethod
    def _result(value, method, diag, candidates, reason, df=None, loglik=None):
        diag = MIDiagnostics(**{**diag.__dict__, "candidates": dict(candidates),
                                "copula_df": df, "copula_loglik": dict(loglik or {}),
                                "reason": reason})
        return Estimate(float(value), {"method_": method, "diagnostics_": diag})

    def _mixed(self, X, y, diag, rng):
        from .._kernels.counting import symbol_codes
        from .mixed import MixedMI

        cont, disc = (X, y) if diag.kind_y == "discrete" else (y, X)
        labels, _ = symbol_codes(disc)
        scores = RankScores(_ranks(cont))(math.inf)
        ties = bool(np.any(_distinct_counts(cont) < cont.shape[0]))
        est = MixedMI(noise=TIE_NOISE if ties else 0.0, warn_discrete=False,
                      random_state=_seed(rng))
        value = est.fit(scores, labels).mutual_info_
        side = "y" if diag.kind_y == "discrete" else "X"
        return self._result(value, "mixed", diag, {"mixed": value},
                            f"{side} is discrete and the other variable continuous")

    def _continuous(self, X, y, diag, rng):
        n, dx = X.shape
        d = dx + y.shape[1]
        split_seed, noise_seed = _seed(rng), _seed(rng)
        ranks = np.hstack([_ranks(X), _ranks(y)])
        ties = diag.duplicate_rows > 0
        scores = RankScores(ranks)  # quantile tables shared by the whole pair and the blocks
        fit = _pair_candidates(X, y, scores, ties, split_seed, noise_seed)
        candidates, loglik = dict(fit.candidates), dict(fit.loglik)
        found, block_values, block_methods = None, (), ()
        if self.blocks and BLOCK_MIN_SAMPLES <= n and 2 < d <= BLOCK_MAX_FEATURES:
            found = dependence_blocks(ranks, dx, alpha=BLOCK_ALPHA)
            if _blocks_informative(found, d):
                fits = []
                for bx, by in found.blocks:
                    cols = list(bx) + [dx + j for j in by]
                    # t copula and KSG only: the mixture copula's cost (seconds per block)
                    # would grow with the number of blocks
                    fits.append(_pair_candidates(X[:, list(bx)], y[:, list(by)],
                                                 scores.columns(cols),
                                                 ties, _seed(rng), _seed(rng), mixture=False))
                candidates["blocks"], block_values, block_methods = _block_sum(fits)
        method = fit.method
        if "blocks" in candidates and candidates["blocks"] > candidates[method]:
            method = "blocks"
        if not loglik:
            reason = "too few samples for a copula model: KSG on the ranks only"
        elif "ksg_ranks" not in candidates:
            reason = f"joint dimension {d} > {KNN_MAX_DIM}: the t copula only"
        else:
            reason = ("the larger of KSG on the ranks and the copula model of larger held-out "
                      "likelihood (each is biased low where it fails)")
        if "blocks" in candidates:
            reason += (f"; {len(found.blocks)} independent block(s) found, whose sum is "
                       "compared as one more candidate")
        diag = MIDiagnostics(**{**diag.__dict__,
                                "blocks": found.blocks if found is not None else None,
                                "block_estimates": block_values,
                                "block_methods": block_methods})
        if candidates[method] > math.log(n):
            warn(f"MutualInfo: the estimate {format_info(candidates[method], self.base)} exceeds "
                 f"log N = {format_info(math.log(n), self.base)}, more than {n} samples can "
                 "confirm (McAllester & Stratos 2020): the dependence is near-deterministic and "
                 "I(X;Y) may be infinite (e.g. one layer computed from the other); read the value "
                 "as the copula model's extrapolation, not a measurement.",
                 UnverifiableEstimateWarning)
        return self._result(candidates[method], method, diag, candidates, reason, fit.df, loglik)

    def _delegate(self, X, y, rng):
        cls = _import_method(self.method)
        est = cls(**dict(self.method_params or {}))
        params = est.get_params()
        if "random_state" in params and "random_state" not in (self.method_params or {}):
            est.set_params(random_state=_seed(rng))
        if "base" in params:
            est.set_params(base=None)
        target = y[:, 0] if self.method in ("mixed", "binned") and y.shape[1] == 1 else y
        est = clone(est).fit(X, target)
        return Estimate(float(est.mutual_info_), {"method_": self.method,
                                                  "diagnostics_": inspect_pair(X, y),
                                                  "estimator_": est})

