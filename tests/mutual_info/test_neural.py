"""NeuralMI: closed forms on correlated Gaussians, the log(B) ceiling of InfoNCE, determinism,
independence, the held-out protocol, bad input.

The default-suite tests share one small configuration (``_FAST``) and a few data shapes, so the
compiled training loop is reused: each new (bound, critic, shape) costs a compilation of about a
second. Accuracy over the bounds and dimensions is checked in the slow tests.
"""

import math
import sys

import numpy as np
import pytest

from infotheory import NeuralMI
from infotheory.datasets import correlated_gaussians
from infotheory.mutual_info._diagnostics import InfotheoryWarning

pytest.importorskip("jax")
pytest.importorskip("optax")

_FAST = dict(hidden=(16,), embed_dim=8, batch_size=128, max_steps=600, eval_every=100,
             learning_rate=1e-2, weight_decay=0.0, random_state=0)


@pytest.fixture(scope="module")
def gauss_half_nat():
    return correlated_gaussians(2000, mi=0.5, dim=1, random_state=0)


# -- closed forms -------------------------------------------------------------------------------


def test_infonce_recovers_half_a_nat(gauss_half_nat):
    """Held-out InfoNCE on 1000 pairs in 7 blocks of 128: block SD about 0.08, SE 0.03; the
    critic's own bias at 0.5 nat is a few hundredths. Tolerance 0.1 nats."""
    X, Y, true_mi = gauss_half_nat
    est = NeuralMI(**_FAST).fit(X, Y)
    assert abs(est.mutual_info_ - true_mi) < 0.1
    assert 0 < est.standard_error_ < 0.1


def test_infonce_never_exceeds_log_batch_size():
    """MI 5 nats with 16 pairs a batch: the bound saturates under log 16 = 2.77 (an optimal
    critic would reach about log(16 / (1 + 15 e^-5)) = 2.68)."""
    X, Y, _ = correlated_gaussians(2000, mi=5.0, dim=1, random_state=1)
    est = NeuralMI(**{**_FAST, "batch_size": 16}).fit(X, Y)
    assert est.mutual_info_ <= math.log(16) + 1e-6
    assert est.mutual_info_ > math.log(16) - 1.0
    assert np.all(est.history_["validation"] <= math.log(16) + 1e-6)
    assert np.all(est.history_["train"] <= math.log(16) + 1e-6)


def test_independent_variables_give_about_zero():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(2000, 1)), rng.normal(size=(2000, 1))
    est = NeuralMI(**_FAST).fit(X, Y)
    # 3 SE of the block spread (about 0.03) around 0; the maximum over evaluations is >= 0-ish.
    assert -0.1 < est.mutual_info_ < 0.1


# -- protocol -----------------------------------------------------------------------------------


def test_same_seed_same_result_other_seed_other_result(gauss_half_nat):
    X, Y, _ = gauss_half_nat
    a = NeuralMI(**_FAST).fit(X, Y)
    b = NeuralMI(**_FAST).fit(X, Y)
    c = NeuralMI(**{**_FAST, "random_state": 1}).fit(X, Y)
    assert a.mutual_info_ == b.mutual_info_
    np.testing.assert_array_equal(a.history_["validation"], b.history_["validation"])
    assert a.mutual_info_ != c.mutual_info_


def test_history_early_stopping_and_attributes(gauss_half_nat):
    X, Y, _ = gauss_half_nat
    est = NeuralMI(**_FAST, base=2).fit(X, Y)
    h = est.history_
    assert len(h["step"]) == len(h["train"]) == len(h["validation"]) >= 1
    assert h["step"][-1] == est.n_iter_ <= 600
    # The reported value is the held-out value of the kept critic, converted to bits.
    best = h["validation"][list(h["step"]).index(est.best_step_)]
    assert est.mutual_info_ == pytest.approx(best / math.log(2), rel=1e-5)
    assert est.backend_ == "jax"
    assert est.device_.split(":")[0] in ("cpu", "gpu", "cuda", "rocm", "tpu", "METAL")
    assert est.batch_size_ == 128


def test_score_reads_new_data_and_changes_nothing(gauss_half_nat):
    X, Y, true_mi = gauss_half_nat
    est = NeuralMI(**_FAST).fit(X, Y)
    before = (est.mutual_info_, est.standard_error_, est.n_iter_)
    X2, Y2, _ = correlated_gaussians(2000, mi=0.5, dim=1, random_state=9)
    value = est.score(X2, Y2)
    assert abs(value - true_mi) < 0.1
    assert (est.mutual_info_, est.standard_error_, est.n_iter_) == before
    rng = np.random.default_rng(0)
    assert est.score(X2, rng.permutation(Y2)) < 0.05  # shuffled pairs: the critic sees nothing


