"""Truths of the known-MI suite: closed forms against Monte Carlo of the log-densities."""

import math

import numpy as np
import pytest
from scipy import stats

from infotheory.datasets import (
    FAMILIES,
    gaussian_interaction,
    gaussian_interaction_cov,
    gaussian_mixture,
    mi_suite,
    spiral,
    student_t_interaction,
    swiss_roll,
    transform_marginals,
    uniform_additive_noise,
    uniform_noise_mi,
)

N_MC = 200_000


def assert_mc_mean(values, truth, n_se=4.0, extra_se=0.0):
    """The mean of `values` estimates `truth` within `n_se` standard errors."""
    se = math.hypot(values.std(ddof=1) / math.sqrt(values.size), extra_se)
    assert abs(values.mean() - truth) < n_se * se, (values.mean(), truth, se)


@pytest.mark.parametrize("dx, dy, mi, kind", [(1, 1, 0.5, "dense"), (3, 2, 1.0, "dense"),
                                              (5, 5, 1.0, "sparse")])
def test_gaussian_interaction_truth(dx, dy, mi, kind):
    X, Y, true_mi = gaussian_interaction(N_MC, dx, dy, mi=mi, interaction=kind, random_state=0)
    assert true_mi == mi and X.shape == (N_MC, dx) and Y.shape == (N_MC, dy)
    C = gaussian_interaction_cov(dx, dy, mi, kind)
    Z = np.hstack([X, Y])
    ratio = (stats.multivariate_normal(cov=C).logpdf(Z)
             - stats.multivariate_normal(cov=C[:dx, :dx]).logpdf(X)
             - stats.multivariate_normal(cov=C[dx:, dx:]).logpdf(Y))
    assert_mc_mean(ratio, true_mi)


def test_gaussian_interaction_sparse_touches_two_pairs_only():
    C = gaussian_interaction_cov(5, 4, 1.0, "sparse")
    cross = C[:5, 5:]
    assert np.count_nonzero(np.abs(cross) > 1e-12) == 2
    assert np.all(np.abs(gaussian_interaction_cov(5, 4, 1.0, "dense")[:5, 5:]) > 0)


@pytest.mark.parametrize("dx, dy, df, dmi, kind", [(1, 1, 1.0, 0.0, "dense"),
                                                   (2, 2, 2.0, 0.5, "sparse"),
                                                   (3, 2, 5.0, 1.0, "dense")])
def test_student_t_interaction_truth(dx, dy, df, dmi, kind):
    X, Y, true_mi = student_t_interaction(N_MC, dx, dy, df=df, dispersion_mi=dmi,
                                          interaction=kind, random_state=1)
    C = gaussian_interaction_cov(dx, dy, dmi, kind)
    ratio = (stats.multivariate_t(shape=C, df=df).logpdf(np.hstack([X, Y]))
             - stats.multivariate_t(shape=C[:dx, :dx], df=df).logpdf(X)
             - stats.multivariate_t(shape=C[dx:, dx:], df=df).logpdf(Y))
    assert_mc_mean(ratio, true_mi)
    assert true_mi > dmi  # the shared scale adds dependence


@pytest.mark.parametrize("dim, eps", [(1, 0.1), (2, 0.75), (1, 0.5)])
def test_uniform_additive_noise_truth(dim, eps):
    X, Y, true_mi = uniform_additive_noise(N_MC, dim=dim, epsilon=eps, random_state=2)
    assert true_mi == pytest.approx(uniform_noise_mi(eps, dim))
    # p(y | x) = 1 / (2 eps) on the support; p(y) = (min(1, y + eps) - max(0, y - eps)) / (2 eps).
    p_y = (np.minimum(1.0, Y + eps) - np.maximum(0.0, Y - eps)) / (2 * eps)
    ratio = (-np.log(2 * eps) - np.log(p_y)).sum(axis=1)
    assert_mc_mean(ratio, true_mi)


def test_uniform_noise_mi_is_continuous_at_one_half():
    assert uniform_noise_mi(0.5) == pytest.approx(0.5)
    assert uniform_noise_mi(0.5 - 1e-9) == pytest.approx(uniform_noise_mi(0.5 + 1e-9), abs=1e-8)


def _mixture_ratio_scipy(X, Y, dx, k, rho, sep, seed):
    """Independent implementation of the mixture log-density ratio with scipy."""
    from infotheory.datasets.mi_suite import _mixture_params

    means, covs = _mixture_params(dx, Y.shape[1], k, rho, sep, seed)
    Z = np.hstack([X, Y])

    def logmix(A, sl):
        parts = [stats.multivariate_normal(means[j][sl], covs[j][sl, sl]).logpdf(A)
                 for j in range(k)]
        return np.logaddexp.reduce(np.stack(parts, axis=1), axis=1) - math.log(k)

    d = Z.shape[1]
    return logmix(Z, slice(0, d)) - logmix(X, slice(0, dx)) - logmix(Y, slice(dx, d))


