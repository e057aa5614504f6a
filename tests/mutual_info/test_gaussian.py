"""Gaussian and Gaussian-copula MI: closed forms, a slow reference, properties, bad input."""

import math

import numpy as np
import pytest
from scipy import special

from infotheory import GaussianCopulaMI, GaussianMI
from infotheory.datasets import correlated_gaussians, monotone_transform, student_t
from infotheory.mutual_info import gaussian_copula_mi, gaussian_copula_mi_se, gaussian_mi


def pair_se(n, mi, dim):
    """SE of the Gaussian MI for `dim` independent pairs of correlation rho: sqrt(dim rho^2 / n)."""
    rho2 = -math.expm1(-2 * mi / dim)
    return math.sqrt(dim * rho2 / n)


def reference_gcmi(X, Y, bias_correct=True):
    """Slow, readable version of Ince et al. (2017): argsort ranks, det(), explicit psi terms."""
    n = X.shape[0]

    def copnorm(A):
        ranks = np.argsort(np.argsort(A, axis=0), axis=0) + 1
        return special.ndtri(ranks / (n + 1))

    Z = np.hstack([copnorm(X), copnorm(Y)])
    dx, d = X.shape[1], Z.shape[1]
    C = np.cov(Z, rowvar=False)

    def half_logdet(M, k):
        val = 0.5 * math.log(np.linalg.det(M))
        if bias_correct:
            for i in range(1, k + 1):
                val -= 0.5 * (math.log(2) - math.log(n - 1)) + 0.5 * special.digamma((n - i) / 2)
        return val

    return (half_logdet(C[:dx, :dx], dx) + half_logdet(C[dx:, dx:], d - dx)
            - half_logdet(C, d))


# -- closed form -------------------------------------------------------------------------------


@pytest.mark.parametrize("mi, dim", [(0.5, 1), (2.0, 1), (1.0, 3)])
def test_gaussian_mi_on_gaussian_data(mi, dim):
    n = 5000
    X, Y, true_mi = correlated_gaussians(n, mi, dim=dim, random_state=0)
    assert abs(gaussian_mi(X, Y) - true_mi) < 4 * pair_se(n, mi, dim)
    assert GaussianMI().fit(X, Y).mutual_info_ == gaussian_mi(X, Y)


@pytest.mark.parametrize("mi, dim", [(0.5, 1), (1.0, 5)])
def test_copula_exact_for_gaussian_data(mi, dim):
    n = 5000
    X, Y, true_mi = correlated_gaussians(n, mi, dim=dim, random_state=1)
    assert abs(gaussian_copula_mi(X, Y) - true_mi) < 4 * pair_se(n, mi, dim)


def test_copula_d20_where_knn_saturates():
    # the known kNN failure: true 4.46 nats at d = 20 per side; kNN estimators return about 1.2
    n = 10_000
    X, Y, true_mi = correlated_gaussians(n, 4.46, dim=20, random_state=2)
    est = GaussianCopulaMI().fit(X, Y).mutual_info_
    se = gaussian_copula_mi_se(X, Y)
    assert se == pytest.approx(pair_se(n, 4.46, 20), rel=0.2)
    assert abs(est - true_mi) < 3 * se


def test_bias_correction_reduces_bias():
    # small N, d = 3 per side: the plug-in bias is about d_x d_y / (2N) = 0.09 nats
    n, true_mi = 50, 0.5
    raw, corrected = [], []
    for seed in range(200):
        X, Y, _ = correlated_gaussians(n, true_mi, dim=3, random_state=seed)
        raw.append(gaussian_copula_mi(X, Y, bias_correct=False))
        corrected.append(gaussian_copula_mi(X, Y))
    se = np.std(raw) / math.sqrt(200)
    assert np.mean(raw) - true_mi > 4 * se
    assert abs(np.mean(corrected) - true_mi) < abs(np.mean(raw) - true_mi) / 2


@pytest.mark.parametrize("mi, n, dim", [(0.0, 500, 2), (0.05, 200, 3), (0.5, 500, 2)])
def test_standard_error_matches_spread_over_seeds(mi, n, dim):
    est, ses = [], []
    for seed in range(200):
        X, Y, _ = correlated_gaussians(n, mi, dim=dim, random_state=seed)
        est.append(gaussian_copula_mi(X, Y))
        ses.append(gaussian_copula_mi_se(X, Y))
    # the SD over 200 seeds is itself known to about 1/sqrt(400) = 5 %
    assert np.mean(ses) == pytest.approx(np.std(est, ddof=1), rel=0.2)


def test_student_t_copula_is_below_true_mi():
    # the t copula carries more MI than the Gaussian copula of the same normal-score correlation
    X, Y, true_mi = student_t(20_000, df=3, rho=0.0, random_state=3)
    gc = gaussian_copula_mi(X, Y)
    assert gc + 4 * gaussian_copula_mi_se(X, Y) < true_mi


