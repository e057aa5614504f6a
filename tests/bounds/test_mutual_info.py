"""Xu–Raginsky and Bu–Zou–Veeravalli bounds: closed forms, properties, estimators, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infotheory import GaussianMI
from infotheory.bounds import (
    BoundResult,
    MIEstimate,
    bu_zou_veeravalli_bound,
    estimate_information,
    xu_raginsky_bound,
)

S2, N, TAU2 = 1.0, 10, 0.1


def test_noisy_mean_closed_form():
    # W = mean(S) + N(0, tau^2): I(W;S) = I(W; mean S) = 1/2 log(1 + s^2 / (n tau^2))
    mi = 0.5 * math.log(1 + S2 / (N * TAU2))
    assert mi == pytest.approx(0.346574, abs=1e-6)
    res = xu_raginsky_bound(mi, N, sigma=1.0)
    assert res.value == pytest.approx(math.sqrt(2 * mi / N), abs=1e-12)
    assert res.value == pytest.approx(0.263276, abs=1e-6)
    # a loss in [a, b] is (b - a)/2-sub-Gaussian
    ranged = xu_raginsky_bound(mi, N, loss_range=(-1.0, 1.0))
    assert ranged.value == pytest.approx(res.value, abs=1e-15)
    assert ranged.inputs["sigma"] == 1.0
    assert any("[-1, 1]" in a for a in ranged.assumptions)


def test_gaussian_mean_estimation_individual_bound_covers_gap():
    """W = mean of n draws of N(mu, s^2), squared loss: gen = 2 s^2 / n = 0.2 exactly.

    I(W; Z_i) = 1/2 log(n / (n - 1)) (corr(W, Z_i)^2 = 1/n). Under P_W x mu, W' - Z' ~
    N(0, s^2 (1 + 1/n)), so the loss is c chi^2_1 with c = s^2 (1 + 1/n); its lower tail satisfies
    log E exp(-lam (X - c)) = lam c - 1/2 log(1 + 2 lam c) <= lam^2 c^2, i.e. sigma = sqrt(2) c.
    """
    gen = 2 * S2 / N
    assert gen == pytest.approx(0.2, abs=1e-12)
    mi_i = 0.5 * math.log(N / (N - 1))
    assert mi_i == pytest.approx(0.0526803, abs=1e-6)
    sigma = math.sqrt(2) * S2 * (1 + 1 / N)
    res = bu_zou_veeravalli_bound(np.full(N, mi_i), sigma=sigma)
    assert res.value == pytest.approx(math.sqrt(2 * sigma**2 * mi_i), abs=1e-12)
    assert res.value == pytest.approx(0.504947, abs=1e-6)
    assert res.value >= gen
    # the same value when one number stands for all n equal terms
    same = bu_zou_veeravalli_bound(mi_i, N, sigma=sigma)
    assert same.value == pytest.approx(res.value, abs=1e-15)
    assert any("symmetric" in a for a in same.assumptions)


def test_gaussian_mean_gap_by_simulation():
    # the closed-form gap 2 s^2 / n that the bound is compared with, checked by simulation
    rng = np.random.default_rng(0)
    m = 200_000
    S = rng.normal(size=(m, N))
    W = S.mean(axis=1)
    train = ((W[:, None] - S) ** 2).mean(axis=1)
    test = (W - rng.normal(size=m)) ** 2
    gap = test - train
    se = gap.std(ddof=1) / math.sqrt(m)
    assert abs(gap.mean() - 0.2) < 4 * se


def test_individual_never_above_full_sample_bound():
    # chain rule + Jensen: (1/n) sum sqrt(I(W;Z_i)) <= sqrt(I(W;S)/n) when I(W;S) >= sum I(W;Z_i)
    rng = np.random.default_rng(1)
    for _ in range(20):
        terms = rng.uniform(0, 0.5, size=8)
        full = xu_raginsky_bound(float(terms.sum()), 8, sigma=0.7).value
        indiv = bu_zou_veeravalli_bound(terms, sigma=0.7).value
        assert indiv <= full + 1e-15


@settings(max_examples=100, deadline=None)
@given(mi1=st.floats(0, 100), mi2=st.floats(0, 100), n1=st.integers(1, 10**6),
       n2=st.integers(1, 10**6), sigma=st.floats(1e-3, 1e3))
def test_monotone_in_mi_and_n(mi1, mi2, n1, n2, sigma):
    lo, hi = sorted((mi1, mi2))
    assert (xu_raginsky_bound(lo, n1, sigma=sigma).value
            <= xu_raginsky_bound(hi, n1, sigma=sigma).value)
    small, big = sorted((n1, n2))
    assert (xu_raginsky_bound(mi1, big, sigma=sigma).value
            <= xu_raginsky_bound(mi1, small, sigma=sigma).value)
    assert (bu_zou_veeravalli_bound(lo, n1, sigma=sigma).value
            <= bu_zou_veeravalli_bound(hi, n1, sigma=sigma).value)


def test_result_object():
    res = xu_raginsky_bound(0.5, 100, sigma=1.0)
    assert isinstance(res, BoundResult)
    assert res.name == "xu_raginsky" and res.bounds == "gen"
    assert res.inputs == {"mi": 0.5, "n": 100, "sigma": 1.0}
    assert "Xu" in res.reference
    with pytest.raises(AttributeError):
        res.value = 0.0  # frozen


# -- estimator integration -----------------------------------------------------------------


def _runs(m, seed=0):
    rng = np.random.default_rng(seed)
    S = rng.normal(size=(m, N))
    return S.mean(axis=1), S[:, 0]


def test_estimator_gives_the_closed_form_within_its_standard_error():
    W, Z1 = _runs(20_000)
    est = estimate_information(GaussianMI(), W, Z1, ci=False)
    true = 0.5 * math.log(N / (N - 1))
    # delta method: se(I) = rho / sqrt(m) for the Gaussian plug-in, rho^2 = 1/n
    se = math.sqrt(1 / N) / math.sqrt(20_000)
    assert abs(est.value - true) < 4 * se
    assert est.ci is None


def test_estimator_interval_is_mapped_through_the_bound():
    W, Z1 = _runs(5_000)
    est = estimate_information(GaussianMI(), W, Z1, random_state=0, n_resamples=100)
    lo, hi = est.ci
    assert lo < est.value < hi
    sigma = math.sqrt(2) * 1.1
    res = bu_zou_veeravalli_bound(est, N, sigma=sigma)
    assert res.ci == pytest.approx((math.sqrt(2 * sigma**2 * lo), math.sqrt(2 * sigma**2 * hi)),
                                   rel=1e-12)
    assert res.ci[0] <= res.value <= res.ci[1]
    assert res.inputs["mi_estimator"] == "GaussianMI()"
    xr = xu_raginsky_bound(est, N, sigma=1.0)
    assert xr.ci == pytest.approx((math.sqrt(2 * lo / N), math.sqrt(2 * hi / N)), rel=1e-12)


def test_bound_takes_an_estimator_and_its_data():
    W, Z1 = _runs(2_000)
    direct = xu_raginsky_bound((GaussianMI(), W, Z1), N, sigma=1.0)
    value = GaussianMI().fit(W, Z1).mutual_info_
    assert direct.value == pytest.approx(math.sqrt(2 * value / N), rel=1e-12)
    assert direct.ci is not None and direct.ci[0] <= direct.value <= direct.ci[1]
    assert direct.inputs["mi_estimator"] == "GaussianMI()"


def test_estimator_in_bits_is_converted_to_nats():
    W, Z1 = _runs(2_000)
    nats = estimate_information(GaussianMI(), W, Z1, ci=False).value
    bits = estimate_information(GaussianMI(base=2), W, Z1, ci=False).value
    assert bits == pytest.approx(nats, rel=1e-12)


def test_negative_estimate_rejected_or_clipped():
    class Negative(GaussianMI):
        def _estimate(self, X, y):
            return -0.01

    X = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(ValueError, match=r"estimated mutual information is negative \(-0.01 nats"):
        estimate_information(Negative(), X[:, 0], X[:, 1], ci=False)
    clipped = estimate_information(Negative(), X[:, 0], X[:, 1], ci=False, clip_negative=True)
    assert clipped.value == 0.0 and "clipped" in clipped.estimator


def test_interval_below_zero_maps_to_zero():
    res = xu_raginsky_bound(MIEstimate(0.01, ci=(-0.02, 0.05)), 10, sigma=1.0)
    assert res.ci[0] == 0.0


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"mi": -0.1, "n": 10, "sigma": 1.0}, ValueError,
     r"mi must be a mutual information >= 0 in nats, got -0.1"),
    ({"mi": float("nan"), "n": 10, "sigma": 1.0}, ValueError,
     r"mi must be a mutual information >= 0 in nats, got nan"),
    ({"mi": float("inf"), "n": 10, "sigma": 1.0}, ValueError,
     r"mi must be a mutual information >= 0 in nats, got inf"),
    ({"mi": "0.1", "n": 10, "sigma": 1.0}, TypeError,
     r"mi must be a mutual information >= 0 in nats, got '0.1' \(str\)"),
    ({"mi": 0.1, "n": 0, "sigma": 1.0}, ValueError,
     r"n must be an int >= 1 \(the number of training samples\), got 0"),
    ({"mi": 0.1, "n": 2.5, "sigma": 1.0}, TypeError,
     r"n must be an int >= 1 \(the number of training samples\), got 2.5 \(float\)"),
    ({"mi": 0.1, "n": 10, "sigma": 0.0}, ValueError,
     r"sigma must be > 0 \(the sub-Gaussian parameter\), got 0.0"),
    ({"mi": 0.1, "n": 10, "sigma": -1.0}, ValueError,
     r"sigma must be > 0 \(the sub-Gaussian parameter\), got -1.0"),
    ({"mi": 0.1, "n": 10}, ValueError,
     r"give exactly one of sigma .* got sigma=None, loss_range=None"),
    ({"mi": 0.1, "n": 10, "sigma": 1.0, "loss_range": (0, 1)}, ValueError,
     r"give exactly one of sigma"),
    ({"mi": 0.1, "n": 10, "loss_range": (1, 0)}, ValueError,
     r"loss_range must be \(a, b\) with a < b, got \(1.0, 0.0\)"),
    ({"mi": 0.1, "n": 10, "loss_range": 1.0}, ValueError,
     r"loss_range must be a pair \(a, b\) with a < b, got 1.0"),
])
def test_xu_raginsky_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        xu_raginsky_bound(**kwargs)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"mi": [0.1, -0.2, 0.3], "sigma": 1.0}, ValueError,
     r"mi must be mutual informations >= 0 in nats, got -0.2 at index 1"),
    ({"mi": [0.1, np.nan], "sigma": 1.0}, ValueError, r"mi contains 1 NaN and 0 inf value\(s\)"),
    ({"mi": [[0.1, 0.2]], "sigma": 1.0}, ValueError,
     r"mi must be a non-empty 1-D array of per-sample mutual informations, got shape \(1, 2\)"),
    ({"mi": [], "sigma": 1.0}, ValueError, r"non-empty 1-D array .* got shape \(0,\)"),
    ({"mi": [0.1, 0.2], "n": 3, "sigma": 1.0}, ValueError,
     r"mi must have one value per training sample: expected n=3 values, got 2"),
    ({"mi": 0.1, "sigma": 1.0}, ValueError, r"n is required when mi is a single number"),
    ({"mi": ["a", "b"], "sigma": 1.0}, TypeError,
     r"mi must be numeric: expected an array of real numbers, got dtype <U1"),
])
def test_bu_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        bu_zou_veeravalli_bound(**kwargs)


def test_estimator_bad_input():
    with pytest.raises(TypeError, match=r"estimator must be an MI estimator with fit\(X, y\), "
                                        r"got str"):
        estimate_information("KSG", [1.0, 2.0], [1.0, 2.0])
