"""The Gaussian-mixture EM of the mixture copula, and the shared quantile tables of the copulas."""

import math

import numpy as np
import pytest
from scipy import special, stats

from infotheory.datasets import gaussian_mixture
from infotheory.mutual_info._mixture import fit_gaussian_mixture
from infotheory.mutual_info.copula import RankScores, _mixture_copula_fit


def _two_clusters(n, seed=0):
    rng = np.random.default_rng(seed)
    means = np.array([[-3.0, 0.0, 1.0], [3.0, 1.0, -1.0]])
    A = np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.3], [0.0, 0.0, 0.7]])
    labels = rng.random(n) < 0.3
    Z = rng.normal(size=(n, 3)) @ A + means[labels.astype(int)]
    return Z, means, A.T @ A, labels


def test_recovers_the_parameters_of_separated_clusters():
    Z, means, cov, labels = _two_clusters(20000)
    fit = fit_gaussian_mixture(Z, 2, np.random.default_rng(0))
    order = np.argsort(fit.means[:, 0])
    # sampling error of a mean of 6000-14000 points with unit-scale noise: about 0.01
    np.testing.assert_allclose(fit.means[order], means, atol=0.05)
    np.testing.assert_allclose(fit.weights[order], [0.7, 0.3], atol=0.01)
    for j in range(2):
        np.testing.assert_allclose(fit.covariances[j], cov, atol=0.05)
    assert fit.converged


def test_matches_scikit_learn_on_the_same_data():
    mixture = pytest.importorskip("sklearn.mixture")
    Z, *_ = _two_clusters(3000, seed=1)
    train, test = Z[:1500], Z[1500:]
    ref = mixture.GaussianMixture(2, covariance_type="full", reg_covar=1e-6,
                                  random_state=0).fit(train)
    fit = fit_gaussian_mixture(train, 2, np.random.default_rng(0))
    # the same optimum of the likelihood (both stop within tol=1e-3 of it)
    assert fit.score_samples(test).mean() == pytest.approx(ref.score_samples(test).mean(),
                                                           abs=2e-3)
    np.testing.assert_allclose(np.sort(fit.weights), np.sort(ref.weights_), atol=2e-3)
    # and the density of scikit-learn's fitted parameters is what our score_samples computes
    ours = fit_gaussian_mixture(train, 2, np.random.default_rng(0))
    ours.weights, ours.means, ours.covariances = ref.weights_, ref.means_, ref.covariances_
    np.testing.assert_allclose(ours.score_samples(test), ref.score_samples(test), rtol=1e-10)


def test_em_never_lowers_the_likelihood():
    Z, *_ = _two_clusters(1000, seed=2)
    previous = -np.inf
    for iters in (1, 2, 4, 8, 16):
        fit = fit_gaussian_mixture(Z, 3, np.random.default_rng(3), max_iter=iters, tol=0.0)
        value = fit.score_samples(Z).mean()
        assert value >= previous - 1e-12
        previous = value


def test_fitted_parameters_are_a_valid_mixture():
    Z, *_ = _two_clusters(500, seed=4)
    fit = fit_gaussian_mixture(Z, 4, np.random.default_rng(0))
    assert fit.weights.sum() == pytest.approx(1.0)
    assert np.all(fit.weights > 0)
    for C in fit.covariances:
        np.testing.assert_allclose(C, C.T)
        assert np.linalg.eigvalsh(C).min() >= 1e-6 * (1 - 1e-9)  # reg_covar on the diagonal


def test_same_seed_same_fit():
    Z, *_ = _two_clusters(600, seed=5)
    a = fit_gaussian_mixture(Z, 3, np.random.default_rng(7))
    b = fit_gaussian_mixture(Z, 3, np.random.default_rng(7))
    np.testing.assert_array_equal(a.means, b.means)


def test_mixture_copula_closed_form():
    X, Y, true_mi = gaussian_mixture(4000, dim_x=2, dim_y=2, n_components=3, rho=0.6,
                                     random_state=0)
    fit = _mixture_copula_fit(X, Y, (2, 3, 4, 6, 8), np.random.default_rng(0))
    # the suite's 2 + 2 to 3 + 3 mixtures are within 0.03 nats at N = 1000-5000
    assert fit["mi"] == pytest.approx(true_mi, abs=0.05)


@pytest.mark.parametrize("df", [math.inf, 1.0, 2.5, 60.0])
def test_rank_scores_are_the_quantiles_of_the_ranks(df):
    rng = np.random.default_rng(0)
    A = np.column_stack([rng.normal(size=1001), rng.integers(0, 5, 1001), rng.normal(size=1001)])
    ranks = stats.rankdata(A, axis=0)
    u = ranks / 1002.0
    expected = special.ndtri(u) if math.isinf(df) else special.stdtrit(df, u)
    scores = RankScores(ranks)
    # the upper half is mirrored from the lower one: equal up to the rounding of r / (n + 1)
    np.testing.assert_allclose(scores(df), expected, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(scores.columns([2, 0])(df), expected[:, [2, 0]], rtol=1e-12,
                               atol=1e-13)
    # antisymmetric about the median rank, as the folded tables assume
    col = scores(df)[np.argsort(ranks[:, 0]), 0]
    np.testing.assert_array_equal(col, -col[::-1])
