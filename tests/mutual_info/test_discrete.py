"""DiscreteMI: closed form, scikit-learn reference, properties, bad input."""

import math

import numpy as np
import pytest
from sklearn.metrics import mutual_info_score

from infotheory import DiscreteEntropy, DiscreteMI
from infotheory.datasets import discrete_joint

PMF = np.array([[0.30, 0.05, 0.05],
                [0.05, 0.20, 0.05],
                [0.02, 0.08, 0.20]])


def test_matches_truth_at_large_n():
    n = 200_000
    x, y, true_mi = discrete_joint(n, PMF, random_state=0)
    # SE of the plug-in MI: sd of the pointwise MI log p(x,y)/(p(x)p(y)) over sqrt(N)
    pmi = np.log(PMF / np.outer(PMF.sum(1), PMF.sum(0)))[x, y]
    se = pmi.std() / math.sqrt(n)
    for method in ("plugin", "miller_madow"):
        assert abs(DiscreteMI(method=method).fit(x, y).mutual_info_ - true_mi) < 4 * se


@pytest.mark.parametrize("seed", range(3))
def test_plugin_equals_sklearn(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 6, size=400)
    y = (x + rng.integers(0, 3, size=400)) % 5
    assert DiscreteMI().fit(x, y).mutual_info_ == pytest.approx(
        mutual_info_score(x, y), abs=1e-12)


def test_miller_madow_reduces_bias_under_independence():
    # independent uniform x (6 symbols) and y (6 symbols), N = 60: plug-in MI ~ 25/120 > 0
    plug, mm = [], []
    for seed in range(200):
        x, y, _ = discrete_joint(60, np.full((6, 6), 1 / 36), random_state=seed)
        plug.append(DiscreteMI().fit(x, y).mutual_info_)
        mm.append(DiscreteMI(method="miller_madow").fit(x, y).mutual_info_)
    se = np.std(plug) / math.sqrt(200)
    assert np.mean(plug) > 10 * se
    assert abs(np.mean(mm)) < np.mean(plug) / 2


def test_symmetry_self_information_and_bounds():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 5, size=500)
    y = (x * 2 + rng.integers(0, 2, size=500)) % 7
    est = DiscreteMI()
    ixy = est.fit(x, y).mutual_info_
    assert est.fit(y, x).mutual_info_ == pytest.approx(ixy, abs=1e-12)
    hx = DiscreteEntropy().fit(x).entropy_
    hy = DiscreteEntropy().fit(y).entropy_
    assert est.fit(x, x).mutual_info_ == pytest.approx(hx, abs=1e-12)
    assert 0 <= ixy <= min(hx, hy)
    # relabelling either side changes nothing
    assert est.fit(3 * x + 1, -y).mutual_info_ == pytest.approx(ixy, abs=1e-12)


def test_joint_symbols_on_both_sides():
    rng = np.random.default_rng(2)
    X = rng.integers(0, 3, size=(400, 2))
    Y = np.column_stack([X[:, 0], rng.integers(0, 2, size=400)])
    # rows are joint symbols: equals the MI of the encoded single columns
    assert DiscreteMI().fit(X, Y).mutual_info_ == pytest.approx(
        mutual_info_score(X[:, 0] * 3 + X[:, 1], Y[:, 0] * 2 + Y[:, 1]), abs=1e-12)


def test_independent_deterministic_zero():
    x = np.repeat([0, 1], 50)
    y = np.tile([0, 1], 50)
    assert DiscreteMI().fit(x, y).mutual_info_ == pytest.approx(0.0, abs=1e-15)


def test_bits():
    x = np.arange(8) % 4
    assert DiscreteMI(base=2).fit(x, x % 2).mutual_info_ == pytest.approx(1.0, abs=1e-12)


def test_bad_method():
    with pytest.raises(ValueError, match=r"method must be one of 'plugin', 'miller_madow', got "
                                         r"'chao_shen'"):
        DiscreteMI(method="chao_shen").fit([0, 1], [0, 1])


def test_y_required():
    with pytest.raises(ValueError, match="DiscreteMI requires y to be passed"):
        DiscreteMI().fit([0, 1, 1])


def test_length_mismatch():
    with pytest.raises(ValueError, match=r"X and y must have the same number of samples: X has 3"):
        DiscreteMI().fit([0, 1, 1], [0, 1])


def test_nan_in_y():
    with pytest.raises(ValueError, match=r"y contains 1 NaN"):
        DiscreteMI().fit([0, 1, 1], [0, np.nan, 1])


def test_string_symbols_are_coded_like_mixed_mi_labels():
    x = np.array(["b", "a", "b", "c", "a", "b", "c", "c"])
    y = np.array(["u", "v", "u", "v", "v", "u", "u", "v"])
    codes = [np.unique(v, return_inverse=True)[1] for v in (x, y)]
    assert DiscreteMI().fit(x, y).mutual_info_ == DiscreteMI().fit(*codes).mutual_info_
    assert DiscreteMI().fit(x.astype(object), list(y)).mutual_info_ == pytest.approx(
        mutual_info_score(x, y), abs=1e-12)


@pytest.mark.parametrize("pmf", [PMF, np.full((3, 3), 1 / 9)], ids=["dependent", "independent"])
def test_standard_error_matches_the_spread_over_seeds(pmf):
    # plug-in delta method, with the chi^2 floor where the first-order term vanishes
    rng = np.random.default_rng(1)
    fits = []
    for _ in range(200):
        X, Y = discrete_joint(1000, pmf, random_state=rng.integers(2**31))[:2]
        fits.append(DiscreteMI().fit(X, Y))
    spread = np.std([f.mutual_info_ for f in fits], ddof=1)
    mean_se = np.mean([f.standard_error_ for f in fits])
    # SD of 200 values: +-5 % per SD. Dependent: the delta method within 15 %. Independent:
    # the floor max(., v0) can only raise the SE (measured +28 %): conservative, never below
    if pmf is PMF:
        assert mean_se == pytest.approx(spread, rel=0.15)
    else:
        assert 0.9 * spread <= mean_se <= 1.4 * spread
