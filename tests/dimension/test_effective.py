"""Tests of infotheory.dimension.effective: closed forms, published data, properties, bad input."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from infotheory.dimension import (
    EffectiveDimension,
    LocalEffectiveDimension,
    TwoScaleEffectiveDimension,
    fisher_from_model,
    maddox_effective_dimension,
)

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "effective_dimension"
N_GRID = np.array([1e3, 2e3, 8e3, 1e4, 4e4, 6e4, 1e5, 1.5e5, 2e5, 5e5, 1e6])


def kappa(n, gamma=1.0):
    return gamma * np.asarray(n, float) / (2 * np.pi * np.log(n))


def slow_global_ed(fhat, n, gamma=1.0):
    """Readable reference: slogdet per draw and per n (no eigenvalue reuse)."""
    T, p, _ = fhat.shape
    out = []
    for ns in np.atleast_1d(n):
        k = kappa(ns, gamma)
        r = np.array([np.linalg.slogdet(np.eye(p) + k * f)[1] / 2 for f in fhat])
        lse = r.max() + np.log(np.exp(r - r.max()).sum())
        out.append(2 * (lse - np.log(T)) / np.log(k))
    return np.array(out)


def random_fishers(rng, T, p, rank=None):
    A = rng.normal(size=(T, p, rank or p))
    return A @ A.swapaxes(1, 2) / p


# -- closed forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("T", [1, 5])
def test_identity_fisher_closed_form(T):
    p, n = 7, np.array([50.0, 1e3, 1e5, 1e9])
    d = EffectiveDimension(n=n).fit(np.stack([np.eye(p)] * T)).effective_dimension_
    k = kappa(n)
    np.testing.assert_allclose(d, p * np.log1p(k) / np.log(k), rtol=1e-12)


def test_rank_r_fisher_tends_to_r():
    p, r = 8, 3
    F = np.diag([1.0] * r + [0.0] * (p - r))  # F̂ = diag(p/r, ..., 0)
    n = np.logspace(2, 40, 20)
    d = LocalEffectiveDimension(n=n, input_kind="fisher").fit(F).effective_dimension_
    k = kappa(n)
    np.testing.assert_allclose(d, r * np.log1p(k * p / r) / np.log(k), rtol=1e-12)
    gap = d - r
    assert (np.diff(gap) < 0).all() and (gap > 0).all()
    assert gap[-1] < r * math.log(p / r) / math.log(k[-1]) + 1e-9  # -> 0 like 1/log n


def test_matches_slow_reference_and_invariances():
    rng = np.random.default_rng(0)
    F = random_fishers(rng, 6, 5, rank=3)
    n = [100, 1e4, 1e7]
    d = EffectiveDimension(n=n, gamma=0.7).fit(F).effective_dimension_
    fhat = 5 * F / np.trace(F, axis1=1, axis2=2).mean()
    np.testing.assert_allclose(d, slow_global_ed(fhat, n, 0.7), rtol=1e-10)
    # scale of F and an orthogonal change of parameters do not change d_eff
    Q = np.linalg.qr(rng.normal(size=(5, 5)))[0]
    d2 = EffectiveDimension(n=n, gamma=0.7).fit(3.5 * Q @ F @ Q.T).effective_dimension_
    np.testing.assert_allclose(d2, d, rtol=1e-10)


def test_local_is_global_with_one_draw():
    F = random_fishers(np.random.default_rng(1), 1, 6)
    a = LocalEffectiveDimension(n=2e4, input_kind="fisher").fit(F[0]).effective_dimension_
    b = EffectiveDimension(n=2e4).fit(F).effective_dimension_
    lam = np.linalg.eigvalsh(6 * F[0] / np.trace(F[0]))
    k = kappa(2e4)
    assert a == pytest.approx(np.log1p(k * lam).sum() / np.log(k), rel=1e-12)
    assert a == pytest.approx(b, rel=1e-12)


def test_gram_trick_equals_fisher_path():
    rng = np.random.default_rng(2)
    T, n, p = 4, 6, 40  # n T = 24 < p
    S = rng.normal(size=(T, n, p)) * rng.uniform(0.1, 2, size=p)
    F = S.swapaxes(1, 2) @ S / n
    ns = [100, 1e4, 1e6]
    a = EffectiveDimension(n=ns).fit(S)
    b = EffectiveDimension(n=ns, input_kind="fisher").fit(F)
    assert a.input_kind_ == "scores" and b.input_kind_ == "fisher"
    assert a.eigenvalues_.shape == (T, n) and b.eigenvalues_.shape == (T, p)
    np.testing.assert_allclose(a.effective_dimension_, b.effective_dimension_, rtol=1e-10)
    np.testing.assert_allclose(np.sort(b.eigenvalues_, 1)[:, -n:], np.sort(a.eigenvalues_, 1),
                               rtol=1e-10, atol=1e-12)


def test_scores_2d_is_one_draw_and_score_matches_fit():
    X = np.random.default_rng(3).normal(size=(50, 4))
    est = EffectiveDimension(n=500).fit(X)
    assert est.n_draws_ == 1 and est.n_parameters_ == 4
    assert est.score(X) == pytest.approx(est.effective_dimension_, rel=1e-14)
    assert isinstance(est.score(X), float)


# -- published data (Abbas et al. 2021, Figure 3a) -------------------------------------------

_PUBLISHED = {
    "fhat_classical_d28.npy": [
        0.5143029356539494, 0.5193755457201386, 0.5382608817511563, 0.5418311168806571,
        0.5647778778515636, 0.5713567334917915, 0.5793597344047635, 0.5854392069509897,
        0.5895959967542898, 0.6019818294781452, 0.6105552620361235],
    "fhat_quantum_d40.npy": [
        0.8210580166405265, 0.8310258625186873, 0.8580952540766600, 0.8623845179624331,
        0.8859646739616629, 0.8917709124869913, 0.8984248324316566, 0.9032234769727457,
        0.9063909863925266, 0.9153263760566114, 0.9210913879347183],
}


@pytest.mark.parametrize("name", sorted(_PUBLISHED))
def test_published_figure_3a_curves(name):
    if not (REF / name).is_file():
        pytest.skip(f"reference data {REF / name} not present (../shared/reference is not "
                    "part of the package)")
    fhat = np.load(REF / name)
    est = EffectiveDimension(n=N_GRID, input_kind="fisher").fit(fhat)
    np.testing.assert_allclose(est.normalized_, _PUBLISHED[name], rtol=0, atol=1e-10)


def _official_d15_inputs():
    # The official example draws parameters then inputs from np.random.seed(0); its network
    # weights come from torch's generator instead, which we cannot reproduce without torch.
    rs = np.random.RandomState(0)
    rs.uniform(0, 1, size=(100, 15))
    return rs.normal(0, 1, size=(100, 3))


def test_official_d15_network_statistically():
    """The [3, 3, 2] network of the official code (leaky-ReLU, tanh + softmax, no bias).

    Its published d_eff comes from one torch draw of 100 weight vectors ~ U(0, 1). We rebuild
    the network's expected Fisher with JAX for 30 seeds of the weights (same inputs) and check
    the published numbers lie within 3 standard deviations of that seed distribution, plus the
    properties: normalised value in (0, 1), increasing in n from 1e3 on.
    """
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    if not jax.config.read("jax_enable_x64"):
        pytest.skip("needs float64 JAX (JAX_ENABLE_X64=1, set by tests/conftest.py)")

    def log_probs(theta, x):
        h = jax.nn.leaky_relu(theta[:9].reshape(3, 3) @ x, 0.01)
        return jax.nn.log_softmax(jnp.tanh(theta[9:].reshape(2, 3) @ h))

    x = _official_d15_inputs()
    n = [1e2, 1e3, 1e4, 1e5, 1e6]
    D = np.array([
        EffectiveDimension(n=n).fit(fisher_from_model(
            log_probs, np.random.default_rng(s).uniform(0, 1, size=(100, 15)), x,
            output="scores")).effective_dimension_
        for s in range(30)
    ])
    published = np.array([10.10838, 8.712933, 9.374589, 10.019779, 10.454855])
    z = (published - D.mean(0)) / D.std(0, ddof=1)
    assert (np.abs(z) < 3).all(), z
    assert ((D / 15 > 0) & (D / 15 < 1)).all()
    assert (np.diff(D[:, 1:], axis=1) > 0).all()
    assert (D[:, 0] > D[:, 1]).all()  # the published dip from n = 1e2 to 1e3 is reproduced


# -- two-scale -------------------------------------------------------------------------------


@pytest.mark.parametrize("eps", [1e-2, 1e-4])
def test_two_scale_at_zeta_zero_is_global_ed(eps):
    F = random_fishers(np.random.default_rng(4), 7, 6, rank=4)
    d2 = TwoScaleEffectiveDimension(epsilon=eps, zeta=0.0).fit(F).effective_dimension_
    n = 1000.0  # choose gamma so that kappa_n = eps^-2
    gamma = eps ** -2 * 2 * np.pi * np.log(n) / n
    d = EffectiveDimension(n=n, gamma=gamma).fit(F).effective_dimension_
    assert d2 == pytest.approx(d, rel=1e-10)


def test_two_scale_closed_form_and_monotone_in_zeta():
    p, eps = 5, 1e-3
    F = np.stack([np.eye(p)] * 3)
    zetas = [0.0, 0.3, 0.6, 0.9]
    d = [TwoScaleEffectiveDimension(epsilon=eps, zeta=z).fit(F).effective_dimension_
         for z in zetas]
    expected = [z * p + 0.5 * p * np.log1p(eps ** (-2 * (1 - z))) / -np.log(eps) for z in zetas]
    np.testing.assert_allclose(d, expected, rtol=1e-12)
    rank2 = np.stack([np.diag([1.0, 1.0, 0, 0, 0])] * 2)
    d_low = [TwoScaleEffectiveDimension(epsilon=eps, zeta=z).fit(rank2).effective_dimension_
             for z in zetas]
    assert (np.diff(d_low) > 0).all() and all(v >= z * p for v, z in zip(d_low, zetas))


def test_lower_two_scale_never_exceeds_full():
    rng = np.random.default_rng(5)
    for _ in range(5):
        F = random_fishers(rng, 4, 9, rank=rng.integers(3, 10))
        est = TwoScaleEffectiveDimension(epsilon=[1e-1, 1e-3, 1e-6], zeta=0.4,
                                         layers=[3, 4, 2]).fit(F)
        assert (est.lower_effective_dimension_ <= est.effective_dimension_ + 1e-10).all()
        assert (est.lower_effective_dimension_ >= 0.4 * 9 - 1e-12).all()
    # strictly lower when layers are coupled
    assert (est.lower_effective_dimension_ < est.effective_dimension_ - 1e-6).any()


def test_lower_two_scale_exact_when_block_diagonal_or_one_layer():
    rng = np.random.default_rng(6)
    blocks = [random_fishers(rng, 3, k) for k in (2, 3)]
    F = np.zeros((3, 5, 5))
    F[:, :2, :2], F[:, 2:, 2:] = blocks
    est = TwoScaleEffectiveDimension(epsilon=1e-3, zeta=0.2, layers=[2, 3]).fit(F)
    assert est.lower_effective_dimension_ == pytest.approx(est.effective_dimension_, rel=1e-10)
    G = random_fishers(rng, 3, 5)
    one = TwoScaleEffectiveDimension(epsilon=1e-3, zeta=0.2, layers=[5]).fit(G)
    assert one.lower_effective_dimension_ == pytest.approx(one.effective_dimension_, rel=1e-10)


def test_lower_two_scale_scores_match_fisher():
    rng = np.random.default_rng(7)
    S = rng.normal(size=(3, 30, 6)) + rng.normal(size=(3, 30, 1))  # correlated layers
    F = S.swapaxes(1, 2) @ S / 30
    kw = dict(epsilon=1e-2, zeta=0.5, layers=[2, 2, 2])
    a = TwoScaleEffectiveDimension(**kw).fit(S)
    b = TwoScaleEffectiveDimension(**kw, input_kind="fisher").fit(F)
    assert a.lower_effective_dimension_ == pytest.approx(b.lower_effective_dimension_, rel=1e-10)
    # conditioning = the Fisher of layer scores residualised on the previous layers' scores
    lam = []
    for t in range(3):
        for lo, hi in ((0, 2), (2, 4), (4, 6)):
            prev, cur = S[t][:, :lo], S[t][:, lo:hi]
            resid = cur - prev @ np.linalg.lstsq(prev, cur, rcond=None)[0] if lo else cur
            lam.append(np.linalg.eigvalsh(resid.T @ resid / 30))
    lam = np.array(lam).reshape(3, 6) * 6 / np.trace(F, axis1=1, axis2=2).mean()
    c = 1e-2 ** (-2 * 0.5)
    z = 0.5 * np.log1p(c * lam).sum(1)
    expected = 0.5 * 6 + (np.log(np.exp(z - z.max()).mean()) + z.max()) / -np.log(1e-2)
    assert a.lower_effective_dimension_ == pytest.approx(expected, rel=1e-10)


def test_lower_two_scale_progress_bar(capsys):
    F = random_fishers(np.random.default_rng(8), 2, 4)
    TwoScaleEffectiveDimension(layers=[2, 2], progress=True).fit(F)
    assert "layers" in capsys.readouterr().err


# -- Maddox ----------------------------------------------------------------------------------


def test_maddox_closed_form_and_properties():
    lam = np.array([5.0, 2.0, 0.5, 0.0])
    z = np.array([0.1, 1.0, 10.0])
    expected = (lam[None] / (lam[None] + z[:, None])).sum(1)
    np.testing.assert_allclose(maddox_effective_dimension(lam, z), expected, rtol=1e-14)
    Q = np.linalg.qr(np.random.default_rng(9).normal(size=(4, 4)))[0]
    np.testing.assert_allclose(maddox_effective_dimension(Q @ np.diag(lam) @ Q.T, z), expected,
                               rtol=1e-10)
    grid = maddox_effective_dimension(lam, np.logspace(-6, 6, 30))
    assert (np.diff(grid) < 0).all() and grid[0] < 3 and grid[0] > 2.99 and grid[-1] > 0
    assert isinstance(maddox_effective_dimension(lam, 1.0), float)


# -- JAX model -------------------------------------------------------------------------------


def test_fisher_from_model_gaussian_and_logistic():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    rng = np.random.default_rng(10)
    x = rng.normal(size=(40, 3))

    def gauss(theta, xi):  # N(theta, I): the score is x - theta
        return -0.5 * jnp.sum((xi - theta) ** 2)

    th = rng.normal(size=(2, 3))
    S = fisher_from_model(gauss, th, x, output="scores")
    np.testing.assert_allclose(S, x[None] - th[:, None], rtol=1e-12)

    def logistic(theta, xi):  # class log-probabilities of a logistic model
        logit = xi @ theta
        return jnp.stack([jax.nn.log_sigmoid(-logit), jax.nn.log_sigmoid(logit)])

    F = fisher_from_model(logistic, th, x, batch_size=2)
    for t in range(2):
        p = 1 / (1 + np.exp(-x @ th[t]))
        expected = (x * (p * (1 - p))[:, None]).T @ x / len(x)
        np.testing.assert_allclose(F[t], expected, rtol=1e-10, atol=1e-14)


def test_import_does_not_load_jax():
    import subprocess

    code = ("import sys, infotheory.dimension as d; d.EffectiveDimension; "
            "assert 'jax' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("X, kw, exc, match", [
    (np.zeros((2, 2, 2, 2)), {}, ValueError, r"got a 4-D array of shape \(2, 2, 2, 2\)"),
    (np.ones((2, 3, 4)), {"input_kind": "fisher"}, ValueError, r"non-square 3 x 4"),
    (np.ones((3, 4)), {"input_kind": "fisher"}, ValueError, r"non-square 3 x 4"),
    (np.array([[[1.0, 0.5], [0.0, 1.0]]]), {"input_kind": "fisher"}, ValueError,
     r"symmetric Fisher matrices: the largest \|F - F\^T\| is 0\.5"),
    (np.array([[[1.0, 0.0], [0.0, -0.5]]]), {}, ValueError,
     r"positive semi-definite .* draw 0 has eigenvalue -0\.5"),
    (np.zeros((2, 3, 3)), {}, ValueError, r"zero for every draw"),
    (np.full((2, 3, 3), np.nan), {}, ValueError, r"X contains 18 NaN"),
    (np.zeros((0, 3, 3)), {}, ValueError, r"X is empty: got shape \(0, 3, 3\)"),
    (np.zeros((0, 3)), {}, ValueError, r"X is empty"),
    (np.array([["a", "b"]]), {}, TypeError, r"X must be numeric"),
    (np.eye(3)[None], {"n": 1}, ValueError, r"n must be finite and > 1"),
    (np.eye(3)[None], {"n": [100, 0.5]}, ValueError, r"n must be finite and > 1"),
    (np.eye(3)[None], {"n": 10}, ValueError, r"n=10 with gamma=1.0 gives kappa .* <= 1"),
    (np.eye(3)[None], {"n": []}, ValueError, r"n is empty"),
    (np.eye(3)[None], {"n": "many"}, TypeError, r"n must be a number"),
    (np.eye(3)[None], {"gamma": 0.0}, ValueError, r"gamma must be > 0, got 0.0"),
    (np.eye(3)[None], {"gamma": -1.0}, ValueError, r"gamma must be > 0, got -1.0"),
    (np.eye(3)[None], {"input_kind": "hessian"}, ValueError, r"input_kind must be one of"),
    (np.ones((1, 1000, 1200)), {"max_memory": "1MB", "input_kind": "scores"}, ValueError,
     r"would need 8\.0 MB"),
])
def test_bad_input_global(X, kw, exc, match):
    with pytest.raises(exc, match=match):
        EffectiveDimension(**kw).fit(X)


@pytest.mark.parametrize("kw, match", [
    ({"epsilon": 0.0}, r"epsilon must be in \(0, 1\)"),
    ({"epsilon": 1.0}, r"epsilon must be in \(0, 1\)"),
    ({"epsilon": [0.1, 2.0]}, r"epsilon must be in \(0, 1\)"),
    ({"zeta": 1.0}, r"zeta must be < 1, got 1.0"),
    ({"zeta": -0.1}, r"zeta must be >= 0, got -0.1"),
    ({"layers": [2, 0]}, r"layers must be a non-empty sequence of positive ints"),
    ({"layers": [1.5, 1.5]}, r"layers must be a non-empty sequence of positive ints"),
    ({"layers": [1, 1]}, r"layers must sum to the number of parameters p=3, got \[1, 1\]"),
])
def test_bad_input_two_scale(kw, match):
    with pytest.raises(ValueError, match=match):
        TwoScaleEffectiveDimension(**kw).fit(np.stack([np.eye(3)] * 2))


def test_bad_input_score_and_types():
    est = EffectiveDimension(n=[100, 1000]).fit(np.eye(3)[None])
    with pytest.raises(ValueError, match=r"score returns one number and needs a scalar"):
        est.score(np.eye(3)[None])
    est = EffectiveDimension(n=100).fit(np.eye(3)[None])
    with pytest.raises(ValueError, match=r"X has 4 features, but EffectiveDimension is expecting"):
        est.score(np.eye(4)[None])
    with pytest.raises(TypeError, match=r"epsilon must be a number"):
        TwoScaleEffectiveDimension(epsilon="small").fit(np.eye(3)[None])


@pytest.mark.parametrize("arg, z, exc, match", [
    ([1.0, -2.0], 1.0, ValueError, r"non-negative eigenvalues, got -2"),
    (np.ones((2, 3)), 1.0, ValueError, r"square \(p, p\) matrix, got shape \(2, 3\)"),
    ([], 1.0, ValueError, r"got shape \(0,\)"),
    ([1.0, np.inf], 1.0, ValueError, r"contains 0 NaN and 1 inf"),
    ([1.0, 2.0], 0.0, ValueError, r"z must be finite and > 0, got 0.0"),
    ([1.0, 2.0], [1.0, -1.0], ValueError, r"z must be finite and > 0"),
    ([1.0, 2.0], "big", TypeError, r"z must be a number"),
    (np.array([[1.0, 2.0], [0.0, 1.0]]), 1.0, ValueError, r"symmetric Fisher matrices"),
])
def test_bad_input_maddox(arg, z, exc, match):
    with pytest.raises(exc, match=match):
        maddox_effective_dimension(arg, z)


def test_bad_input_fisher_from_model():
    pytest.importorskip("jax")

    def f(theta, x):
        return (theta * x).sum()

    with pytest.raises(TypeError, match=r"log_likelihood must be callable"):
        fisher_from_model(3, np.zeros(2), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"params must be parameter draws of shape \(T, p\)"):
        fisher_from_model(f, np.zeros((2, 2, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"data must have a leading sample axis"):
        fisher_from_model(f, np.zeros(2), np.zeros((0, 2)))
    with pytest.raises(ValueError, match=r"params contains 1 NaN"):
        fisher_from_model(f, np.array([0.0, np.nan]), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"output must be one of"):
        fisher_from_model(f, np.zeros(2), np.zeros((4, 2)), output="hessian")
    with pytest.raises(ValueError, match=r"must return a scalar .* shape \(2, 2\)"):
        fisher_from_model(lambda t, x: jnp_outer(t), np.zeros(2), np.zeros((4, 2)))


def jnp_outer(t):
    import jax.numpy as jnp

    return jnp.outer(t, t)


def test_bad_layers_leave_the_estimator_unfitted():
    # the layer sizes are checked before any work, so a failed fit sets no attribute
    est = TwoScaleEffectiveDimension(epsilon=0.1, zeta=0.5, layers=[1, 1])
    with pytest.raises(ValueError, match="layers must sum"):
        est.fit(np.eye(3)[None])
    assert not hasattr(est, "effective_dimension_")


def test_activations_are_refused_unless_the_kind_is_given():
    # ReLU activations: every entry >= 0, which per-sample scores (mean zero) cannot be
    rng = np.random.default_rng(0)
    acts = np.maximum(rng.normal(size=(200, 6)), 0.0)
    with pytest.raises(ValueError, match=r"X does not look like per-sample scores: every entry "
                                         r"is >= 0 .*input_kind='auto' \(a 2-D X is read as"):
        EffectiveDimension().fit(acts)
    with pytest.raises(ValueError, match=r"\(a 3-D X that is not square symmetric is read as"):
        EffectiveDimension().fit(np.stack([acts, acts]))
    est = EffectiveDimension(input_kind="scores").fit(acts)  # explicit: accepted
    assert est.input_kind_ == "scores"
    # scores of a Gaussian location model, x - theta: both signs, inferred as scores
    assert EffectiveDimension().fit(rng.normal(size=(200, 6))).input_kind_ == "scores"
    F = np.stack([np.eye(3)] * 2)  # non-negative, but square symmetric: Fisher matrices
    assert EffectiveDimension().fit(F).input_kind_ == "fisher"
