"""kl_inverse: exact to 1e-12 against a slow reference, edge cases, properties, bad input."""

import decimal
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infotheory.bounds import binary_kl, kl_inverse

_CTX = decimal.Context(prec=60)


def _kl_dec(q: decimal.Decimal, p: decimal.Decimal) -> decimal.Decimal:
    """The definition in 60-digit decimal arithmetic, 0 log 0 = 0."""
    one = decimal.Decimal(1)
    out = decimal.Decimal(0)
    if q > 0:
        out += q * _CTX.ln(_CTX.divide(q, p))
    if q < 1:
        out += (one - q) * _CTX.ln(_CTX.divide(one - q, one - p))
    return out


def _kl_ref(q, p):
    return float(_kl_dec(decimal.Decimal(q), decimal.Decimal(p)))


def _inverse_ref(q, c, upper=True):
    """Slow, readable reference: 200 bisection steps in 60-digit arithmetic."""
    qd, cd = decimal.Decimal(q), decimal.Decimal(c)
    lo, hi = (qd, decimal.Decimal(1)) if upper else (decimal.Decimal(0), qd)
    for _ in range(200):
        mid = _CTX.divide(_CTX.add(lo, hi), 2)
        if mid in (lo, hi):  # the root is closer to 0 or 1 than 60 digits can tell
            break
        inside = _kl_dec(qd, mid) <= cd
        if inside == upper:
            lo = mid
        else:
            hi = mid
    return float(lo if upper else hi)


@pytest.mark.parametrize("q", [1e-8, 1e-3, 0.05, 0.1, 0.3, 0.5, 0.77, 0.99, 1 - 1e-6])
@pytest.mark.parametrize("c", [1e-12, 1e-6, 1e-3, 0.0121428, 0.1, 1.0, 5.0])
def test_matches_reference_to_1e12(q, c):
    assert kl_inverse(q, c) == pytest.approx(_inverse_ref(q, c), abs=1e-12)
    assert kl_inverse(q, c, "lower") == pytest.approx(_inverse_ref(q, c, False), abs=1e-12)


def test_design_value_maurer_seeger():
    c = (5 + math.log(2 * math.sqrt(1000) / 0.05)) / 1000
    assert kl_inverse(0.1, c) == pytest.approx(0.1531096282, abs=1e-10)


def test_edge_cases_closed_forms():
    for c in (1e-14, 1e-3, 1.0, 50.0, 800.0):
        assert kl_inverse(0.0, c) == pytest.approx(-math.expm1(-c), rel=1e-15, abs=0)
        assert kl_inverse(1.0, c, "lower") == pytest.approx(math.exp(-c), rel=1e-15, abs=0)
        assert kl_inverse(1.0, c) == 1.0
        assert kl_inverse(0.0, c, "lower") == 0.0
    # c = 0: no slack, the inverse is q itself
    for q in (0.0, 0.2, 1.0):
        assert kl_inverse(q, 0.0) == q
        assert kl_inverse(q, 0.0, "lower") == q
    assert kl_inverse(0.3, math.inf) == 1.0
    assert kl_inverse(0.3, math.inf, "lower") == 0.0


def test_accurate_near_zero_relative():
    # tiny q and c: the answer is ~1e-9; relative accuracy matters, not just absolute
    q, c = 1e-10, 1e-9
    p = kl_inverse(q, c)
    assert _kl_ref(q, p) == pytest.approx(c, rel=1e-9)
    low = kl_inverse(0.5, 50.0, "lower")  # ~1e-44, far below 1e-12
    assert _kl_ref(0.5, low) == pytest.approx(50.0, rel=1e-12)


def test_large_c_goes_to_one():
    assert kl_inverse(0.5, 60.0) == pytest.approx(1.0, abs=1e-15)
    assert kl_inverse(0.2, 1e6) == pytest.approx(1.0, abs=1e-15)


