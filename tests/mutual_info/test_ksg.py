"""KSGMI: closed forms, sklearn and NPEET on the same data, properties, bias warning, bad input."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_regression
from sklearn.feature_selection._mutual_info import _compute_mi_cc

from infotheory.datasets import correlated_gaussians, monotone_transform
from infotheory.mutual_info import KSGMI, KNNBiasWarning
from infotheory.mutual_info._diagnostics import DiscreteInputWarning


def _sklearn_prepared(x, y, seed):
    """Scale and jitter exactly as mutual_info_regression does (same RandomState stream)."""
    rng = np.random.RandomState(seed)
    x = x / x.std()
    x = x + 1e-10 * max(1.0, np.abs(x).mean()) * rng.standard_normal(x.size)
    y = y / y.std()
    y = y + 1e-10 * max(1.0, np.abs(y).mean()) * rng.standard_normal(y.size)
    return x, y


def _reference_ksg(X, Y, k, algorithm):
    """Slow, readable KSG with full distance matrices (small N only)."""
    dx = np.abs(X[:, None, :] - X[None, :, :]).max(-1)
    dy = np.abs(Y[:, None, :] - Y[None, :, :]).max(-1)
    dz = np.maximum(dx, dy)
    n = X.shape[0]
    np.fill_diagonal(dz, np.inf)
    order = np.argsort(dz, axis=1, kind="stable")[:, :k]
    eps = np.take_along_axis(dz, order, 1)[:, -1]
    off = ~np.eye(n, dtype=bool)
    if algorithm == 1:
        nx = ((dx < eps[:, None]) & off).sum(1)
        ny = ((dy < eps[:, None]) & off).sum(1)
        return digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))
    ex = np.take_along_axis(dx, order, 1).max(1)
    ey = np.take_along_axis(dy, order, 1).max(1)
    nx = ((dx <= ex[:, None]) & off).sum(1)
    ny = ((dy <= ey[:, None]) & off).sum(1)
    return digamma(k) - 1 / k + digamma(n) - np.mean(digamma(nx) + digamma(ny))


# -- closed form ----------------------------------------------------------------------------------

# Over 10 seeds at N = 5000 (k = 3) KSG-1 gave: d = 1: 0.509 +- 0.016 (MI 0.5), 2.022 +- 0.018
# (MI 2.0); d = 5 per side: 0.409 +- 0.013 and 1.593 +- 0.021. At d = 1 the bias is below one SD,
# so the tolerance is 0.07 (bias bound 0.02 + 3 SD). At d = 5 KSG is known to be biased low
# (Kraskov et al. 2004, Fig. 6; Gao et al. 2018): the check is one-sided, never above the truth
# by more than 3 SD and within the measured relative bias (< 20 %) minus 4 SD.
@pytest.mark.parametrize("mi", [0.5, 2.0])
@pytest.mark.parametrize("algorithm", [1, 2])
def test_closed_form_1d(mi, algorithm):
    X, Y, truth = correlated_gaussians(5000, mi, dim=1, random_state=10)
    got = KSGMI(algorithm=algorithm).fit(X, Y).mutual_info_
    assert got == pytest.approx(truth, abs=0.07)


@pytest.mark.parametrize("mi", [0.5, 2.0])
def test_closed_form_5d(mi):
    X, Y, truth = correlated_gaussians(5000, mi, dim=5, random_state=11)
    got = KSGMI(warn_bias=False).fit(X, Y).mutual_info_
    assert 0.7 * truth < got < truth + 0.07


def test_independent_is_near_zero():
    # SD over 10 seeds at N = 20 000: 0.0073 nats; 4 SD. KSG-1 is unbiased here (Kraskov 2004).
    X, Y, _ = correlated_gaussians(20_000, 0.0, dim=1, random_state=12)
    got = KSGMI().fit(X, Y).mutual_info_
    assert abs(got) < 0.03


# -- references -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("mi", [0.0, 0.3, 1.5])
def test_equals_sklearn_mutual_info_regression(seed, mi):
    X, Y, _ = correlated_gaussians(1500, mi, random_state=seed)
    x, y = _sklearn_prepared(X[:, 0], Y[:, 0], seed)
    ours = KSGMI(standardize=False, clip_negative=True, warn_bias=False).fit(x, y).mutual_info_
    theirs = mutual_info_regression(X, Y[:, 0], n_neighbors=3, random_state=seed)[0]
    assert ours == pytest.approx(theirs, abs=1e-10)
    assert ours == pytest.approx(_compute_mi_cc(x, y, 3), abs=1e-10)


def test_equals_sklearn_with_ties_in_marginals():
    # rounded data: many equal marginal distances, where strict counting matters
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(size=2000), 2)
    y = np.round(x + rng.normal(size=2000), 2)
    x, y = _sklearn_prepared(x, y, 3)
    ours = KSGMI(standardize=False, warn_bias=False, clip_negative=True).fit(x, y).mutual_info_
    assert ours == pytest.approx(_compute_mi_cc(x, y, 3), abs=1e-10)


@pytest.mark.parametrize("algorithm", [1, 2])
@pytest.mark.parametrize(("dx", "dy"), [(1, 1), (2, 3), (6, 7)])  # (6, 7): brute-force engine
def test_equals_direct_reference(algorithm, dx, dy):
    rng = np.random.default_rng(dx + dy)
    X = rng.normal(size=(300, dx))
    Y = X[:, :1] + rng.normal(size=(300, dy))
    ours = KSGMI(algorithm=algorithm, standardize=False, warn_bias=False).fit(X, Y).mutual_info_
    assert ours == pytest.approx(_reference_ksg(X, Y, 3, algorithm), abs=1e-10)


def test_equals_npeet_multivariate(monkeypatch):
    npeet = pytest.importorskip("npeet_plus.estimators")
    # NPEET jitters with the global RNG; switch that off so both see the same data
    monkeypatch.setattr(npeet, "add_noise", lambda x, intens=1e-10: x)
    X, Y, _ = correlated_gaussians(2000, 1.0, dim=3, random_state=4)
    ours = KSGMI(standardize=False, warn_bias=False).fit(X, Y).mutual_info_
    assert ours == pytest.approx(npeet.mi(X, Y, k=3, base=math.e), abs=1e-9)


# -- properties -----------------------------------------------------------------------------------


@settings(max_examples=5, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**16), mi=st.floats(0.0, 2.0), algorithm=st.sampled_from([1, 2]))
def test_symmetry(seed, mi, algorithm):
    X, Y, _ = correlated_gaussians(400, mi, dim=2, random_state=seed)
    a = KSGMI(algorithm=algorithm, warn_bias=False).fit(X, Y).mutual_info_
    b = KSGMI(algorithm=algorithm, warn_bias=False).fit(Y, X).mutual_info_
    assert a == pytest.approx(b, abs=1e-12)


@settings(max_examples=4, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**16), kind=st.sampled_from(["cube", "exp", "sinh"]))
def test_monotone_transform_invariance(seed, kind):
    # KSG is invariant only in expectation (the neighbourhoods change). At N = 3000, MI = 1 the
    # SD of the estimate is 0.017 and of the difference of the two estimates about 0.02:
    # 0.08 is 4 SD.
    X, Y, truth = correlated_gaussians(3000, 1.0, random_state=seed)
    a = KSGMI(warn_bias=False).fit(X, Y).mutual_info_
    b = KSGMI(warn_bias=False).fit(monotone_transform(X, kind), Y).mutual_info_
    assert b == pytest.approx(a, abs=0.08)


@settings(max_examples=5, deadline=None, derandomize=True)
@given(shift=st.floats(-50, 50), scale=st.floats(0.1, 10), seed=st.integers(0, 2**16))
def test_affine_invariance_with_standardize(shift, scale, seed):
    X, Y, _ = correlated_gaussians(500, 0.5, random_state=seed)
    a = KSGMI(warn_bias=False).fit(X, Y).mutual_info_
    b = KSGMI(warn_bias=False).fit(scale * X + shift, Y).mutual_info_
    assert b == pytest.approx(a, abs=0.05)  # exact up to ties in rounding; 0.05 >> their effect


# -- options --------------------------------------------------------------------------------------


def test_bias_at_20_dims_is_beyond_the_pairwise_bound():
    # d = 20 per side, true 4.46 nats spread over 20 pairs of 0.22 nats each; KSG returns ~1 at
    # N = 2000, above every pairwise bound: the valid check cannot see this bias (the
    # Gaussian-copula value, not a bound for vectors, used to be quoted as one)
    X, Y, truth = correlated_gaussians(2000, 4.46, dim=20, random_state=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = KSGMI().fit(X, Y).mutual_info_
    assert got < 0.5 * truth


def test_no_bias_warning_when_unbiased():
    X, Y, _ = correlated_gaussians(3000, 1.0, dim=1, random_state=6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KSGMI().fit(X, Y)


def test_clip_negative_and_bits():
    X, Y, _ = correlated_gaussians(500, 0.0, random_state=7)
    raw = KSGMI().fit(X, Y).mutual_info_
    assert KSGMI(clip_negative=True).fit(X, Y).mutual_info_ == max(0.0, raw)
    X, Y, _ = correlated_gaussians(500, 1.0, random_state=7)
    nats = KSGMI().fit(X, Y).mutual_info_
    assert KSGMI(base=2).fit(X, Y).mutual_info_ == pytest.approx(nats / math.log(2), rel=1e-12)


def test_noise_is_seeded_and_handles_repeats():
    rng = np.random.default_rng(8)
    x = rng.integers(0, 5, size=1000).astype(float)
    y = x + rng.integers(0, 2, size=1000)
    with pytest.warns(DiscreteInputWarning, match="like class labels"):
        with pytest.raises(ValueError, match=r"have k=3 or more exact duplicates.*noise=1e-10"):
            KSGMI().fit(x, y)
    with pytest.warns(DiscreteInputWarning, match="like class labels"):
        a = KSGMI(noise=1e-10, random_state=0).fit(x, y).mutual_info_
    with pytest.warns(DiscreteInputWarning, match="like class labels"):
        assert a == KSGMI(noise=1e-10, random_state=0).fit(x, y).mutual_info_
    assert np.isfinite(a)


def test_read_only_memmap(tmp_path):
    X, Y, _ = correlated_gaussians(400, 1.0, dim=2, random_state=9)
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "y.npy", Y)
    mx = np.load(tmp_path / "x.npy", mmap_mode="r")
    my = np.load(tmp_path / "y.npy", mmap_mode="r")
    assert KSGMI().fit(mx, my).mutual_info_ == KSGMI().fit(X, Y).mutual_info_


def test_n_jobs_gives_same_value_and_restores_threads():
    import numba

    X, Y, _ = correlated_gaussians(600, 1.0, dim=8, random_state=10)
    before = numba.get_num_threads()
    a = KSGMI(n_jobs=1, warn_bias=False).fit(X, Y).mutual_info_
    assert numba.get_num_threads() == before
    assert a == KSGMI(n_jobs=-1, warn_bias=False).fit(X, Y).mutual_info_


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "err", "match"),
    [
        ({"k": 0}, ValueError, "k must be >= 1, got 0"),
        ({"k": "3"}, TypeError, "k must be an int, got '3'"),
        ({"algorithm": 3}, ValueError, "algorithm must be one of 1, 2, got 3"),
        ({"noise": -1.0}, ValueError, "noise must be >= 0, got -1.0"),
        ({"noise": float("inf")}, ValueError, "noise must be a finite number"),
        ({"standardize": "yes"}, TypeError, "standardize must be a bool"),
        ({"clip_negative": 1}, TypeError, "clip_negative must be a bool"),
        ({"warn_bias": None}, TypeError, "warn_bias must be a bool"),
        ({"random_state": "a", "noise": 1e-10}, TypeError, "random_state must be None"),
        ({"base": -2}, ValueError, "base must be > 0"),
        ({"n_jobs": 0}, ValueError, "n_jobs must be a positive int"),
    ],
)
def test_invalid_params(params, err, match):
    X, Y, _ = correlated_gaussians(50, 0.5, random_state=0)
    with pytest.raises(err, match=match):
        KSGMI(**params).fit(X, Y)


@pytest.mark.parametrize(
    ("X", "y", "err", "match"),
    [
        (np.ones(10), None, ValueError, "KSGMI requires y to be passed"),
        (np.arange(10.0), np.arange(9.0), ValueError, "X and y must have the same number"),
        (np.array([0.0, np.inf, 2, 3, 4]), np.arange(5.0), ValueError, "X contains 0 NaN and 1"),
        (np.arange(5.0), np.array([np.nan] * 5), ValueError, "y contains 5 NaN"),
        (np.zeros((3, 2, 2)), np.arange(3.0), ValueError, "X must be 1-D or 2-D"),
        (np.zeros((0, 1)), np.zeros(0), ValueError, "X is empty"),
        (np.array(list("abcde")), np.arange(5.0), TypeError, "X must be numeric"),
        (np.arange(3.0), np.arange(3.0), ValueError, r"minimum of 4 is required by KSGMI \(k=3"),
    ],
)
def test_bad_arrays(X, y, err, match):
    with pytest.raises(err, match=match):
        KSGMI().fit(X, y)


# -- kernels --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["gaussian", "offset", "rounded", "tiny"])
def test_float32_prefilter_is_exact(kind):
    from infotheory._kernels import knn as K

    rng = np.random.default_rng(11)
    Z = rng.normal(size=(700, 12))
    if kind == "offset":
        Z = 1e6 + Z  # float32 cannot resolve these values: the margin must send them to float64
    elif kind == "rounded":
        Z = np.round(Z, 1)  # many tied distances
    elif kind == "tiny":
        Z = 1e-20 * Z
    ZT, margin = K._f32_copy(Z)
    d_ref, i_ref = K._knn_brute(Z, 4, True)
    # the symmetric kernel merges per-thread buffers by (distance, index): any number of buffer
    # sets must give the brute force's distances and indices, ties included
    for n_threads in (1, 2, 3):
        d_fast, i_fast = K._knn_cheb_f32_sym(Z, ZT, 4, margin, n_threads)
        np.testing.assert_array_equal(d_fast, d_ref)
        np.testing.assert_array_equal(i_fast, i_ref)
    r = d_ref[:, -1]
    X, Y = np.ascontiguousarray(Z[:, :5]), np.ascontiguousarray(Z[:, 5:])
    r_alt = K._extents(X, i_ref)  # KSG-2 radii: exactly at point distances in the marginal
    for strict in (True, False):
        np.testing.assert_array_equal(K._count_cheb_f32(Z, ZT, r, strict, 0, 12, margin),
                                      K._count_brute(Z, r, strict, True))
        np.testing.assert_array_equal(K._count_cheb_f32(Z, ZT, r, strict, 3, 9, margin),
                                      K._count_brute(np.ascontiguousarray(Z[:, 3:9]), r, strict,
                                                     True))
        for n_threads in (1, 2, 3):
            for rx, ry in ((r, r), (r_alt, r[::-1].copy())):
                nx, ny = K._count_xy_cheb_f32(Z, ZT, 5, rx, ry, strict, margin, n_threads)
                np.testing.assert_array_equal(nx, K._count_brute(X, rx, strict, True))
                np.testing.assert_array_equal(ny, K._count_brute(Y, ry, strict, True))


def test_count_marginals_dispatch_is_exact():
    # zero and infinite radii, and marginals that take the 1-D / KD-tree paths
    from infotheory._kernels import knn as K

    rng = np.random.default_rng(5)
    Z = np.round(rng.normal(size=(600, 9)), 1)
    rx = np.abs(rng.normal(size=600))
    rx[::7] = 0.0
    rx[::11] = np.inf
    ry = rx[::-1].copy()
    for dx in (1, 3, 4):
        X, Y = np.ascontiguousarray(Z[:, :dx]), np.ascontiguousarray(Z[:, dx:])
        for strict in (True, False):
            nx, ny = K.count_marginals(X, Y, rx, ry, strict=strict)
            np.testing.assert_array_equal(nx, K._count_brute(X, rx, strict, True))
            np.testing.assert_array_equal(ny, K._count_brute(Y, ry, strict, True))


def test_no_bias_warning_under_independence_small_n():
    # Near MI = 0 the copula standard error is tiny; the kNN estimate's own sampling noise must
    # enter the rule, or independent data would be flagged as "biased" (seen at N = 500).
    rng = np.random.default_rng(4)
    flagged = 0
    for _ in range(20):
        X, Y = rng.normal(size=(500, 1)), rng.normal(size=(500, 1))
        with warnings.catch_warnings():
            warnings.simplefilter("error", KNNBiasWarning)
            try:
                KSGMI().fit(X, Y)
            except KNNBiasWarning:
                flagged += 1
    assert flagged == 0


def _grid_cases():
    rng = np.random.default_rng(12)
    g = rng.normal(size=(1500, 2))
    return {
        "gaussian": g,
        "rounded": np.round(g, 1),  # many tied distances, ties at the k-th one
        "duplicates": np.repeat(g[:200], 4, axis=0),
        "constant column": np.c_[g[:, 0], np.full(1500, 3.0)],
        "fewer points than cells": g[:6],
        "clusters with empty cells between": np.r_[1e-3 * g[:750], 100.0 + 1e-3 * g[750:]],
        "skewed scales": np.c_[1e6 * g[:, 0], 1e-6 * g[:, 1]],
        "offset beyond float resolution": 1e8 + 1e-7 * g,
        "heavy tails": rng.standard_t(1, size=(1500, 2)),
        "integers": rng.integers(0, 5, size=(500, 2)).astype(float),
    }


@pytest.mark.parametrize("kind", list(_grid_cases()))
def test_grid_knn_and_binned_counts_are_exact(kind):
    # The grid kNN orders neighbours by (distance, index), as the brute force does, so both the
    # distances and the indices (KSG-2 uses them) must be identical, ties included.
    from infotheory._kernels import knn as K
    from infotheory._kernels import knn_grid as G

    Z = _grid_cases()[kind]
    for k in (1, 3, 4):
        d_grid, i_grid = G.grid_knn_2d(Z, k)
        d_ref, i_ref = K._knn_brute(np.ascontiguousarray(Z), k, True)
        np.testing.assert_array_equal(d_grid, d_ref)
        np.testing.assert_array_equal(i_grid, i_ref)
        # the k-th distance alone (KSG-1; a branch-free network, k = 3 in registers)
        np.testing.assert_array_equal(G.grid_kth_distance_2d(Z, k), d_ref[:, -1])
    rng = np.random.default_rng(3)
    for col in (0, 1):
        x = np.ascontiguousarray(Z[:, col])
        knn_radii = G.grid_knn_2d(Z, 3)[0][:, -1]  # the KSG radii: exactly at point distances
        wide = np.abs(rng.normal(size=x.size)) * (x.std() + 1.0)
        wide[::7] = 0.0
        wide[::11] = np.inf
        for radii in (knn_radii, wide):
            for strict in (True, False):
                np.testing.assert_array_equal(
                    G.count_sorted_1d(x, radii, strict),
                    K._count_brute(x[:, None].copy(), radii, strict, True))


def test_kth_distance_above_small_n_equals_the_brute_force():
    # Above SMALL_N points kth_distance takes the grid without indices; a 1-D-per-side KSG joint
    # space with ties (rounded values), heavy tails (outliers clamped into the border cells) and
    # data no grid fits (log-normal, far clusters of tiny spread: a KD-tree instead)
    from infotheory._kernels import knn as K

    rng = np.random.default_rng(21)
    n = K.SMALL_N + 1000
    x = rng.normal(size=n)
    lognormal = np.exp(3.0 * rng.normal(size=(n, 2)))  # no grid fits: the KD-tree fallback
    g = 1e-3 * rng.normal(size=(n, 2))
    clusters = np.r_[g[: n // 2], 100.0 + g[n // 2 :]]
    for Z in (np.c_[x, 0.9 * x + 0.3 * rng.normal(size=n)],
              np.round(np.c_[x, rng.normal(size=n)], 1),
              rng.standard_t(1, size=(n, 2)), lognormal, clusters):
        Z = np.ascontiguousarray(Z)
        for k in (5, 3):
            ref_d, ref_i = K._knn_brute(Z, k, True)
            np.testing.assert_array_equal(K.kth_distance(Z, k), ref_d[:, -1])
            np.testing.assert_array_equal(K.kth_distance(Z, k, n_jobs=2), ref_d[:, -1])
        d, i = K.knn(Z, 3)  # with indices (KSG-2): grid or tree, (distance, index) order
        np.testing.assert_array_equal(d, ref_d)
        np.testing.assert_array_equal(i, ref_i)
        for col in (0, 1):  # the 1-D counts at the KSG radii, binned or sorted
            x1 = np.ascontiguousarray(Z[:, col : col + 1])
            np.testing.assert_array_equal(K.count_within(x1, d[:, -1], strict=True),
                                          K._count_brute(x1, d[:, -1], True, True))


def test_n_jobs_has_scikit_learns_meaning():
    import numba
    from joblib import cpu_count, parallel_config

    from infotheory._kernels.knn import n_threads

    assert n_threads(None) == 1  # serial by default, as in scikit-learn
    assert n_threads(1) == 1
    assert n_threads(-1) == min(numba.config.NUMBA_NUM_THREADS, cpu_count())
    with parallel_config(n_jobs=2):
        assert n_threads(None) == min(2, numba.config.NUMBA_NUM_THREADS)


@pytest.mark.parametrize("kind", list(_grid_cases()))
def test_small_n_tree_paths_are_exact(kind):
    # Up to SMALL_N points the 2-D kNN and the 1-D counts take scipy's KD-tree (no numba kernel
    # to compile on a first call): the same distances, indices and counts, ties included.
    from infotheory._kernels import knn as K

    Z = np.ascontiguousarray(_grid_cases()[kind])
    assert Z.shape[0] <= K.SMALL_N
    for k in (1, 3):
        d_tree, i_tree = K.knn(Z, k)
        d_ref, i_ref = K._knn_brute(Z, k, True)
        np.testing.assert_array_equal(d_tree, d_ref)
        np.testing.assert_array_equal(i_tree, i_ref)
    rng = np.random.default_rng(3)
    for col in (0, 1):
        x = np.ascontiguousarray(Z[:, col : col + 1])
        wide = np.abs(rng.normal(size=x.shape[0])) * (x.std() + 1.0)
        wide[::7] = 0.0
        wide[::11] = np.inf
        for radii in (K.knn(Z, 3)[0][:, -1], wide):
            for strict in (True, False):
                for metric in ("chebyshev", "euclidean"):
                    np.testing.assert_array_equal(
                        K.count_within(x, radii, strict=strict, metric=metric),
                        K._count_brute(x, radii, strict, True))
    idx = K.knn(Z, 3)[1]
    np.testing.assert_array_equal(K.marginal_extents(Z, idx), K._extents(Z, idx))


def _cell_cases(n, rng):
    g = rng.normal(size=(n, 6))
    return {"gaussian": g, "rounded": np.round(g, 1),
            "duplicates": np.repeat(g[: n // 4], 4, axis=0), "offset": 1e6 + g,
            "skewed": g * np.array([1e3, 1.0, 1e-3, 1.0, 5.0, 0.2]),
            # heavy tails: outliers beyond the grid's quantiles sit in its border cells, and
            # points in sparse regions restart the kNN search with a larger box
            "cauchy": rng.standard_cauchy(size=(n, 6)), "lognormal": np.exp(2.0 * g),
            "integers": rng.integers(0, 4, size=(n, 6)).astype(float)}


@pytest.mark.parametrize("kind", list(_cell_cases(8, np.random.default_rng(0))))
def test_cell_lists_are_exact(kind, monkeypatch):
    # The cell lists (4-12 dimensions, large N) visit only the rows of cells near each point,
    # trimmed by binary search: distances, indices and counts must still equal the brute force,
    # ties included, on one thread and on two. Forced on at N = 600.
    from infotheory._kernels import knn as K

    monkeypatch.setattr(K, "CELLS_MIN_N", 0)
    rng = np.random.default_rng(21)
    Z = np.ascontiguousarray(_cell_cases(600, rng)[kind])
    for k in (1, 4):
        d_ref, i_ref = K._knn_brute(Z, k, True)
        for n_jobs in (None, 2):
            d_c, i_c = K.knn(Z, k, n_jobs=n_jobs)
            np.testing.assert_array_equal(d_c, d_ref)
            np.testing.assert_array_equal(i_c, i_ref)
    r = K._knn_brute(Z, 4, True)[0][:, -1]
    wide = np.abs(rng.normal(size=Z.shape[0])) * 3.0 * Z.std(axis=0).max()
    wide[::7] = 0.0
    wide[::11] = np.inf
    wide[::13] = -1.0
    X = np.ascontiguousarray(Z[:, :4])
    for radii in (r, wide, K._extents(X, K._knn_brute(Z, 3, True)[1])):
        for strict in (True, False):
            for n_jobs in (None, 2):
                np.testing.assert_array_equal(K.count_within(Z, radii, strict=strict,
                                                             n_jobs=n_jobs),
                                              K._count_brute(Z, radii, strict, True))
                np.testing.assert_array_equal(K.count_within(X, radii, strict=strict,
                                                             n_jobs=n_jobs),
                                              K._count_brute(X, radii, strict, True))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["gaussian", "rounded", "cauchy", "lognormal"])
def test_cell_lists_are_exact_at_the_dispatch_size(kind):
    # At CELLS_MIN_N points and above (the size the dispatch sends to the cell lists, many rows
    # of cells per query), a KSG joint space of 5 + 5 features and its 5-D marginal
    from infotheory._kernels import knn as K

    rng = np.random.default_rng(23)
    n = K.CELLS_MIN_N + 2000
    g = rng.normal(size=(n, 10))
    Z = np.ascontiguousarray({"gaussian": g, "rounded": np.round(g, 1),
                              "cauchy": rng.standard_cauchy(size=(n, 10)),
                              "lognormal": np.exp(2.0 * g)}[kind])
    # references: the symmetric float32-filtered brute force (equal to the float64 one, tested
    # above), 4x faster than the float64 scan at this size
    ZT32, margin = K._f32_copy(Z)
    d_ref, i_ref = K._knn_cheb_f32_sym(Z, ZT32, 3, margin, 2)
    for n_jobs in (None, 2):
        d_c, i_c = K.knn(Z, 3, n_jobs=n_jobs)
        np.testing.assert_array_equal(d_c, d_ref)
        np.testing.assert_array_equal(i_c, i_ref)
    X = np.ascontiguousarray(Z[:, :5])
    for radii, strict in ((d_ref[:, -1], True), (K._extents(X, i_ref), False)):
        ref = K._count_cheb_f32(Z, ZT32, radii, strict, 0, 5, margin)
        for n_jobs in (None, 2):
            np.testing.assert_array_equal(K.count_within(X, radii, strict=strict, n_jobs=n_jobs),
                                          ref)


def test_cell_lists_with_tiny_radii_and_a_far_point(monkeypatch):
    # radii far below the spread (near-duplicates plus one distant point): the cell count is
    # capped instead of overflowing, and the counts stay exact
    from infotheory._kernels import knn as K

    monkeypatch.setattr(K, "CELLS_MIN_N", 0)
    rng = np.random.default_rng(22)
    Z = np.ascontiguousarray(np.r_[1e-9 * rng.normal(size=(400, 5)), [[1e12] * 5]])
    radii = np.full(Z.shape[0], 1e-300)
    radii[::3] = 1e-9
    for strict in (True, False):
        np.testing.assert_array_equal(K.count_within(Z, radii, strict=strict),
                                      K._count_brute(Z, radii, strict, True))
    np.testing.assert_array_equal(K.knn(Z, 3)[0], K._knn_brute(Z, 3, True)[0])


def _first_call_cases(rng):
    g = rng.normal(size=(480, 40))
    return {"gaussian": g, "rounded": np.round(g, 1), "duplicates": np.repeat(g[:120], 4, axis=0),
            "offset": 1e6 + g, "tiny": 1e-200 * g, "huge": 1e200 * g}


@pytest.mark.parametrize("kind", list(_first_call_cases(np.random.default_rng(0))))
def test_first_call_engines_are_exact(kind, monkeypatch):
    # Before numba is set up in a process, small max-norm searches take the KD-tree kNN (up to
    # 12-D), cdist k-th distances (beyond) and cdist counts: the brute force's distances,
    # indices (ties broken by index) and counts.
    from infotheory._kernels import knn as K

    monkeypatch.setattr(K, "numba_set_up", lambda: False)
    monkeypatch.setattr(K, "NUMBA_SET_UP_S", math.inf)
    calls = []
    for name in ("_tree_knn_max_norm", "_kth_cdist", "_count_cdist"):
        original = getattr(K, name)
        monkeypatch.setattr(K, name, lambda *a, _f=original, _n=name: calls.append(_n) or _f(*a))
    rng = np.random.default_rng(31)
    Z = _first_call_cases(rng)[kind]
    for d in (5, 12):
        Zd = np.ascontiguousarray(Z[:, :d])
        for k in (1, 4):
            dist, idx = K.knn(Zd, k)
            d_ref, i_ref = K._knn_brute(Zd, k, True)
            np.testing.assert_array_equal(dist, d_ref)
            np.testing.assert_array_equal(idx, i_ref)
    for d in (16, 40):
        Zd = np.ascontiguousarray(Z[:, :d])
        for k in (1, 4):
            ref = K._knn_brute(Zd, k, True)[0][:, -1]
            np.testing.assert_array_equal(K.kth_distance(Zd, k), ref)
    d_ref, i_ref = K._knn_brute(np.ascontiguousarray(Z[:, :10]), 3, True)
    wide = np.abs(rng.normal(size=Z.shape[0])) * np.abs(Z).max()
    wide[::7], wide[::11], wide[::13] = 0.0, np.inf, -1.0
    for d in (4, 6, 12, 20):
        X = np.ascontiguousarray(Z[:, :d])
        # KSG-1 radii, KSG-2 radii (exactly at distances of points) and wide / 0 / inf / < 0
        for radii in (d_ref[:, -1], K._extents(X, i_ref), wide):
            for strict in (True, False):
                np.testing.assert_array_equal(K.count_within(X, radii, strict=strict),
                                              K._count_brute(X, radii, strict, True))
    assert calls.count("_tree_knn_max_norm") == 4 and calls.count("_kth_cdist") == 4
    assert calls.count("_count_cdist") == 24


def test_first_call_engines_give_way_to_numba(monkeypatch):
    # The first-call engines run while numba is not set up, within their time account and for
    # small enough searches; otherwise the numba engine does, with the same counts.
    from infotheory._kernels import knn as K

    calls = []
    original = K._count_cdist
    monkeypatch.setattr(K, "_count_cdist", lambda *a: calls.append(1) or original(*a))
    Z = np.random.default_rng(4).normal(size=(300, 6))
    radii = np.full(300, 0.8)
    ref = K._count_brute(Z, radii, True, True)

    def counted(set_up, spent, max_work=K.FIRST_CALL_MAX_WORK):
        monkeypatch.setattr(K, "numba_set_up", lambda: set_up)
        monkeypatch.setattr(K, "_first_call_seconds", spent)
        monkeypatch.setattr(K, "FIRST_CALL_MAX_WORK", max_work)
        before = len(calls)
        np.testing.assert_array_equal(K.count_within(Z, radii, strict=True), ref)
        return len(calls) - before

    assert counted(False, 0.0) == 1
    assert K._first_call_seconds > 0.0  # the call's time went to the account
    assert counted(False, K.NUMBA_SET_UP_S) == 0  # the account is spent
    assert counted(True, 0.0) == 0  # numba is set up already
    assert counted(False, 0.0, max_work=300.0 * 300 * 6 - 1) == 0  # too large a search


def test_first_ksg_call_in_a_process_does_not_set_numba_up():
    # A notebook's first KSG calls at 5 and 20 features per side and 2000 points pay neither
    # numba's set-up nor a compilation, and give the numba engines' values (this process's).
    import subprocess
    import sys

    from infotheory._kernels import knn as K

    code = (
        "from infotheory.datasets import correlated_gaussians\n"
        "from infotheory.mutual_info import KSGMI\n"
        "from infotheory._kernels import knn as K\n"
        # the time account is tested above; on a loaded machine these two fits could spend it
        "K.NUMBA_SET_UP_S = float('inf')\n"
        "for dim in (5, 20):\n"
        "    X, Y, _ = correlated_gaussians(2000, 1.0, dim=dim, random_state=0)\n"
        "    print(repr(KSGMI().fit(X, Y).mutual_info_))\n"
        "before = K.numba_set_up()\n"
        "K._count_brute(X[:50].copy(), X[:50, 0].copy(), True, True)\n"
        "print(before, K.numba_set_up())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[2:] == ["False", "True"]  # the marker turns True once any kernel has run
    X, Y, _ = correlated_gaussians(2000, 1.0, dim=5, random_state=0)
    K._count_brute(X[:50].copy(), X[:50, 0].copy(), True, True)
    assert K.numba_set_up()  # here the numba engines run
    for value, dim in zip(out[:2], (5, 20)):
        X, Y, _ = correlated_gaussians(2000, 1.0, dim=dim, random_state=0)
        assert float(value) == KSGMI().fit(X, Y).mutual_info_