def test_padded_held_out_blocks_leave_the_value_unchanged(gauss_half_nat):
    """Held-out blocks are padded with zeros to a power of two (one compiled evaluation for
    similar sizes): 3 blocks of 128 pairs give the mean and standard error of those 3 blocks
    evaluated alone, not of the 4 evaluated."""
    from infotheory.mutual_info.neural import _blocks, _kernels

    X, Y, _ = gauss_half_nat
    est = NeuralMI(**_FAST).fit(X, Y)
    nj = _kernels()
    X3, Y3 = X[:3 * 128 + 5], Y[:3 * 128 + 5]
    xb, yb, n_blocks = _blocks(nj, est._x_map(X3), est._y_map(Y3), 128, est._block_seed,
                               est._jax_dtype(nj))
    assert (xb.shape[0], n_blocks) == (4, 3) and not np.any(np.asarray(xb[3]))
    values, terms = nj.evaluate(est.critic_params_, xb[:3], yb[:3], bound=est.bound,
                                critic=est.critic)
    terms = np.asarray(terms, dtype=np.float64).ravel()
    result = est._estimate(X3, Y3)
    assert result.value == np.mean(np.asarray(values, dtype=np.float64))
    assert result.standard_error == terms.std(ddof=1) / math.sqrt(terms.size)


def test_padded_block_counts_are_few_and_cost_at_most_an_eighth():
    from infotheory.mutual_info.neural import _padded_blocks

    sizes = [_padded_blocks(n) for n in range(1, 4097)]
    assert sizes[:8] == [1, 2, 4, 4, 8, 8, 8, 8]
    assert all(n <= m <= max(8, n * 9 / 8) for n, m in enumerate(sizes, 1))
    assert len(set(sizes)) <= 4 + 8 * 9  # 1, 2, 4, 8, then 8 sizes per doubling up to 4096


def test_clearly_negative_held_out_value_warns():
    """A critic trained 600 steps at a high rate on 40 independent pairs memorises them; one
    evaluation at the end (no early stopping) sees a held-out bound near -2 nats."""
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(80, 1)), rng.normal(size=(80, 1))
    est = NeuralMI(**{**_FAST, "learning_rate": 0.1, "eval_every": 600, "batch_size": 40,
                      "preprocessing": "standardize"})
    with pytest.warns(InfotheoryWarning, match="clearly below 0"):
        est.fit(X, Y)
    assert est.mutual_info_ < 0


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("params, error, match", [
    ({"bound": "jsd"}, ValueError, "bound must be one of"),
    ({"critic": "bilinear"}, ValueError, "critic must be one of"),
    ({"hidden": 16}, TypeError, "hidden must be a tuple"),
    ({"hidden": (16, 0)}, ValueError, "hidden widths must be >= 1"),
    ({"batch_size": 1}, ValueError, "batch_size must be >= 2"),
    ({"max_steps": 0}, ValueError, "max_steps must be >= 1"),
    ({"learning_rate": 0.0}, ValueError, "learning_rate must be > 0"),
    ({"weight_decay": -1.0}, ValueError, "weight_decay must be >= 0"),
    ({"validation_fraction": 1.0}, ValueError, "validation_fraction must be < 1"),
    ({"patience": 0}, ValueError, "patience must be >= 1"),
    ({"dtype": "float16"}, ValueError, "dtype must be one of"),
    ({"preprocessing": "rank"}, ValueError, "preprocessing must be one of"),
    ({"backend": "numba"}, ValueError, "backend must be one of"),
    ({"progress": 1}, TypeError, "progress must be a bool"),
])
def test_bad_parameters(params, error, match, gauss_half_nat):
    X, Y, _ = gauss_half_nat
    with pytest.raises(error, match=match):
        NeuralMI(**params).fit(X, Y)


def test_float64_without_x64_is_refused(gauss_half_nat):
    import jax

    if jax.config.read("jax_enable_x64"):
        pytest.skip("64-bit JAX is enabled in this process")
    X, Y, _ = gauss_half_nat
    with pytest.raises(ValueError, match="jax_enable_x64"):
        NeuralMI(dtype="float64").fit(X, Y)


