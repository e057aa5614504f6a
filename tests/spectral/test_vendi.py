"""VendiScore: closed forms, vendi-score agreement and its defects, properties, bad input."""

import math
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from infotheory import MemoryBudgetError, VendiScore
from infotheory.spectral import BandwidthWarning, renyi_entropy_of_spectrum

_vendi = pytest.importorskip("vendi_score.vendi")


class _Reference:
    """vendi-score's functions, with the warnings of its own code (deprecated scipy.sparse.csr
    namespace, divide by zero at q = inf) silenced: they are the reference's, not ours."""

    def __getattr__(self, name):
        fn = getattr(_vendi, name)

        def call(*args, **kwargs):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                return fn(*args, **kwargs)

        return call


vendi = _Reference()

# Eigenvalues of K/3 are {1.9, 0.1, 1}/3, so every order has a closed form.
K3 = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0], [0.0, 0.0, 1.0]])
K3_EXACT = {
    1.0: 2.1573004833739833,
    0.5: 2.420348357053285,
    2.0: 1.948051948051948,
    np.inf: 1.5789473684210527,
}


def _closed_form(q):
    lam = np.array([1.9, 1.0, 0.1]) / 3
    if q == 1:
        return math.exp(-(lam * np.log(lam)).sum())
    if math.isinf(q):
        return 1 / lam.max()
    return ((lam**q).sum()) ** (1 / (1 - q))


def _data(n=300, d=16, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d))


# -- closed forms -------------------------------------------------------------------------------


@pytest.mark.parametrize("q", list(K3_EXACT))
def test_design_values_precomputed(q):
    # 1e-12: a 3 x 3 symmetric eigensolve is accurate to a few ulps.
    vs = VendiScore(q=q, kernel="precomputed").fit(K3)
    assert vs.score_ == pytest.approx(K3_EXACT[q], rel=1e-12, abs=0)
    assert vs.score_ == pytest.approx(_closed_form(q), rel=1e-12, abs=0)
    assert vs.entropy_ == pytest.approx(math.log(K3_EXACT[q]), rel=1e-12, abs=0)
    assert vs.eigenvalues_ == pytest.approx(np.array([1.9, 1.0, 0.1]) / 3, abs=1e-15)
    assert vs.method_ == "kernel"


def test_q_zero_is_rank_and_float_inf_works():
    assert VendiScore(q=0, kernel="precomputed").fit(K3).score_ == pytest.approx(3.0, rel=1e-14)
    assert VendiScore(q=float("inf"), kernel="precomputed").fit(K3).score_ == pytest.approx(
        1.5789473684210527, rel=1e-12)


def test_renyi_entropy_large_order_does_not_underflow():
    # sum lam^500 underflows to 0 in float64; the log-sum-exp form gives the exact value.
    lam = np.array([0.5, 0.25, 0.25])
    q = 500.0
    expected = (q * math.log(0.5) + math.log1p(2 * 0.5**q)) / (1 - q)
    assert renyi_entropy_of_spectrum(lam, q) == pytest.approx(expected, rel=1e-12)


def test_orthogonal_points_cosine_gives_n():
    X = 3.0 * np.eye(7)
    for q in (0, 0.5, 1, 2, np.inf):
        assert VendiScore(q=q).fit(X).score_ == pytest.approx(7.0, rel=1e-12)


def test_copies_of_one_point_give_one():
    X = np.tile(np.array([[1.0, -2.0, 0.5]]), (50, 1))
    for kernel, extra in (("cosine", {}), ("linear", {}), ("rbf", {"bandwidth": 1.0})):
        for q in (0, 0.5, 1, 2, np.inf):
            vs = VendiScore(q=q, kernel=kernel, **extra).fit(X)
            assert vs.score_ == pytest.approx(1.0, abs=1e-12), (kernel, q)


def test_clusters_of_identical_items_counts_them():
    # 4 distinct orthogonal items with frequencies 1/2, 1/4, 1/8, 1/8: VS_q = exp(H_q(freqs)).
    freqs = np.array([0.5, 0.25, 0.125, 0.125])
    X = np.repeat(np.eye(4), (freqs * 64).astype(int), axis=0)
    for q in (0.5, 1, 2, np.inf):
        expected = math.exp(renyi_entropy_of_spectrum(freqs, q))
        assert VendiScore(q=q).fit(X).score_ == pytest.approx(expected, rel=1e-12)


