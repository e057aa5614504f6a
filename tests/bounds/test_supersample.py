"""Supersample helper: plug-in terms vs a slow reference, bias, DPI ordering, identities, input."""

import json
import math

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.tree import DecisionTreeClassifier

from infotheory.bounds import run_supersample_experiment, supersample_bounds
from infotheory.bounds.supersample import plugin_mi_terms

LOG2 = math.log(2)


def _plugin_ref(a, u):
    """Readable plug-in MI of two discrete sequences (empirical joint distribution)."""
    m = len(a)
    joint, pa, pu = {}, {}, {}
    for x, y in zip(a, u):
        joint[(x, y)] = joint.get((x, y), 0) + 1 / m
        pa[x] = pa.get(x, 0) + 1 / m
        pu[y] = pu.get(y, 0) + 1 / m
    return sum(p * math.log(p / (pa[x] * pu[y])) for (x, y), p in joint.items())


def test_plugin_matches_reference():
    rng = np.random.default_rng(0)
    k, m, n = 2, 60, 7
    u = rng.integers(0, 2, size=(k, m, n))
    # codes correlated with the masks so that the terms are far from 0
    codes = np.where(rng.random((k, m, n)) < 0.7, u * 2, rng.integers(0, 4, size=(k, m, n)))
    mi, bias = plugin_mi_terms(codes, u)
    for s in range(k):
        for i in range(n):
            assert mi[s, i] == pytest.approx(_plugin_ref(codes[s, :, i], u[s, :, i]), abs=1e-14)
            n_a = len(set(codes[s, :, i]))
            assert bias[s, i] == pytest.approx((n_a - 1) / (2 * m), abs=1e-15)


def test_plugin_bias_matches_the_documented_expansion():
    """Data-independent losses: the true terms are 0 and the plug-in mean is its bias.

    Second-order expansion of the entropy bias (Miller 1955 and its higher-order terms):
    E[H_hat] - H = -(K - 1)/(2m) + (1 - sum 1/p)/(12 m^2); for I = H(A) + H(U) - H(A, U) with
    independent, uniform pairs of 0-1 losses (|A| = 4) and U (|B| = 2): 3/(2m) + 45/(12 m^2);
    for the loss difference (-1, 0, 1 with probabilities 1/4, 1/2, 1/4): 2/(2m) + 27/(12 m^2).
    """
    rng = np.random.default_rng(1)
    m, n = 100, 4000
    masks = rng.integers(0, 2, size=(m, n))
    losses = rng.integers(0, 2, size=(m, n, 2))
    res = supersample_bounds(masks, losses=losses)
    for key, expected in (("ecmi", 3 / (2 * m) + 45 / (12 * m**2)),
                          ("loss_difference", 2 / (2 * m) + 27 / (12 * m**2))):
        t = res.terms[key].ravel()
        se = t.std(ddof=1) / math.sqrt(t.size)
        assert abs(t.mean() - expected) < 4 * se
        assert res.bias[key].mean() == pytest.approx((3 if key == "ecmi" else 2) / (2 * m),
                                                     rel=0.02)


def _synthetic(rng, k=2, m=80, n=12, n_classes=3):
    """Predictions that depend on the mask (memorisation) plus noise; labels fixed per pair."""
    u = rng.integers(0, 2, size=(k, m, n))
    labels = rng.integers(0, n_classes, size=(k, n, 2))
    guess = rng.integers(0, n_classes, size=(k, m, n, 2))
    memorise = rng.random((k, m, n, 2)) < 0.6
    trained = np.stack([u == 0, u == 1], axis=-1)
    lab = np.broadcast_to(labels[:, None], guess.shape)
    preds = np.where(memorise & trained, lab, guess)
    return u, preds, labels


def test_data_processing_ordering_exact():
    rng = np.random.default_rng(2)
    u, preds, labels = _synthetic(rng)
    res = supersample_bounds(u, predictions=preds, labels=labels)
    f, e, d = res.terms["fcmi"], res.terms["ecmi"], res.terms["loss_difference"]
    assert (d <= e + 1e-12).all() and (e <= f + 1e-12).all()
    assert (d < e - 1e-6).any() and (e < f - 1e-6).any()  # the ordering is not vacuous here
    b = res.bounds
    assert b["loss_difference"].value <= b["ecmi"].value <= b["fcmi"].value
    assert (res.terms["fcmi"] <= LOG2 + 1e-12).all()


def test_data_processing_ordering_on_a_trained_classifier():
    X, y = load_digits(return_X_y=True)
    res = run_supersample_experiment(DecisionTreeClassifier(max_depth=3), X, y, n=15, n_runs=12,
                                     n_supersamples=2, random_state=0, progress=False)
    f, e, d = res.terms["fcmi"], res.terms["ecmi"], res.terms["loss_difference"]
    assert (d <= e + 1e-12).all() and (e <= f + 1e-12).all()
    assert res.train_loss > 0  # a depth-3 tree does not interpolate 10 classes
    assert "interpolating" not in res.bounds


def test_gap_measurement():
    # pair 0: train loss 0, test loss 1 in every run; pair 1: both losses 0.5
    masks = np.array([[0, 1], [1, 0], [0, 0]])
    losses = np.zeros((3, 2, 2))
    losses[:, 1, :] = 0.5
    for r in range(3):
        losses[r, 0, 1 - masks[r, 0]] = 1.0
    res = supersample_bounds(masks, losses=losses)
    assert res.train_loss == pytest.approx(0.25, abs=1e-15)
    assert res.test_loss == pytest.approx(0.75, abs=1e-15)
    assert res.gap == pytest.approx(0.5, abs=1e-15)
    assert res.gap_se == pytest.approx(0.0, abs=1e-15)


