"""Uncertainty for any estimator: bootstrap confidence intervals and permutation tests.

Both work with every estimator of the package and with any object that has ``fit`` and
``score`` (it is copied with :func:`sklearn.base.clone`, so the original is never fitted).
"""

from __future__ import annotations

import numbers
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

__all__ = ["BootstrapResult", "PermutationResult", "bootstrap_ci", "permutation_test"]


@dataclass(frozen=True)
class BootstrapResult:
    """Result of :func:`bootstrap_ci`.

    Attributes
    ----------
    estimate : float
        The estimate on the full sample.
    low, high : float
        The confidence interval.
    standard_error : float
        Standard deviation of the bootstrap replicates (``ddof=1``).
    resamples : ndarray of shape (n_resamples,)
        The bootstrap replicates.
    """

    estimate: float
    low: float
    high: float
    standard_error: float
    resamples: np.ndarray


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


def _value(estimator, X, y) -> float:
    """Fit a clone and return its value (the fitted attribute, or ``score`` on the same data)."""
    est = clone(estimator, safe=False)
    if y is None:
        est.fit(X)
    else:
        est.fit(X, y)
    if isinstance(est, InfoEstimator):
        return float(getattr(est, est._result_attr))
    return float(est.score(X, y) if y is not None else est.score(X))


def bootstrap_ci(
    estimator,
    X,
    y=None,
    *,
    n_resamples=200,
    confidence=0.95,
    method="percentile",
    random_state=None,
    progress=True,
) -> BootstrapResult:
    r"""Bootstrap confidence interval of an estimator's value.

    Rows of ``X`` (and ``y``, jointly) are resampled with replacement ``n_resamples`` times; a
    clone of ``estimator`` is fitted on each resample.

    ``method="percentile"`` gives the interval :math:`[q_{\alpha/2}, q_{1-\alpha/2}]` of the
    replicates; ``"basic"`` (reverse percentile) gives
    :math:`[2\hat\theta - q_{1-\alpha/2},\, 2\hat\theta - q_{\alpha/2}]`, which corrects the
    percentile interval for a shift of the replicates away from the estimate [1]_.

    Parameters
    ----------
    estimator : estimator
        Any object with ``fit(X, y)``; its value is its result attribute (package estimators) or
        ``score(X, y)`` on the resample.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples, ...), optional
    n_resamples : int, default=200
        At least 2 (the standard error needs two replicates).
    confidence : float, default=0.95
        In (0, 1).
    method : {"percentile", "basic"}, default="percentile"
    random_state : None, int, Generator or RandomState
        Draws the resamples; the same seed gives the same result (an estimator that is itself
        random should also be given a fixed ``random_state``).
    progress : bool, default=True
        Show a progress bar.

    Returns
    -------
    BootstrapResult

    Notes
    -----
    Resampling with replacement duplicates rows. kNN estimators see zero distances between
    duplicates, which biases them (upwards for kNN MI); their bootstrap distribution describes
    variability only roughly. The intervals are in the unit of the estimator.

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall,
       1993, Ch. 13.

    Examples
    --------
    >>> from infotheory import GaussianMI, bootstrap_ci
    >>> from infotheory.datasets import correlated_gaussians
    >>> X, Y, true_mi = correlated_gaussians(2000, mi=0.5, random_state=0)
    >>> res = bootstrap_ci(GaussianMI(), X, Y, random_state=0, progress=False)
    >>> bool(res.low < true_mi < res.high)
    True
    """
    _check_estimator(estimator)
    check_param(n_resamples, "n_resamples", numbers.Integral, low=2)
    check_param(confidence, "confidence", numbers.Real, low=0, high=1,
                low_inclusive=False, high_inclusive=False)
    check_option(method, "method", ("percentile", "basic"))
    check_bool(progress, "progress")
    rng = check_random_state(random_state)
    Xa, ya = _check_data(X, y, y_required=False)
    n = Xa.shape[0]

    estimate = _value(estimator, Xa, ya)
    replicates = np.empty(n_resamples)
    for b in _progress_bar(range(n_resamples), enabled=bool(progress), desc="bootstrap"):
        idx = rng.integers(0, n, size=n)
        replicates[b] = _value(estimator, Xa[idx], None if ya is None else ya[idx])

    alpha = 1.0 - confidence
    q_low, q_high = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
    if method == "basic":
        q_low, q_high = 2 * estimate - q_high, 2 * estimate - q_low
    return BootstrapResult(
        estimate=estimate,
        low=float(q_low),
        high=float(q_high),
        standard_error=float(replicates.std(ddof=1)),
        resamples=replicates,
    )


def permutation_test(
    estimator, X, y, *, n_permutations=200, random_state=None, progress=True
) -> PermutationResult:
    r"""Permutation test of independence between ``X`` and ``y`` with any dependence estimator.

    The rows of ``y`` are permuted ``n_permutations`` times, breaking any dependence while keeping
    both marginals; the p-value is

    .. math:: p = \frac{1 + \#\{b : \hat I_b \ge \hat I\}}{1 + m}

    (one-sided: large values mean dependence), which is a valid p-value for any finite
    ``m = n_permutations`` [1]_. Ties are counted with a relative tolerance of 100 machine
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

    statistic = _value(estimator, Xa, ya)
    null = np.empty(n_permutations)
    for b in _progress_bar(range(n_permutations), enabled=bool(progress), desc="permutations"):
        null[b] = _value(estimator, Xa, ya[rng.permutation(n)])
    tolerance = 100 * np.finfo(np.float64).eps * abs(statistic)
    n_extreme = int(np.count_nonzero(null >= statistic - tolerance))
    return PermutationResult(
        statistic=statistic,
        pvalue=(n_extreme + 1) / (n_permutations + 1),
        null_distribution=null,
    )
