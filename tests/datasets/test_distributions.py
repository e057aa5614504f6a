"""Every known truth checked independently: Monte Carlo of the log-density at large N within SE."""

import math

import numpy as np
import pytest
from scipy import stats

from infotheory.datasets import (
    correlated_gaussians,
    discrete,
    discrete_joint,
    exponential,
    gaussian,
    monotone_transform,
    student_t,
    student_t_mi,
    uniform,
)

N_MC = 200_000


def assert_mc_mean(values, truth, n_se=4):
    """The sample mean of `values` estimates `truth`; it must be within `n_se` standard errors."""
    se = values.std(ddof=1) / math.sqrt(values.size)
    assert abs(values.mean() - truth) < n_se * se, (values.mean(), truth, se)


def _joint_cov(rho, dim):
    eye = np.eye(dim)
    return np.block([[eye, rho * eye], [rho * eye, eye]])


@pytest.mark.parametrize("mi, dim", [(0.5, 1), (1.5, 3)])
def test_correlated_gaussians_mi(mi, dim):
    X, Y, true_mi = correlated_gaussians(N_MC, mi, dim=dim, random_state=0)
    assert true_mi == mi
    rho = math.sqrt(1 - math.exp(-2 * mi / dim))
    joint = stats.multivariate_normal(cov=_joint_cov(rho, dim))
    marg = stats.multivariate_normal(cov=np.eye(dim))
    pmi = joint.logpdf(np.hstack([X, Y])) - marg.logpdf(X) - marg.logpdf(Y)
    assert_mc_mean(pmi, true_mi)
    # and the sampler really has that correlation
    assert np.corrcoef(X[:, 0], Y[:, 0])[0, 1] == pytest.approx(rho, abs=4 / math.sqrt(N_MC))


def test_gaussian_entropy():
    cov = np.array([[1.0, 0.8], [0.8, 2.0]])
    X, h = gaussian(N_MC, cov, random_state=1)
    assert h == pytest.approx(stats.multivariate_normal(cov=cov).entropy(), abs=1e-12)
    assert_mc_mean(-stats.multivariate_normal(cov=cov).logpdf(X), h)
    assert np.cov(X, rowvar=False) == pytest.approx(cov, abs=0.03)


@pytest.mark.parametrize("df, rho, dim", [(3.0, 0.0, 1), (5.0, 0.6, 2), (1.5, 0.3, 1)])
def test_student_t_mi_monte_carlo(df, rho, dim):
    X, Y, true_mi = student_t(N_MC, df, rho=rho, dim=dim, random_state=2)
    joint = stats.multivariate_t(shape=_joint_cov(rho, dim), df=df)
    marg = stats.multivariate_t(shape=np.eye(dim), df=df)
    pmi = joint.logpdf(np.hstack([X, Y])) - marg.logpdf(X) - marg.logpdf(Y)
    assert_mc_mean(pmi, true_mi)


def test_student_t_tends_to_gaussian():
    assert student_t_mi(1e7, rho=0.5, dim=2) == pytest.approx(-math.log(0.75), abs=1e-6)
    # heavier tails, more dependence through the shared scale
    assert student_t_mi(2, 0.5) > student_t_mi(10, 0.5) > -0.5 * math.log(0.75)


def test_uniform_and_exponential_entropy():
    X, h = uniform(N_MC, -1.0, 3.0, dim=2, random_state=3)
    assert h == pytest.approx(2 * math.log(4.0))
    assert X.min() >= -1.0 and X.max() <= 3.0
    assert X.mean(axis=0) == pytest.approx([1.0, 1.0], abs=0.02)
    X, h = exponential(N_MC, scale=2.5, dim=2, random_state=4)
    assert h == pytest.approx(2 * stats.expon(scale=2.5).entropy())
    assert_mc_mean(-stats.expon(scale=2.5).logpdf(X).sum(axis=1), h)


def test_discrete_entropy_and_frequencies():
    pmf = np.array([0.5, 0.3, 0.15, 0.05])
    x, h = discrete(N_MC, pmf, random_state=5)
    assert h == pytest.approx(stats.entropy(pmf))
    assert_mc_mean(-np.log(pmf[x]), h)
    assert stats.chisquare(np.bincount(x), N_MC * pmf).pvalue > 1e-4


