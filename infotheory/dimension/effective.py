r"""Effective dimension of a parametric model from its Fisher information.

Global effective dimension (Abbas et al. 2021), local effective dimension at one parameter,
two-scale effective dimension 2sED and its layerwise lower version (Datres et al. 2024), and
Maddox et al.'s :math:`N_\mathrm{eff}(z)`.

Inputs, for ``T`` parameter draws :math:`\theta_1, \dots, \theta_T` of a model with ``p``
parameters:

* Fisher matrices ``(T, p, p)`` (``input_kind="fisher"``);
* per-sample score vectors :math:`\nabla_\theta \log p(x_j \mid \theta_t)` of shape ``(T, n, p)``
  (``input_kind="scores"``): the Fisher is the average outer product
  :math:`F_t = \frac1n \sum_j s_{tj} s_{tj}^\top`. When ``n < p`` the eigenvalues come from the
  ``n x n`` Gram matrix :math:`\frac1n S_t S_t^\top`, which has the same nonzero eigenvalues;
* a 2-D array ``(n, p)`` of scores at one parameter draw (``T = 1``);
* a JAX model: :func:`fisher_from_model` turns a log-likelihood function and parameter draws into
  scores or Fisher matrices.

Every quantity uses the eigenvalues of the normalised Fisher
:math:`\hat F_t = p\,F_t / \overline{\operatorname{tr} F}` (mean trace over the draws), computed
once per draw and reused for every ``n`` (log-determinants as sums of ``log1p`` of eigenvalues,
never ``det``).

Effective dimensions are counts of parameters, not information: they carry no unit (no ``base``).
"""

from __future__ import annotations

import math
import numbers
from numbers import Real
from typing import NamedTuple

import numpy as np
from scipy.special import logsumexp

from .. import chunked
from .._base import Estimate, InfoEstimator
from .._params import Checked, Interval, StrOptions
from .._progress import progress
from .._validation import (
    DEFAULT_MAX_MEMORY,
    _as_numeric,
    _check_finite,
    check_memory,
    check_option,
    check_param,
    check_samples,
    pow2_scale,
)

__all__ = [
    "EffectiveDimension",
    "LocalEffectiveDimension",
    "TwoScaleEffectiveDimension",
    "maddox_effective_dimension",
    "fisher_from_model",
]

_INPUT_KINDS = ("auto", "fisher", "scores")
# Relative size (to the largest eigenvalue) below which a negative eigenvalue is rounding.
_NEG_TOL = math.sqrt(np.finfo(np.float64).eps)
# Relative asymmetry tolerated in a Fisher matrix (rounding of a sum of outer products).
_SYM_TOL = 1e-8
# Floats per block when evaluating many n (or epsilon) values at once.
_BLOCK = 2**22


# -- input handling -------------------------------------------------------------------------


class _Draws(NamedTuple):
    """Validated input: a 3-D float64 array of draws and how to read it."""

    arr: np.ndarray
    kind: str


def _as_draws(X, input_kind: str, estimator) -> _Draws:
    """Validate ``X`` and return it as a 3-D float64 array with its resolved kind.

    2-D input is one draw: scores ``(n, p)`` (or a ``(p, p)`` Fisher with ``input_kind="fisher"``).
    3-D input with ``input_kind="auto"`` is read as Fisher matrices when square and symmetric,
    otherwise as scores.
    """
    raw = _as_numeric(X, "X")
    if raw.ndim in (1, 2):
        arr = check_samples(raw, name="X", min_samples=1, estimator=estimator)
        if input_kind == "fisher":
            _check_square(arr[None], "X")
            return _Draws(arr[None], "fisher")
        if input_kind == "auto":
            _refuse_non_scores(arr, "a 2-D X is read as the (n, p) scores of one draw")
        return _Draws(arr[None], "scores")
    if raw.ndim != 3:
        raise ValueError(
            f"X must be Fisher matrices of shape (T, p, p), scores of shape (T, n, p) or scores "
            f"of shape (n, p), got a {raw.ndim}-D array of shape {raw.shape}"
        )
    if 0 in raw.shape:
        raise ValueError(
            f"X is empty: got shape {raw.shape}; expected (T, p, p) Fisher matrices or (T, n, p) "
            "scores with T, n, p >= 1"
        )
    _check_finite(raw, "X")
    arr = np.ascontiguousarray(raw)
    if input_kind == "fisher":
        _check_square(arr, "X")
        return _Draws(arr, "fisher")
    if input_kind == "scores":
        return _Draws(arr, "scores")
    square = arr.shape[1] == arr.shape[2]
    if square and _asymmetry(arr) <= _SYM_TOL:
        return _Draws(arr, "fisher")
    _refuse_non_scores(arr, "a 3-D X that is not square symmetric is read as (T, n, p) scores")
    return _Draws(arr, "scores")


