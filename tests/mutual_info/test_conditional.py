"""ConditionalMI (Frenzel–Pompe): Gaussian closed form, KSG-1 without z, references, bad input."""

import math

import numpy as np
import pytest
from scipy.special import digamma

from infotheory.datasets import correlated_gaussians
from infotheory.mutual_info import KSGMI, ConditionalMI
from infotheory.mutual_info._diagnostics import DiscreteInputWarning

COV = np.array([[1.0, 0.6, 0.5], [0.6, 1.0, 0.5], [0.5, 0.5, 1.0]])  # (x, y, z)


def _gaussian_cmi(cov):
    ld = lambda idx: np.linalg.slogdet(cov[np.ix_(idx, idx)])[1]  # noqa: E731
    return 0.5 * (ld([0, 2]) + ld([1, 2]) - ld([2]) - ld([0, 1, 2]))


def _sample(n, seed, cov=COV):
    S = np.random.default_rng(seed).multivariate_normal(np.zeros(len(cov)), cov, size=n)
    return S[:, 0], S[:, 1], S[:, 2]


def _reference_cmi(X, Y, Z, k):
    """Slow, readable Frenzel–Pompe with full distance matrices."""
    def cheb(A):
        return np.abs(A[:, None, :] - A[None, :, :]).max(-1)
    dx, dy, dz = cheb(X), cheb(Y), cheb(Z)
    d = np.maximum(np.maximum(dx, dy), dz)
    np.fill_diagonal(d, np.inf)
    eps = np.sort(d, 1)[:, k - 1][:, None]
    off = ~np.eye(X.shape[0], dtype=bool)
    nxz = ((np.maximum(dx, dz) < eps) & off).sum(1)
    nyz = ((np.maximum(dy, dz) < eps) & off).sum(1)
    nz = ((dz < eps) & off).sum(1)
    return digamma(k) - np.mean(digamma(nxz + 1) + digamma(nyz + 1) - digamma(nz + 1))


def test_gaussian_closed_form():
    # SD over 5 seeds at N = 5000: 0.011 nats, mean error -0.002 (measured): 0.04 is > 3 SD + bias
    x, y, z = _sample(5000, 0)
    truth = _gaussian_cmi(COV)
    assert ConditionalMI().fit(x, y, z=z).mutual_info_ == pytest.approx(truth, abs=0.04)


def test_conditional_independence_near_zero():
    cov = np.array([[1.0, 0.25, 0.5], [0.25, 1.0, 0.5], [0.5, 0.5, 1.0]])  # x ⊥ y | z
    assert _gaussian_cmi(cov) == pytest.approx(0.0, abs=1e-12)
    x, y, z = _sample(5000, 1, cov)
    assert abs(ConditionalMI().fit(x, y, z=z).mutual_info_) < 0.03


def test_without_z_is_exactly_ksg1():
    X, Y, _ = correlated_gaussians(1000, 1.0, dim=2, random_state=2)
    cmi = ConditionalMI().fit(X, Y).mutual_info_
    assert cmi == KSGMI(algorithm=1, warn_bias=False).fit(X, Y).mutual_info_
    assert ConditionalMI().fit(X, Y, z=None).score(X, Y) == cmi


@pytest.mark.parametrize("dims", [(1, 1, 1), (2, 1, 3), (3, 3, 4)])  # (3, 3, 4): brute force
def test_equals_direct_reference(dims):
    rng = np.random.default_rng(sum(dims))
    n = 300
    Z = rng.normal(size=(n, dims[2]))
    X = Z[:, :1] + rng.normal(size=(n, dims[0]))
    Y = Z[:, :1] + X[:, :1] + rng.normal(size=(n, dims[1]))
    ours = ConditionalMI(standardize=False).fit(X, Y, z=Z).mutual_info_
    assert ours == pytest.approx(_reference_cmi(X, Y, Z, 3), abs=1e-10)


def test_equals_npeet(monkeypatch):
    npeet = pytest.importorskip("npeet_plus.estimators")
    monkeypatch.setattr(npeet, "add_noise", lambda x, intens=1e-10: x)
    x, y, z = _sample(1500, 3)
    ours = ConditionalMI(standardize=False).fit(x, y, z=z).mutual_info_
    theirs = npeet.mi(x[:, None], y[:, None], z=z[:, None], k=3, base=math.e)
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_symmetry_in_x_and_y():
    x, y, z = _sample(800, 4)
    a = ConditionalMI().fit(x, y, z=z).mutual_info_
    assert ConditionalMI().fit(y, x, z=z).mutual_info_ == pytest.approx(a, abs=1e-12)


def test_score_uses_new_z():
    x, y, z = _sample(800, 5)
    est = ConditionalMI().fit(x, y, z=z)
    assert est.score(x, y, z=z) == est.mutual_info_
    assert est.score(x, y) == ConditionalMI().fit(x, y).mutual_info_


def test_read_only_memmap(tmp_path):
    x, y, z = _sample(400, 6)
    for name, a in (("x", x), ("y", y), ("z", z)):
        np.save(tmp_path / f"{name}.npy", a)
    mm = [np.load(tmp_path / f"{n}.npy", mmap_mode="r") for n in "xyz"]
    assert ConditionalMI().fit(mm[0], mm[1], z=mm[2]).mutual_info_ == \
        ConditionalMI().fit(x, y, z=z).mutual_info_


@pytest.mark.parametrize(
    ("z", "err", "match"),
    [
        (np.arange(9.0), ValueError, r"X and z must have the same number of samples: X has 10"),
        (np.array([np.nan] * 10), ValueError, "z contains 10 NaN"),
        (np.zeros((10, 2, 2)), ValueError, "z must be 1-D or 2-D"),
        (np.array(list("abcdefghij")), TypeError, "z must be numeric"),
    ],
)
def test_bad_z(z, err, match):
    rng = np.random.default_rng(7)
    with pytest.raises(err, match=match):
        ConditionalMI().fit(rng.normal(size=10), rng.normal(size=10), z=z)


@pytest.mark.parametrize(
    ("params", "err", "match"),
    [
        ({"k": 0}, ValueError, "k must be >= 1, got 0"),
        ({"noise": -1e-3}, ValueError, "noise must be >= 0"),
        ({"standardize": 1}, TypeError, "standardize must be a bool"),
    ],
)
def test_invalid_params(params, err, match):
    x, y, z = _sample(50, 8)
    with pytest.raises(err, match=match):
        ConditionalMI(**params).fit(x, y, z=z)


def test_too_few_samples_and_repeats():
    with pytest.raises(ValueError, match=r"minimum of 6 is required by ConditionalMI \(k=5"):
        ConditionalMI(k=5).fit(np.arange(5.0), np.arange(5.0), z=np.arange(5.0))
    x = np.repeat(np.arange(10.0), 5)
    with pytest.warns(DiscreteInputWarning, match="like class labels"):
        with pytest.raises(ValueError, match="exact duplicates"):
            ConditionalMI().fit(x, x, z=x)
