"""BinnedEntropy: hand-worked cases, the uniform closed form, a slow numpy reference, properties,
streaming, and bad input."""

import math
import re

import numpy as np
import pytest

from infotheory._kernels.binning import (
    _digitize_hash_kernel,
    _distinct_quantiles_kernel,
    _floor_hash_kernel,
    _group_sorted_kernel,
    _hash_rows_kernel,
    _sorted_distinct_except_kernel,
    digitize_hash,
    distinct_quantiles,
    floor_hash,
    group_sorted,
    hash_rows,
    lookup_table,
    sorted_distinct_except,
)
from infotheory._validation import MemoryBudgetError
from infotheory.entropy import BinnedEntropy, adaptive_range_max, entropy_based_edges

LOG2 = math.log(2.0)


# -- a slow, readable reference: digitise to left edges as the papers' code does, np.unique rows ---


def reference_edges(T, binning, n_bins, low=None, high=None):
    """Edges written out directly from the papers' code."""
    if binning in ("fixed", "adaptive_range"):
        return np.linspace(low, high, n_bins)
    u = np.unique(T)
    u = u[u != low]
    picks = [u[int(k * (len(u) / n_bins))] for k in range(n_bins)]
    return np.array([low, *picks, u[-1]])


def reference_symbols(T, edges):
    """Each value replaced by the left edge of its bin; values below the first edge get -inf."""
    idx = np.digitize(T, edges)
    left = np.where(idx > 0, edges[np.maximum(idx - 1, 0)], -np.inf)
    return left.reshape(len(T), -1)


