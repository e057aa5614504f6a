"""Input checks shared by the bound calculators, and information terms taken from estimators.

Every message names the argument, the expected value and what was received, so that a bound
computed from a script fails loudly on a sign error or a swapped argument rather than returning a
meaningless number.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .._validation import check_bool, check_param, check_values, validate_random_state

__all__ = ["MIEstimate", "estimate_information"]


def check_n(n, name: str = "n") -> int:
    """Number of training samples: an integer >= 1."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        if isinstance(n, numbers.Real) and not isinstance(n, bool) and float(n).is_integer():
            n = int(n)
        else:
            raise TypeError(
                f"{name} must be an int >= 1 (the number of training samples), "
                f"got {n!r} ({type(n).__name__})"
            )
    if n < 1:
        raise ValueError(f"{name} must be an int >= 1 (the number of training samples), got {n}")
    return int(n)


def check_real(value, name: str, what: str) -> float:
    """A finite real number (not a bool); ``what`` describes the expected value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return value


def check_info(value, name: str = "mi", *, upper: float | None = None,
               upper_why: str = "") -> float:
    """A (conditional) mutual information in nats: finite, >= 0 and at most ``upper``."""
    value = check_real(value, name, "a mutual information >= 0 in nats")
    if value < 0:
        raise ValueError(
            f"{name} must be a mutual information >= 0 in nats, got {value!r}; a negative "
            "estimate (e.g. from KSG) means the information is indistinguishable from 0"
        )
    if upper is not None and value > upper * (1 + 1e-12):
        raise ValueError(f"{name} must be <= {upper:.6g} ({upper_why}), got {value!r}")
    return value


def check_info_array(values, name: str, *, n: int | None = None, upper: float | None = None,
                     upper_why: str = "") -> np.ndarray:
    """Per-sample information terms: a non-empty 1-D array of finite values >= 0 (nats)."""
    arr = check_values(values, name, allow_empty=True)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D array of per-sample mutual informations, "
            f"got shape {arr.shape}"
        )
    if n is not None and arr.size != n:
        raise ValueError(
            f"{name} must have one value per training sample: expected n={n} values, "
            f"got {arr.size}"
        )
    if not np.isfinite(arr).all():
        raise ValueError(
            f"{name} contains {int(np.isnan(arr).sum())} NaN and {int(np.isinf(arr).sum())} "
            "inf value(s); expected finite mutual informations >= 0 in nats"
        )
    if (arr < 0).any():
        i = int(np.argmin(arr))
        raise ValueError(
            f"{name} must be mutual informations >= 0 in nats, got {float(arr[i])!r} at index {i}"
        )
    if upper is not None and (arr > upper * (1 + 1e-12)).any():
        i = int(np.argmax(arr))
        raise ValueError(
            f"{name} must be <= {upper:.6g} ({upper_why}), got {float(arr[i])!r} at index {i}"
        )
    return arr


def check_sigma(sigma, loss_range) -> tuple[float, dict, str]:
    """Resolve the sub-Gaussian parameter from ``sigma`` or ``loss_range=(a, b)``.

    Returns ``(sigma, inputs, assumption)``. A loss with values in ``[a, b]`` is
    ``(b - a) / 2``-sub-Gaussian (Hoeffding's lemma).
    """
    if (sigma is None) == (loss_range is None):
        raise ValueError(
            "give exactly one of sigma (the sub-Gaussian parameter of the loss) or "
            f"loss_range=(a, b) (a bounded loss); got sigma={sigma!r}, loss_range={loss_range!r}"
        )
    if sigma is not None:
        s = check_real(sigma, "sigma", "a real number > 0")
        if s <= 0:
            raise ValueError(f"sigma must be > 0 (the sub-Gaussian parameter), got {s!r}")
        return s, {"sigma": s}, f"loss is sigma-sub-Gaussian with sigma={s:.6g}"
    try:
        a, b = loss_range
    except (TypeError, ValueError):
        raise ValueError(
            f"loss_range must be a pair (a, b) with a < b, got {loss_range!r}"
        ) from None
    a = check_real(a, "loss_range[0]", "a finite real number")
    b = check_real(b, "loss_range[1]", "a finite real number")
    if not a < b:
        raise ValueError(f"loss_range must be (a, b) with a < b, got ({a!r}, {b!r})")
    s = (b - a) / 2
    return (s, {"loss_range": (a, b), "sigma": s},
            f"loss takes values in [{a:.6g}, {b:.6g}], hence (b-a)/2 = {s:.6g}-sub-Gaussian")


def check_positive(value, name: str, what: str) -> float:
    value = check_real(value, name, f"{what} > 0")
    if value <= 0:
        raise ValueError(f"{name} must be {what} > 0, got {value!r}")
    return value


def check_delta(delta) -> float:
    delta = check_real(delta, "delta", "a confidence level in (0, 1)")
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1) (the failure probability), got {delta!r}")
    return delta


def check_unit_loss(value, name: str) -> float:
    """A loss (or a probability) in [0, 1]."""
    value = check_real(value, name, "a loss in [0, 1]")
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be a loss in [0, 1], got {value!r}")
    return value


# -- information terms from estimators ------------------------------------------------------


@dataclass(frozen=True)
class MIEstimate:
    """A mutual information estimated from data, in nats, with an optional confidence interval.

    Bounds accept an ``MIEstimate`` wherever they accept a number; its interval is mapped through
    the bound into :attr:`BoundResult.ci`.

    Attributes
    ----------
    value : float
        The point estimate, in nats.
    ci : tuple of float or None
        ``(low, high)`` in nats, or ``None``.
    estimator : str
        A description of the estimator (its ``repr``).
    n_samples : int
        Number of samples the estimate used.
    """

    value: float
    ci: tuple[float, float] | None = None
    estimator: str = ""
    n_samples: int = 0

    def __float__(self) -> float:
        return float(self.value)


def _nats(estimator, value: float) -> float:
    base = getattr(estimator, "base", None)
    return float(value) if base is None else float(value) * math.log(base)


def estimate_information(estimator, X, y, *, ci: bool = True, confidence: float = 0.95,
                         n_resamples: int = 200, clip_negative: bool = False,
                         random_state=None, progress: bool = False) -> MIEstimate:
    r"""Estimate a mutual information with an estimator, and its bootstrap interval, in nats.

    The estimator is cloned and fitted on ``(X, y)``; with ``ci=True`` the interval comes from
    :func:`infotheory.resampling.bootstrap_ci`. Estimators in bits (``base=2``) are converted to
    nats, the unit of every bound.

    Parameters
    ----------
    estimator : InfoEstimator
        A mutual-information estimator, e.g. :class:`infotheory.GaussianMI` or
        :class:`infotheory.KSGMI`.
    X, y : array-like of shape (n_samples, n_features)
        Paired draws of the two variables (e.g. ``X`` = trained parameters over independent
        training runs, ``y`` = the first training example of each run, for :math:`I(W; Z_1)`).
    ci : bool, default=True
        Whether to compute a bootstrap confidence interval.
    confidence : float, default=0.95
        Confidence level of the interval.
    n_resamples : int, default=200
        Bootstrap resamples.
    clip_negative : bool, default=False
        Estimators such as KSG can return slightly negative values when the true information is
        near 0. By default that raises ``ValueError``; ``True`` replaces a negative point estimate
        by 0 (and is recorded in the returned description). The lower end of an interval is always
        mapped through the bound as ``max(low, 0)``.
    random_state : None, int or Generator
        Seed of the bootstrap.
    progress : bool, default=False
        Show a progress bar over the bootstrap resamples.

    Returns
    -------
    MIEstimate

    Examples
    --------
    :math:`I(W; Z_1)` for the mean of 10 standard normal draws (exact: ½ log(10/9) = 0.0527):

    >>> import numpy as np
    >>> from infotheory import GaussianMI
    >>> from infotheory.bounds import estimate_information
    >>> S = np.random.default_rng(0).normal(size=(20_000, 10))
    >>> est = estimate_information(GaussianMI(), S.mean(axis=1), S[:, 0], ci=False)
    >>> round(est.value, 3)
    0.056
    """
    from ..resampling import _check_estimator, _value

    if isinstance(estimator, type) or not hasattr(estimator, "fit"):
        if isinstance(estimator, type):
            _check_estimator(estimator)
        raise TypeError(
            f"estimator must be an MI estimator with fit(X, y), got {type(estimator).__name__}"
        )
    ci = check_bool(ci, "ci")
    clip_negative = check_bool(clip_negative, "clip_negative")
    check_bool(progress, "progress")
    validate_random_state(random_state)
    # the bootstrap settings are checked even when ci=False, so a typo never passes silently
    check_param(confidence, "confidence", numbers.Real, low=0, high=1, low_inclusive=False,
                high_inclusive=False)
    check_param(n_resamples, "n_resamples", numbers.Integral, low=2)
    interval = None
    if ci:
        from ..resampling import bootstrap_ci

        res = bootstrap_ci(estimator, X, y, n_resamples=n_resamples, confidence=confidence,
                           random_state=random_state, progress=progress)
        value = _nats(estimator, res.estimate)
        interval = (_nats(estimator, res.low), _nats(estimator, res.high))
    else:
        value = _nats(estimator, _value(estimator, X, y))
    desc = repr(estimator)
    if value < 0:
        if not clip_negative:
            raise ValueError(
                f"the estimated mutual information is negative ({value:.4g} nats) from {desc}; "
                "expected >= 0. Pass clip_negative=True to treat it as 0, or use more samples"
            )
        value, desc = 0.0, desc + " (negative estimate clipped to 0)"
    return MIEstimate(value=value, ci=interval, estimator=desc, n_samples=int(np.shape(X)[0]))


def resolve_info(mi, name: str, **kwargs) -> tuple[float, tuple[float, float] | None, dict]:
    """A number, an :class:`MIEstimate` or ``(estimator, X, y)`` -> ``(value, ci, inputs)``.

    An ``(estimator, X, y)`` tuple is estimated with :func:`estimate_information` and its default
    bootstrap interval (pass an ``MIEstimate`` to choose the interval's settings).
    """
    if isinstance(mi, tuple) and len(mi) == 3 and hasattr(mi[0], "fit"):
        mi = estimate_information(*mi)
    if isinstance(mi, MIEstimate):
        value = check_info(mi.value, name, **kwargs)
        inputs = {name: value, f"{name}_estimator": mi.estimator}
        if mi.ci is not None:
            inputs[f"{name}_ci"] = mi.ci
        return value, mi.ci, inputs
    value = check_info(mi, name, **kwargs)
    return value, None, {name: value}
