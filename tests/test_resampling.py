"""bootstrap_ci and permutation_test: reproducibility, calibration, any estimator, bad input."""

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.neighbors import KernelDensity

from infotheory import KSGMI, DiscreteEntropy, GaussianMI, bootstrap_ci, permutation_test
from infotheory.datasets import correlated_gaussians, discrete
from infotheory.resampling import BootstrapResult, BootstrapWarning, PermutationResult


def test_bootstrap_same_seed_same_result():
    X, Y, _ = correlated_gaussians(200, 0.5, random_state=0)
    a = bootstrap_ci(GaussianMI(), X, Y, n_resamples=50, random_state=1, progress=False)
    b = bootstrap_ci(GaussianMI(), X, Y, n_resamples=50, random_state=1, progress=False)
    c = bootstrap_ci(GaussianMI(), X, Y, n_resamples=50, random_state=2, progress=False)
    assert isinstance(a, BootstrapResult)
    np.testing.assert_array_equal(a.resamples, b.resamples)
    assert (a.low, a.high) == (b.low, b.high)
    assert not np.array_equal(a.resamples, c.resamples)


def test_bootstrap_interval_and_standard_error():
    n, mi = 1000, 0.5
    X, Y, _ = correlated_gaussians(n, mi, random_state=3)
    est = GaussianMI()
    res = bootstrap_ci(est, X, Y, n_resamples=400, random_state=0, progress=False)
    assert res.estimate == GaussianMI().fit(X, Y).mutual_info_
    assert res.low < res.estimate < res.high
    assert np.quantile(res.resamples, 0.025) == pytest.approx(res.low)
    # analytic SE of the Gaussian MI for one pair: rho / sqrt(n); SD of 400 replicates +-3.5 %
    rho = math.sqrt(1 - math.exp(-2 * mi))
    assert res.standard_error == pytest.approx(rho / math.sqrt(n), rel=0.2)
    assert not hasattr(est, "mutual_info_")  # the caller's estimator is never fitted


def test_bootstrap_basic_reflects_percentile():
    X, Y, _ = correlated_gaussians(300, 1.0, random_state=4)
    kw = dict(n_resamples=100, random_state=0, progress=False)
    pct = bootstrap_ci(GaussianMI(), X, Y, **kw)
    basic = bootstrap_ci(GaussianMI(), X, Y, method="basic", **kw)
    assert basic.low == pytest.approx(2 * pct.estimate - pct.high)
    assert basic.high == pytest.approx(2 * pct.estimate - pct.low)


def test_bootstrap_without_y_and_foreign_estimator():
    x, _ = discrete(500, [0.5, 0.25, 0.25], random_state=5)
    res = bootstrap_ci(DiscreteEntropy(), x, n_resamples=20, random_state=0, progress=False)
    assert res.low <= res.estimate <= res.high
    # any object with fit/score: scikit-learn's KernelDensity (its score is a log-likelihood)
    X = np.random.default_rng(6).normal(size=(100, 1))
    kde = bootstrap_ci(KernelDensity(), X, n_resamples=10, random_state=0, progress=False)
    assert kde.estimate == pytest.approx(KernelDensity().fit(X).score(X))


def test_bootstrap_progress_bar_runs(capsys):
    X, Y, _ = correlated_gaussians(100, 0.5, random_state=7)
    bootstrap_ci(GaussianMI(), X, Y, n_resamples=5, random_state=0, progress=True)
    assert "bootstrap" in capsys.readouterr().err


def test_knn_estimators_are_subsampled_without_duplicates():
    # KSGMI refuses duplicated rows: "auto" subsamples n // 2 rows without replacement, and the
    # interval is centred on the estimate (the m-vs-n bias shift is reported, not applied)
    X, Y, _ = correlated_gaussians(400, 1.0, dim=2, random_state=11)
    res = bootstrap_ci(KSGMI(), X, Y, n_resamples=30, random_state=0, progress=False)
    assert (res.scheme, res.subsample_size, res.scale) == ("subsampling", 200, 1.0)
    assert res.low < res.estimate < res.high
    assert res.estimate == KSGMI().fit(X, Y).mutual_info_
    assert res.shift == pytest.approx(res.resamples.mean() - res.estimate)
    assert "without replacement" in res.description and "not its bias" in res.description
    dev = res.resamples - res.resamples.mean()
    assert res.low == pytest.approx(res.estimate + np.quantile(dev, 0.025))
    small = bootstrap_ci(KSGMI(), X, Y, n_resamples=10, subsample_size=100, random_state=0,
                         progress=False)
    assert small.scale == pytest.approx(math.sqrt(100 / 300))  # sqrt(m / (n - m))
    assert small.standard_error == pytest.approx(small.scale * small.resamples.std(ddof=1))


