"""Diagnostics of MI estimates: each warning fires where its claim holds and only there."""

import math
import warnings

import numpy as np
import pytest

from infotheory import KSGMI, ConditionalMI, GaussianCopulaMI, GaussianMI, MixedMI
from infotheory.datasets import correlated_gaussians, embedded_gaussians
from infotheory.mutual_info import KNNBiasWarning
from infotheory.mutual_info._diagnostics import (
    ConstantFeatureWarning,
    DiscreteInputWarning,
    pairwise_copula_lower_bound,
    warn_if_above_label_entropy,
    warn_if_below_pairwise_bound,
)


def _no_warnings():
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("error")
    return ctx


# -- the pairwise lower bound ------------------------------------------------------------------


def test_pairwise_bound_is_below_the_truth_where_the_copula_value_is_not():
    # The case where the old multivariate-copula "lower bound" (5.5 nats) misfired: truth 2.0.
    X, Y, truth = embedded_gaussians(4000, mi=2.0, latent_dim=4, dim=128, random_state=0)
    assert GaussianCopulaMI().fit(X, Y).mutual_info_ > 2 * truth  # not a bound for vectors
    bound, (i, j) = pairwise_copula_lower_bound(X, Y)
    assert 0 < bound <= truth
    # an estimate at the truth (with the SE of a good estimator) is never flagged
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not warn_if_below_pairwise_bound(truth, 0.02, X, Y, "KSGMI")


def test_pairwise_bound_matches_the_one_dimensional_copula_value():
    # one pair: the bound is the 1-D copula MI lowered by a z_{1 - 0.001/2} margin (Fisher z)
    X, Y, truth = correlated_gaussians(5000, 1.0, random_state=3)
    bound, pair = pairwise_copula_lower_bound(X, Y)
    assert pair == (0, 0)
    r = math.sqrt(1 - math.exp(-2 * truth))
    z_low = math.atanh(r) - 3.29 / math.sqrt(5000 - 3)
    assert bound == pytest.approx(-0.5 * math.log(1 - math.tanh(z_low) ** 2), abs=0.06)
    assert bound < truth


def test_pairwise_bound_is_zero_under_independence_and_for_constant_columns():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(2000, 5)), rng.normal(size=(2000, 3))
    assert pairwise_copula_lower_bound(X, Y)[0] == 0.0
    assert pairwise_copula_lower_bound(np.zeros((500, 2)), Y[:500])[0] == 0.0


def test_pairwise_bound_holds_for_tied_relu_columns():
    # half the entries of each ReLU unit are exactly 0: ties are broken at random, which keeps
    # every pair's normal scores exactly Gaussian, so the bound stays below I(x; y) = 1 nat
    X, Y, truth = correlated_gaussians(4000, 1.0, random_state=1)
    bound, _ = pairwise_copula_lower_bound(np.maximum(X, 0.0), Y)
    assert 0 < bound <= truth


def test_bias_warning_fires_when_information_sits_in_one_pair_among_noise():
    # I(X;Y) = 2 nats carried by the pair (X_0, Y_0); 20 noise columns in X bias KSG low, far
    # below I(X_0;Y_0) >= the pairwise bound: the warning's claim holds
    x, y, truth = correlated_gaussians(2000, 2.0, random_state=5)
    X = np.c_[x, np.random.default_rng(5).normal(size=(2000, 20))]
    with pytest.warns(KNNBiasWarning, match=r"below a lower bound on the mutual information, "
                                            r".* pair \(X\[:, 0\], y\[:, 0\]\)"):
        got = KSGMI().fit(X, y).mutual_info_
    bound, _ = pairwise_copula_lower_bound(X, y)
    assert got < bound <= truth
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KSGMI(warn_bias=False).fit(X, y)


def test_bias_warning_is_written_in_the_unit_of_base():
    x, y, _ = correlated_gaussians(2000, 2.0, random_state=5)
    X = np.c_[x, np.random.default_rng(5).normal(size=(2000, 20))]
    with pytest.warns(KNNBiasWarning, match=r"estimate \d\.\d{3} bits .* bound .* bits") as rec:
        KSGMI(base=2).fit(X, y)
    assert rec[0].filename == __file__  # points at the user's call, not at the package


# -- label-like inputs ---------------------------------------------------------------------------


