"""PAC-Bayes bounds: hand-computed reference values, relations between the forms, bad input."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from infotheory.bounds import catoni_bound, kl_inverse, maurer_seeger_bound, mcallester_bound


def test_design_reference_values():
    assert maurer_seeger_bound(0.1, 5.0, 1000, 0.05).value == pytest.approx(0.1531096282,
                                                                             abs=1e-10)
    assert mcallester_bound(0.1, 5.0, 1000, 0.05).value == pytest.approx(0.1779190512, abs=1e-10)


def test_catoni_formula():
    lhat, kl, n, delta, C = 0.1, 5.0, 1000, 0.05, 0.5
    expected = (1 - math.exp(-C * lhat - (kl + math.log(1 / delta)) / n)) / (1 - math.exp(-C))
    assert catoni_bound(lhat, kl, n, delta, C=C).value == pytest.approx(expected, rel=1e-14)


def test_catoni_optimised_over_c_equals_kl_inverse():
    # sup_C [-C q - log(1 - p (1 - e^-C))] = kl(q || p): the best Catoni bound is kl^-1(q, c')
    lhat, kl, n, delta = 0.1, 5.0, 1000, 0.05
    best = minimize_scalar(lambda C: catoni_bound(lhat, kl, n, delta, C=C).value,
                           bounds=(1e-3, 50), method="bounded", options={"xatol": 1e-10})
    target = kl_inverse(lhat, (kl + math.log(1 / delta)) / n)
    assert best.fun == pytest.approx(target, abs=1e-8)
    assert best.fun >= target - 1e-12


@settings(max_examples=100, deadline=None)
@given(lhat=st.floats(0, 1), kl=st.floats(0, 1e3), n=st.integers(1, 10**6),
       delta=st.floats(1e-6, 0.999))
def test_kl_form_never_above_square_root_form(lhat, kl, n, delta):
    ms = maurer_seeger_bound(lhat, kl, n, delta).value
    assert lhat <= ms <= mcallester_bound(lhat, kl, n, delta).value + 1e-12
    assert ms <= 1.0


@settings(max_examples=100, deadline=None)
@given(kl1=st.floats(0, 100), kl2=st.floats(0, 100), n1=st.integers(1, 10**5),
       n2=st.integers(1, 10**5))
def test_monotone_in_kl_and_n(kl1, kl2, n1, n2):
    lo, hi = sorted((kl1, kl2))
    small, big = sorted((n1, n2))
    for f in (maurer_seeger_bound, mcallester_bound, catoni_bound):
        assert f(0.1, lo, small).value <= f(0.1, hi, small).value + 1e-15
    for f in (maurer_seeger_bound, mcallester_bound):
        # (KL + log(2/delta) + log(n)/2) / n decreases in n since log(2/delta) > log 2 > 1/2
        assert f(0.1, lo, big).value <= f(0.1, lo, small).value + 1e-15
    assert catoni_bound(0.1, lo, big).value <= catoni_bound(0.1, lo, small).value + 1e-15


@pytest.mark.parametrize("call, exc, match", [
    (lambda: maurer_seeger_bound(-0.1, 1.0, 10), ValueError,
     r"train_loss must be a loss in \[0, 1\], got -0.1"),
    (lambda: mcallester_bound(0.1, -1.0, 10), ValueError,
     r"kl must be a KL divergence KL\(Q\|\|P\) >= 0 in nats, got -1.0"),
    (lambda: maurer_seeger_bound(0.1, 1.0, 0), ValueError, r"n must be an int >= 1"),
    (lambda: maurer_seeger_bound(0.1, 1.0, 10, 0.0), ValueError,
     r"delta must be in \(0, 1\) \(the failure probability\), got 0.0"),
    (lambda: maurer_seeger_bound(0.1, 1.0, 10, 1.0), ValueError, r"delta must be in \(0, 1\)"),
    (lambda: catoni_bound(0.1, 1.0, 10, C=0.0), ValueError,
     r"C must be a real number > 0, got 0.0"),
    (lambda: catoni_bound(0.1, "1", 10), TypeError, r"kl must be a KL divergence .* got '1'"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