def test_compressed_mi_is_subsampled():
    from infotheory import CompressedMI

    X, Y, _ = correlated_gaussians(400, 1.0, dim=6, random_state=0)
    res = bootstrap_ci(CompressedMI(random_state=0), X, Y, n_resamples=5, random_state=0,
                       progress=False)
    assert res.scheme == "subsampling" and res.low <= res.estimate <= res.high


def test_subsampling_standard_error_is_exact_for_a_mean():
    # the rate correction sqrt(m / (n - m)) makes the subsample spread that of the full mean:
    # Var(mean_m - mean_n) = s^2 (1/m - 1/n) for sampling without replacement

    class _Mean(GaussianMI):  # a sqrt(n)-consistent linear statistic; "_": not registered
        _duplicate_sensitive = True

        def _estimate(self, X, y):
            return float(X.mean())

    x = np.random.default_rng(3).normal(size=(400, 1))
    res = bootstrap_ci(_Mean(), x, x, n_resamples=2000, subsample_size=100, random_state=0,
                       progress=False)
    # SD of 2000 replicates: relative error ~ 1 / sqrt(2 * 2000) = 1.6 %; 4 SD
    assert res.standard_error == pytest.approx(x.std(ddof=1) / math.sqrt(400), rel=0.065)


def test_bootstrap_refused_for_duplicate_sensitive_estimators():
    X, Y, _ = correlated_gaussians(100, 1.0, random_state=0)
    with pytest.raises(ValueError, match=r"scheme='bootstrap' draws rows with replacement, but "
                                         r"KSGMI declares that duplicated rows"):
        bootstrap_ci(KSGMI(noise=1e-10), X, Y, scheme="bootstrap", progress=False)


def test_interval_excluding_its_estimate_warns():
    # plug-in entropy of 300 draws over 1000 equiprobable symbols: a bootstrap resample sees
    # fewer distinct symbols, so every replicate is far below the estimate (a bias, not noise)
    x = np.random.default_rng(0).integers(0, 1000, size=300)
    with pytest.warns(BootstrapWarning, match=r"excludes its own estimate .* shifted from it by "
                                              r"-"):
        res = bootstrap_ci(DiscreteEntropy(), x, n_resamples=50, random_state=0, progress=False)
    assert res.high < res.estimate
    # the basic interval reflects the shift: it lies above the estimate, and says so too
    with pytest.warns(BootstrapWarning, match="basic bootstrap interval"):
        bootstrap_ci(DiscreteEntropy(), x, n_resamples=50, method="basic", random_state=0,
                     progress=False)


def test_permutation_test_runs_knn_estimators():
    X, Y, _ = correlated_gaussians(300, 0.5, random_state=2)
    res = permutation_test(KSGMI(), X, Y, n_permutations=19, random_state=0, progress=False)
    assert res.pvalue == pytest.approx(1 / 20)


def _chain(n, seed):
    # x and y depend only through z: correlation 0.8, I(X;Y) = -log(0.6) ~ 0.51 nats, and
    # I(X;Y|Z) = 0
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    return z + 0.5 * rng.normal(size=n), z + 0.5 * rng.normal(size=n), z


def test_side_inputs_are_resampled_with_their_rows():
    from infotheory import ConditionalMI

    x, y, z = _chain(600, 0)
    res = bootstrap_ci(ConditionalMI(), x, y, fit_params={"z": z}, n_resamples=20,
                       random_state=0, progress=False)
    assert res.estimate == ConditionalMI().fit(x, y, z=z).mutual_info_
    # a z that did not follow its rows would leave the 0.51 nats of I(X;Y) in the replicates
    assert np.abs(res.resamples).max() < 0.1
    plain = bootstrap_ci(ConditionalMI(), x, y, n_resamples=5, random_state=0, progress=False)
    assert plain.resamples.min() > 0.35


