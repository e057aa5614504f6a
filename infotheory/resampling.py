"""Uncertainty for any estimator: bootstrap confidence intervals and permutation tests.

Both work with every estimator of the package and with any object that has ``fit`` and
``score`` (it is copied with :func:`sklearn.base.clone`, so the original is never fitted).
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from ._base import InfoEstimator
from ._progress import progress as _progress_bar
from ._validation import (
    check_bool,
    check_option,
    check_param,
    check_random_state,
    check_samples,
)
from ._warnings import InfotheoryWarning

__all__ = [
    "BootstrapResult",
    "BootstrapWarning",
    "PermutationResult",
    "bootstrap_ci",
    "permutation_test",
]


@dataclass(frozen=True)
class BootstrapResult:
    r"""Result of :func:`bootstrap_ci`.

    Attributes
    ----------
    estimate : float
        The estimate on the full sample.
    low, high : float
        The confidence interval (see ``description`` for its construction and what it covers).
    standard_error : float
        Standard error of ``estimate``: the standard deviation of the replicates (``ddof=1``),
        times ``scale`` for subsampling.
    resamples : ndarray of shape (n_resamples,)
        The replicates (estimates on the resamples, unscaled).
    scheme : str
        ``"bootstrap"`` (``n`` rows drawn with replacement) or ``"subsampling"`` (``m`` rows
        drawn without replacement).
    method : str
        ``"percentile"`` or ``"basic"``.
    subsample_size : int
        Rows per resample (``n`` for the bootstrap, ``m`` for subsampling).
    scale : float
        Factor applied to the replicates' deviations: 1 for the bootstrap,
        :math:`\sqrt{m/(n-m)}` for subsampling.
    shift : float
        Mean of the replicates minus ``estimate``: the bootstrap's estimate of the estimator's
        bias, or for subsampling the change of the estimator's expectation from ``n`` to ``m``
        rows (removed from the interval, see ``description``).
    description : str
        How the interval was built and what it covers, in words.
    """

    estimate: float
    low: float
    high: float
    standard_error: float
    resamples: np.ndarray
    scheme: str = "bootstrap"
    method: str = "percentile"
    subsample_size: int = 0
    scale: float = 1.0
    shift: float = 0.0
    description: str = ""


class BootstrapWarning(InfotheoryWarning):
    """A bootstrap interval does not contain its own point estimate (a biased estimator)."""


@dataclass(frozen=True)
class PermutationResult:
    """Result of :func:`permutation_test`.

    Attributes
    ----------
    statistic : float
        The estimate on the original pairing.
    pvalue : float
        :math:`(b + 1) / (m + 1)` with :math:`b` the permuted values at least as large.
    null_distribution : ndarray of shape (n_permutations,)
        The estimates with ``y`` permuted.
    """

    statistic: float
    pvalue: float
    null_distribution: np.ndarray


def _check_estimator(estimator) -> None:
    if isinstance(estimator, type):
        raise TypeError(
            f"estimator must be an estimator instance, got the class {estimator.__name__}: "
            f"pass {estimator.__name__}() (with its parameters)"
        )
    if not callable(getattr(estimator, "fit", None)):
        raise TypeError(
            "estimator must be an estimator with a fit(X, y) method (e.g. infotheory.KSGMI()), "
            f"got {estimator!r} ({type(estimator).__name__})"
        )



def _check_data(X, y, *, y_required: bool):
    Xa = check_samples(X, name="X")
    n = Xa.shape[0]
    if y is None:
        if y_required:
            raise ValueError(
                "y is None: permutation_test needs the second variable y, with one row per "
                "sample of X"
            )
        return Xa, None
    ya = np.asarray(y)
    if ya.ndim == 0 or ya.shape[0] != n:
        raise ValueError(
            f"X and y must have the same number of samples: X has {n} (shape={Xa.shape}), "
            f"y has shape {ya.shape}"
        )
    return Xa, ya


def _check_fit_params(fit_params, n: int) -> dict:
    """Per-row side inputs of ``fit`` (``z``, ``groups``, ``inputs``, ``sample_weight``, ``p``):
    a dict of arrays with one row per sample, resampled with the rows of ``X``."""
    if fit_params is None:
        return {}
    if not isinstance(fit_params, dict):
        raise TypeError(
            "fit_params must be a dict of per-sample side inputs of fit (e.g. {'z': z}) or None, "
            f"got {type(fit_params).__name__}"
        )
    checked = {}
    for name, value in fit_params.items():
        if not isinstance(name, str):
            raise TypeError(f"fit_params keys must be argument names of fit, got {name!r}")
        arr = np.asarray(value)
        if arr.ndim == 0 or arr.shape[0] != n:
            raise ValueError(
                f"fit_params[{name!r}] must have one row per sample of X ({n} rows) so that it "
                f"is resampled with them, got shape {arr.shape}"
            )
        checked[name] = arr
    return checked


def _rows(fit_params: dict, idx) -> dict:
    return {name: arr[idx] for name, arr in fit_params.items()}


def _value(estimator, X, y, fit_params=None) -> float:
    """Fit a clone and return its value (the fitted attribute, or ``score`` on the same data)."""
    est = clone(estimator, safe=False)
    fit_params = fit_params or {}
    if y is None:
        est.fit(X, **fit_params)
    else:
        est.fit(X, y, **fit_params)
    if isinstance(est, InfoEstimator):
        value = est.value_
    else:
        value = est.score(X, y) if y is not None else est.score(X)
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"estimator must give one number, {type(est).__name__} gave {value!r}"
        ) from None
    if not math.isfinite(value):
        # an interval or a p-value over NaN replicates would be meaningless, not an answer
        raise ValueError(
            f"estimator {type(est).__name__} returned {value} on {X.shape[0]} samples: "
            "expected a finite value; check the data (scale, duplicates) for this estimator"
        )
    return value


_SCHEMES = ("auto", "bootstrap", "subsampling")


def _duplicate_sensitive(estimator) -> bool:
    """Whether the estimator declares that duplicated rows break or bias it (kNN estimators)."""
    return bool(getattr(type(estimator), "_duplicate_sensitive", False))


def _resolve_scheme(estimator, scheme: str, n: int, subsample_size) -> tuple[str, int]:
    sensitive = _duplicate_sensitive(estimator)
    name = type(estimator).__name__
    if scheme == "auto":
        scheme = "subsampling" if sensitive else "bootstrap"
    elif scheme == "bootstrap" and sensitive:
        raise ValueError(
            f"scheme='bootstrap' draws rows with replacement, but {name} declares that "
            "duplicated rows break or bias it (kNN distances of 0 between copies); use "
            "scheme='subsampling' (what scheme='auto' chooses for it)"
        )
    if scheme == "bootstrap":
        if subsample_size is not None:
            raise ValueError(
                "subsample_size is only used with scheme='subsampling' (the bootstrap draws n "
                f"rows), got subsample_size={subsample_size!r} with scheme='bootstrap'"
            )
        return scheme, n
    if n < 4:
        raise ValueError(f"subsampling needs at least 4 samples, got {n}")
    if subsample_size is None:
        return scheme, n // 2
    check_param(subsample_size, "subsample_size", numbers.Integral, low=2, high=n - 1)
    return scheme, int(subsample_size)


def _describe(scheme: str, method: str, confidence: float, n: int, m: int) -> str:
    level = f"{100 * confidence:g} %"
    if scheme == "bootstrap":
        how = (f"{method} bootstrap interval: {n} rows drawn with replacement per replicate; "
               + ("the interval is the replicates' quantiles" if method == "percentile" else
                  "the replicates' quantiles reflected about the estimate (2 * estimate - q)"))
        covers = ("covers the estimator's expectation at n with about the stated level when "
                  "the replicates' spread matches the estimator's; for a biased estimator the "
                  "percentile interval is shifted by the bias, the basic one by minus the bias")
    else:
        how = (f"{method} subsampling interval (Politis & Romano 1994): {m} of {n} rows drawn "
               "without replacement per replicate; deviations of the replicates from their mean "
               f"scaled by sqrt(m / (n - m)) = {np.sqrt(m / (n - m)):.3g} and added to the "
               "estimate" + ("" if method == "percentile" else " with their sign reversed"))
        covers = ("covers the estimator's expectation at n (its sampling variability, not its "
                  "bias) with about the stated level, assuming a sqrt(n)-consistent estimator "
                  "whose variance scales as 1/n; the change of the expectation from n to m "
                  "rows is removed, so the interval is centred on the estimate")
    return f"{level} {how}; it {covers}."


def bootstrap_ci(
    estimator,
    X,
    y=None,
    *,
    n_resamples=200,
    confidence=0.95,
    method="percentile",
    scheme="auto",
    subsample_size=None,
    random_state=None,
    progress=True,
    fit_params=None,
) -> BootstrapResult:
    r"""Confidence interval of an estimator's value by resampling rows.

    Two schemes; ``scheme="auto"`` picks the one the estimator can use and the result says which
    ran (:attr:`BootstrapResult.scheme`):

    ``"bootstrap"`` (estimators that accept duplicated rows)
        ``n`` rows of ``X`` (and ``y``, jointly) drawn with replacement per replicate.
        ``method="percentile"`` gives :math:`[q_{\alpha/2}, q_{1-\alpha/2}]` of the replicates;
        ``"basic"`` (reverse percentile) gives
        :math:`[2\hat\theta - q_{1-\alpha/2},\, 2\hat\theta - q_{\alpha/2}]` [1]_.
    ``"subsampling"`` (estimators that declare duplicated rows harmful, the kNN ones)
        ``m`` rows (default ``n // 2``) drawn *without* replacement (Politis & Romano [2]_).
        With :math:`\b\bar\theta^*` the replicates' mean, the deviations
        :math:`d_b = c\,(\hat\theta^*_b - \b\bar\theta^*)` with :math:`c = \sqrt{m/(n-m)}` stand
        for :math:`\hat\theta_n - E\hat\theta_n`: the percentile interval is
        :math:`[\hat\theta + q_{\alpha/2}(d), \hat\theta + q_{1-\alpha/2}(d)]`, the basic one
        :math:`[\hat\theta - q_{1-\alpha/2}(d), \hat\theta - q_{\alpha/2}(d)]`. The factor is
        the rate correction :math:`\sqrt{m/n}` of a :math:`\sqrt n`-consistent estimator with
        the finite-population correction of sampling without replacement,
        :math:`(1 - m/n)^{-1/2}` (exact for a mean: the variance of a subsample mean about the
        full-sample mean is :math:`\sigma^2 (1/m - 1/n)`). Deviations are taken from the
        replicates' mean, not from :math:`\hat\theta`, because the estimator's expectation at
        ``m`` rows differs from that at ``n`` (kNN bias shrinks with ``n``); that difference is
        a bias, not variability, and is reported as :attr:`BootstrapResult.shift`.

    **What the interval covers.** The sampling variability of the estimator around its
    expectation at ``n`` samples — not the true value when the estimator is biased (kNN
    estimators at high MI, plug-in estimators with many bins). A bootstrap percentile interval
    of a biased estimator is shifted by the bias and can exclude its own point estimate; this
    is never silent: a :class:`BootstrapWarning` says so and gives the shift.

    Parameters
    ----------
    estimator : estimator
        Any object with ``fit(X, y)``; its value is ``value_`` (package estimators) or
        ``score(X, y)`` on the resample. It is cloned, never fitted itself.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples, ...), optional
    n_resamples : int, default=200
        At least 2 (the standard error needs two replicates).
    confidence : float, default=0.95
        In (0, 1).
    method : {"percentile", "basic"}, default="percentile"
    scheme : {"auto", "bootstrap", "subsampling"}, default="auto"
        ``"auto"``: subsampling for estimators whose class declares ``_duplicate_sensitive``
        (duplicated rows break or bias them: KSGMI, ConditionalMI, MixedMI, KLEntropy,
        CompressedMI), the bootstrap otherwise. ``"bootstrap"`` is refused for those.
    subsample_size : int, optional
        Rows per subsample, in ``[2, n - 1]``; default ``n // 2`` (the scale factor is then 1).
        Subsampling theory wants :math:`m \to \infty`, :math:`m/n \to 0`; ``n // 2`` keeps the
        estimator's bias at ``m`` close to that at ``n`` and the correction exact for means.
    random_state : None, int, Generator or RandomState
        Draws the resamples; the same seed gives the same result (an estimator that is itself
        random should also be given a fixed ``random_state``).
    progress : bool, default=True
        Show a progress bar.
    fit_params : dict or None, default=None
        Side inputs of the estimator's ``fit`` with one row per sample (``{"z": z}`` for
        :class:`~infotheory.ConditionalMI`, ``groups``, ``inputs``, ``sample_weight``): each
        replicate takes the same rows of them as of ``X`` and ``y``.

    Returns
    -------
    BootstrapResult
        With the interval, the standard error, the scheme that ran and a description of the
        interval.

    Notes
    -----
    The coverage was measured on closed forms (``tests/test_resampling.py``, marked slow):
    Gaussian MI with the bootstrap, KSG MI with subsampling. The rate correction assumes a
    :math:`\sqrt n` rate; it is wrong where the estimator's limit is degenerate (an MI of exactly
    0, where the plug-in MI converges at rate :math:`n`): use :func:`permutation_test` to test
    independence. The intervals are in the unit of the estimator.

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall,
       1993, Ch. 13.
    .. [2] D. N. Politis and J. P. Romano, "Large sample confidence regions based on subsamples
       under minimal assumptions", *Annals of Statistics* 22(4):2031-2050, 1994.

    Examples
    --------
    >>> from infotheory import GaussianMI, KSGMI, bootstrap_ci
    >>> from infotheory.datasets import correlated_gaussians
    >>> X, Y, true_mi = correlated_gaussians(2000, mi=0.5, random_state=0)
    >>> res = bootstrap_ci(GaussianMI(), X, Y, random_state=0, progress=False)
    >>> res.scheme, bool(res.low < true_mi < res.high)
    ('bootstrap', True)
    >>> res = bootstrap_ci(KSGMI(), X, Y, n_resamples=50, random_state=0, progress=False)
    >>> res.scheme, res.subsample_size, bool(res.low < res.estimate < res.high)
    ('subsampling', 1000, True)
    """
    _check_estimator(estimator)
    check_param(n_resamples, "n_resamples", numbers.Integral, low=2)
    check_param(confidence, "confidence", numbers.Real, low=0, high=1,
                low_inclusive=False, high_inclusive=False)
    check_option(method, "method", ("percentile", "basic"))
    check_option(scheme, "scheme", _SCHEMES)
    check_bool(progress, "progress")
    rng = check_random_state(random_state)
    Xa, ya = _check_data(X, y, y_required=False)
    n = Xa.shape[0]
    side = _check_fit_params(fit_params, n)
    scheme, m = _resolve_scheme(estimator, scheme, n, subsample_size)

    estimate = _value(estimator, Xa, ya, side)
    replicates = np.empty(n_resamples)
    for b in _progress_bar(range(n_resamples), enabled=bool(progress), desc=scheme):
        if scheme == "bootstrap":
            idx = rng.integers(0, n, size=n)
        else:
            idx = np.sort(rng.choice(n, size=m, replace=False))
        replicates[b] = _value(estimator, Xa[idx], None if ya is None else ya[idx],
                               _rows(side, idx))

    if scheme == "bootstrap":
        scale, center = 1.0, estimate
    else:
        scale, center = float(np.sqrt(m / (n - m))), float(replicates.mean())
    deviations = scale * (replicates - center)
    alpha = 1.0 - confidence
    q_low, q_high = np.quantile(deviations, [alpha / 2, 1 - alpha / 2])
    if method == "percentile":
        low, high = estimate + q_low, estimate + q_high
    else:
        low, high = estimate - q_high, estimate - q_low
    se = float(scale * replicates.std(ddof=1))
    shift = float(replicates.mean() - estimate)
    if not low <= estimate <= high:
        warnings.warn(
            f"the {100 * confidence:g} % {method} {scheme} interval [{low:.4g}, {high:.4g}] "
            f"excludes its own estimate {estimate:.4g}: the replicates are shifted from it by "
            f"{shift:+.4g} ({shift / se if se > 0 else np.inf:+.1f} standard errors), a bias of "
            "the estimator at this sample size (or of duplicated rows). The interval describes "
            "the replicates, not the true value; report the estimate with its standard error, "
            "or use scheme='subsampling'.",
            BootstrapWarning,
            stacklevel=2,
        )
    return BootstrapResult(
        estimate=estimate,
        low=float(low),
        high=float(high),
        standard_error=se,
        resamples=replicates,
        scheme=scheme,
        method=method,
        subsample_size=m,
        scale=scale,
        shift=shift,
        description=_describe(scheme, method, confidence, n, m),
    )


def permutation_test(
    estimator, X, y, *, n_permutations=200, random_state=None, progress=True, fit_params=None
) -> PermutationResult:
    r"""Permutation test of independence between ``X`` and ``y`` with any dependence estimator.

    The rows of ``y`` are permuted ``n_permutations`` times, breaking any dependence while keeping
    both marginals; the p-value is

    .. math:: p = \frac{1 + \#\{b : \hat I_b \ge \hat I\}}{1 + m}

    (one-sided: large values mean dependence), which is a valid p-value for any finite
    ``m = n_permutations`` [1]_. Permuting ``y`` creates no duplicated rows, so it works with
    every estimator, kNN ones included. It tests unconditional independence: with a
    conditional estimator, permuting ``y`` also breaks its dependence on ``z``, so it is not a
    test of conditional independence. Ties are counted with a relative tolerance of 100 machine
    epsilons so that rounding does not decide them.

    Parameters
    ----------
    estimator : estimator
        Any object with ``fit(X, y)`` (e.g. :class:`~infotheory.KSGMI`).
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples, ...)
    n_permutations : int, default=200
        At least 1; the smallest attainable p-value is ``1 / (n_permutations + 1)``.
    random_state : None, int, Generator or RandomState
        Draws the permutations; the same seed gives the same result.
    progress : bool, default=True
        Show a progress bar.
    fit_params : dict or None, default=None
        Side inputs of the estimator's ``fit`` with one row per sample; they stay with the rows
        of ``X`` (only ``y`` is permuted).

    Returns
    -------
    PermutationResult

    References
    ----------
    .. [1] B. Phipson and G. K. Smyth, "Permutation p-values should never be zero", *Statistical
       Applications in Genetics and Molecular Biology* 9(1):39, 2010.

    Examples
    --------
    >>> from infotheory import GaussianMI, permutation_test
    >>> from infotheory.datasets import correlated_gaussians
    >>> X, Y, _ = correlated_gaussians(500, mi=0.2, random_state=0)
    >>> res = permutation_test(GaussianMI(), X, Y, n_permutations=99, random_state=0,
    ...                        progress=False)
    >>> res.pvalue  # no permutation reaches the observed value: 1 / (99 + 1)
    0.01
    """
    _check_estimator(estimator)
    check_param(n_permutations, "n_permutations", numbers.Integral, low=1)
    check_bool(progress, "progress")
    rng = check_random_state(random_state)
    Xa, ya = _check_data(X, y, y_required=True)
    n = Xa.shape[0]
    side = _check_fit_params(fit_params, n)

    statistic = _value(estimator, Xa, ya, side)
    null = np.empty(n_permutations)
    for b in _progress_bar(range(n_permutations), enabled=bool(progress), desc="permutations"):
        null[b] = _value(estimator, Xa, ya[rng.permutation(n)], side)
    tolerance = 100 * np.finfo(np.float64).eps * abs(statistic)
    n_extreme = int(np.count_nonzero(null >= statistic - tolerance))
    return PermutationResult(
        statistic=statistic,
        pvalue=(n_extreme + 1) / (n_permutations + 1),
        null_distribution=null,
    )
