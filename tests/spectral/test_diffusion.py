"""Diffusion spectral entropy and MI: closed forms, the reference package, properties, bad input.

Reference values quoted for DSE (6.787779238670341 bits at N = 500, ...) come from a
"seeded 10-cluster" generator that is not published with them; we could not reproduce it
(sklearn ``make_blobs`` with seeds 0/1/42 and several NumPy generators give 6.75–6.80 bits), so
the reference tests compare with the installed ``dse-dsmi`` on the same seeded data instead.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from infotheory import MemoryBudgetError
from infotheory._kernels import spectral as kern
from infotheory.spectral import BandwidthWarning, DiffusionSpectralEntropy, DiffusionSpectralMI
from infotheory.spectral import diffusion as diffusion_module


def blobs(n, seed=0, d=64):
    return make_blobs(n_samples=n, n_features=d, centers=10, random_state=seed)


@pytest.fixture(scope="module")
def data500():
    return blobs(500)


def dense_reference_dse(X, sigma, t):
    """Slow, readable DSE in nats: explicit matrices, as in the paper."""
    D2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    G = np.exp(-D2 / (2 * sigma**2))
    Dm = np.diag(1 / np.sqrt(G.sum(1)))
    lam = np.abs(np.linalg.eigvals(Dm @ G @ Dm).real) ** t
    a = lam / lam.sum()
    a = a[a > 0]
    return float(-(a * np.log(a)).sum())


# -- closed forms --------------------------------------------------------------------------


def test_small_sigma_gives_log_n():
    # all pairwise distances are >= ~0.5 while sigma = 1e-3: G = I up to exp(-1e5), K = I
    X = np.random.default_rng(0).normal(size=(300, 6))
    with pytest.warns(BandwidthWarning, match=r"within 5% of its maximum .* times smaller"):
        est = DiffusionSpectralEntropy(bandwidth=1e-3).fit(X)
    assert est.entropy_ == pytest.approx(math.log(300), abs=1e-10)


def test_large_sigma_gives_zero():
    # |x_i - x_j|^2 / (2 sigma^2) <= ~1e-10: K is rank one up to 1e-10, DSE <= n * 1e-10 * 25
    X = np.random.default_rng(1).normal(size=(300, 6))
    with pytest.warns(BandwidthWarning, match=r"within 5% of its minimum .* times larger"):
        est = DiffusionSpectralEntropy(bandwidth=1e6).fit(X)
    assert 0 <= est.entropy_ < 1e-6


@pytest.mark.parametrize("c", [2, 5])
def test_separated_identical_clusters_large_t_gives_log_c(c):
    # c translated copies of one small cloud, far apart: K is block diagonal with c identical
    # blocks of top eigenvalue 1; the others are <= 0.2, so at t = 40 they weigh < 0.2^40
    cloud = np.random.default_rng(2).normal(scale=0.1, size=(40, 3))
    X = np.vstack([cloud + 1000.0 * i for i in range(c)])
    dse = DiffusionSpectralEntropy(bandwidth=1.0, t=40).fit(X)
    assert dse.eigenvalues_[c] < 0.2
    assert dse.entropy_ == pytest.approx(math.log(c), abs=1e-12)


def test_matches_slow_dense_implementation():
    X = np.random.default_rng(3).normal(size=(120, 4))
    for t in (1, 2.5):
        ours = DiffusionSpectralEntropy(bandwidth=1.5, t=t).fit(X).entropy_
        assert ours == pytest.approx(dense_reference_dse(X, 1.5, t), abs=1e-10)


def test_base_two_is_bits(data500):
    X, _ = data500
    nats = DiffusionSpectralEntropy().fit(X).entropy_
    assert DiffusionSpectralEntropy(base=2).fit(X).entropy_ == pytest.approx(
        nats / math.log(2), rel=1e-14
    )


# -- the reference package ------------------------------------------------------------------


@pytest.mark.parametrize("t", [1, 5])
def test_dse_matches_dse_dsmi(data500, t):
    dse_dsmi = pytest.importorskip("dse_dsmi")
    X, _ = data500
    ref = dse_dsmi.diffusion_spectral_entropy(X, gaussian_kernel_sigma=10, t=t)
    ours = DiffusionSpectralEntropy(bandwidth=10.0, t=t, base=2).fit(X).entropy_
    assert ours == pytest.approx(ref, abs=1e-8)


def test_dse_subsampling_matches_dse_dsmi():
    dse_dsmi = pytest.importorskip("dse_dsmi")
    X, _ = blobs(700, seed=4)
    ref = dse_dsmi.diffusion_spectral_entropy(X, max_N=400, random_seed=3)
    est = DiffusionSpectralEntropy(max_samples=400, random_state=3, base=2).fit(X)
    assert est.n_samples_used_ == 400
    assert est.entropy_ == pytest.approx(ref, abs=1e-8)


def _reference_dsmi(Z, Y, seed):
    dse_dsmi = pytest.importorskip("dse_dsmi")
    return dse_dsmi.diffusion_spectral_mutual_information(Z, Y, random_seed=seed)[0]


def test_dsmi_labels_match_dse_dsmi(data500):
    X, y = data500
    ours = DiffusionSpectralMI(reference=True, random_state=0, base=2).fit(X, y)
    assert ours.mutual_info_ == pytest.approx(_reference_dsmi(X, y, 0), abs=1e-8)


def test_dsmi_continuous_scalar_matches_dse_dsmi(data500):
    X, _ = data500
    y = X[:, 0] + np.random.default_rng(0).normal(size=len(X))
    ours = DiffusionSpectralMI(reference=True, random_state=3, base=2).fit(X, y)
    assert len(np.unique(ours.groups_)) == 10
    assert ours.mutual_info_ == pytest.approx(_reference_dsmi(X, y, 3), abs=1e-8)


def test_dsmi_continuous_vector_matches_dse_dsmi(data500):
    X, _ = data500
    # weakly related noise: its kNN graph is connected, so spectral clustering is well posed
    Y = 0.05 * X[:, :5] + np.random.default_rng(1).normal(size=(len(X), 5))
    ours = DiffusionSpectralMI(reference=True, random_state=7, base=2).fit(X, Y)
    assert ours.mutual_info_ == pytest.approx(_reference_dsmi(X, Y, 7), abs=1e-8)


# -- properties -----------------------------------------------------------------------------


def test_bounds_zero_to_log_n():
    rng = np.random.default_rng(5)
    for sigma in (0.3, 1.0, 3.0):
        X = rng.normal(size=(80, 3))
        h = DiffusionSpectralEntropy(bandwidth=sigma).fit(X).entropy_
        assert 0.0 <= h <= math.log(80) + 1e-12


def test_invariant_to_rotation_translation_and_permutation(data500):
    X, _ = data500
    rng = np.random.default_rng(6)
    Q, _ = np.linalg.qr(rng.normal(size=(64, 64)))
    h = DiffusionSpectralEntropy().fit(X).entropy_
    assert DiffusionSpectralEntropy().fit(X @ Q + 5.0).entropy_ == pytest.approx(h, abs=1e-10)
    assert DiffusionSpectralEntropy().fit(X[rng.permutation(500)]).entropy_ == pytest.approx(
        h, abs=1e-10
    )


def test_fixed_sigma_misleads_on_small_scale_data_median_does_not(data500):
    X, _ = data500
    small = X * 1e-3  # all distances << bandwidth = 10
    with pytest.warns(BandwidthWarning, match=r"the result reflects the scale of X"):
        assert DiffusionSpectralEntropy(bandwidth=10.0).fit(small).entropy_ < 1e-3
    med = DiffusionSpectralEntropy(bandwidth="median")
    h_small = med.fit(small).entropy_
    sigma_small = med.bandwidth_
    h = med.fit(X).entropy_
    assert h > 1.0  # the 10 clusters are seen
    assert h_small == pytest.approx(h, abs=1e-9)  # scale-free
    assert sigma_small == pytest.approx(1e-3 * med.bandwidth_, rel=1e-12)


def test_median_sigma_definition():
    X = np.array([[0.0], [1.0], [3.0]])  # distances 1, 2, 3
    assert DiffusionSpectralEntropy(bandwidth="median").fit(X).bandwidth_ == pytest.approx(2.0)


def test_entropy_decreases_with_t(data500):
    X, _ = data500
    hs = [DiffusionSpectralEntropy(t=t).fit(X).entropy_ for t in (1, 2, 5, 20)]
    assert all(a > b for a, b in zip(hs, hs[1:]))


# -- scalable path --------------------------------------------------------------------------


def _close_to_exact(X, est):
    exact = DiffusionSpectralEntropy(method="exact").fit(X).entropy_
    est.fit(X)
    assert est.method_ == "slq"
    # the spec's 1 %, and the reported standard error must account for the difference
    assert abs(est.entropy_ - exact) < 0.01 * exact
    assert abs(est.entropy_ - exact) < 5 * est.standard_error_ + 1e-3 * exact


def test_slq_knn_within_one_percent_at_3000():
    X, _ = blobs(3000)
    est = DiffusionSpectralEntropy(method="slq", random_state=0)
    _close_to_exact(X, est)
    assert est.knn_ is not None  # 10 clusters of 300: the sparse kernel covers the mass


def test_slq_matrix_free_within_one_percent():
    X, _ = blobs(1000, seed=1)
    _close_to_exact(X, DiffusionSpectralEntropy(method="slq", knn=None, random_state=1))


@pytest.mark.slow
def test_slq_matrix_free_within_one_percent_at_3000():
    X, _ = blobs(3000)
    _close_to_exact(X, DiffusionSpectralEntropy(method="slq", knn=None, random_state=2))


@pytest.mark.parametrize("knn", [None, 5])
def test_slq_small_sigma_gives_log_n_exactly(knn):
    # K = I: every probe's quadrature is exact, so SLQ has no error at all
    X = np.random.default_rng(0).normal(size=(300, 6))
    with pytest.warns(BandwidthWarning):
        est = DiffusionSpectralEntropy(bandwidth=1e-3, method="slq", knn=knn,
                                       random_state=0).fit(X)
    assert est.entropy_ == pytest.approx(math.log(300), abs=1e-10)
    assert est.standard_error_ < 1e-10


def test_slq_t_not_one():
    X, _ = blobs(1000, seed=2)
    exact = DiffusionSpectralEntropy(method="exact", t=3).fit(X).entropy_
    est = DiffusionSpectralEntropy(method="slq", t=3, knn=None, random_state=0).fit(X)
    assert abs(est.entropy_ - exact) < 0.01 * exact


def test_slq_reproducible_with_seed(data500):
    X, _ = data500
    a = DiffusionSpectralEntropy(method="slq", random_state=4).fit(X)
    b = DiffusionSpectralEntropy(method="slq", random_state=4).fit(X)
    assert a.entropy_ == b.entropy_ and a.standard_error_ == b.standard_error_ > 0


def test_auto_method_threshold(monkeypatch, data500):
    X, _ = data500
    assert DiffusionSpectralEntropy().fit(X).method_ == "exact"
    monkeypatch.setattr(diffusion_module, "AUTO_EXACT_MAX", 100)
    assert DiffusionSpectralEntropy(random_state=0).fit(X).method_ == "slq"


def test_knn_kernel_is_exact_when_it_keeps_everything():
    X = np.random.default_rng(8).normal(size=(60, 3))
    G, deg = kern.knn_diffusion_kernel(X, 1.3, 59)
    Gd = np.exp(-((X[:, None] - X[None]) ** 2).sum(-1) / (2 * 1.3**2))
    np.testing.assert_allclose(G.toarray(), Gd, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(deg, Gd.sum(1), rtol=1e-12)


def test_jax_matches_numpy():
    pytest.importorskip("jax")
    X, _ = blobs(400, seed=3)
    for method in ("exact", "slq"):
        kw = dict(method=method, knn=None, random_state=5)
        a = DiffusionSpectralEntropy(backend="numba", **kw).fit(X).entropy_
        b = DiffusionSpectralEntropy(backend="jax", **kw).fit(X).entropy_
        assert a == pytest.approx(b, abs=1e-10)


# -- DSMI -----------------------------------------------------------------------------------


def test_dsmi_one_group_is_zero_and_singletons_give_dse(data500):
    X, _ = data500
    one = DiffusionSpectralMI().fit(X, np.zeros(500, dtype=int))
    assert one.mutual_info_ == pytest.approx(0.0, abs=1e-12)
    single = DiffusionSpectralMI().fit(X, groups=np.arange(500))
    assert single.mutual_info_ == pytest.approx(DiffusionSpectralEntropy().fit(X).entropy_,
                                                abs=1e-12)


def test_dsmi_bounds(data500):
    X, y = data500
    y = y % 3
    n_y = np.bincount(y)
    cap = float(np.dot(n_y / 500, np.log(n_y)))
    plain = DiffusionSpectralMI().fit(X, y)
    h = DiffusionSpectralEntropy().fit(X).entropy_
    assert h - cap - 1e-12 <= plain.mutual_info_ <= h + 1e-12
    ref = DiffusionSpectralMI(reference=True, random_state=0).fit(X, y)
    assert abs(ref.mutual_info_) <= cap


def test_dsmi_labels_determined_by_z():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(4), 50)
    Z = 20.0 * y[:, None] + rng.normal(size=(200, 3))
    mi = DiffusionSpectralMI(bandwidth=2.0).fit(Z, y)
    assert mi.mutual_info_ > 0.9 * math.log(4)


def test_dsmi_independent_labels_zero_in_expectation():
    # Z without structure, labels drawn independently: each reference-form value is a
    # difference of DSEs at equal sample sizes, mean 0; the mean over 12 draws must lie within
    # 3 standard errors of 0
    rng = np.random.default_rng(9)
    Z = rng.normal(size=(240, 3))
    vals = [DiffusionSpectralMI(bandwidth=1.0, reference=True, random_state=s)
            .fit(Z, rng.integers(0, 3, 240)).mutual_info_ for s in range(12)]
    assert abs(np.mean(vals)) < 3 * np.std(vals, ddof=1) / math.sqrt(12)


def test_dsmi_invariances(data500):
    X, y = data500
    rng = np.random.default_rng(10)
    base = DiffusionSpectralMI().fit(X, y).mutual_info_
    perm = rng.permutation(500)
    Q, _ = np.linalg.qr(rng.normal(size=(64, 64)))
    renamed = np.array(["abcdefghij"[i] for i in (9 - y)])
    assert DiffusionSpectralMI().fit(X[perm], y[perm]).mutual_info_ == pytest.approx(base,
                                                                                  abs=1e-10)
    assert DiffusionSpectralMI().fit(X @ Q, y).mutual_info_ == pytest.approx(base, abs=1e-10)
    assert DiffusionSpectralMI().fit(X, renamed).mutual_info_ == pytest.approx(base, abs=1e-10)
    assert DiffusionSpectralMI().fit(X, None, groups=y).mutual_info_ == pytest.approx(
        base, abs=1e-12)


def test_dsmi_attributes(data500):
    X, y = data500
    mi = DiffusionSpectralMI(base=2).fit(X, y)
    assert mi.mutual_info_ == pytest.approx(mi.entropy_ - mi.conditional_entropy_, abs=1e-12)
    assert mi.groups_.shape == (500,) and mi.bandwidth_ == 10.0
    assert mi.score(X, y) == pytest.approx(mi.mutual_info_, abs=1e-12)


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"bandwidth": -1.0}, ValueError, r"bandwidth must be > 0, got -1.0"),
        ({"bandwidth": "mean"}, ValueError,
         r"bandwidth must be a real number > 0 or 'median', got 'mean'"),
        ({"bandwidth": float("inf")}, ValueError, r"bandwidth must be a finite number"),
        ({"t": 0}, ValueError, r"t must be > 0, got 0"),
        ({"t": "1"}, TypeError, r"t must be a real number, got '1'"),
        ({"method": "lanczos"}, ValueError, r"method must be one of 'auto', 'exact', 'slq'"),
        ({"max_samples": 0}, ValueError, r"max_samples must be >= 1, got 0"),
        ({"knn": 0}, ValueError, r"knn must be >= 1, got 0"),
        ({"knn": "all"}, ValueError, r"knn must be 'auto', an int >= 1 or None, got 'all'"),
        ({"n_probes": 1}, ValueError, r"n_probes must be >= 2, got 1"),
        ({"lanczos_steps": 2.5}, TypeError, r"lanczos_steps must be an int, got 2.5"),
        ({"backend": "torch"}, ValueError, r"backend must be one of 'auto', 'numba', 'jax'"),
        ({"max_memory": "lots"}, ValueError, r"max_memory must be a positive number of bytes"),
        ({"random_state": "x"}, TypeError, r"random_state must be None, an int"),
        ({"base": 1}, ValueError, r"base must be > 0 and != 1"),
    ],
)
def test_bad_parameters(params, exc, match):
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(exc, match=match):
        DiffusionSpectralEntropy(**params).fit(X)


@pytest.mark.parametrize(
    ("X", "exc", "match"),
    [
        (np.array([[0.0, np.nan], [1.0, 2.0]]), ValueError, r"X contains 1 NaN and 0 inf"),
        (np.array([[0.0, np.inf], [1.0, 2.0]]), ValueError, r"X contains 0 NaN and 1 inf"),
        (np.zeros((2, 2, 2)), ValueError, r"X must be 1-D or 2-D .* got a 3-D array"),
        (np.zeros((0, 3)), ValueError, r"X is empty: found array with 0 sample"),
        (np.array([["a", "b"], ["c", "d"]]), TypeError, r"X must be numeric"),
    ],
)
def test_bad_X(X, exc, match):
    with pytest.raises(exc, match=match):
        DiffusionSpectralEntropy().fit(X)


def test_median_sigma_needs_two_distinct_points():
    with pytest.raises(ValueError, match=r"bandwidth='median' needs at least 2 samples"):
        DiffusionSpectralEntropy(bandwidth="median").fit(np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"bandwidth='median' gives 0"):
        DiffusionSpectralEntropy(bandwidth="median").fit(np.ones((5, 2)))


def test_memory_budget_raises_before_allocating(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("the kernel was allocated")

    monkeypatch.setattr(kern, "diffusion_kernel_dense", forbidden)
    X = np.random.default_rng(0).normal(size=(2000, 3))  # 2000^2 * 8 B = 32 MB
    with pytest.raises(MemoryBudgetError, match=r"2000 x 2000 diffusion kernel .* 32.0 MB, "
                       r"more than max_memory=10.0 MB\. Use method='slq'"):
        DiffusionSpectralEntropy(method="exact", max_memory="10MB").fit(X)
    with pytest.raises(MemoryBudgetError, match=r"Lanczos basis .* fewer n_probes"):
        DiffusionSpectralEntropy(method="slq", knn=None, max_memory="1MB").fit(X)


def test_jax_rejects_explicit_knn():
    pytest.importorskip("jax")
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(ValueError, match=r"knn=5 is not available with backend='jax'"):
        DiffusionSpectralEntropy(method="slq", knn=5, backend="jax").fit(X)


@pytest.mark.parametrize(
    ("y", "groups", "exc", "match"),
    [
        (None, None, ValueError, r"DiffusionSpectralMI requires y to be passed"),
        (np.zeros(19, dtype=int), None, ValueError,
         r"y must have one label per sample: expected 20, got 19"),
        (np.r_[np.nan, np.zeros(19)], None, ValueError, r"y contains 1 NaN and 0 inf"),
        (np.zeros(19), None, ValueError, r"X and y must have the same number of samples"),
        (None, np.zeros(3, dtype=int), ValueError,
         r"groups must have one label per sample: expected 20, got 3"),
        (np.zeros((20, 2, 2)), None, ValueError, r"y must be 1-D or 2-D"),
    ],
)
def test_dsmi_bad_y(y, groups, exc, match):
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(exc, match=match):
        DiffusionSpectralMI().fit(X, y, groups=groups)


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"reference": "yes"}, TypeError, r"reference must be a bool, got 'yes'"),
        ({"n_repetitions": 0}, ValueError, r"n_repetitions must be >= 1, got 0"),
        ({"n_clusters": 0}, ValueError, r"n_clusters must be >= 1, got 0"),
        ({"progress": 1}, TypeError, r"progress must be a bool, got 1"),
    ],
)
def test_dsmi_bad_parameters(params, exc, match):
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(exc, match=match):
        DiffusionSpectralMI(**params).fit(X, np.zeros(20, dtype=int))


# -- the scale warning ----------------------------------------------------------------------


def test_scale_warning_does_not_fire_where_the_bandwidth_fits_the_data(data500):
    X, _ = data500
    h = DiffusionSpectralEntropy(bandwidth="median").fit(X).bandwidth_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for bw in (h, h / 4, 4 * h):  # within a factor 10 of the median distance
            DiffusionSpectralEntropy(bandwidth=bw).fit(X)
        DiffusionSpectralEntropy(bandwidth="median").fit(X * 1e-3)  # scale-free: never warns


def test_scale_warning_needs_both_the_bound_and_the_far_bandwidth():
    # two points far apart at a bandwidth of the order of their distance: DSE = log 2 exactly
    # (a bound), but the bandwidth is not far from the median distance, so no warning
    X = np.array([[0.0], [100.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = DiffusionSpectralEntropy(bandwidth=15.0).fit(X)
    assert est.entropy_ == pytest.approx(math.log(2), abs=1e-10)


def test_sigma_is_a_deprecated_alias_of_bandwidth(data500):
    X, y = data500
    new = DiffusionSpectralEntropy(bandwidth=20.0).fit(X)
    with pytest.warns(FutureWarning, match=r"`sigma` was renamed `bandwidth`"):
        old = DiffusionSpectralEntropy(sigma=20.0).fit(X)
    assert old.entropy_ == new.entropy_
    with pytest.warns(FutureWarning, match=r"sigma_ was renamed bandwidth_"):
        assert old.sigma_ == 20.0
    with pytest.warns(FutureWarning, match=r"`sigma` was renamed `bandwidth`"):
        mi = DiffusionSpectralMI(sigma=20.0, progress=False).fit(X, y)
    assert mi.mutual_info_ == DiffusionSpectralMI(bandwidth=20.0, progress=False).fit(
        X, y).mutual_info_


def test_dsmi_scale_warning_on_its_unconditional_term(data500):
    X, y = data500
    with pytest.warns(BandwidthWarning, match=r"DSE\(Z\) \(nats\), the unconditional term"):
        DiffusionSpectralMI(bandwidth=1e6, progress=False).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DiffusionSpectralMI(bandwidth=20.0, progress=False).fit(X, y)


def test_two_stage_eigensolver_matches_scipy():
    # the 2-stage LAPACK reduction (large exact DSE) gives scipy's eigenvalues to rounding
    from infotheory._kernels.linalg import eigvalsh_2stage

    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 8))
    K = kern.diffusion_kernel_dense(X, 2.0)
    ref = kern.eigvalsh_inplace(K.copy(), "ev")
    for lam in (kern.eigvalsh_inplace(K.copy(), "2stage"), kern.eigvalsh_inplace(K.copy())):
        np.testing.assert_allclose(np.sort(lam), np.sort(ref), rtol=0, atol=1e-13)
    assert eigvalsh_2stage(K[::2, ::2]) is None  # not contiguous: declined, K untouched
    if eigvalsh_2stage(K.copy()) is None:
        pytest.skip("dsyevd_2stage not found in this scipy build (scipy's 'ev' is used)")