# -- paths agree --------------------------------------------------------------------------------


@pytest.mark.parametrize("kernel", ["cosine", "linear"])
@pytest.mark.parametrize("q", [0, 0.5, 1, 2, np.inf])
def test_dual_equals_kernel_path(kernel, q):
    X = _data(200, 12) + 0.5
    a = VendiScore(q=q, kernel=kernel).fit(X)
    b = VendiScore(q=q, kernel=kernel, method="kernel").fit(X)
    assert (a.method_, b.method_) == ("dual", "kernel")
    assert a.score_ == pytest.approx(b.score_, rel=1e-10)


def test_auto_takes_kernel_path_when_d_at_least_n():
    assert VendiScore().fit(_data(20, 30)).method_ == "kernel"


def test_callable_kernel_equals_precomputed():
    X = _data(150, 5)

    def laplacian(A, B):
        return np.exp(-np.abs(A[:, None, :] - B[None, :, :]).sum(-1))

    a = VendiScore(q=2, kernel=laplacian).fit(X).score_
    b = VendiScore(q=2, kernel="precomputed").fit(laplacian(X, X)).score_
    assert a == pytest.approx(b, rel=1e-12)


def test_rbf_bandwidth_median_and_gamma():
    X = _data(100, 3)
    vs = VendiScore(kernel="rbf").fit(X)
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    h = np.median(D[np.triu_indices(100, 1)])
    assert vs.bandwidth_ == pytest.approx(h, rel=1e-12)
    K = np.exp(-(D**2) / (2 * h**2))
    assert vs.score_ == pytest.approx(VendiScore(kernel="precomputed").fit(K).score_, rel=1e-10)
    assert VendiScore().fit(X).bandwidth_ is None


# -- weights ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["dual", "kernel"])
def test_integer_weights_equal_repetition(method):
    rng = np.random.default_rng(3)
    X = _data(40, 6)
    w = rng.integers(0, 4, size=40)
    w[0] = 2
    a = VendiScore(q=2, method=method).fit(X, sample_weight=w).score_
    b = VendiScore(q=2, method=method).fit(np.repeat(X, w, axis=0)).score_
    assert a == pytest.approx(b, rel=1e-10)


def test_weights_on_approximation_paths_equal_repetition():
    X = _data(60, 3)
    w = np.random.default_rng(4).integers(1, 4, size=60)
    for method in ("nystroem", "rff"):
        est = VendiScore(kernel="rbf", bandwidth=1.0, method=method, n_components=30,
                         random_state=0)
        a = est.fit(X, sample_weight=w).score_
        if method == "nystroem":
            # Repetition changes which rows the landmarks are drawn from; with every point a
            # landmark the Nyström approximation is exact, so compare both with the exact value.
            exact = VendiScore(kernel="rbf", bandwidth=1.0).fit(X, sample_weight=w).score_
            full = VendiScore(kernel="rbf", bandwidth=1.0, method=method, n_components=60)
            assert full.fit(X, sample_weight=w).score_ == pytest.approx(exact, rel=1e-6)
        else:
            b = est.fit(np.repeat(X, w, axis=0)).score_
            assert a == pytest.approx(b, rel=1e-10)


def test_p_matches_reference_weighted_and_sample_weight():
    X = _data(50, 8)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    p = np.random.default_rng(5).dirichlet(np.ones(50))
    ref = vendi.score_K(Xn @ Xn.T, q=2, p=p)
    assert VendiScore(q=2, method="kernel").fit(X, p=p).score_ == pytest.approx(ref, rel=1e-10)
    assert VendiScore(q=2).fit(X, sample_weight=7 * p).score_ == pytest.approx(ref, rel=1e-10)


# -- agreement with vendi-score on its correct paths --------------------------------------------


