"""BinnedMI: hand-worked cases, closed forms, a slow numpy reference, properties, streaming, and
bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from infotheory.mutual_info import BinnedMI

LOG2 = math.log(2.0)


# -- a slow, readable reference (the papers' code, with np.unique on rows) -------------------------


def _rows_entropy(rows):
    _, counts = np.unique(rows, axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def _conditional_entropy(rows, given):
    """Σ_g p(g) H(rows | given = g), one group at a time."""
    h = 0.0
    groups, inverse = np.unique(given, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    for g in range(len(groups)):
        mask = inverse == g
        h += mask.mean() * _rows_entropy(rows[mask])
    return h


def reference_binned_mi(T, y, edges, inputs=None):
    """(H(T), I(T;Y), I(X;T)) with each value replaced by the left edge of its bin."""
    idx = np.digitize(T, edges)
    digitized = np.where(idx > 0, edges[np.maximum(idx - 1, 0)], -np.inf).reshape(len(T), -1)
    h = _rows_entropy(digitized)
    h_ty = _conditional_entropy(digitized, np.asarray(y).reshape(-1, 1))
    h_tx = 0.0 if inputs is None else _conditional_entropy(digitized, inputs.reshape(len(T), -1))
    return h, h - h_ty, h - h_tx


# -- hand-worked cases ---------------------------------------------------------------------------


def test_hand_mutual_information():
    # edges [0, .5, 1]: symbols a a b b b a; y = 0 0 1 1 0 1
    T = np.array([0.1, 0.2, 0.7, 0.8, 0.9, 0.3])
    y = np.array([0, 0, 1, 1, 0, 1])
    est = BinnedMI(binning="fixed", n_bins=3, bin_range=(0, 1)).fit(T, y)
    # H(T) = log 2; given y=0: a a b, given y=1: b b a, each log 3 − (2/3) log 2
    assert est.entropy_ == pytest.approx(LOG2, abs=1e-15)
    assert est.mutual_info_ == pytest.approx(LOG2 - (math.log(3) - 2 / 3 * LOG2), abs=1e-15)
    assert est.mi_ty_ == est.mutual_info_
    assert est.mi_xt_ == est.entropy_  # inputs not given: distinct inputs
    np.testing.assert_array_equal(est.classes_, [0, 1])


def test_hand_inputs_repeat():
    # inputs 0 0 1 1, symbols a b c c: H(T) = 1.5 log 2, H(T|X) = ½ log 2 -> I(X;T) = log 2
    T = np.array([0.1, 0.6, 0.9, 0.9])
    est = BinnedMI(binning="fixed", n_bins=4, bin_range=(0, 1))
    est.fit(T, [0, 1, 0, 1], inputs=np.array([0, 0, 1, 1]))
    assert est.entropy_ == pytest.approx(1.5 * LOG2, abs=1e-15)
    assert est.mi_xt_ == pytest.approx(LOG2, abs=1e-15)
    # y alternates within every symbol pair: a->0, b->1, c->0,1: H(T|Y) = log 2
    assert est.mi_ty_ == pytest.approx(0.5 * LOG2, abs=1e-15)


# -- closed forms ----------------------------------------------------------------------------------


def test_label_encoding_layer_closed_form():
    # T one-hot encodes y (4 equiprobable classes): I(T;Y) = H(Y) = log 4. The plug-in estimate
    # over m = 4 cells is log 4 − χ²_3/(2N) to leading order: mean offset 3/(2N), sd sqrt(6)/(2N).
    n = 100_000
    y = np.random.default_rng(0).integers(0, 4, n)
    T = np.eye(4)[y] * 0.9
    est = BinnedMI(binning="fixed").fit(T, y)
    assert abs(est.mutual_info_ - (math.log(4) - 3 / (2 * n))) < 5 * math.sqrt(6) / (2 * n)
    assert est.mutual_info_ == pytest.approx(est.entropy_, abs=1e-12)


def test_independent_layer_closed_form():
    # T independent of y: I(T;Y) = 0; the plug-in bias is (m_t − 1)(m_y − 1)/(2N) (χ² with
    # (m_t − 1)(m_y − 1) degrees of freedom, as for the G-test), sd sqrt(2·dof)/(2N).
    n = 200_000
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, n)
    T = rng.uniform(size=n)
    est = BinnedMI(binning="fixed", bin_size=0.1).fit(T, y)
    dof = (10 - 1) * (3 - 1)
    assert abs(est.mutual_info_ - dof / (2 * n)) < 5 * math.sqrt(2 * dof) / (2 * n)


def test_distinct_inputs_deterministic_map():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(2000, 10))  # distinct rows
    T = np.tanh(X @ rng.normal(size=(10, 6)))
    y = rng.integers(0, 10, 2000)
    with_x = BinnedMI(n_bins=12, activation="tanh").fit(T, y, inputs=X)
    without = BinnedMI(n_bins=12, activation="tanh").fit(T, y)
    assert with_x.mi_xt_ == pytest.approx(with_x.entropy_, abs=1e-12)
    assert without.mi_xt_ == without.entropy_
    assert with_x.mi_ty_ == without.mi_ty_


# -- against the reference -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(
    "params",
    [
        {"binning": "fixed", "n_bins": 30},
        {"binning": "adaptive_range", "n_bins": 10, "activation": "tanh"},
        {"binning": "entropy_based", "n_bins": 30, "activation": "tanh"},
        {"binning": "entropy_based", "n_bins": 5},
    ],
)
def test_matches_reference(params, seed):
    rng = np.random.default_rng(seed)
    n = 800
    inputs = rng.integers(0, 200, size=(n, 2)).astype(float)  # repeated inputs
    T = np.tanh(np.round(inputs @ rng.normal(size=(2, 5)) / 50, 1) + rng.normal(size=(n, 5)) / 4)
    y = rng.integers(0, 4, n)
    est = BinnedMI(**params).fit(T, y, inputs=inputs)
    h, i_ty, i_xt = reference_binned_mi(T, y, est.bin_edges_, inputs)
    assert est.entropy_ == pytest.approx(h, abs=1e-12)
    assert est.mutual_info_ == pytest.approx(i_ty, abs=1e-12)
    assert est.mi_xt_ == pytest.approx(i_xt, abs=1e-12)


def test_score_applies_fitted_edges():
    rng = np.random.default_rng(3)
    A, B = np.tanh(rng.normal(size=(2, 500, 4)))
    yA, yB = rng.integers(0, 3, (2, 500))
    est = BinnedMI(n_bins=8, activation="tanh").fit(A, yA)
    assert est.score(A, yA) == pytest.approx(est.mutual_info_, abs=1e-12)
    expected = reference_binned_mi(B, yB, est.bin_edges_)[1]
    assert est.score(B, yB) == pytest.approx(expected, abs=1e-12)


# -- properties ------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    T=arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 4)),
             elements=st.floats(-1, 1, allow_nan=False, width=32)),
    seed=st.integers(0, 2**32 - 1),
    binning=st.sampled_from(["fixed", "adaptive_range", "entropy_based"]),
)
def test_mi_bounds(T, seed, binning):
    # 0 <= I(T;Y) <= min(H(T), H(Y)); 1e-12 allows rounding of the entropy differences
    y = np.random.default_rng(seed).integers(0, 3, T.shape[0])
    est = BinnedMI(binning=binning, n_bins=5).fit(T, y)
    _, counts = np.unique(y, return_counts=True)
    h_y = float(-(counts / len(y) * np.log(counts / len(y))).sum())
    assert -1e-12 <= est.mutual_info_ <= min(h_y, est.entropy_) + 1e-12
    assert -1e-12 <= est.mi_xt_ <= est.entropy_ + 1e-12


def test_entropy_based_invariant_to_relu_rescaling():
    rng = np.random.default_rng(4)
    T = np.maximum(rng.normal(size=(1000, 8)), 0)
    y = rng.integers(0, 5, 1000)
    a = BinnedMI(binning="entropy_based", activation="relu").fit(T, y)
    b = BinnedMI(binning="entropy_based", activation="relu").fit(2 * T, y)
    assert (a.mutual_info_, a.mi_xt_, a.entropy_) == (b.mutual_info_, b.mi_xt_, b.entropy_)


def test_base_two_is_nats_over_log2():
    rng = np.random.default_rng(5)
    T, y = rng.normal(size=(300, 3)), rng.integers(0, 2, 300)
    nats = BinnedMI(n_bins=10).fit(T, y)
    bits = BinnedMI(n_bins=10, base=2).fit(T, y)
    for attr in ("mutual_info_", "mi_xt_", "entropy_"):
        assert getattr(bits, attr) == pytest.approx(getattr(nats, attr) / LOG2, rel=1e-13)


def test_partial_fit_equals_fit():
    rng = np.random.default_rng(6)
    n = 3000
    T = np.tanh(rng.normal(size=(n, 4)))
    y = np.array(["cat", "dog", "emu"])[rng.integers(0, 3, n)]
    y[:500] = "cat"  # later batches bring labels the first one did not have
    inputs = rng.integers(0, 300, n)
    whole = BinnedMI(binning="fixed").fit(T, y, inputs=inputs)
    streamed = BinnedMI(binning="fixed")
    for idx in np.array_split(np.arange(n), 6):
        streamed.partial_fit(T[idx], y[idx], inputs=inputs[idx])
    for attr in ("mutual_info_", "mi_xt_", "entropy_"):
        assert getattr(streamed, attr) == pytest.approx(getattr(whole, attr), abs=1e-12)
    assert streamed.n_symbols_ == whole.n_symbols_
    assert sorted(streamed.classes_) == ["cat", "dog", "emu"]


# -- bad input -------------------------------------------------------------------------------------


def test_y_required():
    with pytest.raises(ValueError, match="BinnedMI requires y to be passed"):
        BinnedMI().fit(np.zeros((4, 2)), None)


@pytest.mark.parametrize(
    "y, exc, match",
    [
        (np.zeros(3), ValueError, "y must have one label per sample: expected 4, got 3"),
        (np.zeros((4, 2)), ValueError, r"y must be labels of shape \(n_samples,\)"),
        (np.array([0.0, np.nan, 1.0, 1.0]), ValueError, "y contains 1 NaN"),
    ],
)
def test_bad_y(y, exc, match):
    with pytest.raises(exc, match=match):
        BinnedMI().fit(np.zeros((4, 2)), y)


@pytest.mark.parametrize(
    "inputs, match",
    [
        (np.zeros(3), r"X and inputs must have the same number of samples: X has 4 .*inputs has 3"),
        (np.array([0.0, np.inf, 1.0, 1.0]), "inputs contains 0 NaN and 1 inf"),
        (np.zeros((4, 2, 2)), "inputs must be 1-D or 2-D"),
    ],
)
def test_bad_inputs(inputs, match):
    with pytest.raises(ValueError, match=match):
        BinnedMI().fit(np.zeros((4, 2)), [0, 1, 0, 1], inputs=inputs)


def test_inputs_in_some_batches_only():
    est = BinnedMI().partial_fit(np.zeros((4, 2)), [0, 1, 0, 1], inputs=np.arange(4))
    with pytest.raises(ValueError, match="inputs must be given in every partial_fit call"):
        est.partial_fit(np.zeros((4, 2)), [0, 1, 0, 1])


def test_score_wrong_features():
    est = BinnedMI().fit(np.zeros((4, 2)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="X has 3 features, but BinnedMI is expecting 2"):
        est.score(np.zeros((4, 3)), [0, 1, 0, 1])