def test_interpolating_identity_in_a_balanced_design():
    """Exact on the empirical distribution: each mask value occurs in half the runs and the test
    point is misclassified in the same fraction p_i of the runs for either mask value."""
    m, p = 40, np.array([0.0, 0.25, 0.5, 1.0])
    n = p.size
    u = np.tile(np.repeat([0, 1], m // 2)[:, None], (1, n))
    losses = np.zeros((m, n, 2))
    for i in range(n):
        for val in (0, 1):
            runs = np.flatnonzero(u[:, i] == val)[: int(p[i] * m / 2)]
            losses[runs, i, 1 - val] = 1.0
    res = supersample_bounds(u, losses=losses)
    assert res.train_loss == 0.0
    assert res.terms["loss_difference_mi"][0] == pytest.approx(p * LOG2, abs=1e-14)
    assert res.bounds["interpolating"].value == pytest.approx(res.gap, abs=1e-14)
    assert res.gap == pytest.approx(p.mean(), abs=1e-14)


def test_interpolating_value_is_an_upper_bound_given_one_supersample():
    # uneven misclassification for the two masks: I(dL; U) >= log 2 * P(dL != 0)
    m = 40
    u = np.repeat([0, 1], m // 2)[:, None]
    losses = np.zeros((m, 1, 2))
    losses[:8, 0, 1] = 1.0  # only when U = 0 is the test point misclassified
    res = supersample_bounds(u, losses=losses)
    assert res.bounds["interpolating"].value > res.gap + 0.01


def test_bounds_cover_the_gap_of_an_interpolating_tree():
    X, y = load_breast_cancer(return_X_y=True)
    res = run_supersample_experiment(DecisionTreeClassifier(), X, y, n=15, n_runs=10,
                                     n_supersamples=6, random_state=0, progress=False)
    assert res.train_loss == 0.0 and "interpolating" in res.bounds
    for key in ("fcmi", "ecmi", "loss_difference", "loss_difference_mi"):
        assert res.bounds[key].value >= res.gap
    assert res.bounds["binary_kl_ecmi"].value >= res.test_loss
    assert res.bounds["binary_kl_ecmi"].bounds == "population_loss"


def test_experiment_reproducible_and_serialisable(capsys):
    X, y = load_breast_cancer(return_X_y=True)
    kw = dict(n=8, n_runs=5, random_state=3, progress=True)
    a = run_supersample_experiment(DecisionTreeClassifier(), X, y, **kw)
    b = run_supersample_experiment(DecisionTreeClassifier(), X, y, **kw)
    assert a.gap == b.gap
    np.testing.assert_array_equal(a.terms["ecmi"], b.terms["ecmi"])
    d = json.loads(json.dumps(a.to_dict()))
    assert d["n"] == 8 and d["n_runs"] == 5 and "ecmi" in d["bounds"]
    assert "supersample experiment: n=8" in str(a)
    assert "supersample runs" in capsys.readouterr().err  # the progress bar


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"masks": [[0, 2], [1, 0]], "losses": np.zeros((2, 2, 2))}, ValueError,
     r"masks must contain only 0 and 1 \(which column is trained on\), got 2.0"),
    ({"masks": [[0, 1]], "losses": np.zeros((1, 2, 2))}, ValueError,
     r"masks must have at least 2 training runs \(rows\) to estimate an information, got 1"),
    ({"masks": np.zeros((3, 2)), "losses": np.zeros((3, 4, 2))}, ValueError,
     r"losses and masks must describe the same runs and pairs: losses has shape \(1, 3, 4\)"),
    ({"masks": np.zeros((3, 2)), "losses": np.zeros((3, 2))}, ValueError,
     r"losses must have shape \(n_runs, n, 2\) or \(n_supersamples, n_runs, n, 2\), "
     r"got \(3, 2\)"),
    ({"masks": np.zeros((3, 2)), "losses": np.full((3, 2, 2), 2.0)}, ValueError,
     r"losses must be in \[0, 1\] .* got values in \[2, 2\]"),
    ({"masks": np.zeros((3, 2)), "losses": np.full((3, 2, 2), np.nan)}, ValueError,
     r"losses contains 12 NaN and 0 inf value\(s\)"),
    ({"masks": np.zeros((3, 2))}, ValueError,
     r"give losses \(n_runs, n, 2\), or predictions together with labels"),
    ({"masks": np.zeros((3, 2)), "predictions": np.zeros((3, 2, 2)), "labels": np.zeros((3, 2))},
     ValueError, r"labels must have shape \(n, 2\) = \(2, 2\) or \(1, 2, 2\), got \(3, 2\)"),
    ({"masks": np.zeros((0, 2)), "losses": np.zeros((0, 2, 2))}, ValueError,
     r"masks is empty"),
    ({"masks": np.array([["a", "b"], ["a", "b"]]), "losses": np.zeros((2, 2, 2))}, TypeError,
     r"masks must be numeric, got dtype <U1"),
])
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        supersample_bounds(**kwargs)


def test_experiment_bad_input():
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.raises(ValueError, match=r"n must be at most n_samples / 2 = 284 .* got n=300"):
        run_supersample_experiment(DecisionTreeClassifier(), X, y, n=300, n_runs=2)
    with pytest.raises(ValueError, match=r"n_runs must be >= 2, got 1"):
        run_supersample_experiment(DecisionTreeClassifier(), X, y, n=5, n_runs=1)
    with pytest.raises(ValueError, match=r"y must have one label per sample: expected 569, got 3"):
        run_supersample_experiment(DecisionTreeClassifier(), X, y[:3], n=5, n_runs=2)