def reference_entropy(symbol_rows):
    _, counts = np.unique(symbol_rows, axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


# -- hand-worked cases -----------------------------------------------------------------------


def test_hand_fixed_range():
    # edges [0, .5, 1]: rows -> (0, .5), (0, .5), (.5, 0), (.5, 1): counts 2, 1, 1
    T = np.array([[0.1, 0.9], [0.2, 0.6], [0.5, 0.2], [0.7, 1.0]])
    est = BinnedEntropy(binning="fixed", n_bins=3, bin_range=(0, 1)).fit(T)
    np.testing.assert_array_equal(est.bin_edges_, [0.0, 0.5, 1.0])
    assert est.n_symbols_ == 3
    # H = log 4 - (2 log 2) / 4 = 1.5 log 2
    assert est.entropy_ == pytest.approx(1.5 * LOG2, abs=1e-15)


def test_hand_entropy_based_relu():
    # low = 0; distinct values other than 0: u = [1, 2, 3, 4]; n_bins = 2 picks u[0], u[2]
    # edges [0, 1, 3, 4]; rows -> (0, 1), (1, 3), (0, 4), (0, 1): counts 2, 1, 1
    T = np.array([[0.0, 1.0], [2.0, 3.0], [0.0, 4.0], [0.0, 1.0]])
    est = BinnedEntropy(binning="entropy_based", n_bins=2, activation="relu").fit(T)
    np.testing.assert_array_equal(est.bin_edges_, [0.0, 1.0, 3.0, 4.0])
    assert est.lower_bound_ == 0.0
    assert est.entropy_ == pytest.approx(1.5 * LOG2, abs=1e-15)


def test_hand_bin_size():
    # floor(T / 0.07): 0, 0, 1, -1 -> counts 2, 1, 1
    T = np.array([0.05, 0.06, 0.08, -0.01])
    est = BinnedEntropy(binning="fixed", bin_size=0.07).fit(T)
    assert est.bin_edges_ is None
    assert est.entropy_ == pytest.approx(1.5 * LOG2, abs=1e-15)


def test_hand_adaptive_range():
    # tanh bound -1.000001, max_value 1: 3 edges [-1.000001, -0.0000005, 1]
    # values -0.5, -0.2 -> first bin; 0.3 -> second; 1.0 -> top: counts 2, 1, 1
    T = np.array([-0.5, -0.2, 0.3, 1.0])
    est = BinnedEntropy(binning="adaptive_range", n_bins=3, activation="tanh").fit(T)
    np.testing.assert_allclose(est.bin_edges_, [-1.000001, -0.0000005, 1.0], rtol=0, atol=1e-15)
    assert est.max_value_ == 1.0
    assert est.entropy_ == pytest.approx(1.5 * LOG2, abs=1e-15)


def test_tishby_edges():
    # Shwartz-Ziv & Tishby's code: bins = np.linspace(-1, 1, 30)
    est = BinnedEntropy(binning="fixed").fit(np.zeros((3, 2)))
    np.testing.assert_array_equal(est.bin_edges_, np.linspace(-1, 1, 30))


def test_entropy_based_edges_empty_layer():
    # a dead ReLU layer: every value is the lower bound, one symbol
    np.testing.assert_array_equal(entropy_based_edges(np.zeros((4, 3)), 30, 0.0), [0.0])
    est = BinnedEntropy(activation="relu").fit(np.zeros((5, 3)))
    assert est.entropy_ == 0.0


def test_below_first_edge_is_its_own_bin():
    # -2 and -3 are below the fixed range: one bin of their own, not merged with the top bin
    T = np.array([-2.0, -3.0, 1.0, 0.99])
    est = BinnedEntropy(binning="fixed", n_bins=3, bin_range=(-1, 1)).fit(T)
    assert est.n_symbols_ == 3  # {-2, -3}, {1}, {0.99}


# -- closed form -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["bin_size", "edges"])
@pytest.mark.parametrize("d", [1, 2])
def test_uniform_closed_form(mode, d):
    # Uniform on [0, 1)^d in k^d equal bins: H = d log k. The plug-in estimate of a uniform
    # distribution over m cells is log m − χ²_{m−1} / (2N) to leading order: mean offset
    # (m − 1)/(2N), standard deviation sqrt(2(m − 1))/(2N). We allow 5 such SDs.
    k, n = 20, 200_000
    m = k**d
    X = np.random.default_rng(1).uniform(size=(n, d))
    if mode == "bin_size":
        est = BinnedEntropy(binning="fixed", bin_size=1.0 / k)
    else:  # k + 1 edges on [0, 1]: k equal bins plus the value 1 itself (never drawn)
        est = BinnedEntropy(binning="fixed", n_bins=k + 1, bin_range=(0.0, 1.0))
    h = est.fit(X).entropy_
    expected = d * math.log(k) - (m - 1) / (2 * n)
    sd = math.sqrt(2 * (m - 1)) / (2 * n)
    assert abs(h - expected) < 5 * sd


# -- against the reference ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("d", [1, 3, 40])
@pytest.mark.parametrize(
    "params",
    [
        {"binning": "fixed", "n_bins": 30},
        {"binning": "fixed", "n_bins": 5, "bin_range": (-0.5, 0.5)},
        {"binning": "adaptive_range", "n_bins": 10, "activation": "tanh"},
        {"binning": "adaptive_range", "n_bins": 7, "activation": "tanh", "max_value": 0.5},
        {"binning": "entropy_based", "n_bins": 30, "activation": "tanh"},
        {"binning": "entropy_based", "n_bins": 4},
    ],
)
def test_matches_reference(params, d, seed):
    rng = np.random.default_rng(seed)
    # coarse values so that rows repeat and some values sit exactly on edges
    T = np.tanh(np.round(rng.normal(size=(600, d)) * 4) / 4)
    est = BinnedEntropy(**params).fit(T)
    low = est.lower_bound_
    if params["binning"] == "fixed":
        low, high = params.get("bin_range", (-1.0, 1.0))
    else:
        high = params.get("max_value", T.max())
    edges = reference_edges(T, params["binning"], params["n_bins"], low, high)
    np.testing.assert_array_equal(est.bin_edges_, edges)
    assert est.entropy_ == pytest.approx(reference_entropy(reference_symbols(T, edges)), abs=1e-12)


def test_bin_size_matches_reference():
    T = np.random.default_rng(3).normal(size=(500, 6)) * 0.2
    h = BinnedEntropy(binning="fixed", bin_size=0.07).fit(T).entropy_
    assert h == pytest.approx(reference_entropy(np.floor(T / 0.07)), abs=1e-12)


def test_score_applies_fitted_edges():
    rng = np.random.default_rng(4)
    A, B = np.maximum(rng.normal(size=(2, 400, 3)), 0)
    est = BinnedEntropy(n_bins=6, activation="relu").fit(A)
    assert est.score(A) == pytest.approx(est.entropy_, abs=1e-12)
    expected = reference_entropy(reference_symbols(B, est.bin_edges_))
    assert est.score(B) == pytest.approx(expected, abs=1e-12)
    np.testing.assert_array_equal(est.bin_edges_, entropy_based_edges(A, 6, 0.0))


# -- properties ------------------------------------------------------------------------------------


def test_entropy_based_invariant_to_relu_rescaling():
    rng = np.random.default_rng(5)
    T = np.maximum(rng.normal(size=(1000, 8)), 0)
    a = BinnedEntropy(binning="entropy_based", activation="relu").fit(T)
    b = BinnedEntropy(binning="entropy_based", activation="relu").fit(2 * T)
    assert a.entropy_ == b.entropy_  # exactly
    np.testing.assert_array_equal(2 * a.bin_edges_, b.bin_edges_)
    # fixed binning is not invariant: this is why the adaptive estimator exists
    f = BinnedEntropy(binning="fixed", bin_range=(0, 1))
    assert f.fit(T).entropy_ != f.fit(2 * T).entropy_


def test_base_two_is_nats_over_log2():
    T = np.random.default_rng(6).normal(size=(300, 4))
    nats = BinnedEntropy(n_bins=10).fit(T).entropy_
    bits = BinnedEntropy(n_bins=10, base=2).fit(T).entropy_
    assert bits == pytest.approx(nats / LOG2, rel=1e-14)


def test_entropy_bounded_by_log_n():
    T = np.random.default_rng(7).normal(size=(200, 5))
    est = BinnedEntropy(n_bins=30).fit(T)
    assert 0.0 <= est.entropy_ <= math.log(200) + 1e-12
    assert est.n_symbols_ <= 200


def test_adaptive_range_max_non_decreasing():
    rng = np.random.default_rng(8)
    maxima = rng.exponential(size=(100, 5))  # per epoch and layer, going up and down
    m = adaptive_range_max(maxima)
    assert m.shape == (100,)
    assert np.all(np.diff(m) >= 0)
    np.testing.assert_array_equal(m, np.maximum.accumulate(maxima.max(axis=1)))
    per = adaptive_range_max(maxima, per_layer=True)
    assert per.shape == (100, 5) and np.all(np.diff(per, axis=0) >= 0)
    np.testing.assert_array_equal(per[-1], maxima.max(axis=0))
    # the estimator bins on [low, running max] when given it
    T = np.maximum(rng.normal(size=(50, 3)), 0)
    est = BinnedEntropy(binning="adaptive_range", activation="relu", max_value=m[3]).fit(T)
    assert est.bin_edges_[0] == 0.0 and est.bin_edges_[-1] == m[3] == est.max_value_


@pytest.mark.parametrize("impl", [group_sorted, _group_sorted_kernel])
def test_hash_collisions_do_not_merge_symbols(impl):
    # all rows given the same hash: only the row comparison can tell them apart
    codes = np.array([[1, 2], [3, 4], [1, 2], [5, 6], [3, 4]], dtype=np.uint8)
    hashes = np.zeros(5, dtype=np.uint64)
    ids = np.empty(5, dtype=np.int64)
    reps = impl(np.arange(5), hashes, codes, ids)
    assert len(reps) == 3
    assert ids[0] == ids[2] and ids[1] == ids[4]
    assert len({ids[0], ids[1], ids[3]}) == 3


def test_hash_collisions_across_batches():
    # the streaming table too must tell colliding rows apart by their codes
    from infotheory._binning import _SymbolTable

    table = _SymbolTable()
    zero = np.zeros(2, dtype=np.uint64)
    first = table.add(np.array([[1, 2], [3, 4]], dtype=np.uint8), zero)
    second = table.add(np.array([[5, 6], [3, 4]], dtype=np.uint8), zero)
    assert second[1] == first[1] and second[0] not in first
    np.testing.assert_array_equal(table.counts[[first[0], first[1], second[0]]], [1, 2, 1])


@pytest.mark.parametrize(
    "values",
    [
        np.tanh(np.random.default_rng(11).normal(size=(3000, 7)) * 3),  # piles up near ±1
        np.round(np.random.default_rng(12).exponential(size=(500, 4)), 2),  # many ties
        np.array([[0.0, -0.0, 1.0, 1.0, -3.0, 2.5, 0.0]]),  # signed zeros, duplicates
        np.concatenate([np.zeros((1, 5000)), np.full((1, 7), 1e300)], axis=1),  # huge spread
        np.full((4, 4), 2.0),  # a single value
        # float32-valued input: ties, signed zeros, subnormals, extremes
        np.tanh(np.random.default_rng(14).normal(size=(3000, 7)) * 3).astype(np.float32),
        np.round(np.random.default_rng(15).exponential(size=(500, 4)), 2).astype(np.float32),
        np.array([[0.0, -0.0, 1.0, -2.0, 2.0, 1e-45, -1e-45, 3e38, -3e38, 0.5, 0.5]],
                 dtype=np.float32),
    ],
)
@pytest.mark.parametrize("low", [0.0, -1.000001, 2.0])
@pytest.mark.parametrize("impl", [sorted_distinct_except, _sorted_distinct_except_kernel])
def test_sorted_distinct_matches_unique(values, low, impl):
    # small inputs take NumPy, large ones the kernel: both are checked on the same values
    values = values.astype(np.float64)
    expected = np.unique(values)
    expected = expected[expected != low]
    np.testing.assert_array_equal(impl(values, low), expected)


_RNG = np.random.default_rng(16)


@pytest.mark.parametrize(
    "values",
    [
        np.tanh(_RNG.normal(size=(3000, 7)) * 3).astype(np.float32),  # piles up near ±1
        np.maximum(_RNG.normal(size=(400, 50)), 0).astype(np.float32),  # half exact zeros
        np.round(_RNG.exponential(size=(500, 4)), 2).astype(np.float32),  # many ties
        # consecutive floats: thousands of distinct values in one or two 16-bit key buckets
        (1 + _RNG.integers(0, 70_000, size=(300, 30)) * 2.0**-23).astype(np.float32),
        np.array([[0.0, -0.0, 1.0, -2.0, 2.0, 1e-45, -1e-45, 3e38, -3e38, 0.5, 0.5]],
                 dtype=np.float32),
        np.array([[-0.0, 0.0, 1.0]], dtype=np.float32),
        np.full((4, 4), 2.0, dtype=np.float32),
    ],
)
@pytest.mark.parametrize("low", [0.0, -1.000001, 2.0, 1.0])
@pytest.mark.parametrize("n_bins", [1, 2, 7, 30, 100])
@pytest.mark.parametrize("impl", [distinct_quantiles, _distinct_quantiles_kernel])
def test_distinct_quantiles_select_the_sorted_values(values, low, n_bins, impl):
    # the selection must give exactly the edges of the sorted distinct values (small inputs
    # take NumPy, large ones the kernel: both are checked on the same values)
    values = values.astype(np.float64)
    selected, edges = impl(values, low, n_bins)
    assert selected
    if (values == low).all():
        expected = [low]  # no distinct value other than low: the edges are [low]
    else:
        expected = reference_edges(values, "entropy_based", n_bins, low)
    np.testing.assert_array_equal(edges, expected)


@pytest.mark.parametrize("impl", [distinct_quantiles, _distinct_quantiles_kernel])
def test_distinct_quantiles_declines_non_float32_values(impl):
    for values in ([[0.5, 0.1]], [[1e300, 0.5]]):
        selected, edges = impl(np.array(values), 0.0, 3)
        assert not selected and edges.size == 0
    T = np.tanh(np.random.default_rng(17).normal(size=(200, 3)))  # float64 values: the sort path
    np.testing.assert_array_equal(entropy_based_edges(T, 5, -1.000001),
                                  reference_edges(T, "entropy_based", 5, -1.000001))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_float32_activations_match_reference(activation):
    z = np.random.default_rng(18).normal(size=(800, 5)) * 2
    T = (np.tanh(z) if activation == "tanh" else np.maximum(z, 0)).astype(np.float32)
    est = BinnedEntropy(activation=activation, n_bins=8).fit(T)
    T64 = T.astype(np.float64)
    edges = reference_edges(T64, "entropy_based", 8, est.lower_bound_)
    np.testing.assert_array_equal(est.bin_edges_, edges)
    assert est.entropy_ == pytest.approx(reference_entropy(reference_symbols(T64, edges)),
                                         abs=1e-12)


@pytest.mark.parametrize(
    "edges",
    [np.linspace(-1, 1, 30), np.array([0.0, 1e-9, 0.3, 0.3000001, 5.0]), np.array([2.0, 2.0]),
     np.array([0.0, 0.0, 0.5, 0.5, 1.0])],
)
@pytest.mark.parametrize("impl", [digitize_hash, _digitize_hash_kernel])
def test_digitisation_is_exactly_np_digitize(edges, impl):
    # values on, just below and just above every edge, and far outside the range
    v = np.concatenate([edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf),
                        [-1e300, 1e300], np.random.default_rng(13).uniform(-2, 6, 500)])
    T = v.reshape(-1, 1)
    codes = np.empty(T.shape, dtype=np.int64)
    impl(T, edges, *lookup_table(edges), codes, np.empty(len(T), dtype=np.uint64))
    np.testing.assert_array_equal(codes[:, 0], np.digitize(v, edges))