def _refuse_non_scores(arr: np.ndarray, how: str) -> None:
    """Refuse data that cannot be per-sample scores when the kind was inferred (``"auto"``).

    Scores :math:`\\nabla_\\theta \\log p(x \\mid \\theta)` average to zero over samples drawn
    from the model, so a column of them is not one-signed; an array with every entry >= 0
    (ReLU or sigmoid activations, counts, pixels) is not scores.
    """
    if arr.shape[-2] >= 2 and np.all(arr >= 0) and np.any(arr > 0):
        raise ValueError(
            "X does not look like per-sample scores: every entry is >= 0 (like ReLU or sigmoid "
            "activations), whereas scores (gradients of log p(x | theta)) average to zero over "
            "samples from the model, so their columns take both signs. EffectiveDimension "
            "needs the scores or Fisher matrices of a model's parameters (see "
            f"fisher_from_model). The kind was inferred with input_kind='auto' ({how}); pass "
            "input_kind='scores' (or 'fisher') to use X as it is."
        )


def _check_square(arr: np.ndarray, name: str) -> None:
    if arr.shape[1] != arr.shape[2]:
        raise ValueError(
            f"{name} must hold square Fisher matrices of shape (T, p, p) with "
            f"input_kind='fisher', got shape {arr.shape} (non-square {arr.shape[1]} x "
            f"{arr.shape[2]}); pass per-sample scores with input_kind='scores'"
        )


def _asymmetry(F: np.ndarray) -> float:
    scale = max(float(np.abs(F).max()), np.finfo(np.float64).tiny)
    return float(np.abs(F - F.swapaxes(1, 2)).max() / scale)


def _fisher_eigenvalues(arr: np.ndarray, kind: str, max_memory, exponent: int = 0) -> np.ndarray:
    """Eigenvalues ``(T, r)`` of the (unnormalised) Fisher of each draw, clipped at zero.

    Scores use the ``n x n`` Gram matrix when ``n < p`` (same nonzero eigenvalues, smaller
    problem). Fisher matrices must be symmetric and positive semi-definite up to rounding.
    """
    T, a, b = arr.shape
    if kind == "fisher":
        asym = _asymmetry(arr)
        if asym > _SYM_TOL:
            raise ValueError(
                f"X must hold symmetric Fisher matrices: the largest |F - F^T| is {asym:.3g} "
                f"times the largest entry (tolerance {_SYM_TOL:g}); for per-sample scores of "
                "shape (T, n, p) pass input_kind='scores'"
            )
        lam = np.linalg.eigvalsh(0.5 * (arr + arr.swapaxes(1, 2)))
        scale = np.abs(lam).max(axis=1)
        worst = int(np.argmin(lam.min(axis=1) / np.where(scale > 0, scale, 1.0)))
        if lam[worst].min() < -_NEG_TOL * scale[worst]:
            # reported in the units of X (``arr`` is X scaled by 2**-exponent)
            raise ValueError(
                f"X must hold positive semi-definite Fisher matrices: draw {worst} has eigenvalue "
                f"{math.ldexp(lam[worst].min(), exponent):.6g}, below -{_NEG_TOL:.2g} times its "
                f"largest |eigenvalue| {math.ldexp(scale[worst], exponent):.6g}"
            )
        return np.clip(lam, 0.0, None)
    n, p = a, b
    r = min(n, p)
    check_memory(8.0 * T * r * r, max_memory,
                 what=f"the {T} Fisher/Gram matrices of size {r} x {r}",
                 alternative="fewer draws or samples (or a sketch of the scores)")
    G = arr @ arr.swapaxes(1, 2) if n < p else arr.swapaxes(1, 2) @ arr
    # PSD by construction: negative values are rounding only.
    return np.clip(np.linalg.eigvalsh(G / n), 0.0, None)


def _normalise(lam: np.ndarray, p: int) -> tuple[np.ndarray, float]:
    """Eigenvalues of F̂ = p F / mean_t tr F, and the mean trace."""
    mean_trace = float(lam.sum(axis=1).mean())
    if not mean_trace > 0:
        raise ValueError(
            "X gives a Fisher information that is zero for every draw (mean trace 0): the model "
            "does not depend on its parameters at these draws, so F̂ = p F / mean tr F is undefined"
        )
    return lam * (p / mean_trace), mean_trace