def test_discrete_joint_mi():
    P = np.array([[0.25, 0.05, 0.0], [0.05, 0.3, 0.1], [0.0, 0.05, 0.2]])
    x, y, mi = discrete_joint(N_MC, P, random_state=6)
    outer = np.outer(P.sum(1), P.sum(0))
    assert_mc_mean(np.log(P[x, y] / outer[x, y]), mi)
    assert mi == pytest.approx(stats.entropy(P.sum(1)) + stats.entropy(P.sum(0))
                               - stats.entropy(P.ravel()), abs=1e-12)
    _, _, zero = discrete_joint(10, np.outer([0.2, 0.8], [0.5, 0.5]))
    assert zero == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("kind", ["cube", "exp", "sinh"])
def test_monotone_transform_keeps_order_and_shape(kind):
    X = np.random.default_rng(7).normal(size=(500, 3))
    T = monotone_transform(X, kind)
    assert T.shape == X.shape
    assert (np.argsort(T, axis=0) == np.argsort(X, axis=0)).all()
    assert monotone_transform(X[:, 0], kind).shape == (500,)


def test_monotone_transform_values():
    assert monotone_transform([-2.0, 0.0, 2.0], "cube").tolist() == [-8.0, 0.0, 8.0]
    assert monotone_transform([0.0], "exp").tolist() == [1.0]


@pytest.mark.parametrize(
    "sampler",
    [
        lambda rs: correlated_gaussians(20, 0.3, dim=2, random_state=rs),
        lambda rs: gaussian(20, np.eye(2), random_state=rs),
        lambda rs: student_t(20, 4.0, 0.2, random_state=rs),
        lambda rs: uniform(20, random_state=rs),
        lambda rs: exponential(20, random_state=rs),
        lambda rs: discrete(20, [0.5, 0.5], random_state=rs),
        lambda rs: discrete_joint(20, [[0.5, 0.0], [0.0, 0.5]], random_state=rs),
    ],
)
def test_same_seed_same_samples(sampler):
    a, b = sampler(11), sampler(11)
    c = sampler(np.random.RandomState(11))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], sampler(12)[0])
    assert np.shape(c[0]) == np.shape(a[0])


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, err, match",
    [
        (lambda: correlated_gaussians(0, 0.5), ValueError, r"n_samples must be >= 1, got 0"),
        (lambda: correlated_gaussians(10.5, 0.5), TypeError, r"n_samples must be an int, got 10.5"),
        (lambda: correlated_gaussians(10, -0.1), ValueError, r"mi must be >= 0, got -0.1"),
        (lambda: correlated_gaussians(10, math.inf), ValueError, r"mi must be finite, got inf"),
        (lambda: correlated_gaussians(10, 0.5, dim=0), ValueError, r"dim must be >= 1, got 0"),
        (lambda: correlated_gaussians(10, 0.5, random_state=-1), ValueError,
         r"random_state must be a non-negative int"),
        (lambda: gaussian(10, [[1.0, 0.5]]), ValueError, r"cov must be a square matrix"),
        (lambda: gaussian(10, [[1.0, 0.5], [0.4, 1.0]]), ValueError, r"cov must be symmetric"),
        (lambda: gaussian(10, [[1.0, 2.0], [2.0, 1.0]]), ValueError,
         r"covariance matrix cov is singular \(not positive definite"),
        (lambda: gaussian(10, [[np.nan]]), ValueError, r"cov contains 1 NaN"),
        (lambda: student_t(10, 0.0), ValueError, r"df must be > 0, got 0.0"),
        (lambda: student_t(10, 3.0, rho=1.0), ValueError, r"rho must be < 1, got 1.0"),
        (lambda: monotone_transform([1.0], "log"), ValueError,
         r"kind must be one of 'cube', 'exp', 'sinh', got 'log'"),
        (lambda: monotone_transform([800.0], "exp"), ValueError,
         r"X has values up to 800 in absolute value: kind='exp' would overflow"),
        (lambda: monotone_transform([np.nan], "cube"), ValueError, r"X contains 1 NaN"),
        (lambda: uniform(10, 1.0, 1.0), ValueError, r"low and high must be finite with low < high"),
        (lambda: exponential(10, scale=0.0), ValueError, r"scale must be > 0, got 0.0"),
        (lambda: discrete(10, [0.5, 0.6]), ValueError, r"pmf must sum to 1, got a sum of 1.1"),
        (lambda: discrete(10, [1.5, -0.5]), ValueError, r"pmf must contain finite non-negative"),
        (lambda: discrete(10, [[0.5, 0.5]]), ValueError,
         r"pmf must be a non-empty array of shape \(n_symbols,\), got shape \(1, 2\)"),
        (lambda: discrete_joint(10, [0.5, 0.5]), ValueError,
         r"pmf must be a non-empty array of shape \(n_x, n_y\), got shape \(2,\)"),
    ],
)
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()