@pytest.mark.parametrize("dtype", [np.uint8, np.int64])
def test_numpy_and_kernel_paths_give_the_same_symbols(dtype):
    # small inputs hash and group in NumPy, large ones in the kernels: same hashes, same ids
    rng = np.random.default_rng(18)
    T = rng.normal(size=(3000, 6))
    edges = np.linspace(-2, 2, 9)
    out = {}
    for name, digitize, hashing, group in (
            ("numpy", digitize_hash, hash_rows, group_sorted),
            ("kernel", _digitize_hash_kernel, _hash_rows_kernel, _group_sorted_kernel)):
        codes = np.empty(T.shape, dtype=dtype)
        hashes = np.empty(len(T), dtype=np.uint64)
        digitize(T, edges, *lookup_table(edges), codes, hashes)
        codes = codes[:, :3].copy()  # coarser rows: many repeated symbols
        hashing(codes, hashes)
        ids = np.empty(len(T), dtype=np.int64)
        reps = group(np.argsort(hashes, kind="stable"), hashes, codes, ids)
        out[name] = (codes, hashes, ids, reps)
    for a, b in zip(out["numpy"], out["kernel"]):
        np.testing.assert_array_equal(a, b)
    assert len(out["numpy"][3]) < len(T) // 2  # many rows share a symbol: grouping exercised
    fl = {}
    for name, impl in (("numpy", floor_hash), ("kernel", _floor_hash_kernel)):
        codes = np.empty(T.shape, dtype=np.int64)
        hashes = np.empty(len(T), dtype=np.uint64)
        impl(T, 0.3, codes, hashes)  # negative codes wrap to uint64 in the hash
        fl[name] = (codes, hashes)
    np.testing.assert_array_equal(fl["numpy"][0], fl["kernel"][0])
    np.testing.assert_array_equal(fl["numpy"][1], fl["kernel"][1])