@pytest.mark.parametrize("q", [0.5, 1, 2, 3.5])
def test_agrees_with_reference(q):
    X = _data(300, 64, seed=1)
    dual = VendiScore(q=q).fit(X).score_
    assert dual == pytest.approx(vendi.score_dual(X, q=q), rel=1e-10)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    K = Xn @ Xn.T  # rank 64 < 300: q < 1 would weigh the reference's round-off eigenvalues
    if q >= 1:
        assert VendiScore(q=q, kernel="precomputed").fit(K).score_ == pytest.approx(
            vendi.score_K(K, q=q), rel=1e-10)
    if q == 1:  # score_X is correct only at q = 1 (it ignores q)
        assert VendiScore().fit(X).score_ == pytest.approx(vendi.score_X(X), rel=1e-10)
    Kr = np.exp(-((X[:, None] - X[None]) ** 2).sum(-1) / (2 * 64.0))  # full rank
    assert VendiScore(q=q, kernel="precomputed").fit(Kr).score_ == pytest.approx(
        vendi.score_K(Kr, q=q), rel=1e-10)


def test_reference_defect_score_X_ignores_q():
    X = _data(200, 10)
    ref = vendi.score_X(X, q=2)
    assert ref == pytest.approx(vendi.score_X(X, q=1), rel=1e-14)  # q ignored
    ours = VendiScore(q=2).fit(X).score_
    assert ours == pytest.approx(vendi.score_dual(X, q=2), rel=1e-10)
    assert ours < ref - 0.1


def test_reference_defect_float_inf_is_nan():
    assert math.isnan(vendi.score_K(K3, q=float("inf")))
    assert VendiScore(q=float("inf"), kernel="precomputed").fit(K3).score_ == pytest.approx(
        vendi.score_K(K3, q="inf"), rel=1e-12)


def test_reference_defect_round_off_counted_as_rank():
    X = _data(300, 5, seed=2)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    K = Xn @ Xn.T
    ref = vendi.score_K(K, q=0)
    assert ref > 5.5  # it counts positive round-off eigenvalues of a rank-5 matrix
    assert VendiScore(q=0, kernel="precomputed").fit(K).score_ == pytest.approx(5.0, rel=1e-14)
    assert VendiScore(q=0).fit(X).score_ == pytest.approx(5.0, rel=1e-14)
    assert np.linalg.matrix_rank(K, hermitian=True) == 5


def test_reference_defect_sparse_path_keeps_six_eigenvalues():
    # 20 orthogonal items: the answer is 20. The reference's sparse path computes only the 6
    # eigenvalues eigsh returns by default.
    K = sp.csr_matrix(np.eye(20))
    ref = vendi.score_K(K)
    assert ref == pytest.approx(math.exp(-6 / 20 * math.log(1 / 20)), rel=1e-12)  # 2.456
    assert VendiScore(kernel="precomputed").fit(K.toarray()).score_ == pytest.approx(20, rel=1e-12)


# -- streaming ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kernel", ["cosine", "linear"])
def test_partial_fit_equals_fit(kernel):
    X = _data(1000, 20, seed=6)
    w = np.random.default_rng(6).uniform(0, 2, size=1000)
    whole = VendiScore(q=2, kernel=kernel).fit(X, sample_weight=w)
    est = VendiScore(q=2, kernel=kernel)
    for start in range(0, 1000, 130):
        est.partial_fit(X[start:start + 130], sample_weight=w[start:start + 130])
    assert est.score_ == pytest.approx(whole.score_, rel=1e-10)
    assert est.n_samples_seen_ == 1000
    # fit then partial_fit continues from the fitted statistics
    cont = VendiScore(q=2, kernel=kernel).fit(X[:500]).partial_fit(X[500:])
    assert cont.score_ == pytest.approx(VendiScore(q=2, kernel=kernel).fit(X).score_, rel=1e-10)


def test_partial_fit_unavailable_for_other_kernels():
    with pytest.raises(AttributeError, match="partial_fit"):
        VendiScore(kernel="rbf").partial_fit(_data())
    assert not hasattr(VendiScore(method="kernel"), "partial_fit")