# -- reference ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bias_correct", [True, False])
@pytest.mark.parametrize("dims", [(1, 1), (2, 3)])
def test_matches_slow_reference(bias_correct, dims):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, dims[0]))
    Y = X[:, :1] + rng.normal(size=(300, dims[1]))
    assert gaussian_copula_mi(X, Y, bias_correct=bias_correct) == pytest.approx(
        reference_gcmi(X, Y, bias_correct), abs=1e-10)


def test_gaussian_mi_matches_correlation_formula():
    rng = np.random.default_rng(5)
    x = rng.normal(size=400)
    y = x + rng.normal(size=400)
    r = np.corrcoef(x, y)[0, 1]
    assert gaussian_mi(x, y) == pytest.approx(-0.5 * math.log(1 - r * r), abs=1e-12)


# -- properties --------------------------------------------------------------------------------


def test_copula_invariant_to_monotone_transforms():
    X, Y, _ = correlated_gaussians(2000, 1.0, dim=3, random_state=6)
    base = gaussian_copula_mi(X, Y)
    for kx, ky in [("exp", "cube"), ("sinh", "exp"), ("cube", "sinh")]:
        got = gaussian_copula_mi(monotone_transform(X, kx), monotone_transform(Y, ky))
        assert got == base  # the ranks are identical, so is every floating-point step


def test_symmetry_and_invariances():
    X, Y, _ = correlated_gaussians(1000, 0.7, dim=2, random_state=7)
    for f in (gaussian_mi, gaussian_copula_mi):
        assert f(X, Y) == pytest.approx(f(Y, X), abs=1e-12)
    # Gaussian MI: invariant to invertible affine maps of each side
    A = np.array([[2.0, 1.0], [0.0, -3.0]])
    assert gaussian_mi(X @ A + 5, Y) == pytest.approx(gaussian_mi(X, Y), abs=1e-10)


def test_units_and_score():
    X, Y, _ = correlated_gaussians(500, 0.5, random_state=8)
    for cls in (GaussianMI, GaussianCopulaMI):
        nats = cls().fit(X, Y)
        bits = cls(base=2).fit(X, Y)
        assert bits.mutual_info_ == pytest.approx(nats.mutual_info_ / math.log(2))
        assert nats.score(X, Y) == nats.mutual_info_
    assert GaussianCopulaMI(bias_correct=False).fit(X, Y).mutual_info_ == pytest.approx(
        gaussian_copula_mi(X, Y, bias_correct=False))


def test_independent_near_zero():
    rng = np.random.default_rng(9)
    X, Y = rng.normal(size=(2000, 2)), rng.normal(size=(2000, 2))
    assert abs(gaussian_copula_mi(X, Y)) < 4 * gaussian_copula_mi_se(X, Y)


# -- bad input ---------------------------------------------------------------------------------


def test_bias_correct_must_be_bool():
    with pytest.raises(TypeError, match=r"bias_correct must be a bool, got 'yes' \(str\)"):
        gaussian_copula_mi([1.0, 2, 3, 4], [1.0, 3, 2, 4], bias_correct="yes")
    with pytest.raises(TypeError, match=r"bias_correct must be a bool, got 1 \(int\)"):
        GaussianCopulaMI(bias_correct=1).fit([1.0, 2, 3, 4], [1.0, 3, 2, 4])


def test_constant_feature_is_singular():
    # the functions refuse it; the estimators drop it with a warning naming it
    # (tests/mutual_info/test_diagnostics.py)
    X = np.column_stack([np.arange(10.0), np.ones(10)])
    with pytest.raises(ValueError, match=r"The covariance of X is singular"):
        gaussian_mi(X, np.arange(10.0) ** 2)
    with pytest.raises(ValueError, match=r"The covariance of X is singular"):
        gaussian_copula_mi(X, np.arange(10.0))
    X = np.column_stack([np.arange(10.0), 2 * np.arange(10.0)])  # collinear, not constant
    with pytest.raises(ValueError, match=r"The covariance of X is singular"):
        GaussianCopulaMI().fit(X, np.arange(10.0))


def test_too_few_samples():
    with pytest.raises(ValueError, match=r"Found array with 2 sample\(s\).*minimum of 3"):
        gaussian_copula_mi([1.0, 2.0], [2.0, 1.0])
    with pytest.raises(ValueError, match=r"minimum of 3 is required by GaussianMI"):
        GaussianMI().fit([1.0, 2.0], [2.0, 1.0])


def test_mismatched_lengths_and_missing_y():
    with pytest.raises(ValueError, match=r"X and Y must have the same number of samples"):
        gaussian_mi(np.zeros((5, 1)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"GaussianCopulaMI requires y to be passed"):
        GaussianCopulaMI().fit(np.zeros((5, 1)))


def test_nan_input():
    with pytest.raises(ValueError, match=r"Y contains 1 NaN and 0 inf"):
        gaussian_copula_mi(np.arange(5.0), [1.0, np.nan, 2, 3, 4])