@pytest.mark.parametrize(
    "params",
    [
        {"binning": "fixed"},
        {"binning": "fixed", "bin_size": 0.07},
        {"binning": "adaptive_range", "activation": "tanh", "max_value": 0.9},
    ],
)
def test_partial_fit_equals_fit(params):
    T = np.tanh(np.random.default_rng(9).normal(size=(3000, 4)))
    whole = BinnedEntropy(**params).fit(T)
    streamed = BinnedEntropy(**params)
    for batch in np.array_split(T, 7):
        streamed.partial_fit(batch)
    assert streamed.n_symbols_ == whole.n_symbols_
    np.testing.assert_array_equal(
        np.sort(streamed._stats_.t.counts), np.sort(whole._stats_.t.counts)
    )
    assert streamed.entropy_ == pytest.approx(whole.entropy_, abs=1e-12)


def test_read_only_memmap(tmp_path):
    T = np.tanh(np.random.default_rng(10).normal(size=(200, 3))).astype(np.float32)
    np.save(tmp_path / "t.npy", T)
    mm = np.load(tmp_path / "t.npy", mmap_mode="r")
    assert BinnedEntropy().fit(mm).entropy_ == BinnedEntropy().fit(np.array(T)).entropy_
    # float64 on disk is used in place (read-only) by the selection and the sort alike
    for values in (T.astype(np.float64), np.tanh(np.arange(600.0).reshape(200, 3) / 300)):
        np.save(tmp_path / "t64.npy", values)
        mm = np.load(tmp_path / "t64.npy", mmap_mode="r")
        fitted = BinnedEntropy(activation="tanh").fit(mm)
        assert fitted.entropy_ == BinnedEntropy(activation="tanh").fit(values.copy()).entropy_
        np.testing.assert_array_equal(fitted.bin_edges_,
                                      reference_edges(values, "entropy_based", 30, -1.000001))


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, exc, match",
    [
        (np.array([[0.0, np.nan], [1.0, 2.0]]), ValueError, "X contains 1 NaN and 0 inf"),
        (np.array([[0.0, np.inf], [1.0, 2.0]]), ValueError, "X contains 0 NaN and 1 inf"),
        (np.zeros((2, 2, 2)), ValueError, "X must be 1-D or 2-D"),
        (np.zeros((0, 3)), ValueError, "X is empty"),
        (np.array([["a", "b"]]), TypeError, "X must be numeric"),
        (np.array([[1 + 1j]]), ValueError, "Complex data not supported"),
    ],
)
def test_bad_X(X, exc, match):
    with pytest.raises(exc, match=match):
        BinnedEntropy().fit(X)


