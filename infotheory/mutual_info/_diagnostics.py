"""Checks of mutual-information estimates whose claims hold for every input they fire on.

Each function takes validated ``float64`` arrays of shape ``(n, d)`` (and, where relevant, an
estimate in nats) and either returns quietly or emits one warning whose statement is true for
those inputs:

* :func:`warn_if_below_pairwise_bound` — the estimate is clearly below a *valid* lower bound on
  :math:`I(X;Y)`: the largest one-dimensional Gaussian-copula MI of a coordinate pair
  :math:`(X_i, Y_j)`, lowered by a multiple-comparison margin (:class:`KNNBiasWarning`).
* :func:`warn_if_label_like` — a variable given to a continuous estimator takes only a few
  distinct values, so it is discrete and :math:`I(X;Y) \\le H(Y)`; the message gives
  :math:`H(Y)` and says whether the estimate exceeds it (:class:`DiscreteInputWarning`).
* :func:`warn_if_above_label_entropy` — an estimate with discrete labels exceeds the labels'
  entropy, which bounds the MI (:class:`DiscreteInputWarning`).
* :func:`constant_columns` / :func:`drop_constant_columns` — features with a single value (dead
  ReLU units), named in a :class:`ConstantFeatureWarning` where they change what is computed.

The warnings are emitted at the first frame outside the package (the user's call), and values
are written in the unit of the estimator (``base``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import special

from .._validation import check_paired, check_param
from .._warnings import InfotheoryWarning, format_info, warn

__all__ = [
    "InfotheoryWarning",
    "KNNBiasWarning",
    "DiscreteInputWarning",
    "ConstantFeatureWarning",
    "pairwise_copula_lower_bound",
    "warn_if_below_pairwise_bound",
    "label_like",
    "warn_if_label_like",
    "label_like_inputs",
    "warn_label_like_inputs",
    "warn_if_above_label_entropy",
    "constant_columns",
    "drop_constant_columns",
    "label_entropy",
    "warn",
    "format_info",
]


class KNNBiasWarning(InfotheoryWarning):
    """A kNN mutual-information estimate is clearly below a valid lower bound on the MI.

    The bound is the largest one-dimensional Gaussian-copula MI of a pair of coordinates
    :math:`(X_i, Y_j)` minus a multiple-comparison margin (see
    :func:`pairwise_copula_lower_bound`); an estimate clearly below it is biased low (kNN
    estimators are, at high MI or high dimension).
    """


class DiscreteInputWarning(InfotheoryWarning):
    """A continuous estimator was given discrete (label-like) data, or an estimate exceeds
    the entropy of discrete labels, which bounds the mutual information."""


class ConstantFeatureWarning(InfotheoryWarning):
    """Some features are constant (e.g. dead ReLU units); they carry no information."""


# -- constant features ---------------------------------------------------------------------


def constant_columns(A: np.ndarray) -> np.ndarray:
    """Indices of the columns of ``A`` holding a single value."""
    if A.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.all(A == A[:1], axis=0))


def _name_columns(cols: np.ndarray, limit: int = 10) -> str:
    shown = ", ".join(str(int(c)) for c in cols[:limit])
    return shown + (f", ... ({cols.size} in all)" if cols.size > limit else "")


def drop_constant_columns(A: np.ndarray, name: str, owner: str) -> np.ndarray:
    """Return ``A`` without its constant columns, naming them in a warning when there are any.

    Dropping them is exact for mutual information: a constant carries no information, so
    :math:`I((X, c); Y) = I(X; Y)`. When every column is constant the result has no columns
    (the MI is 0).
    """
    keep = warn_constant_columns(constant_columns(A), A.shape[1], name, owner)
    return A if keep is None else np.ascontiguousarray(A[:, keep])


def warn_constant_columns(cols: np.ndarray, n_columns: int, name: str, owner: str):
    """Warn about the constant columns ``cols`` of ``name``; return the columns kept (None: all).

    Shared by :func:`drop_constant_columns` and chunked input (whose constant columns are those
    with zero variance, found by the reduction).
    """
    if cols.size == 0:
        return None
    keep = np.setdiff1d(np.arange(n_columns), cols)
    if keep.size == 0:
        what = "every column is constant, so the mutual information is 0"
    else:
        what = "they carry no information and were left out (exact for mutual information)"
    warn(
        f"{owner}: {name} has {cols.size} constant column(s) (e.g. dead ReLU units): "
        f"{_name_columns(cols)}; {what}.",
        ConstantFeatureWarning,
    )
    return keep


# -- label-like data -----------------------------------------------------------------------

#: A variable with at most this many distinct values (rows), each seen on average at least
#: ``_MIN_REPEATS`` times, is treated as discrete by the label-like check.
MAX_LABEL_VALUES = 20
_MIN_REPEATS = 2
_LABEL_PRECHECK_ROWS = 64


def label_entropy(A: np.ndarray) -> tuple[float, int]:
    """Entropy (nats) of the rows of ``A`` in this sample (plug-in) and the number of symbols.

    The plug-in value is the entropy of the sample's empirical distribution: no variable shares
    more information with the sample's labels, so it is the ceiling an MI estimate is held to.
    """
    from ..entropy.discrete import discrete_entropy_from_counts

    _, counts = np.unique(A, axis=0, return_counts=True)
    return discrete_entropy_from_counts(counts, "plugin"), int(counts.size)


def label_like(A: np.ndarray) -> tuple[float, int] | None:
    """``(H, m)`` when ``A`` looks like class labels, else None.

    ``A`` looks like labels when it has at most :data:`MAX_LABEL_VALUES` distinct rows, each
    repeated on average at least twice; ``H`` is their entropy (plug-in, nats) and ``m``
    their number.
    """
    n = A.shape[0]
    if n < 2 * _MIN_REPEATS:
        return None
    # cheap pre-tests on the first column before the row-wise unique: more than
    # MAX_LABEL_VALUES distinct values among a few rows already rule labels out (continuous
    # data: a microsecond instead of a sort of the whole column)
    if (np.unique(A[:_LABEL_PRECHECK_ROWS, 0]).size > MAX_LABEL_VALUES
            or np.unique(A[:, 0]).size > MAX_LABEL_VALUES):
        return None
    h, m = label_entropy(A)
    if m < 2 or m > MAX_LABEL_VALUES or n < _MIN_REPEATS * m:  # one value: constant, not labels
        return None
    return h, m


def warn_if_label_like(A: np.ndarray, name: str, owner: str, *, value: float | None = None,
                       base=None, info: tuple[float, int] | None = None) -> bool:
    """Warn when ``A`` takes few distinct values (class labels fed to a continuous estimator).

    Fires when :func:`label_like` says so (pass its result as ``info`` to avoid recomputing).
    Such a variable is discrete, so :math:`I(X;A) \\le H(A)`, while continuous estimators
    treat it as continuous: kNN ones see exact ties (their neighbour counts degenerate),
    Gaussian ones fit a density that does not exist. The message gives :math:`H(A)`
    (plug-in) and, when ``value`` (nats) is given, whether the estimate exceeds it. Returns
    whether it fired.
    """
    info = label_like(A) if info is None else info
    if info is None:
        return False
    h, m = info
    above = ""
    if value is not None and value > h:
        above = (f" The estimate {format_info(value, base)} exceeds H({name}), which is "
                 "impossible for the mutual information.")
    warn(
        f"{owner}: {name} takes only {m} distinct value(s) in {A.shape[0]} samples, like class "
        f"labels. For discrete {name}, I <= H({name}) = {format_info(h, base)} (its entropy in "
        f"this sample), but {owner} treats {name} as continuous.{above} Use MixedMI (continuous "
        "X, labels y) or DiscreteMI (both discrete) instead.",
        DiscreteInputWarning,
    )
    return True


def label_like_inputs(arrays: dict[str, np.ndarray]) -> dict[str, tuple[float, int]]:
    """:func:`label_like` of each named array, keeping only those that look like labels."""
    found = {name: label_like(A) for name, A in arrays.items()}
    return {name: info for name, info in found.items() if info is not None}


def warn_label_like_inputs(arrays: dict[str, np.ndarray], infos: dict, owner: str, *,
                           value: float | None = None, base=None) -> None:
    """:func:`warn_if_label_like` for each array found label-like by :func:`label_like_inputs`."""
    for name, info in infos.items():
        warn_if_label_like(arrays[name], name, owner, value=value, base=base, info=info)


def warn_if_above_label_entropy(value: float, labels: np.ndarray, owner: str, *,
                                base=None) -> bool:
    """Warn when ``value`` (nats) exceeds the entropy of the discrete ``labels``.

    For discrete labels :math:`I(X;Y) \\le H(Y)`, and for the sample's empirical distribution
    the MI is at most the labels' plug-in entropy: an estimate above it cannot be the MI of
    this sample (it is biased upwards). Returns whether it fired.
    """
    h, _ = label_entropy(labels.reshape(labels.shape[0], -1))
    if value <= h:
        return False
    warn(
        f"{owner} estimate {format_info(value, base)} exceeds the entropy of the labels "
        f"in this sample, H(y) = {format_info(h, base)}, which bounds the mutual information "
        "of discrete labels: the estimate is biased upwards (kNN estimators overshoot when the "
        "classes are separated or have few samples).",
        DiscreteInputWarning,
    )
    return True


# -- a lower bound valid in every dimension ------------------------------------------------

#: Family-wise error rate of the pairwise lower bound (over all coordinate pairs).
BOUND_ALPHA = 1e-3
# The check uses a strided subsample of at most this many rows and this many pair entries
# (rows x pairs), bounding its cost to a fraction of the kNN estimate's.
_BOUND_MAX_SAMPLES = 20_000
_BOUND_MAX_WORK = 50_000_000
_BOUND_MIN_SAMPLES = 100


def _normal_scores(A: np.ndarray) -> np.ndarray:
    """Normal scores with ties broken at random (a fixed seed, so the check is deterministic).

    Breaking ties at random keeps the bound valid for discrete or mixed columns (a ReLU unit's
    zeros): with ``W`` independent noise, :math:`I(X_i, W; Y_j) = I(X_i; Y_j)` and the ranks of
    ``(X_i, W)`` are exchangeable, so their normal scores are exactly Gaussian.
    """
    n = A.shape[0]
    ranks = np.empty(A.shape)
    rank = np.arange(1.0, n + 1.0)
    order = None
    for c in range(A.shape[1]):
        # Without ties the ranks are the sorted order, whatever the sort (a quicksort is twice
        # as fast as a stable one). With ties: the ordinal ranks of the column permuted by a
        # fixed random permutation (its stable argsort), so ties are broken at random.
        col = A[:, c]
        idx = np.argsort(col)
        s = col[idx]
        if np.any(s[1:] == s[:-1]):
            if order is None:
                order = np.random.default_rng(0).permutation(n)
            idx = order[np.argsort(col[order], kind="stable")]
        ranks[idx, c] = rank
    return special.ndtri(ranks / (n + 1.0))


def pairwise_copula_lower_bound(X: np.ndarray, Y: np.ndarray, *,
                                alpha: float = BOUND_ALPHA) -> tuple[float, tuple[int, int]]:
    r"""A lower confidence bound (nats) on :math:`I(X;Y)`, valid in every dimension.

    By data processing, :math:`I(X;Y) \ge I(X_i;Y_j)` for every pair of coordinates. For one
    pair, the normal scores :math:`U = \Phi^{-1}(F(X_i))`, :math:`V = \Phi^{-1}(G(Y_j))` are
    each exactly standard normal and :math:`I(U;V) = I(X_i;Y_j)`; with :math:`h(U, V)` at most
    the entropy of the Gaussian of the same covariance,

    .. math:: I(X_i;Y_j) \ge -\tfrac12 \log(1 - \rho_{ij}^2),

    :math:`\rho_{ij}` the correlation of the normal scores. (For vectors the analogue fails:
    normal scores make each coordinate Gaussian, not the vector, and the multivariate copula
    value can exceed the MI several-fold.) The bound returned is the largest pairwise value at
    the lower end of a simultaneous confidence interval for every :math:`|\rho_{ij}|`: Fisher's
    :math:`z = \operatorname{atanh} r` lowered by :math:`z_{1-\alpha/(2m)}` standard errors
    (Bonferroni over the :math:`m = d_x d_y` pairs), the standard error being the larger of the
    Gaussian one :math:`1/\sqrt{n-3}` and the influence-function (sandwich) one, so that
    non-Gaussian copulas do not make it too small. It is 0 when no pair is significant.

    Returns
    -------
    bound : float
        In nats; ``0.0`` when no pair is significantly correlated or there are too few samples.
    pair : tuple of int
        ``(i, j)`` of the pair giving the bound (``(-1, -1)`` when the bound is 0).
    """
    X, Y = check_paired(X, Y, names=("X", "Y"))
    check_param(alpha, "alpha", numbers.Real, low=0, high=1, low_inclusive=False,
                high_inclusive=False)
    n = X.shape[0]
    dx, dy = X.shape[1], Y.shape[1]
    step = max(1, -(-n // _BOUND_MAX_SAMPLES), -(-n * dx * dy // _BOUND_MAX_WORK))
    X, Y = X[::step], Y[::step]
    n = X.shape[0]
    if n < _BOUND_MIN_SAMPLES:
        return 0.0, (-1, -1)
    U, V = _normal_scores(X), _normal_scores(Y)
    U = U - U.mean(axis=0)
    V = V - V.mean(axis=0)
    su, sv = np.sqrt((U * U).mean(axis=0)), np.sqrt((V * V).mean(axis=0))
    live_u, live_v = su > 0, sv > 0  # constant columns carry no information: no pair
    if not live_u.any() or not live_v.any():
        return 0.0, (-1, -1)
    iu, iv = np.flatnonzero(live_u), np.flatnonzero(live_v)
    U, V = U[:, iu] / su[iu], V[:, iv] / sv[iv]
    R = np.clip(U.T @ V / n, -1.0, 1.0)
    # Sandwich variance of r at the pair of largest |r| candidates only (cheap): the IF of the
    # correlation of standardised u, v is uv - r (u^2 + v^2) / 2.
    m = R.size
    z_crit = float(special.ndtri(1.0 - alpha / (2.0 * m)))
    order = np.argsort(np.abs(R), axis=None)[::-1][:32]
    best, best_pair = 0.0, (-1, -1)
    for flat in order:
        a, b = np.unravel_index(flat, R.shape)
        r = float(R[a, b])
        influence = U[:, a] * V[:, b] - 0.5 * r * (U[:, a] ** 2 + V[:, b] ** 2)
        se_r = float(influence.std(ddof=1) / math.sqrt(n))
        se_z = max(1.0 / math.sqrt(n - 3.0), se_r / max(1.0 - r * r, 1e-12))
        z_low = math.atanh(min(abs(r), 1.0 - 1e-15)) - z_crit * se_z
        if z_low <= 0:
            continue
        bound = -0.5 * math.log1p(-math.tanh(z_low) ** 2)
        if bound > best:
            best, best_pair = bound, (int(iu[a]), int(iv[b]))
    return best, best_pair


#: The SE of the mean of the per-sample kNN terms underestimates the spread of a kNN estimate
#: by a factor 1.1-1.4 (measured over seeds, N = 500-5000, d = 1-5); it enters inflated.
KNN_SE_INFLATION = 1.5
_KNN_Z = 3.0


def warn_if_below_pairwise_bound(value: float, value_se: float, X: np.ndarray, Y: np.ndarray,
                                 owner: str, *, base=None) -> bool:
    """Emit :class:`KNNBiasWarning` when ``value`` (nats) is clearly below a valid lower bound.

    The bound is :func:`pairwise_copula_lower_bound` (a simultaneous 99.9 % lower confidence
    bound on :math:`I(X;Y)`); "clearly" means ``value + 3 * 1.5 * value_se < bound``, the
    standard error ``value_se`` of the kNN terms being inflated by
    :data:`KNN_SE_INFLATION`. The bound is a true lower bound on the MI of every distribution
    (up to the stated confidence), so the warning never fires on an unbiased estimate except
    by a rare sampling fluctuation. It is weak for vector data whose information is spread over
    many coordinates (it sees one pair at a time), so silence does not mean the estimate is
    unbiased. Returns whether it fired.
    """
    bound, (i, j) = pairwise_copula_lower_bound(X, Y)
    if bound <= 0 or value + _KNN_Z * KNN_SE_INFLATION * value_se >= bound:
        return False
    warn(
        f"{owner} estimate {format_info(value, base)} is below a lower bound on the mutual "
        f"information, {format_info(bound, base)}: the Gaussian-copula MI of the single pair "
        f"(X[:, {i}], y[:, {j}]) at the low end of its simultaneous {100 * (1 - BOUND_ALPHA):g} % "
        "confidence interval (I(X;Y) >= I(X_i;Y_j) by data processing). kNN estimators are "
        "biased low at high MI or high dimension; compare with GaussianCopulaMI or "
        "CompressedMI. warn_bias=False silences this warning.",
        KNNBiasWarning,
    )
    return True