def test_partial_fit_after_kernel_path_fit_raises():
    est = VendiScore().fit(_data(10, 20))
    with pytest.raises(ValueError, match="cannot continue a fit that used method_='kernel'"):
        est.partial_fit(_data(10, 20))


def test_partial_fit_feature_mismatch():
    est = VendiScore().partial_fit(_data(30, 4))
    with pytest.raises(ValueError, match="X has 3 features, but VendiScore is expecting 4"):
        est.partial_fit(_data(30, 3))


# -- approximations -----------------------------------------------------------------------------


def _clusters(n, d=8, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(10, d))
    return centres[rng.integers(0, 10, size=n)] + rng.normal(size=(n, d))


@pytest.mark.parametrize("method", ["nystroem", "rff"])
def test_approximation_close_to_exact_and_reports_error(method):
    X = _clusters(1500)
    exact = VendiScore(kernel="rbf").fit(X)
    approx = VendiScore(kernel="rbf", method=method, n_components=600, random_state=0).fit(X)
    assert approx.method_ == method and approx.n_eigenvalues_ <= 600
    assert approx.bandwidth_ == exact.bandwidth_
    # The halving check bounds the observed error here (Nyström underestimates monotonically).
    err = abs(approx.score_ - exact.score_)
    assert err < 0.05 * exact.score_
    if method == "nystroem":
        assert err <= approx.approximation_error_
    assert 0 < approx.approximation_error_ < 0.1 * exact.score_


def test_nystroem_with_all_points_is_exact():
    X = _data(80, 3)
    exact = VendiScore(kernel="rbf", bandwidth=2.0).fit(X).score_
    full = VendiScore(kernel="rbf", bandwidth=2.0, method="nystroem", n_components=500,
                      random_state=0).fit(X)
    assert full.n_eigenvalues_ <= 80  # landmark-kernel directions below 1e-8 are dropped
    assert full.score_ == pytest.approx(exact, rel=1e-6)  # pinv cutoff 1e-8 of the landmarks


def test_auto_switches_to_nystroem_past_memory_budget():
    X = _clusters(400)
    est = VendiScore(kernel="rbf", max_memory=2 * 8 * 399**2, n_components=50,
                     random_state=0).fit(X)
    assert est.method_ == "nystroem"
    assert VendiScore(kernel="rbf", max_memory=2 * 8 * 400**2).fit(X).method_ == "kernel"


def test_same_seed_same_result():
    X = _clusters(300)
    a = VendiScore(kernel="rbf", method="rff", n_components=64, random_state=3).fit(X).score_
    b = VendiScore(kernel="rbf", method="rff", n_components=64, random_state=3).fit(X).score_
    assert a == b


# -- properties ---------------------------------------------------------------------------------


def test_permutation_invariance():
    X = _data(120, 5)
    perm = np.random.default_rng(9).permutation(120)
    for kernel, method in (("cosine", "dual"), ("cosine", "kernel"), ("rbf", "kernel")):
        est = VendiScore(q=1.5, kernel=kernel, method=method, bandwidth=1.5)
        assert est.fit(X[perm]).score_ == pytest.approx(est.fit(X).score_, rel=1e-12)


def test_scale_invariance_cosine():
    X = _data(100, 8)
    scales = np.random.default_rng(1).uniform(0.01, 100, size=(100, 1))
    a = VendiScore(q=2).fit(X).score_
    assert VendiScore(q=2).fit(X * scales).score_ == pytest.approx(a, rel=1e-12)