@pytest.mark.parametrize(
    "params, exc, match",
    [
        ({"binning": "quantile"}, ValueError, "binning must be one of 'fixed', .* got 'quantile'"),
        ({"n_bins": 1}, ValueError, "n_bins must be >= 2, got 1"),
        ({"n_bins": 3.5}, TypeError, "n_bins must be an int, got 3.5"),
        ({"activation": "sigmoid"}, ValueError, "activation must be one of .* got 'sigmoid'"),
        ({"lower_bound": "zero"}, TypeError, "lower_bound must be a real number"),
        ({"lower_bound": float("inf")}, ValueError, "lower_bound must be a finite number, got inf"),
        ({"activation": "relu", "lower_bound": 0.0}, ValueError,
         "either activation or lower_bound, not both"),
        ({"binning": "fixed", "bin_range": (1, -1)}, ValueError,
         re.escape("bin_range must be a pair (low, high)")),
        ({"binning": "fixed", "bin_range": 3}, ValueError, "bin_range must be a pair .* got 3"),
        ({"binning": "fixed", "bin_size": -0.1}, ValueError, "bin_size must be > 0, got -0.1"),
        ({"binning": "entropy_based", "bin_size": 0.1}, ValueError,
         "bin_size applies to binning='fixed' only"),
        ({"binning": "fixed", "max_value": 1.0}, ValueError,
         "max_value applies to binning='adaptive_range' only"),
        ({"binning": "adaptive_range", "activation": "relu", "max_value": -1.0}, ValueError,
         "max_value must be >= the lower bound 0.0, got -1.0"),
        ({"base": 1}, ValueError, "base must be > 0 and != 1"),
        ({"max_memory": "lots"}, ValueError, "max_memory must be a positive number of bytes"),
    ],
)
def test_bad_params(params, exc, match):
    with pytest.raises(exc, match=match):
        BinnedEntropy(**params).fit(np.abs(np.random.default_rng(0).normal(size=(10, 2))))


