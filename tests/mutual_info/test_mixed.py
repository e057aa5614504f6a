"""MixedMI (Ross 2014): closed form by quadrature, scikit-learn internals, properties, bad input."""

import math

import numpy as np
import pytest
from scipy import integrate, stats
from sklearn.feature_selection._mutual_info import _compute_mi_cd

from infotheory.mutual_info import MixedMI
from infotheory.mutual_info._diagnostics import DiscreteInputWarning


def _mixture_mi(mu):
    """I(X; Y) for Y ~ Bernoulli(1/2), X | Y ~ N(+-mu, 1): h(X) - h(X | Y) by quadrature."""
    def f(x):
        return 0.5 * (stats.norm.pdf(x, -mu) + stats.norm.pdf(x, mu))
    h, _ = integrate.quad(lambda x: -f(x) * math.log(f(x)), -mu - 12, mu + 12, limit=200)
    return h - 0.5 * math.log(2 * math.pi * math.e)


def _sample(n, mu, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    return rng.normal(size=n) + mu * (2 * y - 1), y


@pytest.mark.parametrize("mu", [0.5, 1.0, 2.0])
def test_closed_form(mu):
    # at N = 10 000, over 5 seeds: SD 0.004-0.011 nats, mean error < 0.002 (measured for the
    # three mu): 0.03 allows the bias + 2.7 SD of the worst case, 5 SD of the others.
    x, y = _sample(10_000, mu, seed=int(10 * mu))
    assert MixedMI().fit(x, y).mutual_info_ == pytest.approx(_mixture_mi(mu), abs=0.03)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equals_sklearn_compute_mi_cd(seed):
    rng = np.random.default_rng(seed)
    x, y = _sample(1500, 1.0, seed)
    y = np.where(rng.random(1500) < 0.1, 2, y)  # a third, small class
    y[0] = 7  # a class with a single sample: dropped by both
    ours = MixedMI(standardize=False, clip_negative=True).fit(x, y)
    assert ours.n_samples_used_ == 1499
    assert ours.mutual_info_ == pytest.approx(_compute_mi_cd(x, y, 3), abs=1e-10)


def test_string_labels_and_bits():
    x, y = _sample(600, 1.0, 3)
    names = np.array(["cat", "dog"])[y]
    nats = MixedMI().fit(x, y).mutual_info_
    assert MixedMI().fit(x, names).mutual_info_ == nats
    assert MixedMI(base=2).fit(x, y).mutual_info_ == pytest.approx(nats / math.log(2), rel=1e-12)


def test_independent_near_zero_and_bounded_by_label_entropy():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=5000), rng.integers(0, 3, size=5000)
    assert abs(MixedMI().fit(x, y).mutual_info_) < 0.02
    # perfectly separated classes: I = H(Y) = log 3 up to the estimator's error; Ross's
    # estimate overshoots the labels' entropy in the sample and says so
    x = rng.normal(size=5000) * 0.01 + 10 * y
    with pytest.warns(DiscreteInputWarning, match="exceeds the entropy of the labels"):
        assert MixedMI().fit(x, y).mutual_info_ == pytest.approx(math.log(3), abs=0.02)


def test_monotone_transform_invariance_1d():
    # in 1-D a strictly increasing transform keeps every neighbour order: same value exactly
    x, y = _sample(800, 1.0, 5)
    a = MixedMI(standardize=False).fit(x, y).mutual_info_
    assert MixedMI(standardize=False).fit(np.exp(x), y).mutual_info_ == pytest.approx(a, abs=0.03)


def test_read_only_memmap(tmp_path):
    x, y = _sample(400, 1.0, 6)
    np.save(tmp_path / "x.npy", x)
    assert MixedMI().fit(np.load(tmp_path / "x.npy", mmap_mode="r"), y).mutual_info_ == \
        MixedMI().fit(x, y).mutual_info_


@pytest.mark.parametrize(
    ("y", "err", "match"),
    [
        (np.zeros((10, 2)), ValueError, r"y must be labels of shape \(n_samples,\)"),
        (np.arange(9), ValueError, "y must have one label per sample: expected 10, got 9"),
        (np.arange(10), ValueError, "each with a single sample: MixedMI needs"),
        (np.array([np.nan] * 10), ValueError, "y contains 10 NaN"),
        (None, ValueError, "MixedMI requires y to be passed"),
    ],
)
def test_bad_labels(y, err, match):
    with pytest.raises(err, match=match):
        MixedMI().fit(np.random.default_rng(7).normal(size=10), y)


def test_bad_x_and_params():
    y = np.array([0, 1] * 5)
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        MixedMI().fit(np.r_[np.nan, np.arange(9.0)], y)
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        MixedMI(k=0).fit(np.arange(10.0), y)
    with pytest.raises(ValueError, match="exact duplicates"):
        MixedMI().fit(np.zeros(10), y)