def _labelled(n=600, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    return rng.normal(size=(n, 2)) + 3.0 * y[:, None], y


@pytest.mark.parametrize("est", [GaussianMI(), GaussianCopulaMI(), KSGMI(noise=1e-10,
                                                                          random_state=0)])
def test_label_like_y_warns_in_continuous_estimators(est):
    X, y = _labelled()
    with pytest.warns(DiscreteInputWarning, match=r"y takes only 3 distinct value\(s\) in 600 "
                                                  r"samples.*I <= H\(y\) = 1\.0\d\d nats \(its "
                                                  r"entropy in this sample\).*MixedMI"):
        est.fit(X, y)


def test_label_like_warning_says_when_the_estimate_exceeds_h_y():
    # Gaussian MI of well-separated labels: far above H(y) = log 3, which it cannot be
    X, y = _labelled()
    with pytest.warns(DiscreteInputWarning, match=r"The estimate .* exceeds H\(y\)"):
        value = GaussianMI().fit(X, y).mutual_info_
    assert value > math.log(3)


def test_label_like_warning_comes_before_the_duplicate_error():
    # continuous X with labels y: the joint rows are distinct, KSG runs and is warned about;
    # discrete X too: duplicated joint rows, the warning comes before the kNN error
    X, y = _labelled(300)
    with pytest.warns(DiscreteInputWarning, match="like class labels"):
        KSGMI().fit(X, y)
    x = (y % 2).astype(float)
    for est in (KSGMI(), ConditionalMI()):
        with pytest.warns(DiscreteInputWarning, match="like class labels"):
            with pytest.raises(ValueError, match="exact duplicates"):
                est.fit(x, y)


def test_label_check_sees_labels_behind_a_many_valued_first_block():
    # label_like pre-checks the first rows only to rule labels out: sorted labels (one value in
    # those rows) and labels after continuous-looking rows are judged on the whole column
    from infotheory.mutual_info._diagnostics import label_like

    labels = np.repeat([0.0, 1.0, 2.0], 200)
    assert label_like(labels[:, None])[1] == 3  # sorted: the first rows hold one value
    mixed = np.r_[np.arange(30.0), np.repeat([0.0, 1.0], 300)]
    assert label_like(mixed[:, None]) is None  # 30 distinct values: not labels
    assert label_like(np.random.default_rng(0).normal(size=(600, 1))) is None


def test_normal_scores_are_the_ordinal_ranks_of_a_fixed_permutation():
    # the definition: ordinal ranks of the rows permuted by default_rng(0) (ties broken at
    # random), through the normal quantile; the fast path (no ties: any sort) must equal it
    from scipy import special, stats

    from infotheory.mutual_info._diagnostics import _normal_scores

    rng = np.random.default_rng(3)
    for A in (rng.normal(size=(2000, 3)), np.round(rng.normal(size=(2000, 2)), 1),
              np.c_[rng.normal(size=500), np.maximum(rng.normal(size=500), 0.0)],
              rng.integers(0, 3, size=(100, 2)).astype(float)):
        n = A.shape[0]
        order = np.random.default_rng(0).permutation(n)
        ranks = np.empty(A.shape)
        ranks[order] = stats.rankdata(A[order], axis=0, method="ordinal")
        np.testing.assert_array_equal(_normal_scores(A), special.ndtri(ranks / (n + 1.0)))


def test_no_label_warning_for_continuous_or_many_valued_data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 2))
    y_many = rng.integers(0, 40, size=500).astype(float)  # 40 values: not labels by the rule
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GaussianMI().fit(X, X[:, 0] + rng.normal(size=500))
        GaussianMI().fit(X, y_many)
        ConditionalMI().fit(X, X[:, 0] + rng.normal(size=500), z=rng.integers(0, 2, size=500))


def test_mixed_mi_above_label_entropy_warns():
    # perfectly separated classes: truth I = H(y) = log 3, Ross's estimate slightly above it
    y = np.repeat([0, 1, 2], 10)
    X = 100.0 * y + np.random.default_rng(0).normal(size=30)
    with pytest.warns(DiscreteInputWarning, match=r"exceeds the entropy of the labels"):
        value = MixedMI().fit(X, y).mutual_info_
    assert value > math.log(3)
    # overlapping classes (I = 0.63 < H = 0.69): no warning
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=2000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MixedMI().fit(rng.normal(size=2000) + 4.0 * y, y)
    assert not warn_if_above_label_entropy(0.5, y, "MixedMI")


# -- constant columns ----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [GaussianMI, GaussianCopulaMI])
def test_constant_columns_are_named_and_dropped(cls):
    X, Y, _ = correlated_gaussians(500, 0.5, dim=3, random_state=2)
    dead = X.copy()
    dead[:, [1, 2]] = 0.0  # dead ReLU units
    with pytest.warns(ConstantFeatureWarning, match=r"X has 2 constant column\(s\) .*: 1, 2; "):
        got = cls().fit(dead, Y).mutual_info_
    assert got == cls().fit(X[:, :1], Y).mutual_info_  # exact: constants carry no information
    with pytest.warns(ConstantFeatureWarning, match="every column is constant"):
        est = cls().fit(np.zeros((500, 2)), Y)
    assert (est.mutual_info_, est.standard_error_) == (0.0, 0.0)


# -- standard errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [KSGMI, GaussianMI, GaussianCopulaMI, ConditionalMI])
def test_standard_error_is_stored_in_the_unit(cls):
    X, Y, _ = correlated_gaussians(1000, 0.5, random_state=4)
    nats, bits = cls().fit(X, Y), cls(base=2).fit(X, Y)
    # one pair: SE of the MI ~ rho / sqrt(n) = 0.026 nats (Gaussian MLE); kNN terms similar
    assert 0.01 < nats.standard_error_ < 0.06
    assert bits.standard_error_ == pytest.approx(nats.standard_error_ / math.log(2))


@pytest.mark.parametrize("cls", [GaussianMI, GaussianCopulaMI, KSGMI, ConditionalMI])
def test_warn_discrete_false_silences_the_label_check(cls):
    X, y = _labelled()
    est = cls(warn_discrete=False)
    if isinstance(est, (KSGMI, ConditionalMI)):
        est.set_params(noise=1e-10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.fit(X, y)
    with pytest.raises(TypeError, match="warn_discrete must be a bool"):
        cls(warn_discrete="no").fit(X, y)
