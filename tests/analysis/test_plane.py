"""InformationPlane: the table, the estimators it calls, adaptive range, plots, files, errors."""

import csv
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from sklearn.exceptions import NotFittedError

from infotheory.analysis import InformationPlane, SaturationWarning
from infotheory.entropy import GaussianEntropy
from infotheory.mutual_info import BinnedMI, GaussianMI, MixedMI
from infotheory.mutual_info._diagnostics import DiscreteInputWarning

N = 200

# The toy nets below (200 samples, 30 bins, widths 3-5) resolve every sample at later epochs:
# the saturation warning is tested on its own (test_saturation_*), the other tests ignore it.
pytestmark = pytest.mark.filterwarnings("ignore::infotheory.analysis.SaturationWarning")


def _run(n_epochs=3, seed=0):
    """Inputs, labels and a deterministic 2-layer tanh net whose weights grow over 'epochs'."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, 4))
    y = (X[:, 0] + 0.3 * rng.normal(size=N) > 0).astype(int)
    W1, W2 = rng.normal(size=(4, 5)), rng.normal(size=(5, 3))
    epochs = []
    for e in range(n_epochs):
        h1 = np.tanh((1 + e) * X @ W1)
        epochs.append({"h1": h1, "h2": np.tanh(h1 @ W2)})
    return epochs, X, y


def test_table_rows_columns_and_order():
    acts, X, y = _run()
    plane = InformationPlane(progress=False).fit(acts, X, y, epochs=[0, 5, 20])
    assert len(plane.table_) == 3 * 2
    assert [list(r) for r in plane.table_] == [["epoch", "layer", "layer_index", "mi_xt",
                                                "mi_ty"]] * 6
    assert [(r["epoch"], r["layer"], r["layer_index"]) for r in plane.table_] == [
        (0, "h1", 0), (0, "h2", 1), (5, "h1", 0), (5, "h2", 1), (20, "h1", 0), (20, "h2", 1)]
    assert plane.epochs_ == [0, 5, 20] and plane.layers_ == ["h1", "h2"]
    assert plane.unit_ == "nats" and plane.upper_ is None


def test_default_is_entropy_based_binned_mi_on_every_layer_and_epoch():
    acts, X, y = _run()
    plane = InformationPlane(progress=False).fit(acts, X, y)
    for row in plane.table_:
        ref = BinnedMI(binning="entropy_based").fit(acts[row["epoch"]][row["layer"]], y, inputs=X)
        assert row["mi_xt"] == ref.mi_xt_ and row["mi_ty"] == ref.mi_ty_
        # The data processing inequality bounds what binning can report: I(T;Y) <= H(Y).
        p = np.bincount(y) / N
        assert 0 <= row["mi_ty"] <= -np.sum(p * np.log(p)) + 1e-12
    # Distinct inputs and a deterministic net: omitting X gives the same I(X;T) (= H(T)).
    without_x = InformationPlane(progress=False).fit(acts, None, y)
    assert [r["mi_xt"] for r in without_x.table_] == pytest.approx(
        [r["mi_xt"] for r in plane.table_], rel=1e-12)


def test_generic_estimator_is_fitted_twice_per_layer():
    acts, X, y = _run(n_epochs=2)
    # GaussianMI with class labels is warned about once for the fit, with the count of fits
    with pytest.warns(DiscreteInputWarning, match=r"y takes only 2 distinct .* \[in 4 of 4 "
                                                  r"layer×epoch fits; first at epoch 0, layer "
                                                  r"'h1'\]") as rec:
        plane = InformationPlane(estimator=GaussianMI(), progress=False).fit(acts, X, y)
    discrete = [w for w in rec if w.category is DiscreteInputWarning]
    assert len(discrete) == 1 and discrete[0].filename == __file__
    assert plane.warnings_[0]["count"] == 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiscreteInputWarning)
        for row in plane.table_:
            T = acts[row["epoch"]][row["layer"]]
            assert row["mi_xt"] == GaussianMI().fit(T, X).mutual_info_
            assert row["mi_ty"] == GaussianMI().fit(T, y).mutual_info_


def test_base_sets_the_unit_of_every_estimator():
    acts, X, y = _run(n_epochs=2)
    nats = InformationPlane(progress=False).fit(acts, X, y)
    bits = InformationPlane(base=2, progress=False).fit(acts, X, y)
    assert bits.unit_ == "bits"
    for a, b in zip(nats.table_, bits.table_):
        assert b["mi_xt"] == pytest.approx(a["mi_xt"] / math.log(2), rel=1e-12)
        assert b["mi_ty"] == pytest.approx(a["mi_ty"] / math.log(2), rel=1e-12)


@pytest.mark.filterwarnings("ignore::infotheory.mutual_info._diagnostics.DiscreteInputWarning")
def test_extra_columns():
    acts, X, y = _run(n_epochs=2)
    plane = InformationPlane(
        extra={"h_gauss": GaussianEntropy(), "mi_gauss": GaussianMI()}, progress=False
    ).fit(acts, X, y)
    for row in plane.table_:
        T = acts[row["epoch"]][row["layer"]]
        assert row["h_gauss"] == GaussianEntropy().fit(T).entropy_
        assert row["mi_gauss"] == GaussianMI().fit(T, y).mutual_info_  # requires y -> fit(T, y)


def test_adaptive_range_maximum_is_running_max_over_layers_and_epochs():
    acts, X, y = _run(n_epochs=4)
    # Shrink the last epoch so that its own maximum falls below the earlier ones.
    acts[3] = {k: 0.1 * v for k, v in acts[3].items()}
    est = BinnedMI(binning="adaptive_range", activation="tanh")
    plane = InformationPlane(estimator=est, progress=False).fit(acts, X, y)
    per_epoch = [max(float(a["h1"].max()), float(a["h2"].max())) for a in acts]
    assert plane.upper_ == list(np.maximum.accumulate(per_epoch))
    assert np.all(np.diff(plane.upper_) >= 0) and plane.upper_[3] > per_epoch[3]
    for row in plane.table_:
        ref = BinnedMI(binning="adaptive_range", activation="tanh",
                       max_value=plane.upper_[row["epoch"]])
        ref.fit(acts[row["epoch"]][row["layer"]], y, inputs=X)
        assert row["mi_xt"] == ref.mi_xt_ and row["mi_ty"] == ref.mi_ty_
    # A max_value chosen by the user is kept.
    fixed = InformationPlane(estimator=est.set_params(max_value=5.0), progress=False)
    assert fixed.fit(acts, X, y).upper_ is None


def test_progress_bar_on_and_off(capsys):
    acts, X, y = _run(n_epochs=2)
    InformationPlane(progress=False).fit(acts, X, y)
    assert capsys.readouterr().err == ""
    InformationPlane(progress=True).fit(acts, X, y)
    assert "information plane" in capsys.readouterr().err


@pytest.mark.parametrize("n_jobs", [2, 3, -1])
def test_threads_give_the_same_table_in_the_same_order(n_jobs):
    acts, X, y = _run(n_epochs=4)
    extra = {"h_gauss": GaussianEntropy()}
    one = InformationPlane(extra=extra, progress=False).fit(acts, X, y, epochs=[3, 1, 7, 2])
    many = InformationPlane(extra=extra, progress=False, n_jobs=n_jobs).fit(
        acts, X, y, epochs=[3, 1, 7, 2])
    assert many.table_ == one.table_
    est = BinnedMI(binning="adaptive_range", activation="tanh")
    one = InformationPlane(estimator=est, progress=False).fit(acts, X, y)
    many = InformationPlane(estimator=est, progress=False, n_jobs=n_jobs).fit(acts, X, y)
    assert many.table_ == one.table_ and many.upper_ == one.upper_


def test_threads_report_the_failing_layer_and_show_progress(capsys):
    acts, X, y = _run(n_epochs=3)
    acts[2]["h2"] = acts[2]["h2"] - 3.0  # below the declared tanh bound at the last epoch only
    est = BinnedMI(activation="tanh")
    with pytest.raises(ValueError, match=r"epoch 2, layer 'h2': X has values below the lower"):
        InformationPlane(estimator=est, progress=False, n_jobs=2).fit(acts, X, y)
    InformationPlane(progress=True, n_jobs=2).fit(acts[:2], X, y)
    assert "information plane" in capsys.readouterr().err


def test_folder_input_matches_in_memory(tmp_path):
    acts, X, y = _run()
    for e, rec in zip([1, 10, 100], acts):
        np.savez(tmp_path / f"epoch_{e:04d}.npz", **rec)
    from_disk = InformationPlane(progress=False).fit(tmp_path, X, y)
    in_memory = InformationPlane(progress=False).fit(acts, X, y, epochs=[1, 10, 100])
    assert from_disk.table_ == in_memory.table_
    single = InformationPlane(progress=False).fit(acts[0], X, y)
    assert single.table_ == [dict(r, epoch=0) for r in in_memory.table_[:2]]


def test_plot_has_one_line_per_layer_colourbar_and_units():
    acts, X, y = _run()
    plane = InformationPlane(base=2, progress=False).fit(acts, X, y)
    fig = plane.plot(title="demo")
    assert isinstance(fig, Figure)
    ax, cbar = fig.axes
    layer_lines = [line for line in ax.lines if not (line.get_gid() or "").startswith("ceiling")]
    assert len(layer_lines) == 2
    assert all(len(line.get_xdata()) == 3 for line in layer_lines)
    assert layer_lines[0].get_color() != layer_lines[1].get_color()  # one colour per layer
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 2
    np.testing.assert_array_equal(scatters[0].get_array(), [0, 1, 2])
    assert ax.get_xlabel() == "I(X;T) [bits]" and ax.get_ylabel() == "I(T;Y) [bits]"
    assert cbar.get_ylabel() == "epoch" and ax.get_title() == "demo"
    # the toy saturates (test_saturation_*): both ceilings are marked and named in the legend
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "h1", "h2", "H(X) = log n ceiling", "H(Y) ceiling"]


def test_save_writes_json_and_csv(tmp_path):
    acts, X, y = _run()
    plane = InformationPlane(progress=False).fit(acts, X, y)
    paths = plane.save(tmp_path / "out", name="plane")
    assert paths == {"json": tmp_path / "out" / "plane.json", "csv": tmp_path / "out" / "plane.csv"}
    meta = json.loads(paths["json"].read_text())
    assert meta["records"] == plane.table_ and meta["unit"] == "nats"
    assert "BinnedMI" in meta["estimator"]
    with open(paths["csv"]) as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6 and list(rows[0]) == list(plane.table_[0])
    assert [float(r["mi_ty"]) for r in rows] == [r["mi_ty"] for r in plane.table_]


def test_to_pandas():
    acts, X, y = _run(n_epochs=1)
    plane = InformationPlane(progress=False).fit(acts, X, y)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="to_pandas requires pandas.*pip install pandas"):
            plane.to_pandas()
    else:
        frame = plane.to_pandas()
        assert frame.shape == (2, 5)


def test_not_fitted():
    with pytest.raises(NotFittedError):
        InformationPlane().plot()
    with pytest.raises(NotFittedError):
        InformationPlane().save("nowhere")


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"progress": "yes"}, TypeError, "progress must be a bool, got 'yes'"),
        ({"base": 1}, ValueError, "base must be > 0 and != 1"),
        ({"extra": [GaussianEntropy()]}, TypeError, "extra must be a dict .* got list"),
        ({"extra": {"mi_xt": GaussianEntropy()}}, ValueError, "extra column names .* 'mi_xt'"),
        ({"extra": {"h": 3}}, TypeError, r"extra\['h'\] must be an estimator .* got int"),
        ({"estimator": "ksg"}, TypeError, "estimator must be a mutual-information .* got str"),
        ({"n_jobs": 0}, ValueError, "n_jobs must be a positive int, a negative int or None, got 0"),
        ({"n_jobs": 1.5}, TypeError, r"n_jobs must be an int, got 1.5 \(float\)"),
        ({"n_jobs": True}, TypeError, r"n_jobs must be an int, got True \(bool\)"),
    ],
)
def test_bad_parameters(kwargs, exc, match):
    acts, X, y = _run(n_epochs=1)
    with pytest.raises(exc, match=match):
        InformationPlane(**{"progress": False, **kwargs}).fit(acts, X, y)


def test_bad_inputs():
    acts, X, y = _run(n_epochs=2)
    plane = InformationPlane(progress=False)
    with pytest.raises(ValueError, match=r"y is None: expected class labels"):
        plane.fit(acts, X)
    with pytest.raises(ValueError, match=f"y must have one label per sample: expected {N}, got 5"):
        plane.fit(acts, X, y[:5])
    with pytest.raises(ValueError, match=f"X must have one row per sample .* expected {N}, got 9"):
        plane.fit(acts, X[:9], y)
    with pytest.raises(TypeError, match="activations must be a .* got ndarray"):
        plane.fit(acts[0]["h1"], X, y)
    with pytest.raises(ValueError, match="activations is empty"):
        plane.fit([], X, y)
    with pytest.raises(TypeError, match=r"activations\[1\] must be a non-empty .* got int"):
        plane.fit([acts[0], 3], X, y)
    with pytest.raises(ValueError, match="epochs must have one entry per epoch.*2, got 3"):
        plane.fit(acts, X, y, epochs=[0, 1, 2])
    with pytest.raises(ValueError, match=r"same layers: epoch 0 has \['h1', 'h2'\], epoch 1 has"):
        plane.fit([acts[0], {"h1": acts[1]["h1"]}], X, y)
    with pytest.raises(ValueError, match=r"layer 'h2' at epoch 0 must be 2-D.* \(200, 3, 1\)"):
        plane.fit([{"h1": acts[0]["h1"], "h2": acts[0]["h2"][..., None]}], X, y)
    with pytest.raises(ValueError, match="layer 'h2' at epoch 0 has 100 rows, expected 200"):
        plane.fit([{"h1": acts[0]["h1"], "h2": acts[0]["h2"][:100]}], X, y)
    with pytest.raises(ValueError, match="X is None, but GaussianMI needs the inputs"):
        InformationPlane(estimator=GaussianMI(), progress=False).fit(acts, None, y)
    bad = {"h1": acts[0]["h1"].copy(), "h2": acts[0]["h2"]}
    bad["h1"][3, 1] = np.nan
    with pytest.raises(ValueError, match=r"epoch 7, layer 'h1': .*1 NaN"):
        plane.fit([bad], X, y, epochs=[7])


def test_repeated_inputs_match_the_estimator_on_raw_inputs():
    # The plane codes X once (rows -> ids); I(X;T) must equal the estimator fed the raw rows.
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, size=(300, 4)).astype(float)
    T = {"a": np.tanh(X @ rng.normal(size=(4, 3)) + 0.1 * rng.normal(size=(300, 3)))}
    y = rng.integers(0, 3, 300)
    row = InformationPlane(progress=False).fit(T, X, y).table_[0]
    ref = BinnedMI(binning="entropy_based").fit(T["a"], y, inputs=X)
    assert row["mi_xt"] == ref.mi_xt_ and row["mi_xt"] < ref.entropy_


# -- saturation, separate estimators, warnings ------------------------------------------------


def test_saturation_on_the_demo_with_fine_binning_and_a_wide_layer():
    # The bundled digits MLP: 1797 distinct inputs; a 64-unit layer (the inputs themselves, as
    # wide as a realistic hidden layer) binned into 30 bins resolves every sample and class
    from infotheory.datasets import load_demo_activations

    demo = load_demo_activations("tanh", n_epochs=20, n_saved=3)
    acts = [{"wide": demo["X"], **a} for a in demo["activations"]]
    with pytest.warns(SaturationWarning) as rec:
        plane = InformationPlane(base=2, progress=False).fit(acts, demo["X"], demo["y"],
                                                            epochs=demo["epochs"])
    n = demo["X"].shape[0]
    messages = [str(w.message) for w in rec]
    assert len(messages) == 2  # once per condition, not once per fit
    assert any(m.startswith("I(X;T) reaches its ceiling H(X) = "
                            f"{math.log2(n):.4g} bits (log n for n = {n} distinct inputs) in")
               for m in messages)
    assert any(m.startswith("I(T;Y) reaches its ceiling H(Y)") for m in messages)
    assert all(w.filename == __file__ for w in rec)
    wide = [r for r in plane.table_ if r["layer"] == "wide"]
    assert all(r["mi_xt"] == pytest.approx(math.log2(n)) for r in wide)
    assert plane.saturated_["mi_xt"] >= len(wide)
    assert plane.ceilings_["mi_xt"] == pytest.approx(math.log2(n))
    fig = plane.plot(log_epochs=True)
    gids = {line.get_gid() for line in fig.axes[0].lines}
    assert {"ceiling:mi_xt", "ceiling:mi_ty"} <= gids
    assert fig.axes[1].get_ylabel() == "epoch (log scale)"


def test_no_saturation_warning_with_coarse_bins():
    acts, X, y = _run(n_epochs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plane = InformationPlane(estimator=BinnedMI(binning="fixed", n_bins=2),
                                 progress=False).fit(acts, X, y)
    assert plane.saturated_ == {"mi_xt": 0, "mi_ty": 0}
    assert all(r["mi_xt"] < plane.ceilings_["mi_xt"] for r in plane.table_)
    assert not any((line.get_gid() or "").startswith("ceiling")
                   for line in plane.plot().axes[0].lines)


def test_separate_estimators_for_each_quantity():
    acts, X, y = _run(n_epochs=2)
    binned = BinnedMI(binning="fixed", n_bins=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plane = InformationPlane(estimator_xt=binned, estimator_ty=MixedMI(),
                                 progress=False).fit(acts, X, y)
        shared = InformationPlane(estimator=binned, progress=False).fit(acts, X, y)
    for row, ref in zip(plane.table_, shared.table_):
        T = acts[row["epoch"]][row["layer"]]
        assert row["mi_xt"] == ref["mi_xt"]  # I(X;T) from the binned estimator
        assert row["mi_ty"] == MixedMI().fit(T, y).mutual_info_
    # the default for the quantity left unset is still the entropy-based binning
    only_ty = InformationPlane(estimator_ty=MixedMI(), progress=False).fit(acts, X, y)
    default = InformationPlane(progress=False).fit(acts, X, y)
    assert [r["mi_xt"] for r in only_ty.table_] == [r["mi_xt"] for r in default.table_]
    with pytest.raises(TypeError, match="estimator_ty must be a mutual-information estimator"):
        InformationPlane(estimator_ty="mixed", progress=False).fit(acts, X, y)


def test_warnings_of_threads_are_counted_once(tmp_path):
    acts, X, y = _run(n_epochs=3)
    with pytest.warns(DiscreteInputWarning, match=r"\[in 6 of 6 layer×epoch fits") as rec:
        plane = InformationPlane(estimator_ty=GaussianMI(base=2), base=2, progress=False,
                                 n_jobs=2).fit(acts, X, y)
    assert len([w for w in rec if w.category is DiscreteInputWarning]) == 1
    assert "bits" in plane.warnings_[0]["message"]  # the user's unit, not nats
    saved = json.loads(Path(plane.save(tmp_path)["json"]).read_text())
    assert saved["warnings"][0]["count"] == 6 and saved["saturated"] == plane.saturated_
