"""Wasserstein bound: closed-form distances, bound >= gap on an exact example, bad input."""

import math

import numpy as np
import pytest
from scipy.stats import norm, wasserstein_distance

from infotheory.bounds import expected_wasserstein_1d, wasserstein_bound


def test_formula():
    assert wasserstein_bound([0.1, 0.3], lipschitz=2.0).value == pytest.approx(0.4, abs=1e-15)
    same = wasserstein_bound(0.2, lipschitz=2.0, n=5)
    assert same.value == pytest.approx(0.4, abs=1e-15)
    assert any("same for every" in a for a in same.assumptions)


def test_location_shift_closed_form():
    # W1(N(a, s^2), N(b, s^2)) = |a - b|; quantile grids make the empirical distance exact
    u = (np.arange(2000) + 0.5) / 2000
    base = norm.ppf(u)
    shifts = np.array([-0.3, 0.0, 0.5, 1.2])
    cond = base[None, :] + shifts[:, None]
    assert expected_wasserstein_1d(cond, base) == pytest.approx(np.abs(shifts).mean(), abs=1e-12)


def test_matches_scipy_row_by_row():
    rng = np.random.default_rng(0)
    cond, marg = rng.normal(size=(5, 300)), rng.normal(size=700)
    expected = np.mean([wasserstein_distance(r, marg) for r in cond])
    assert expected_wasserstein_1d(cond, marg) == pytest.approx(expected, rel=1e-14)


def test_bound_covers_gap_for_gaussian_mean_with_absolute_loss():
    """W = mean of n draws of N(0, 1), loss |w - z| (1-Lipschitz in w).

    W | Z_i = z ~ N(z / n, (n-1)/n^2) and W ~ N(0, 1/n); E_z W1 is computed by quadrature of
    |F^-1_1 - F^-1_2| over a grid of z, the gap E|W' - Z'| - E|W - Z_i| in closed form:
    W' - Z' ~ N(0, 1 + 1/n), W - Z_i ~ N(0, (n-1)/n), and E|N(0, v)| = sqrt(2 v / pi).
    """
    n = 10
    gap = math.sqrt(2 / math.pi) * (math.sqrt(1 + 1 / n) - math.sqrt((n - 1) / n))
    u = (np.arange(20000) + 0.5) / 20000
    zq = norm.ppf((np.arange(400) + 0.5) / 400)
    s_c, s_m = math.sqrt(n - 1) / n, 1 / math.sqrt(n)
    dists = [np.mean(np.abs(z / n + s_c * norm.ppf(u) - s_m * norm.ppf(u))) for z in zq]
    res = wasserstein_bound(float(np.mean(dists)), lipschitz=1.0, n=n)
    assert res.value >= gap
    assert res.value < 5 * gap  # and not vacuous


@pytest.mark.parametrize("call, exc, match", [
    (lambda: wasserstein_bound([0.1], lipschitz=0.0), ValueError,
     r"lipschitz must be a Lipschitz constant > 0, got 0.0"),
    (lambda: wasserstein_bound([0.1, -0.1], lipschitz=1.0), ValueError,
     r"distances must be finite Wasserstein distances >= 0, got min -0.1"),
    (lambda: wasserstein_bound(-0.1, lipschitz=1.0, n=3), ValueError,
     r"distances must be a Wasserstein distance >= 0, got -0.1"),
    (lambda: wasserstein_bound(0.1, lipschitz=1.0), ValueError, r"n is required"),
    (lambda: wasserstein_bound([0.1, 0.2], lipschitz=1.0, n=3), ValueError,
     r"one value per training sample: expected n=3, got 2"),
    (lambda: wasserstein_bound([[0.1]], lipschitz=1.0), ValueError,
     r"distances must be a non-empty 1-D array .* got shape \(1, 1\)"),
    (lambda: expected_wasserstein_1d([[0.0, np.nan]], [1.0]), ValueError,
     r"conditional_samples contains 1 NaN"),
    (lambda: expected_wasserstein_1d([[0.0, 1.0]], [[1.0, 2.0]]), ValueError,
     r"marginal_samples must be 1-D draws of a scalar parameter, got shape \(1, 2\)"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