def test_too_few_samples_and_missing_y():
    with pytest.raises(ValueError, match="minimum of 4 is required by NeuralMI"):
        NeuralMI().fit(np.zeros((3, 1)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="requires y"):
        NeuralMI().fit(np.zeros((10, 1)))


def test_missing_jax_names_the_extra(monkeypatch, gauss_half_nat):
    X, Y, _ = gauss_half_nat
    monkeypatch.setitem(sys.modules, "optax", None)
    with pytest.raises(ImportError, match=r"pip install infotheory\[jax\]"):
        NeuralMI().fit(X, Y)


# -- slow statistical checks --------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("bound", ["infonce", "nwj", "mine", "dv", "smile"])
@pytest.mark.parametrize("critic", ["separable", "concat"])
def test_every_bound_and_critic_near_one_nat(bound, critic):
    """Defaults, N = 5000, d = 2, MI = 1 nat: every objective within 0.2 nats (measured errors
    below 0.1; DV/NWJ/MINE have the largest spread)."""
    X, Y, true_mi = correlated_gaussians(5000, mi=1.0, dim=2, random_state=4)
    est = NeuralMI(bound=bound, critic=critic, random_state=0).fit(X, Y)
    assert abs(est.mutual_info_ - true_mi) < 0.2


@pytest.mark.slow
@pytest.mark.parametrize("dim", [1, 5, 20])
def test_defaults_on_gaussians(dim):
    """Default estimator, N = 5000, MI = 1 nat: within 0.2 nats at d = 1, 5, 20 per side."""
    X, Y, true_mi = correlated_gaussians(5000, mi=1.0, dim=dim, random_state=dim)
    est = NeuralMI(random_state=0).fit(X, Y)
    assert abs(est.mutual_info_ - true_mi) < 0.2


def test_quantile_preprocessing_is_monotone_and_learned_on_the_training_split():
    from infotheory.mutual_info.neural import MarginalMap

    rng = np.random.default_rng(0)
    Z = rng.standard_t(1, size=(500, 2)) ** 3
    m = MarginalMap(Z, "quantile")
    out = m(Z)
    for j in range(2):
        order = np.argsort(Z[:, j])
        assert np.all(np.diff(out[order, j]) > 0)  # strictly increasing on the training data
    assert abs(out.mean()) < 1e-9 and abs(out.std() - 1) < 0.05  # normal scores
    new = m(np.array([[-1e9, 1e9]]))  # beyond the training range: flat at the extreme scores
    assert new[0, 0] == out[:, 0].min() and new[0, 1] == out[:, 1].max()
    s = MarginalMap(Z, "standardize")
    np.testing.assert_allclose(s(Z).mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(s(Z).std(0), 1)


def test_heavy_tailed_marginals_do_not_matter():
    """Cubing each coordinate leaves the MI unchanged; the quantile map undoes it exactly on the
    training split, so the estimate barely moves (both within 0.1 of the truth)."""
    X, Y, true_mi = correlated_gaussians(2000, mi=0.5, dim=1, random_state=0)
    plain = NeuralMI(**_FAST).fit(X, Y).mutual_info_
    cubed = NeuralMI(**_FAST).fit(X**3, Y**3).mutual_info_
    assert abs(cubed - true_mi) < 0.1
    assert abs(cubed - plain) < 0.02


def test_initial_optimiser_state_is_optax_init():
    """The initial AdamW state is built in NumPy (zeros of the structure optax's ``init``
    returns, learning rate and weight decay set) so that nothing compiles before training:
    it must equal what optax itself builds."""
    import jax

    from infotheory._kernels import neural_jax as nj

    params, state, log_ma = nj.init_state(np.random.default_rng(0), 3e-3, 0.5,
                                          critic="separable", dx=3, dy=2, hidden=(4,),
                                          embed_dim=2, dtype="float32")
    reference = nj.OPTIMIZER.init(params)
    reference.hyperparams["learning_rate"] = np.float32(3e-3)
    reference.hyperparams["weight_decay"] = np.float32(0.5)
    assert jax.tree_util.tree_structure(state) == jax.tree_util.tree_structure(reference)
    for ours, theirs in zip(jax.tree_util.tree_leaves(state),
                            jax.tree_util.tree_leaves(reference)):
        assert np.asarray(ours).dtype == np.asarray(theirs).dtype
        np.testing.assert_array_equal(ours, theirs)
    assert np.isnan(log_ma)


def test_batches_are_distinct_rows_drawn_pass_by_pass():
    from infotheory.mutual_info.neural import _Batches

    batches = _Batches(np.random.default_rng(0), 10, 3)
    first, second = batches.take(4), batches.take(5)
    assert first.shape == (4, 3) and second.shape == (5, 3) and first.dtype == np.int32
    rows = np.concatenate([first, second])
    assert all(len(set(b)) == 3 for b in rows)  # distinct pairs in each batch
    assert rows.min() >= 0 and rows.max() < 10  # never a padding row
    for p in range(3):  # each pass (3 batches of 3 out of 10 rows) draws every row once at most
        assert len(set(rows[3 * p:3 * p + 3].ravel())) == 9
    again = _Batches(np.random.default_rng(0), 10, 3)
    np.testing.assert_array_equal(np.concatenate([again.take(2), again.take(7)]), rows)
    whole = _Batches(np.random.default_rng(1), 4, 4).take(3)  # B = n_train: every row each step
    assert all(sorted(b) == [0, 1, 2, 3] for b in whole)
