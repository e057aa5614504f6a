"""KLEntropy: closed forms, a direct reference, exact invariances, weights, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import digamma

from infotheory.entropy import KLEntropy
from infotheory.entropy.knn import kl_weights, unit_ball_log_volume

GAUSS_1D = 0.5 * math.log(2 * math.pi * math.e)


def _reference_kl(X, k, metric):
    """Slow, readable KL estimator with the full distance matrix (small N only)."""
    diff = X[:, None, :] - X[None, :, :]
    D = np.abs(diff).max(-1) if metric == "chebyshev" else np.sqrt((diff**2).sum(-1))
    np.fill_diagonal(D, np.inf)
    eps = np.sort(D, axis=1)[:, k - 1]
    n, d = X.shape
    return digamma(n) - digamma(k) + unit_ball_log_volume(d, metric) + d * np.log(eps).mean()


@pytest.mark.parametrize("metric", ["euclidean", "chebyshev"])
@pytest.mark.parametrize("d", [1, 3, 12])  # 12 exercises the brute-force engine
def test_matches_direct_reference(metric, d):
    X = np.random.default_rng(d).normal(size=(400, d))
    got = KLEntropy(k=4, metric=metric).fit(X).entropy_
    assert got == pytest.approx(_reference_kl(X, 4, metric), abs=1e-10)


@pytest.mark.parametrize("metric", ["euclidean", "chebyshev"])
def test_gaussian_closed_form(metric):
    # N = 10 000, d = 2: the spread over seeds is 0.011 nats (measured, 10 seeds), the bias is
    # below 0.01; the tolerance 0.05 is more than 3 SE + bias.
    X = np.random.default_rng(0).normal(size=(10_000, 2))
    assert KLEntropy(metric=metric).fit(X).entropy_ == pytest.approx(2 * GAUSS_1D, abs=0.05)


def test_uniform_closed_form():
    # uniform on [0, 2] has entropy log 2. In 1-D the boundary bias is O(k/N) (it is
    # O((k/N)^(1/d)) in d dimensions, too large for a closed-form check at d >= 3) and the SE is
    # sqrt(psi'(k)/N) = 0.006 at k = 3, N = 10 000: 0.03 is 5 SE.
    X = np.random.default_rng(1).uniform(0, 2, size=(10_000, 1))
    assert KLEntropy(metric="chebyshev").fit(X).entropy_ == pytest.approx(math.log(2), abs=0.03)


def test_weighted_is_the_weighted_sum_of_plain_estimates():
    # by definition (with psi(N) in both), h_w = sum_j w_j h_plain(k=j)
    X = np.random.default_rng(2).normal(size=(600, 8))
    w = kl_weights(5, 8)
    plain = [KLEntropy(k=j).fit(X).entropy_ for j in range(1, 6)]
    assert KLEntropy(k=5, weighted=True).fit(X).entropy_ == pytest.approx(w @ plain, abs=1e-10)


def test_weighted_gaussian_closed_form():
    # d = 8, N = 5000, k = 20: spread over 4 seeds 0.11 nats (the minimum-norm weights have
    # norm 4.4, so the weighted estimator is noisier than the plain one); 0.35 is 3 SD.
    X = np.random.default_rng(2).normal(size=(5000, 8))
    got = KLEntropy(k=20, weighted=True).fit(X).entropy_
    assert got == pytest.approx(8 * GAUSS_1D, abs=0.35)


def test_weights_satisfy_constraints():
    from scipy.special import gammaln

    for k, d in [(5, 8), (10, 20), (3, 4)]:
        w = kl_weights(k, d)
        j = np.arange(1, k + 1)
        assert w.sum() == pytest.approx(1.0, abs=1e-12)
        for l_ in range(1, d // 4 + 1):
            assert w @ np.exp(gammaln(j + 2 * l_ / d) - gammaln(j)) == pytest.approx(0, abs=1e-8)
    np.testing.assert_array_equal(kl_weights(4, 3), [0, 0, 0, 1])


def test_weighted_auto_resolution():
    rng = np.random.default_rng(3)
    est = KLEntropy(k=3, weighted="auto").fit(rng.normal(size=(200, 2)))
    assert est.weighted_ is False
    est = KLEntropy(k=3, weighted="auto").fit(rng.normal(size=(200, 8)))
    assert est.weighted_ is True and est.weights_.shape == (3,)
    # weighted=True with no constraint is the plain estimator, exactly
    X = rng.normal(size=(300, 3))
    assert KLEntropy(weighted=True).fit(X).entropy_ == KLEntropy().fit(X).entropy_


@settings(max_examples=10, deadline=None, derandomize=True)
@given(
    shift=st.floats(-100, 100),
    scale=st.floats(0.01, 100).map(lambda a: a) | st.floats(-100, -0.01),
    seed=st.integers(0, 2**16),
)
def test_shift_and_scale(shift, scale, seed):
    X = np.random.default_rng(seed).normal(size=(300, 2))
    base = KLEntropy().fit(X).entropy_
    # a shift changes the distances only by rounding; h(aX) = h(X) + d log|a| exactly
    assert KLEntropy().fit(X + shift).entropy_ == pytest.approx(base, abs=1e-10)
    scaled = KLEntropy(metric="chebyshev").fit(scale * X).entropy_
    expected = KLEntropy(metric="chebyshev").fit(X).entropy_ + 2 * math.log(abs(scale))
    assert scaled == pytest.approx(expected, abs=1e-10)


def test_bits():
    X = np.random.default_rng(4).normal(size=(500, 2))
    nats = KLEntropy().fit(X).entropy_
    assert KLEntropy(base=2).fit(X).entropy_ == pytest.approx(nats / math.log(2), rel=1e-12)


def test_read_only_memmap(tmp_path):
    X = np.random.default_rng(5).normal(size=(300, 2))
    np.save(tmp_path / "x.npy", X)
    mm = np.load(tmp_path / "x.npy", mmap_mode="r")
    assert KLEntropy().fit(mm).entropy_ == KLEntropy().fit(X).entropy_


# -- bad input ------------------------------------------------------------------------------------


def test_duplicates_raise_with_count():
    X = np.random.default_rng(6).normal(size=(100, 1))
    X[:5] = 0.0  # five identical points: each has k=3 twins at distance 0
    with pytest.raises(ValueError, match=r"5 sample\(s\) whose k-th nearest neighbour \(k=3\)"):
        KLEntropy().fit(X)


def test_too_few_samples_for_k():
    with pytest.raises(ValueError, match=r"minimum of 6 is required by KLEntropy \(k=5"):
        KLEntropy(k=5).fit(np.arange(5.0))


@pytest.mark.parametrize(
    ("params", "err", "match"),
    [
        ({"k": 0}, ValueError, "k must be >= 1, got 0"),
        ({"k": 2.5}, TypeError, "k must be an int, got 2.5"),
        ({"metric": "manhattan"}, ValueError, "metric must be one of 'euclidean', 'chebyshev'"),
        ({"weighted": "yes"}, ValueError, "weighted must be a bool or 'auto', got 'yes'"),
        ({"base": 1}, ValueError, "base must be > 0 and != 1"),
        ({"n_jobs": 0}, ValueError, "n_jobs must be a positive int"),
        ({"weighted": True, "k": 2}, ValueError, r"k > floor\(d/4\) = 2 at d=8"),
    ],
)
def test_invalid_params(params, err, match):
    X = np.random.default_rng(7).normal(size=(50, 8))
    with pytest.raises(err, match=match):
        KLEntropy(**params).fit(X)


@pytest.mark.parametrize(
    ("X", "err", "match"),
    [
        (np.array([[0.0, np.nan]] * 10), ValueError, r"X contains 10 NaN and 0 inf"),
        (np.zeros((4, 2, 2)), ValueError, "X must be 1-D or 2-D"),
        (np.zeros((0, 2)), ValueError, "X is empty"),
        (np.array(["a", "b", "c", "d", "e"]), TypeError, "X must be numeric"),
    ],
)
def test_bad_arrays(X, err, match):
    with pytest.raises(err, match=match):
        KLEntropy().fit(X)