def test_permutation_test_keeps_side_inputs_with_x():
    from infotheory import ConditionalMI

    x, y, z = _chain(400, 1)
    res = permutation_test(ConditionalMI(), x, y, fit_params={"z": z}, n_permutations=9,
                           random_state=0, progress=False)
    assert res.statistic == ConditionalMI().fit(x, y, z=z).mutual_info_
    assert res.null_distribution.shape == (9,)


@pytest.mark.parametrize("fit_params, error, match", [
    ([1, 2], TypeError, r"fit_params must be a dict .* got list"),
    ({"z": np.zeros(5)}, ValueError, r"fit_params\['z'\] must have one row per sample of X "
                                     r"\(50 rows\).* got shape \(5,\)"),
    ({"z": 1.0}, ValueError, r"fit_params\['z'\] must have one row per sample"),
    ({"w": np.zeros(50)}, TypeError, r"unexpected keyword argument\(s\) w; side inputs it "
                                     r"accepts: z"),
])
def test_bad_fit_params(fit_params, error, match):
    from infotheory import ConditionalMI

    x, y, _ = _chain(50, 0)
    with pytest.raises(error, match=match):
        bootstrap_ci(ConditionalMI(), x, y, fit_params=fit_params, n_resamples=2, progress=False)
    with pytest.raises(error, match=match):
        permutation_test(ConditionalMI(), x, y, fit_params=fit_params, n_permutations=1,
                         progress=False)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["percentile", "basic"])
def test_bootstrap_coverage(method):
    # 95 % intervals of the Gaussian MI on Gaussian data (known truth) over 400 data sets. The
    # Gaussian MI's bias, ~ 1/(2n) = 0.001 nats, is 4 % of its SE: coverage of the truth and of
    # the expectation agree. Monte-Carlo SE of a coverage of 0.95 over 400 sets: 0.011.
    n, mi, hits = 500, 0.5, 0
    for seed in range(400):
        X, Y, true_mi = correlated_gaussians(n, mi, random_state=seed)
        res = bootstrap_ci(GaussianMI(), X, Y, n_resamples=200, random_state=seed,
                           method=method, progress=False)
        hits += res.low <= true_mi <= res.high
    print(f"bootstrap {method} coverage of the true Gaussian MI: {hits / 400:.3f}")
    assert abs(hits / 400 - 0.95) <= 3 * 0.011


@pytest.mark.slow
def test_subsampling_coverage_knn():
    # KSG-1 on 1-D Gaussians (bias << SE at N = 1000, I = 0.5) with half-sampling over 150 data
    # sets; Monte-Carlo SE of a 0.95 coverage over 150 sets: 0.018.
    n, mi, hits = 1000, 0.5, 0
    for seed in range(150):
        X, Y, true_mi = correlated_gaussians(n, mi, random_state=1000 + seed)
        res = bootstrap_ci(KSGMI(n_jobs=1), X, Y, n_resamples=100, random_state=seed,
                           progress=False)
        hits += res.low <= true_mi <= res.high
    print(f"subsampling coverage of the true MI by KSG intervals: {hits / 150:.3f}")
    assert abs(hits / 150 - 0.95) <= 3 * 0.018


@pytest.mark.slow
def test_permutation_test_size():
    # under independence P(p <= 0.05) <= 0.05 (exactly 0.05 with 19 permutations): 400 sets,
    # Monte-Carlo SE 0.011
    rejections = 0
    for seed in range(400):
        rng = np.random.default_rng(seed)
        X, Y = rng.normal(size=(200, 2)), rng.normal(size=(200, 1))
        rejections += permutation_test(GaussianMI(), X, Y, n_permutations=19,
                                       random_state=seed, progress=False).pvalue <= 0.05
    print(f"permutation test size at 0.05: {rejections / 400:.3f}")
    assert abs(rejections / 400 - 0.05) <= 3 * 0.011


def test_permutation_same_seed_same_result():
    X, Y, _ = correlated_gaussians(100, 0.05, random_state=8)
    a = permutation_test(GaussianMI(), X, Y, n_permutations=30, random_state=1, progress=False)
    b = permutation_test(GaussianMI(), X, Y, n_permutations=30, random_state=1, progress=False)
    assert isinstance(a, PermutationResult)
    np.testing.assert_array_equal(a.null_distribution, b.null_distribution)
    assert a.pvalue == b.pvalue


