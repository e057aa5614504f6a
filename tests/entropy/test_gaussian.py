"""GaussianEntropy: closed form, properties, bad input."""

import math

import numpy as np
import pytest
from scipy import stats

from infotheory import GaussianEntropy
from infotheory.datasets import exponential, gaussian

COV = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]])


def test_closed_form_within_se():
    n = 10_000
    X, h_true = gaussian(n, COV, random_state=0)
    # Var(log det S) ~ 2d/n for Gaussian data, so SE(h) = sqrt(d / (2n))
    se = math.sqrt(3 / (2 * n))
    assert abs(GaussianEntropy().fit(X).entropy_ - h_true) < 4 * se


def test_equals_scipy_multivariate_normal_entropy():
    X, _ = gaussian(500, COV, random_state=1)
    S = np.cov(X, rowvar=False, ddof=1)
    expected = stats.multivariate_normal(cov=S).entropy()
    assert GaussianEntropy().fit(X).entropy_ == pytest.approx(expected, abs=1e-10)


def test_shift_and_scale():
    X, _ = gaussian(300, COV, random_state=2)
    est = GaussianEntropy()
    h = est.fit(X).entropy_
    assert est.fit(X + 10.0).entropy_ == pytest.approx(h, abs=1e-10)
    assert est.fit(-3.0 * X).entropy_ == pytest.approx(h + 3 * math.log(3.0), abs=1e-10)
    Q, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(3, 3)))
    assert est.fit(X @ Q).entropy_ == pytest.approx(h, abs=1e-10)


def test_upper_bound_for_non_gaussian():
    # the Gaussian has the largest entropy at a given variance: exponential(1) has entropy 1
    X, h_true = exponential(20_000, random_state=4)
    assert GaussianEntropy().fit(X).entropy_ > h_true + 0.3  # 0.5 log(2 pi e) - 1 = 0.42


def test_bits_and_score():
    X, _ = gaussian(200, 1.0, random_state=5)
    est = GaussianEntropy(base=2).fit(X)
    assert est.entropy_ == pytest.approx(GaussianEntropy().fit(X).entropy_ / math.log(2))
    assert est.score(X) == est.entropy_


def test_singular_covariance():
    x = np.random.default_rng(6).normal(size=10)
    X = np.column_stack([x, x])
    with pytest.raises(ValueError, match=r"The covariance is singular"):
        GaussianEntropy().fit(X)


def test_too_few_samples():
    with pytest.raises(ValueError, match=r"Found array with 1 sample\(s\).*minimum of 2 is "
                                         r"required by GaussianEntropy"):
        GaussianEntropy().fit([[1.0, 2.0]])


def test_nan_and_bad_base():
    with pytest.raises(ValueError, match=r"X contains 0 NaN and 1 inf"):
        GaussianEntropy().fit([1.0, np.inf, 2.0])
    with pytest.raises(ValueError, match=r"base must be > 0, got -2"):
        GaussianEntropy(base=-2).fit([1.0, 2.0, 3.0])