def test_score_method_matches_fit():
    X = _data(100, 8)
    est = VendiScore(q=2).fit(X[:50])
    assert est.score(X) == pytest.approx(VendiScore(q=2).fit(X).score_, rel=1e-14)
    pre = VendiScore(kernel="precomputed").fit(K3)
    assert pre.score(np.eye(5)) == pytest.approx(5.0, rel=1e-14)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 40),
    d=st.integers(1, 6),
    qs=st.lists(st.sampled_from([0.0, 0.3, 0.5, 1.0, 1.5, 2.0, 5.0, np.inf]), min_size=2,
                max_size=4),
)
def test_bounds_and_monotone_in_q(seed, n, d, qs):
    X = np.random.default_rng(seed).normal(size=(n, d))
    with warnings.catch_warnings():
        # a few close points make bandwidth=1 dominate their scale, which rightly warns (tested
        # elsewhere); the bounds and the order in q hold all the same
        warnings.simplefilter("ignore", BandwidthWarning)
        scores = [VendiScore(q=q, kernel="rbf", bandwidth=1.0).fit(X).score_
                  for q in sorted(qs)]
    # 1e-9 relative: exp of an entropy of n eigenvalues each accurate to ~n eps.
    for s in scores:
        assert 1 - 1e-9 <= s <= n * (1 + 1e-9)
    for lo, hi in zip(scores[1:], scores[:-1]):
        assert lo <= hi * (1 + 1e-9)


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("K", "match"),
    [
        (np.ones((3, 4)), r"square kernel matrix \(n, n\), got shape \(3, 4\)"),
        (np.array([[1.0, 0.5], [0.2, 1.0]]), "must be a symmetric kernel matrix"),
        (np.array([[2.0, 0.5], [0.5, 2.0]]), r"must have k\(x, x\) = 1 on its diagonal"),
        (np.array([[1.0, 2.0], [2.0, 1.0]]), "not positive semi-definite"),
    ],
)
def test_bad_precomputed_kernel(K, match):
    with pytest.raises(ValueError, match=match):
        VendiScore(kernel="precomputed").fit(K)


def test_bad_callable_kernel():
    with pytest.raises(ValueError, match=r"kernel\(A, B\) must return an array of shape"):
        VendiScore(kernel=lambda A, B: np.ones(3)).fit(_data(10, 2))
    with pytest.raises(ValueError, match=r"kernel\(X, X\) must have k\(x, x\) = 1"):
        VendiScore(kernel=lambda A, B: 2 * A @ B.T).fit(_data(10, 2))


@pytest.mark.parametrize(
    ("params", "err", "match"),
    [
        ({"q": -0.5}, ValueError, "q must be >= 0, got -0.5"),
        ({"q": "inf"}, TypeError, "q must be a real number, got 'inf'"),
        ({"q": float("nan")}, ValueError, "q must be a number, got nan"),
        ({"kernel": "poly"}, ValueError, "kernel must be one of 'cosine'.*got 'poly'"),
        ({"method": "exact"}, ValueError, "method must be one of .*got 'exact'"),
        ({"bandwidth": 0.0}, ValueError, "bandwidth must be > 0, got 0.0"),
        ({"bandwidth": "scott"}, ValueError,
         "bandwidth must be a real number > 0 or 'median', got 'scott'"),
        ({"n_components": 0}, ValueError, "n_components must be >= 1, got 0"),
        ({"rank_tol": -1e-3}, ValueError, "rank_tol must be >= 0"),
        ({"max_memory": "lots"}, ValueError, "max_memory must be a positive number of bytes"),
        ({"method": "dual", "kernel": "rbf"}, ValueError, "method='dual' needs kernel='linear'"),
        ({"method": "rff"}, ValueError, "method='rff' .* needs kernel='rbf'"),
        ({"method": "nystroem", "kernel": "precomputed"}, ValueError, "needs features"),
    ],
)
def test_bad_parameters(params, err, match):
    with pytest.raises(err, match=match):
        VendiScore(**params).fit(_data(10, 2))


def test_bad_random_state():
    with pytest.raises(TypeError, match="random_state must be None, an int"):
        VendiScore(kernel="rbf", method="rff", random_state="x").fit(_data(10, 2))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p": np.full(10, 0.2)}, r"p must be probabilities summing to 1 .*got sum 2\.0"),
        ({"p": np.r_[-0.1, np.full(9, 1.1 / 9)]}, "p must be non-negative, got 1 negative"),
        ({"sample_weight": -np.ones(10)}, "sample_weight must be non-negative"),
        ({"sample_weight": np.zeros(10)}, "sample_weight: all weights are zero"),
        ({"sample_weight": np.ones(11)}, r"sample_weight must have shape \(n_samples,\) = \(10,\)"),
        ({"sample_weight": np.r_[np.nan, np.ones(9)]}, "sample_weight contains 1 NaN"),
        ({"sample_weight": np.ones(10), "p": np.full(10, 0.1)}, "at most one of sample_weight"),
    ],
)
def test_bad_weights(kwargs, match):
    with pytest.raises(ValueError, match=match):
        VendiScore().fit(_data(10, 2), **kwargs)