@pytest.mark.parametrize("dx, dy, k, rho, sep", [(1, 1, 2, 0.9, 0.0), (3, 2, 3, 0.6, 2.0)])
def test_gaussian_mixture_truth_independent_monte_carlo(dx, dy, k, rho, sep):
    X, Y, true_mi, se = gaussian_mixture(N_MC, dx, dy, n_components=k, rho=rho,
                                         separation=sep, random_state=3, return_se=True)
    assert 0 < se < 0.01
    ratio = _mixture_ratio_scipy(X, Y, dx, k, rho, sep, 0)
    assert_mc_mean(ratio, true_mi, extra_se=se)


def test_gaussian_mixture_one_component_is_the_gaussian_closed_form():
    _, _, mi, se = gaussian_mixture(10, 3, 3, n_components=1, rho=0.6, separation=1.0,
                                    return_se=True)
    assert mi == pytest.approx(-1.5 * math.log(1 - 0.36), abs=4 * se + 1e-12)


def test_x_shaped_mixture_is_uncorrelated_yet_dependent():
    X, Y, mi = gaussian_mixture(50_000, rho=0.9, random_state=0)
    assert abs(np.corrcoef(X[:, 0], Y[:, 0])[0, 1]) < 0.02
    assert mi > 0.3


def test_spiral_is_invertible_and_keeps_the_norm():
    X = np.random.default_rng(0).standard_normal((500, 3))
    S = spiral(X, speed=0.7)
    assert np.allclose(np.linalg.norm(S, axis=1), np.linalg.norm(X, axis=1))
    back = spiral(S, speed=-0.7)  # the angle depends on the norm only
    assert np.allclose(back, X)
    assert not np.allclose(S, X)


def test_swiss_roll_is_injective():
    u = np.random.default_rng(0).uniform(size=(1000, 1))
    P = swiss_roll(u)
    t = np.linalg.norm(P, axis=1) * 21.0  # the radius is the angle parameter
    assert np.allclose((t / (1.5 * np.pi) - 1.0) / 2.0, u[:, 0])


@pytest.mark.parametrize("kind", ["normal_cdf", "cube", "asinh"])
def test_coordinatewise_transforms_keep_ranks(kind):
    X = np.random.default_rng(0).standard_normal((300, 2))
    T = transform_marginals(X, kind)
    assert np.array_equal(np.argsort(T, axis=0), np.argsort(X, axis=0))


@pytest.mark.slow
def test_mi_suite_lists_over_forty_tasks_of_every_family():
    tasks = mi_suite()  # computes the Monte-Carlo truths of the mixtures (about 10 s)
    assert len(tasks) >= 40
    assert {t.family for t in tasks} == set(FAMILIES)
    assert len({t.name for t in tasks}) == len(tasks)


def test_mi_suite_covers_the_dimensions():
    tasks = mi_suite(families=[f for f in FAMILIES if f != "mixture"])
    assert len(tasks) >= 35
    assert len({t.name for t in tasks}) == len(tasks)
    dims = {max(t.dim_x, t.dim_y) for t in tasks}
    assert min(dims) == 1 and max(dims) == 50
    for t in tasks:
        assert t.true_mi > 0 and math.isfinite(t.true_mi)
    small = [t for t in tasks if max(t.dim_x, t.dim_y) <= 3]
    for t in small[:: max(1, len(small) // 6)]:
        X, Y, mi = t.sample(50, random_state=0)
        assert X.shape == (50, t.dim_x) and Y.shape == (50, t.dim_y) and mi == t.true_mi
        X2, _, _ = t.sample(50, random_state=0)
        assert np.array_equal(X, X2)


def test_mi_suite_filters():
    assert all(t.family == "mixture" for t in mi_suite(families=["mixture"]))
    assert all(max(t.dim_x, t.dim_y) <= 5 for t in mi_suite(max_dim=5))
    with pytest.raises(ValueError, match="families"):
        mi_suite(families=["cauchy"])


@pytest.mark.parametrize("call, match", [
    (lambda: gaussian_interaction(10, dim_x=0), "dim_x"),
    (lambda: gaussian_interaction(10, interaction="diagonal"), "interaction"),
    (lambda: student_t_interaction(10, df=0.0), "df"),
    (lambda: uniform_additive_noise(10, epsilon=-1.0), "epsilon"),
    (lambda: gaussian_mixture(10, rho=1.0), "rho"),
    (lambda: spiral(np.zeros((5, 1))), "spiral"),
    (lambda: swiss_roll(np.zeros((5, 2))), "Swiss roll"),
    (lambda: transform_marginals(np.zeros((5, 1)), "square"), "kind"),
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
