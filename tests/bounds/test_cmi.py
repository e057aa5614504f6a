"""CMI-family bounds: formulas, the binary-KL and interpolating results, ordering, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infotheory.bounds import (
    MIEstimate,
    binary_kl,
    binary_kl_cmi_bound,
    cmi_bound,
    ecmi_bound,
    fcmi_bound,
    interpolating_gen,
    kl_inverse,
    loss_difference_bound,
)

LOG2 = math.log(2)


def test_cmi_bound_formula_and_ceiling():
    assert cmi_bound(5.0, 1000).value == pytest.approx(0.1, abs=1e-15)
    # the largest CMI, n log 2, gives sqrt(2 log 2) > 1: vacuous for a loss in [0, 1], but legal
    assert cmi_bound(10 * LOG2, 10).value == pytest.approx(math.sqrt(2 * LOG2), abs=1e-15)
    res = cmi_bound(MIEstimate(2.0, ci=(1.0, 3.0)), 100)
    assert res.ci == pytest.approx((math.sqrt(0.02), math.sqrt(0.06)), rel=1e-14)


@pytest.mark.parametrize("func", [fcmi_bound, ecmi_bound, loss_difference_bound])
def test_per_sample_forms(func):
    terms = np.array([0.0, 0.02, 0.08, LOG2])
    expected = np.mean(np.sqrt(2 * terms))
    assert func(terms).value == pytest.approx(expected, abs=1e-15)
    assert func(0.02, n=7).value == pytest.approx(0.2, abs=1e-15)
    res = func(terms)
    assert res.bounds == "gen" and res.inputs["n"] == 4
    assert any("[0, 1]" in a for a in res.assumptions)


def test_per_sample_never_above_cmi_bound():
    # Jensen + chain rule with independent U_i: (1/n) sum sqrt(2 I_i) <= sqrt(2 sum I_i / n)
    rng = np.random.default_rng(0)
    for _ in range(20):
        terms = rng.uniform(0, LOG2, size=12)
        assert ecmi_bound(terms).value <= cmi_bound(terms.sum(), 12).value + 1e-15


def test_binary_kl_bound_solves_the_theorem_inequality():
    lhat, terms = 0.05, np.array([0.01, 0.03, 0.02])
    res = binary_kl_cmi_bound(lhat, terms)
    mean = terms.mean()
    assert res.bounds == "population_loss"
    # the largest L with kl(lhat || (lhat + L) / 2) <= mean term
    assert binary_kl(lhat, (lhat + res.value) / 2) == pytest.approx(mean, rel=1e-12)
    assert res.value == pytest.approx(2 * kl_inverse(lhat, mean) - lhat, abs=1e-15)
    # interpolating case: kl(0 || L/2) = -log(1 - L/2) -> L = 2 (1 - exp(-I))
    assert binary_kl_cmi_bound(0.0, 0.05).value == pytest.approx(2 * -math.expm1(-0.05), rel=1e-15)
    # never worse than the trivial value 1, and flagged when capped
    capped = binary_kl_cmi_bound(0.6, LOG2)
    assert capped.value == 1.0 and capped.notes


def test_binary_kl_bound_is_a_bound_on_an_exact_example():
    """A two-valued model: from the exact joint law of (L_i, U_i) the bound holds.

    Pair i: with probability p the model memorises (train loss 0, test loss 1); otherwise both
    losses are 0. Exactly: E[train] = 0, E[test] = p, and I(L_i; U_i) = p log 2.
    """
    for p in (0.01, 0.1, 0.5):
        res = binary_kl_cmi_bound(0.0, p * LOG2)
        assert res.value >= p
        # Wang & Mao's identity is exact here
        assert interpolating_gen(p * LOG2, n=5).value == pytest.approx(p, rel=1e-15)


def test_interpolating_identity_formula():
    terms = np.array([0.1, 0.3]) * LOG2
    res = interpolating_gen(terms)
    assert res.value == pytest.approx(0.2, abs=1e-15)
    assert "identity" in res.notes[0]


@settings(max_examples=100, deadline=None)
@given(a=st.floats(0, LOG2), b=st.floats(0, LOG2), lhat=st.floats(0, 1),
       n1=st.integers(1, 10**5), n2=st.integers(1, 10**5))
def test_monotone(a, b, lhat, n1, n2):
    lo, hi = sorted((a, b))
    for f in (fcmi_bound, ecmi_bound, loss_difference_bound, interpolating_gen):
        assert f(lo, n=3).value <= f(hi, n=3).value
    assert binary_kl_cmi_bound(lhat, lo).value <= binary_kl_cmi_bound(lhat, hi).value + 1e-12
    small, big = sorted((n1, n2))
    assert cmi_bound(lo * small, big).value <= cmi_bound(lo * small, small).value


@pytest.mark.parametrize("call, exc, match", [
    (lambda: cmi_bound(-1.0, 10), ValueError,
     r"cmi must be a mutual information >= 0 in nats, got -1.0"),
    (lambda: cmi_bound(7.0, 10), ValueError,
     r"cmi must be <= 6.93147 \(the CMI is at most n log 2 = 6.93147 nats\), got 7.0"),
    (lambda: cmi_bound(1.0, 0), ValueError, r"n must be an int >= 1"),
    (lambda: fcmi_bound([0.1, 0.8]), ValueError,
     r"terms must be <= 0.693147 \(a per-sample term is at most H\(U_i\) = log 2 nats\), "
     r"got 0.8 at index 1"),
    (lambda: ecmi_bound([0.1, -0.1]), ValueError,
     r"terms must be mutual informations >= 0 in nats, got -0.1 at index 1"),
    (lambda: loss_difference_bound(0.1), ValueError,
     r"n is required when terms is a single number"),
    (lambda: binary_kl_cmi_bound(1.2, 0.1), ValueError,
     r"train_loss must be a loss in \[0, 1\], got 1.2"),
    (lambda: binary_kl_cmi_bound(0.1, 0.9), ValueError, r"terms must be <= 0.693147"),
    (lambda: interpolating_gen([np.inf]), ValueError, r"terms contains 0 NaN and 1 inf"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