@pytest.mark.parametrize(
    ("X", "err", "match"),
    [
        (np.array([[1.0, np.nan], [0.0, 1.0]]), ValueError, "X contains 1 NaN and 0 inf"),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), ValueError, "X contains 0 NaN and 1 inf"),
        (np.ones((2, 2, 2)), ValueError, "X must be 1-D or 2-D"),
        (np.empty((0, 3)), ValueError, "X is empty"),
        (np.array([["a", "b"]]), TypeError, "X must be numeric"),
    ],
)
def test_bad_samples(X, err, match):
    with pytest.raises(err, match=match):
        VendiScore().fit(X)


@pytest.mark.parametrize("method", ["dual", "kernel"])
def test_cosine_all_zero_rows_are_one_item_apart_from_the_others(method):
    # a zero row is similar to itself and to other zero rows only: K = [[1, 0, 0],
    # [0, 1, 1], [0, 1, 1]] has eigenvalues {1, 2}/3 whatever the path
    X = np.array([[1.0, 2.0], [0.0, 0.0], [0.0, 0.0]])
    est = VendiScore(q=2, method=method).fit(X)
    assert est.score_ == pytest.approx(1.0 / ((1 / 3) ** 2 + (2 / 3) ** 2), rel=1e-12)
    assert VendiScore().fit(np.zeros((4, 3))).score_ == pytest.approx(1.0, rel=1e-12)
    # streaming meets the zero rows in a later batch: the dual matrix grows by one dimension
    stream = VendiScore(q=2).partial_fit(X[:1]).partial_fit(X[1:])
    assert stream.score_ == pytest.approx(est.score_, rel=1e-12)


def test_rbf_scale_warning_fires_only_far_from_the_data():
    X = _data(200, 3)
    with pytest.warns(BandwidthWarning, match="within 5% of its maximum"):
        assert VendiScore(kernel="rbf", bandwidth=1e-4).fit(X).score_ > 0.95 * 200
    with pytest.warns(BandwidthWarning, match="within 5% of its minimum"):
        assert VendiScore(kernel="rbf", bandwidth=1e4).fit(X).score_ < 1.05
    h = VendiScore(kernel="rbf").fit(X).bandwidth_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for bw in (h / 5, h, 5 * h):
            VendiScore(kernel="rbf", bandwidth=bw).fit(X)


def test_n_components_is_a_deprecated_alias():
    est = VendiScore().fit(_data(30, 4))
    with pytest.warns(FutureWarning, match="renamed n_eigenvalues_"):
        assert est.n_components_ == est.n_eigenvalues_ == 4


def test_median_bandwidth_degenerate():
    with pytest.raises(ValueError, match="bandwidth='median' gives 0"):
        VendiScore(kernel="rbf").fit(np.zeros((10, 2)))
    with pytest.raises(ValueError, match="needs at least 2 samples"):
        VendiScore(kernel="rbf").fit(np.ones((1, 2)))


def test_memory_budget():
    X = _data(2000, 3)
    with pytest.raises(MemoryBudgetError, match=r"2000 x 2000 kernel matrix .* would need 64\.0 MB"
                       r".*Use method='nystroem'"):
        VendiScore(kernel="rbf", bandwidth=1.0, method="kernel", max_memory="10MB").fit(X)
    with pytest.raises(MemoryBudgetError, match=r"distance matrix of bandwidth=.median."):
        VendiScore(kernel="rbf", method="kernel", max_memory="10MB").fit(X)
    with pytest.raises(MemoryBudgetError, match="Use a smaller n_components"):
        VendiScore(kernel="rbf", bandwidth=1.0, method="nystroem", n_components=1000,
                   max_memory="1MB").fit(X)
    with pytest.raises(MemoryBudgetError, match=r"the 3 x 3 dual matrix"):
        VendiScore(method="dual", max_memory=100).fit(X)
