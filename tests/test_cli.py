"""The ``infotheory`` command: demo, estimate, plane; user errors exit 2 without a traceback."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from infotheory.analysis import _cli
from infotheory.cli import main
from infotheory.entropy import GaussianEntropy
from infotheory.mutual_info import GaussianMI


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("INFOTHEORY_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def pair_file(tmp_path):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 2))
    b = a[:, :1] + rng.normal(size=(500, 1))
    np.savez(tmp_path / "pair.npz", a=a, b=b)
    return tmp_path / "pair.npz", a, b


def _error(capsys, argv, match):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("infotheory: error: ")
    assert "Traceback" not in err
    assert match in err, err
    return err


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_demo_writes_report(tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["demo", "--output", str(out), "--epochs", "3", "--saved", "3", "--bins", "10"]
    assert main(argv) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [f"information_plane_{a}.{ext}" for a in ("tanh", "relu") for ext in ("png", "json", "csv")]
        + ["summary.json"]
    )
    assert (out / "information_plane_tanh.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = json.loads((out / "information_plane_relu.json").read_text())
    assert table["unit"] == "bits" and len(table["records"]) == 3 * 5
    assert table["estimator"].startswith("BinnedMI(") and "n_bins=10" in table["estimator"]
    assert table["estimator_params"]["binning"] == "entropy_based"
    assert table["estimator_params"]["activation"] == "relu"
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == {"tanh", "relu"} and summary["tanh"]["epochs"] == [0, 1, 3]
    printed = capsys.readouterr().out
    assert "tanh: accuracy" in printed and "relu: accuracy" in printed and "done in" in printed


def test_demo_bad_epochs(capsys):
    _error(capsys, ["demo", "--epochs", "0"], "--epochs must be >= 1, got 0")


def test_estimate_mi_json_and_text(pair_file, capsys):
    path, a, b = pair_file
    assert main(["estimate", str(path), "--x", "a", "--y", "b", "--method", "gaussian",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["value"] == GaussianMI().fit(a, b).mutual_info_
    assert (result["estimator"], result["unit"], result["n_samples"]) == ("GaussianMI", "nats", 500)
    assert main(["estimate", str(path), "--x", "a", "--y", "b", "--method", "gaussian",
                 "--base", "2"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("I(a;b) = ") and "bits" in text and "GaussianMI" in text


def test_estimate_entropy_without_y(pair_file, capsys):
    path, a, _ = pair_file
    assert main(["estimate", str(path), "--x", "a", "--method", "gaussian", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["value"] == GaussianEntropy().fit(a).entropy_
    assert result["quantity"] == "entropy(a)"


def test_estimate_help_lists_methods(capsys):
    with pytest.raises(SystemExit) as info:
        main(["estimate", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert all(m in out for m in ("ksg", "kl", "binned", "gaussian_copula", "discrete", "vendi"))


def test_estimate_errors(pair_file, tmp_path, capsys, monkeypatch):
    path, _, _ = pair_file
    base = ["--x", "a", "--method", "gaussian"]
    _error(capsys, ["estimate", str(tmp_path / "nowhere.npz"), *base], "file not found: ")
    np.save(tmp_path / "a.npy", np.zeros(3))
    _error(capsys, ["estimate", str(tmp_path / "a.npy"), *base], "FILE must be an .npz archive")
    _error(capsys, ["estimate", str(path), "--x", "a", "--y", "zz", "--method", "gaussian"],
           "key(s) 'zz' not found in ")
    _error(capsys, ["estimate", str(path), "--x", "a", "--method", "ksg"],
           "method 'ksg' must be used with --y")
    _error(capsys, ["estimate", str(path), "--x", "a", "--y", "b", "--method", "kl"],
           "method 'kl' must be used without --y")
    bad = np.zeros((50, 1))
    bad[4] = np.nan
    np.savez(tmp_path / "nan.npz", a=bad)
    _error(capsys, ["estimate", str(tmp_path / "nan.npz"), *base], "X contains 1 NaN")
    with pytest.raises(SystemExit) as info:
        main(["estimate", str(path), "--x", "a", "--method", "nonsense"])
    assert info.value.code == 2


@pytest.fixture
def run_dir(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] > 0).astype(int)
    run = tmp_path / "run"
    run.mkdir()
    for e in (0, 1, 2):
        np.savez(run / f"epoch_{e}.npz", h1=np.tanh((e + 1) * X), h2=np.tanh(X[:, :2] * (e + 1)))
    np.save(tmp_path / "labels.npy", y)
    np.savez(tmp_path / "both.npz", y=y, X=X)
    return run, X, y


def test_plane_writes_outputs(run_dir, tmp_path, capsys):
    run, X, y = run_dir
    out = tmp_path / "out"
    argv = ["plane", str(run), "--labels", str(tmp_path / "labels.npy"), "--output", str(out),
            "--activation", "tanh", "--quiet"]
    assert main(argv) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "information_plane.csv", "information_plane.json", "information_plane.png"]
    table = json.loads((out / "information_plane.json").read_text())
    assert len(table["records"]) == 6 and table["epochs"] == [0, 1, 2]
    assert capsys.readouterr().out == ""
    argv = ["plane", str(run), "--labels", f"{tmp_path / 'both.npz'}:y", "--inputs",
            f"{tmp_path / 'both.npz'}:X", "--output", str(out), "--layers", "h2",
            "--binning", "adaptive_range", "--base", "2", "--jobs", "2"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "1 layer(s) x 3 epoch(s)" in printed and "epoch 2 h2: I(X;T) = " in printed


def test_plane_errors(run_dir, tmp_path, capsys):
    run, _, _ = run_dir
    labels = str(tmp_path / "labels.npy")
    _error(capsys, ["plane", str(tmp_path / "none"), "--labels", labels],
           "activation path not found")
    _error(capsys, ["plane", str(run), "--labels", str(tmp_path / "nolabels.npy")],
           "--labels file not found")
    _error(capsys, ["plane", str(run), "--labels", str(tmp_path / "both.npz")],
           "holds 2 arrays (y, X); choose one with")
    _error(capsys, ["plane", str(run), "--labels", labels, "--layers", "h9"],
           "layer(s) 'h9' not found in ")
    _error(capsys, ["plane", str(run), "--labels", f"{labels}:y"], "--labels file not found")
    np.save(tmp_path / "short.npy", np.zeros(5))
    _error(capsys, ["plane", str(run), "--labels", str(tmp_path / "short.npy")],
           "y must have one label per sample: expected 300, got 5")


def test_console_script_reports_errors_without_traceback(tmp_path):
    script = Path(sys.executable).with_name("infotheory")
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    proc = subprocess.run(
        [str(script), "estimate", str(tmp_path / "missing.npz"), "--x", "a", "--method", "ksg"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("infotheory: error: file not found: ")
    assert "Traceback" not in proc.stderr


# -- estimator parameters, units, warnings -------------------------------------------------------


def test_estimate_passes_parameters(pair_file, capsys):
    path, a, b = pair_file
    argv = ["estimate", str(path), "--x", "a", "--y", "b", "--method", "ksg", "--json",
            "--param", "k=5", "--param", "noise=1e-10", "--param", "random_state=0",
            "--param", "n_jobs=none"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    from infotheory import KSGMI

    ref = KSGMI(k=5, noise=1e-10, random_state=0)
    assert result["value"] == ref.fit(a, b).mutual_info_
    assert result["standard_error"] == ref.standard_error_
    assert result["params"] == {"k": 5, "noise": 1e-10, "random_state": 0, "n_jobs": None}
    assert _cli._parse_value("true") is True and _cli._parse_value("x1") == "x1"


def test_estimate_refuses_unknown_parameters(pair_file, capsys):
    path, _, _ = pair_file
    base = ["estimate", str(path), "--x", "a", "--y", "b", "--method", "ksg"]
    _error(capsys, [*base, "--param", "kk=5"], "--param 'kk' is not a parameter of KSGMI; "
           "valid: algorithm, base, clip_negative, k, n_jobs, noise,")
    _error(capsys, [*base, "--param", "k"], "--param must be NAME=VALUE")
    _error(capsys, [*base, "--param", "base=2"], "set the unit with --base")
    _error(capsys, [*base, "--param", "k=zero"], "k must be an int, got 'zero'")


def test_unitless_scores_print_no_unit_and_refuse_base(pair_file, capsys):
    path, _, _ = pair_file
    assert main(["estimate", str(path), "--x", "a", "--method", "vendi"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("score(a) = ") and "nats" not in text and "bits" not in text
    assert main(["estimate", str(path), "--x", "a", "--method", "vendi", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unit"] is None
    _error(capsys, ["estimate", str(path), "--x", "a", "--method", "vendi", "--base", "2"],
           "--base does not apply to method 'vendi': VendiScore is not an amount of "
           "information (a unitless score)")


def test_warnings_are_printed_once_after_the_result(tmp_path, capsys):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=400)
    np.savez(tmp_path / "lab.npz", a=rng.normal(size=(400, 2)) + y[:, None], y=y)
    argv = ["estimate", str(tmp_path / "lab.npz"), "--x", "a", "--y", "y", "--method",
            "gaussian", "--base", "2"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("I(a;y) = ")
    assert captured.err.count("infotheory: warning: DiscreteInputWarning:") == 1
    assert "H(y) = 1.578 bits" in captured.err  # about log2(3): in bits, as asked


def test_plane_estimators_extra_and_log_epochs(run_dir, tmp_path, capsys):
    run, X, y = run_dir
    out = tmp_path / "out"
    np.save(tmp_path / "X.npy", X)
    argv = ["plane", str(run), "--labels", str(tmp_path / "labels.npy"), "--inputs",
            str(tmp_path / "X.npy"), "--output", str(out), "--estimator-xt", "gaussian",
            "--estimator-ty", "mixed", "--extra", "vendi", "--log-epochs", "--quiet"]
    assert main(argv) == 0
    saved = json.loads((out / "information_plane.json").read_text())
    assert saved["estimator"].startswith("GaussianMI") and saved["estimator_ty"].startswith(
        "MixedMI")
    assert all("vendi" in r for r in saved["records"])
    _error(capsys, ["plane", str(run), "--labels", str(tmp_path / "labels.npy"), "--extra",
                    "nonsense", "--output", str(out)], "--extra 'nonsense' is not a method")


def test_method_table_is_derived_from_the_package_estimators():
    from infotheory import all_estimators

    table = _cli._methods()
    offered = {cls for pair in table.values() for cls in pair if cls is not None}
    assert offered == {cls for cls in all_estimators().values() if cls._cli_name is not None}
    assert table["binned"] == (all_estimators()["BinnedMI"], all_estimators()["BinnedEntropy"])
    assert table["ksg"][1] is None and table["kl"][0] is None