def _half_logdets(lam_hat: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``z[m, t] = ½ log det(I + scale[m] F̂_t)`` from eigenvalues, in memory-bounded blocks."""
    T, r = lam_hat.shape
    step = max(1, _BLOCK // max(T * r, 1))
    out = np.empty((scale.size, T))
    for s in range(0, scale.size, step):
        c = scale[s:s + step, None, None]
        out[s:s + step] = 0.5 * np.log1p(c * lam_hat[None]).sum(axis=2)
    return out


def _log_mean_exp(z: np.ndarray) -> np.ndarray:
    """log mean_t exp z[:, t], stably (the average over parameter draws)."""
    return logsumexp(z, axis=1) - math.log(z.shape[1])


def _check_n(n) -> np.ndarray:
    arr = np.asarray(n)
    if arr.dtype.kind not in "iuf" or arr.dtype == np.bool_:
        raise TypeError(f"n must be a number or an array of numbers of samples, got {n!r}")
    arr = arr.astype(np.float64).reshape(-1)
    if arr.size == 0:
        raise ValueError("n is empty: expected a number of samples > 1 or a non-empty array")
    if not np.isfinite(arr).all() or (arr <= 1).any():
        raise ValueError(f"n must be finite and > 1 (log n must be positive), got {n!r}")
    return arr


def _kappa(n: np.ndarray, gamma: float) -> np.ndarray:
    kappa = gamma * n / (2 * math.pi * np.log(n))
    bad = kappa <= 1
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"n={n[i]:g} with gamma={gamma!r} gives kappa = gamma n / (2 pi log n) = "
            f"{kappa[i]:.4g} <= 1: the effective dimension divides by log kappa, so it needs "
            "kappa > 1 (larger n or gamma)"
        )
    return kappa


def _shaped(values: np.ndarray, like):
    """A float for a scalar parameter, otherwise an array shaped like the parameter."""
    return float(values[0]) if np.ndim(like) == 0 else values.reshape(np.shape(like))


# -- estimators -----------------------------------------------------------------------------


class _FisherDimension(InfoEstimator):
    """Shared contract of the estimators that read Fisher eigenvalues (not registered).

    ``X`` is validated once into draws (:class:`_Draws`); its number of features is the number
    of parameters ``p``. ``_estimate`` returns the dimension at every value of the scale
    parameter (an array when the parameter is one), so ``score`` needs a scalar one.
    """

    _abstract = True
    _result_attr = "effective_dimension_"
    _unit = "dimensions"
    _min_samples = 1

    def _validate_X(self, X, n_min, why):
        return _as_draws(X, self.input_kind, self)

    def _n_features(self, Xa) -> int:
        return Xa.arr.shape[2]

    def _validate_y(self, y, X):
        return None  # y is ignored: the Fisher information is of the model's own labels

    def _validate_y_chunked(self, y, X):
        return None  # ignored, as in memory

    @classmethod
    def _common_test_instances(cls):
        # scikit-learn's generic data are non-negative, which input_kind="auto" refuses as
        # scores (activations, not gradients): the checks name the kind
        return [cls(input_kind="scores")]

    def _dimension(self, lam_hat: np.ndarray, p: int) -> np.ndarray:
        """Effective dimension for each value of the scale parameter (subclasses)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _scale_parameter(self):
        return self.n

    def _estimate(self, X: _Draws, y=None):
        arr, kind = X
        self._check_draws(arr)
        # F̂ = p F / mean tr F does not depend on the scale of X: a power of two (exact) brings X
        # to magnitude 1, so the Fisher (or Gram) matrices of data of magnitude 1e300 or 1e-300
        # neither overflow nor underflow. The trace is scaled back for fisher_trace_.
        arr, e = pow2_scale(arr)
        trace_exponent = int(e) * (1 if kind == "fisher" else 2)
        lam = _fisher_eigenvalues(arr, kind, self.max_memory, int(e))
        return self._estimate_from_eigenvalues(lam, arr, kind, trace_exponent)

    def _validate_X_chunked(self, X, n_min, why):
        """Chunked per-sample scores ``(n, p)`` or ``(T, n, p)``, chunked along the samples."""
        if self.input_kind == "fisher":
            raise TypeError(
                "chunked X (Dask / Zarr) must hold per-sample scores of shape (n, p) or "
                "(T, n, p), chunked along the samples; Fisher matrices are small: pass them as "
                "an in-memory array"
            )
        import dask.array as da

        arr = X if isinstance(X, da.Array) else chunked.as_dask_array(X)
        arr = arr[None] if arr.ndim == 2 else arr
        if arr.ndim != 3 or 0 in arr.shape:
            raise ValueError(
                f"chunked X must be scores of shape (n, p) or (T, n, p), got shape {arr.shape}"
            )
        return _Draws(arr, "scores")

    def _estimate_chunked(self, X: _Draws, y=None):
        """:meth:`_estimate` for per-sample scores chunked along samples: the Fisher by reduction.

        Each draw's Fisher :math:`F = S^T S / n` (``p x p``) is summed over the chunks of its
        ``n`` scores, so the scores are never in memory whole; its eigenvalues are those of the
        in-memory path (which diagonalises the ``n x n`` Gram matrix instead when ``n < p``;
        the nonzero eigenvalues, hence the dimension, are the same).
        """
        arr, kind = X
        n_draws, _, p = (int(v) for v in arr.shape)
        check_memory(8.0 * 3 * p * p, self.max_memory, what=f"the {p} x {p} Fisher matrix",
                     alternative="fewer parameters (or a sketch of the scores)")
        lam = np.empty((n_draws, p))
        for t in range(n_draws):
            n, G = chunked.second_moment(chunked.as_dask_array(arr[t]), name=f"X[{t}]")
            lam[t] = np.clip(np.linalg.eigvalsh(G / n), 0.0, None)
        return self._estimate_from_eigenvalues(lam, arr, kind, 0)  # unscaled: trace as computed

    def _estimate_from_eigenvalues(self, lam, arr, kind, trace_exponent):
        """The dimension and fitted attributes from the Fisher eigenvalues of every draw, their
        traces scaled by ``2**-trace_exponent``."""
        p = arr.shape[2]
        lam_hat, mean_trace = _normalise(lam, p)
        try:
            fisher_trace = math.ldexp(mean_trace, trace_exponent)
        except OverflowError:  # the trace itself is beyond float64 (scores ~1e300)
            fisher_trace = math.inf
        d = self._dimension(lam_hat, p)
        scale = self._scale_parameter()
        attributes = {
            "input_kind_": kind, "n_draws_": arr.shape[0], "n_parameters_": p,
            "fisher_trace_": fisher_trace, "eigenvalues_": lam_hat,
            "normalized_": _shaped(d / p, scale),
            **self._more_attributes(arr, kind, p, mean_trace),
        }
        return Estimate(_shaped(d, scale), attributes=attributes)

    def _check_draws(self, arr) -> None:
        """Checks that need the validated draws, before any eigenvalue work (subclass hook)."""

    def _more_attributes(self, arr, kind, p, mean_trace) -> dict:
        """Further fitted attributes from the draws scaled to magnitude 1, ``mean_trace`` being
        their mean trace (subclass hook)."""
        return {}


class EffectiveDimension(_FisherDimension):
    r"""Global effective dimension of a parametric model (Abbas et al. 2021).

    .. math::

        d_{\mathrm{eff}}(n) = \frac{2}{\log\kappa_n}\Big[\operatorname{logsumexp}_t
        \tfrac12 \log\det\big(I + \kappa_n \hat F_t\big) - \log T\Big],
        \qquad \kappa_n = \frac{\gamma\, n}{2\pi \log n},

    with :math:`\hat F_t = p\,F(\theta_t) / \overline{\operatorname{tr} F}` the Fisher information
    at ``T`` parameter draws, normalised so that its mean trace is ``p``. The draws stand for a
    uniform average over the parameter space. The value is a number of parameters (no unit),
    ``normalized_ = d_eff / p``. It tends to the Fisher rank as ``n`` grows; at finite ``n`` it can
    exceed ``p`` slightly (:math:`\hat F = I` gives :math:`p\log(1+\kappa_n)/\log\kappa_n`).

    Parameters
    ----------
    n : float or array-like of float, default=1000
        Number(s) of data samples at which to evaluate :math:`d_\mathrm{eff}(n)`; each needs
        :math:`\kappa_n > 1` (with ``gamma=1``, ``n >= 19``). The eigenvalues are computed once
        and reused for every ``n``.
    gamma : float, default=1.0
        The constant :math:`\gamma \in (0, 1]` of the paper (any value > 0 is accepted).
    input_kind : {"auto", "fisher", "scores"}, default="auto"
        How to read a 3-D ``X``: ``"fisher"`` for ``(T, p, p)`` Fisher matrices, ``"scores"``
        for ``(T, n, p)`` per-sample score vectors; ``"auto"`` reads square symmetric blocks as
        Fisher matrices and anything else as scores. A 2-D ``X`` is the ``(n, p)`` scores of one
        draw unless ``input_kind="fisher"`` (one ``(p, p)`` Fisher matrix). With ``"auto"``,
        data read as scores whose entries are all >= 0 (activations, not gradients: scores
        average to zero over the model's samples) is refused; an explicit kind accepts it.
    max_memory : int, float or str, default="4GB"
        Budget for the ``T`` Fisher (or Gram) matrices built from scores.

    Attributes
    ----------
    effective_dimension_ : float or ndarray
        :math:`d_\mathrm{eff}(n)`, shaped like ``n``.
    normalized_ : float or ndarray
        ``effective_dimension_ / p``, in [0, 1].
    eigenvalues_ : ndarray of shape (T, r)
        Eigenvalues of each :math:`\hat F_t` (``r = min(n, p)`` for scores).
    fisher_trace_ : float
        Mean trace of the unnormalised Fisher over the draws.
    n_parameters_, n_features_in_ : int
        ``p``.
    n_draws_ : int
        ``T``.
    input_kind_ : str
        ``"fisher"`` or ``"scores"``, as resolved (inferred when ``input_kind="auto"``).

    References
    ----------
    .. [1] A. Abbas, D. Sutter, C. Zoufal, A. Lucchi, A. Figalli, S. Woerner, "The power of
       quantum neural networks", Nature Computational Science 1, 403-409 (2021).

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory.dimension import EffectiveDimension
    >>> F = np.stack([np.eye(4)] * 3)                  # F̂ = I for 3 draws
    >>> ed = EffectiveDimension(n=[1e3, 1e6]).fit(F)
    >>> np.round(ed.effective_dimension_, 4)           # = p log(1 + κ) / log κ
    array([4.0542, 4.    ])
    >>> X = np.random.default_rng(0).normal(size=(200, 5))  # scores of one draw
    >>> round(EffectiveDimension(n=1000).fit(X).normalized_, 4)
    1.0084
    """

    _parameter_constraints = {
        "n": [Checked("a number > 1 or an array of numbers of samples", lambda v: _check_n(v))],
        "gamma": [Interval(Real, 0, None, closed="neither")],
        "input_kind": [StrOptions(_INPUT_KINDS)],
        "max_memory": ["max_memory"],
    }
    _chunked = True  # per-sample scores chunked along samples (Fisher by reduction)

    def __init__(self, *, n=1000, gamma=1.0, input_kind="auto", max_memory=DEFAULT_MAX_MEMORY):
        self.n = n
        self.gamma = gamma
        self.input_kind = input_kind
        self.max_memory = max_memory

    def _check_params(self):
        _kappa(_check_n(self.n), float(self.gamma))

    def _dimension(self, lam_hat, p):
        kappa = _kappa(_check_n(self.n), float(self.gamma))
        z = _half_logdets(lam_hat, kappa)
        return 2.0 * _log_mean_exp(z) / np.log(kappa)


class LocalEffectiveDimension(EffectiveDimension):
    r"""Local effective dimension at one parameter value (Abbas et al., local ED).

    .. math::

        d_{\mathrm{eff}}(\theta; n) = \frac{\sum_i \log\big(1 + \kappa_n \lambda_i(\hat F)\big)}
        {\log \kappa_n}, \qquad \hat F = \frac{p\,F(\theta)}{\operatorname{tr} F(\theta)},\quad
        \kappa_n = \frac{\gamma\, n}{2\pi\log n}.

    Pass one Fisher matrix (``(p, p)`` with ``input_kind="fisher"``) or the ``(n, p)`` per-sample
    scores at :math:`\theta` (for a trained network, its parameters after training). A 3-D input
    of ``T`` draws from a small ball around :math:`\theta` gives the ball-averaged version of the
    paper, which is the global formula of :class:`EffectiveDimension` restricted to the ball.
    Values are numbers of parameters (no unit), tending to the rank of :math:`F(\theta)`.

    Parameters
    ----------
    n, gamma, input_kind, max_memory
        As in :class:`EffectiveDimension`.

    Attributes
    ----------
    effective_dimension_, normalized_, eigenvalues_, fisher_trace_, n_parameters_
        As in :class:`EffectiveDimension`.
    n_features_in_, n_draws_, input_kind_
        As in :class:`EffectiveDimension`.

    References
    ----------
    .. [1] A. Abbas, D. Sutter, A. Figalli, S. Woerner, "Effective dimension of machine learning
       models", arXiv:2112.04807 (2021).

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory.dimension import LocalEffectiveDimension
    >>> F = np.diag([1.0, 1.0, 0.0])                   # rank 2: F̂ = diag(1.5, 1.5, 0)
    >>> led = LocalEffectiveDimension(n=1e6, input_kind="fisher").fit(F)
    >>> round(led.effective_dimension_, 4)             # -> 2 as n grows
    2.0867
    """


class TwoScaleEffectiveDimension(_FisherDimension):
    r"""Two-scale effective dimension 2sED (Datres et al. 2024) and its layerwise lower bound.

    .. math::

        d_\zeta(\varepsilon) = \zeta\, p + \frac{1}{|\log\varepsilon|}\log\Big(\frac1T\sum_t
        \sqrt{\det\big(I + \varepsilon^{-2(1-\zeta)}\hat F_t\big)}\Big),
        \qquad \varepsilon\in(0,1),\ \zeta\in[0,1),

    with :math:`\hat F_t` the normalised Fisher of :class:`EffectiveDimension`. It counts boxes
    of side :math:`\varepsilon^\zeta` in parameter space, each covered at resolution
    :math:`\varepsilon`: the coarse scale contributes :math:`\zeta p`, the Fisher geometry inside
    a box the rest. At :math:`\zeta = 0` it equals the global effective dimension with
    :math:`\kappa = \varepsilon^{-2}`. Values are numbers of parameters, at least :math:`\zeta p`.

    .. warning:: This formula is our reconstruction from the covering argument of the paper
       (boxes of side :math:`\varepsilon^\zeta`, each covered at resolution
       :math:`\varepsilon`); it has not been checked against Definition 3.1 of the paper,
       whose text and code were not available to us. Treat absolute values with that caveat.

    **Lower 2sED** (``layers`` given): for a feed-forward (Markovian) model whose parameters are
    ordered layer by layer, the Fisher block of layer :math:`l` is conditioned on the layers
    before it, :math:`S_{t,l} = F_{ll} - F_{l,<l} F_{<l,<l}^{+} F_{<l,l}` (the information about
    :math:`\theta_l` left after the previous layers' parameters, and so their outputs, are
    accounted for; for scores it is the Fisher of layer-:math:`l` scores residualised on the
    previous layers' scores). With the same normalisation,

    .. math::

        \underline d_\zeta(\varepsilon) = \zeta p + \frac{1}{|\log\varepsilon|}\log\Big(\frac1T
        \sum_t \prod_l \sqrt{\det\big(I + \varepsilon^{-2(1-\zeta)} \hat S_{t,l}\big)}\Big)
        \le d_\zeta(\varepsilon),

    because :math:`\det(I + cF) = \prod_l \det(I + c\,[F_{ll} - F_{l,<l}(I/c + F_{<l,<l})^{-1}
    F_{<l,l}])` and each bracket is :math:`\succeq S_{t,l}`. Equality holds when the Fisher is
    block diagonal across layers.

    Parameters
    ----------
    epsilon : float or array-like of float, default=0.01
        Fine scale :math:`\varepsilon \in (0, 1)` (:math:`\varepsilon^{-2}` plays the role of
        :math:`\kappa_n`, so :math:`\varepsilon \approx` ``1/sqrt(n)``).
    zeta : float, default=0.5
        Scale exponent :math:`\zeta \in [0, 1)`: boxes of side :math:`\varepsilon^\zeta`.
    layers : sequence of int or None, default=None
        Number of parameters in each layer, in the order of the parameter vector (summing to
        ``p``). When given, the lower 2sED is computed as well (``lower_effective_dimension_``).
    input_kind : {"auto", "fisher", "scores"}, default="auto"
        As in :class:`EffectiveDimension`.
    max_memory : int, float or str, default="4GB"
        Budget for the Fisher (or Gram) matrices built from scores.
    progress : bool, default=True
        Show a progress bar over layers for the lower 2sED.

    Attributes
    ----------
    effective_dimension_ : float or ndarray
        :math:`d_\zeta(\varepsilon)`, shaped like ``epsilon``.
    normalized_ : float or ndarray
        ``effective_dimension_ / p``.
    lower_effective_dimension_ : float or ndarray
        The lower 2sED (only when ``layers`` is given).
    eigenvalues_, fisher_trace_, n_parameters_, n_features_in_, n_draws_, input_kind_
        As in :class:`EffectiveDimension`.

    References
    ----------
    .. [1] M. Datres, G. P. Leonardi, A. Figalli, D. Sutter, "A two-scale complexity measure for
       deep learning models", NeurIPS 2024, arXiv:2401.09184.
    .. [2] A. Abbas et al., "The power of quantum neural networks", Nat. Comput. Sci. (2021).

    Examples
    --------
    >>> import numpy as np
    >>> from infotheory.dimension import TwoScaleEffectiveDimension
    >>> S = np.random.default_rng(0).normal(size=(4, 300, 6))    # scores: 4 draws, p = 6
    >>> est = TwoScaleEffectiveDimension(epsilon=1e-3, zeta=0.5, layers=[4, 2]).fit(S)
    >>> bool(3.0 <= est.lower_effective_dimension_ <= est.effective_dimension_ <= 6.0)
    True
    """

    _parameter_constraints = {
        "epsilon": [Checked("a number in (0, 1) or an array of them", lambda v: _check_epsilon(v))],
        "zeta": [Interval(Real, 0, 1, closed="left")],
        "layers": [Checked("a sequence of positive ints", lambda v: _check_layers(v)), None],
        "input_kind": [StrOptions(_INPUT_KINDS)],
        "max_memory": ["max_memory"],
        "progress": ["boolean"],
    }

    def __init__(self, *, epsilon=0.01, zeta=0.5, layers=None, input_kind="auto",
                 max_memory=DEFAULT_MAX_MEMORY, progress=True):
        self.epsilon = epsilon
        self.zeta = zeta
        self.layers = layers
        self.input_kind = input_kind
        self.max_memory = max_memory
        self.progress = progress

    def _scale_parameter(self):
        return self.epsilon

    def _dimension(self, lam_hat, p):
        return _two_scale(lam_hat, p, _check_epsilon(self.epsilon), self.zeta)

    def _check_draws(self, arr):
        if self.layers is not None and sum(int(s) for s in self.layers) != arr.shape[2]:
            raise ValueError(
                f"layers must sum to the number of parameters p={arr.shape[2]}, got "
                f"{self.layers!r} (sum {sum(int(s) for s in self.layers)})"
            )

    def _more_attributes(self, arr, kind, p, mean_trace):
        if self.layers is None:
            return {}
        sizes = [int(s) for s in self.layers]
        lam_lower = _conditional_eigenvalues(
            _fisher_matrices(arr, kind, self.max_memory), sizes, self.progress
        ) * (p / mean_trace)
        d = _two_scale(lam_lower, p, _check_epsilon(self.epsilon), self.zeta)
        return {"lower_effective_dimension_": _shaped(d, self.epsilon)}


def _check_layers(layers) -> None:
    sizes = np.asarray(layers)
    if sizes.ndim != 1 or sizes.size == 0 or sizes.dtype.kind not in "iu" or (sizes <= 0).any():
        raise ValueError(
            f"layers must be a non-empty sequence of positive ints (parameters per "
            f"layer), got {layers!r}"
        )


def _check_epsilon(epsilon) -> np.ndarray:
    arr = np.asarray(epsilon)
    if arr.dtype.kind not in "iuf" or arr.dtype == np.bool_:
        raise TypeError(
            f"epsilon must be a number or an array of numbers in (0, 1), got {epsilon!r}"
        )
    arr = arr.astype(np.float64).reshape(-1)
    if arr.size == 0 or not ((arr > 0) & (arr < 1)).all():
        raise ValueError(f"epsilon must be in (0, 1) (the fine scale), got {epsilon!r}")
    return arr


def _two_scale(lam_hat, p, eps, zeta):
    z = _half_logdets(lam_hat, eps ** (-2.0 * (1.0 - zeta)))
    return zeta * p + _log_mean_exp(z) / np.abs(np.log(eps))


def _fisher_matrices(arr: np.ndarray, kind: str, max_memory) -> np.ndarray:
    """The ``(T, p, p)`` Fisher matrices (symmetrised), built from scores when needed."""
    if kind == "fisher":
        return 0.5 * (arr + arr.swapaxes(1, 2))
    T, n, p = arr.shape
    check_memory(8.0 * T * p * p, max_memory, what=f"the {T} Fisher matrices of size {p} x {p}",
                 alternative="fewer draws, or no layers (the full 2sED uses the Gram trick)")
    return arr.swapaxes(1, 2) @ arr / n


def _conditional_eigenvalues(F: np.ndarray, sizes: list[int], show: bool) -> np.ndarray:
    """Eigenvalues ``(T, p)`` of each layer's Fisher conditioned on the previous layers."""
    T, p, _ = F.shape
    out = np.empty((T, p))
    bounds = np.cumsum([0, *sizes])
    for lo, hi in progress(list(zip(bounds[:-1], bounds[1:])), enabled=show, desc="layers"):
        block = F[:, lo:hi, lo:hi]
        if lo > 0:
            prev, cross = F[:, :lo, :lo], F[:, :lo, lo:hi]
            # Pseudo-inverse with a relative cut-off: directions the previous layers do not
            # inform carry no conditioning.
            block = block - cross.swapaxes(1, 2) @ np.linalg.pinv(prev, rcond=1e-10,
                                                                  hermitian=True) @ cross
        lam = np.linalg.eigvalsh(0.5 * (block + block.swapaxes(1, 2)))
        out[:, lo:hi] = np.clip(lam, 0.0, None)  # a Schur complement of a PSD matrix is PSD
    return out


# -- functions ------------------------------------------------------------------------------


def maddox_effective_dimension(fisher_or_eigenvalues, z):
    r"""Effective dimensionality :math:`N_\mathrm{eff}(z) = \sum_i \lambda_i / (\lambda_i + z)`.

    Maddox, Benton & Wilson (2020) count the eigen-directions of the Hessian (or Fisher) that the
    data determine relative to a prior precision :math:`z`. It lies in :math:`[0, \text{rank}]`
    and decreases with ``z``.

    Parameters
    ----------
    fisher_or_eigenvalues : array-like of shape (p,) or (p, p)
        Eigenvalues, or a symmetric positive semi-definite matrix whose eigenvalues are used.
    z : float or array-like of float
        Regularisation(s) :math:`z > 0`.

    Returns
    -------
    float or ndarray
        :math:`N_\mathrm{eff}(z)`, shaped like ``z`` (a float for a scalar ``z``).

    References
    ----------
    .. [1] W. J. Maddox, G. Benton, A. G. Wilson, "Rethinking parameter counting in deep models:
       effective dimensionality revisited", arXiv:2003.02139 (2020).

    Examples
    --------
    >>> from infotheory.dimension import maddox_effective_dimension
    >>> maddox_effective_dimension([3.0, 1.0, 0.0], 1.0)   # 3/4 + 1/2 + 0
    1.25
    """
    arr = _as_numeric(fisher_or_eigenvalues, "fisher_or_eigenvalues")
    if arr.ndim == 2:
        if arr.shape[0] != arr.shape[1] or arr.size == 0:
            raise ValueError(
                "fisher_or_eigenvalues must be eigenvalues (p,) or a square (p, p) matrix, got "
                f"shape {arr.shape}"
            )
        _check_finite(arr, "fisher_or_eigenvalues")
        lam = _fisher_eigenvalues(arr[None], "fisher", DEFAULT_MAX_MEMORY)[0]
    elif arr.ndim == 1 and arr.size:
        _check_finite(arr, "fisher_or_eigenvalues")
        scale = float(np.abs(arr).max())
        if arr.min() < -_NEG_TOL * scale:
            raise ValueError(
                f"fisher_or_eigenvalues must be non-negative eigenvalues, got {arr.min():.6g}"
            )
        lam = np.clip(arr, 0.0, None)
    else:
        raise ValueError(
            "fisher_or_eigenvalues must be eigenvalues (p,) or a square (p, p) matrix, got "
            f"shape {arr.shape}"
        )
    zz = np.asarray(z)
    if zz.dtype.kind not in "iuf" or zz.dtype == np.bool_:
        raise TypeError(f"z must be a number or an array of numbers > 0, got {z!r}")
    zz = zz.astype(np.float64)
    if zz.size == 0 or not (np.isfinite(zz) & (zz > 0)).all():
        raise ValueError(f"z must be finite and > 0, got {z!r}")
    values = (lam[None, :] / (lam[None, :] + zz.reshape(-1, 1))).sum(axis=1)
    return _shaped(values, z)


def fisher_from_model(log_likelihood, params, data, *, output="fisher", batch_size=None):
    r"""Fisher matrices or per-sample scores of a JAX model at parameter draws.

    ``log_likelihood(theta, x)`` takes a parameter vector ``theta`` of shape ``(p,)`` and *one*
    sample ``x`` (a row of ``data``) and returns either

    * a scalar :math:`\log p(x \mid \theta)` (scores :math:`\nabla_\theta \log p(x\mid\theta)`,
      empirical Fisher), or
    * a vector of class log-probabilities :math:`\log p(y=k \mid x, \theta)`, ``k = 1..K``: the
      Fisher is then the expected one over the model's own labels,
      :math:`F = \frac1n\sum_j \sum_k p_k\, \nabla \log p_k \nabla\log p_k^\top` (as in
      Abbas et al.), returned as ``n K`` weighted score rows.

    Gradients come from ``jax.vmap(jax.grad)`` (``jax.jacrev`` for vector outputs), jitted once per
    log-likelihood function, mapped over draws with ``jax.lax.map`` so memory stays bounded.
    Enable float64 in JAX (``JAX_ENABLE_X64=1``) for results that match a float64 reference.

    Parameters
    ----------
    log_likelihood : callable
        ``log_likelihood(theta, x) -> scalar or (K,)``, written with ``jax.numpy``.
    params : array-like of shape (T, p) or (p,)
        Parameter draws.
    data : array-like of shape (n, ...)
        Samples; the first axis indexes samples.
    output : {"fisher", "scores"}, default="fisher"
        Return Fisher matrices ``(T, p, p)`` or score rows ``(T, n, p)`` (``(T, n K, p)`` for
        vector outputs, scaled so that their mean outer product is the Fisher). Scores are the
        input of choice when ``n < p`` (the estimators then use the Gram trick).
    batch_size : int or None, default=None
        Draws per ``lax.map`` step (``None``: one at a time).

    Returns
    -------
    ndarray
        Fisher matrices or scores, float64 NumPy.

    Examples
    --------
    >>> import jax.numpy as jnp, numpy as np
    >>> from infotheory.dimension import fisher_from_model
    >>> def loglik(theta, x):        # N(theta, 1): Fisher = 1 per coordinate
    ...     return -0.5 * jnp.sum((x - theta) ** 2)
    >>> x = np.random.default_rng(0).normal(size=(5000, 2))
    >>> F = fisher_from_model(loglik, np.zeros((1, 2)), x)
    >>> np.round(F[0], 1)
    array([[ 1., -0.],
           [-0.,  1.]])
    """
    check_option(output, "output", ("fisher", "scores"))
    check_param(batch_size, "batch_size", numbers.Integral, low=1, allow_none=True)
    if not callable(log_likelihood):
        raise TypeError(
            f"log_likelihood must be callable as log_likelihood(theta, x), got "
            f"{type(log_likelihood).__name__}"
        )
    theta = _as_numeric(params, "params")
    if theta.ndim == 1:
        theta = theta[None]
    if theta.ndim != 2 or 0 in theta.shape:
        raise ValueError(
            f"params must be parameter draws of shape (T, p) or (p,), got shape {theta.shape}"
        )
    _check_finite(theta, "params")
    x = _as_numeric(data, "data")
    if x.ndim == 0 or x.shape[0] == 0:
        raise ValueError(f"data must have a leading sample axis with n >= 1, got shape {x.shape}")
    _check_finite(x, "data")
    from .._kernels import fisher_jax

    scores = fisher_jax.model_scores(log_likelihood, theta, x, batch_size)
    if output == "scores":
        return scores
    return _fisher_matrices(scores, "scores", DEFAULT_MAX_MEMORY)