def test_permutation_small_pvalue_under_dependence():
    X, Y, _ = correlated_gaussians(300, 0.3, random_state=9)
    res = permutation_test(GaussianMI(), X, Y, n_permutations=99, random_state=0, progress=False)
    assert res.pvalue == pytest.approx(1 / 100)
    assert res.statistic > res.null_distribution.max()


def test_permutation_pvalues_uniform_under_independence():
    pvalues = []
    for seed in range(60):
        rng = np.random.default_rng(seed)
        X, Y = rng.normal(size=(100, 1)), rng.normal(size=(100, 1))
        pvalues.append(permutation_test(GaussianMI(), X, Y, n_permutations=49,
                                        random_state=seed, progress=False).pvalue)
    pvalues = np.array(pvalues)
    # valid p-values: P(p <= a) <= a; with 60 draws, not concentrated near 0 or 1
    assert stats.kstest(pvalues, "uniform").pvalue > 1e-3
    assert np.mean(pvalues <= 0.1) < 0.25


def test_permutation_ties_count_as_extreme():
    # y independent of a constant-per-block x: permuting often reproduces the statistic exactly
    x = np.repeat([0, 1], 4)
    y = np.tile([0, 1], 4)
    res = permutation_test(DiscreteEntropy(), x, y, n_permutations=19, random_state=0,
                           progress=False)
    # DiscreteEntropy ignores y: every permuted value ties with the statistic, p = 1
    assert res.pvalue == 1.0


# -- bad input ---------------------------------------------------------------------------------


X0, Y0 = np.random.default_rng(0).normal(size=(20, 1)), np.random.default_rng(1).normal(size=20)


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        (dict(n_resamples=1), ValueError, r"n_resamples must be >= 2, got 1"),
        (dict(n_resamples=0), ValueError, r"n_resamples must be >= 2, got 0"),
        (dict(n_resamples=10.0), TypeError, r"n_resamples must be an int, got 10.0"),
        (dict(confidence=1.0), ValueError, r"confidence must be < 1, got 1.0"),
        (dict(confidence=0), ValueError, r"confidence must be > 0, got 0"),
        (dict(method="bca"), ValueError, r"method must be one of 'percentile', 'basic', got 'bca'"),
        (dict(scheme="jackknife"), ValueError, r"scheme must be one of 'auto', 'bootstrap', "),
        (dict(scheme="subsampling", subsample_size=20), ValueError,
         r"subsample_size must be <= 19, got 20"),
        (dict(scheme="subsampling", subsample_size=1), ValueError,
         r"subsample_size must be >= 2, got 1"),
        (dict(subsample_size=5), ValueError, r"subsample_size is only used with scheme="),
        (dict(progress="yes"), TypeError, r"progress must be a bool, got 'yes'"),
        (dict(random_state="x"), TypeError, r"random_state must be None, an int"),
    ],
)
def test_bootstrap_bad_parameters(kwargs, err, match):
    with pytest.raises(err, match=match):
        bootstrap_ci(GaussianMI(), X0, Y0, **kwargs)


def test_bad_estimator():
    for f in (bootstrap_ci, permutation_test):
        with pytest.raises(TypeError, match=r"estimator must be an estimator with a fit\(X, y\) "
                                            r"method .*got 'GaussianMI' \(str\)"):
            f("GaussianMI", X0, Y0)


def test_length_mismatch():
    for f in (bootstrap_ci, permutation_test):
        with pytest.raises(ValueError, match=r"X and y must have the same number of samples: "
                                             r"X has 20 \(shape=\(20, 1\)\), y has shape \(19,\)"):
            f(GaussianMI(), X0, Y0[:19])


def test_permutation_bad_input():
    with pytest.raises(ValueError, match=r"y is None: permutation_test needs the second variable"):
        permutation_test(GaussianMI(), X0, None)
    with pytest.raises(ValueError, match=r"n_permutations must be >= 1, got 0"):
        permutation_test(GaussianMI(), X0, Y0, n_permutations=0)
    X_nan = X0.copy()
    X_nan[3, 0] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN and 0 inf"):
        permutation_test(GaussianMI(), X_nan, Y0)