@settings(max_examples=200, deadline=None)
@given(q=st.floats(0, 1), c=st.floats(0, 20))
def test_properties(q, c):
    up, lo = kl_inverse(q, c), kl_inverse(q, c, "lower")
    assert lo <= q <= up
    assert 0 <= lo and up <= 1
    # the root is bracketed by the doubles next to the answer (exact to the last bit)
    if q < up < 1:
        assert binary_kl(q, np.nextafter(up, 0)) <= c * (1 + 1e-12)
        assert binary_kl(q, np.nextafter(up, 1)) >= c * (1 - 1e-12)
    if 0 < lo < q:
        assert binary_kl(q, np.nextafter(lo, 1)) <= c * (1 + 1e-12)
        assert binary_kl(q, np.nextafter(lo, 0)) >= c * (1 - 1e-12)
    # Pinsker: kl >= 2 (p - q)^2, so the inverse is within sqrt(c / 2) of q
    assert up <= q + math.sqrt(c / 2) + 1e-12
    assert lo >= q - math.sqrt(c / 2) - 1e-12


@settings(max_examples=100, deadline=None)
@given(q=st.floats(0, 0.99), c1=st.floats(0, 5), c2=st.floats(0, 5))
def test_monotone_in_c(q, c1, c2):
    c1, c2 = sorted((c1, c2))
    assert kl_inverse(q, c1) <= kl_inverse(q, c2)
    assert kl_inverse(q, c1, "lower") >= kl_inverse(q, c2, "lower")


def test_binary_kl_values():
    assert binary_kl(0.1, 0.2) == pytest.approx(0.1 * math.log(0.5) + 0.9 * math.log(0.9 / 0.8),
                                                 rel=1e-14)
    assert binary_kl(0.3, 0.3) == 0.0
    assert binary_kl(0.0, 0.5) == pytest.approx(math.log(2), rel=1e-15)
    assert binary_kl(0.5, 1.0) == math.inf
    rng = np.random.default_rng(0)
    for q, p in rng.uniform(0.01, 0.99, size=(20, 2)):
        assert binary_kl(q, p) == pytest.approx(_kl_ref(q, p), rel=1e-12)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"q": -0.1, "c": 1.0}, ValueError, r"q must be a probability in \[0, 1\], got -0.1"),
    ({"q": 1.5, "c": 1.0}, ValueError, r"q must be a probability in \[0, 1\], got 1.5"),
    ({"q": float("nan"), "c": 1.0}, ValueError, r"q must be a probability in \[0, 1\], got nan"),
    ({"q": "0.1", "c": 1.0}, TypeError, r"q must be a probability in \[0, 1\], got '0.1' \(str\)"),
    ({"q": 0.1, "c": -1.0}, ValueError, r"c must be a real number >= 0 \(nats\), got -1.0"),
    ({"q": 0.1, "c": float("nan")}, ValueError, r"c must be a real number >= 0 \(nats\), got nan"),
    ({"q": 0.1, "c": "x"}, TypeError, r"c must be a real number >= 0 \(nats\), got 'x'"),
    ({"q": 0.1, "c": 1.0, "direction": "up"}, ValueError,
     r"direction must be one of 'upper', 'lower', got 'up'"),
])
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        kl_inverse(**kwargs)


def test_binary_kl_bad_input():
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\], got 2.0"):
        binary_kl(0.5, 2.0)


@pytest.mark.parametrize("q, c", [
    (0.11185734640122513, 7.22658302908348e-245),   # c below kl to the next double: answer q
    (4.792680167746123e-57, 1.5434908245392103e-77),
    (0.10415393675999163, 8.735121161662289e-108),
])
def test_inverse_exact_when_p_is_ulps_from_q(q, c):
    # kl(q || q + d) ≈ d²/(2q(1-q)) is far below the rounding error of either logarithm, so a
    # difference of logs returns noise here; the inverse must still bracket the root exactly.
    for direction, step in (("upper", 1.0), ("lower", 0.0)):
        p = kl_inverse(q, c, direction)
        assert binary_kl(q, p) <= c
        beyond = np.nextafter(p, step)
        assert beyond == step or binary_kl(q, beyond) > c


def test_binary_kl_near_q_matches_series():
    q, d = 0.3, 1e-12
    expected = d * d / (2 * q * (1 - q))  # leading term; the next is O(d³)
    assert binary_kl(q, q + d) == pytest.approx(expected, rel=1e-9)