def test_values_below_declared_lower_bound():
    T = np.array([[-0.5, 1.0], [0.2, 0.3]])
    with pytest.raises(ValueError, match=r"X has values below the lower bound 0.0 \(minimum -0.5"):
        BinnedEntropy(activation="relu").fit(T)


def test_bin_size_too_small():
    with pytest.raises(ValueError, match="bin_size=1e-300 is too small for X"):
        BinnedEntropy(binning="fixed", bin_size=1e-300).fit(np.ones((3, 2)))


def test_memory_budget():
    with pytest.raises(MemoryBudgetError, match="binning the 1000 x 100 activations would need"):
        BinnedEntropy(max_memory=1000).fit(np.zeros((1000, 100), dtype=np.float32))


def test_score_checks():
    est = BinnedEntropy().fit(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="X has 2 features, but BinnedEntropy is expecting 3"):
        est.score(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="X has 2 features, but BinnedEntropy is expecting 3"):
        est.partial_fit(np.zeros((5, 2)))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="This BinnedEntropy instance is not fitted yet"):
        BinnedEntropy().score(np.zeros((5, 3)))


def test_adaptive_range_max_bad_input():
    with pytest.raises(ValueError, match=r"layer_maxima is empty \(shape=\(0,\)\)"):
        adaptive_range_max([])
    with pytest.raises(ValueError, match="layer_maxima contains 1 NaN"):
        adaptive_range_max([[1.0, np.nan]])
