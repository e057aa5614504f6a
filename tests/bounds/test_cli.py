"""`infotheory bound ...` through infotheory.cli.main."""

import json
import math

import pytest

from infotheory.cli import main


def test_text_output(capsys):
    assert main(["bound", "mcallester", "--train-loss", "0.1", "--kl", "5", "--n", "1000"]) == 0
    out = capsys.readouterr().out
    assert "mcallester: E[L_mu(W)] (population loss) <= 0.177919" in out
    assert "assumes: loss takes values in [0, 1]" in out


def test_json_output(capsys):
    argv = ["bound", "xu-raginsky", "--mi", str(0.5 * math.log(2)), "--n", "10",
            "--loss-range", "0", "1", "--json"]
    assert main(argv) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["name"] == "xu_raginsky"
    assert d["value"] == pytest.approx(math.sqrt(2 * 0.25 * 0.5 * math.log(2) / 10), rel=1e-12)
    assert d["inputs"]["sigma"] == 0.5 and d["assumptions"]


@pytest.mark.parametrize("argv, value", [
    (["maurer-seeger", "--train-loss", "0.1", "--kl", "5", "--n", "1000"], 0.1531096282),
    (["bu-zou-veeravalli", "--mi", "0.02", "0.08", "--sigma", "1"], 0.3),
    (["bu-zou-veeravalli", "--mi", "0.02", "--n", "5", "--sigma", "0.5"], 0.1),
    (["cmi", "--cmi", "5", "--n", "1000"], 0.1),
    (["fcmi", "--mi", "0.02", "0.08"], 0.3),
    (["ecmi", "--mi", "0.02", "--n", "4"], 0.2),
    (["loss-difference", "--mi", "0.005", "0.02", "0.045"], 0.2),
    (["binary-kl", "--train-loss", "0", "--mi", "0.05"], 2 * -math.expm1(-0.05)),
    (["interpolating", "--mi", str(0.2 * math.log(2)), "--n", "3"], 0.2),
    (["wasserstein", "--distances", "0.1", "0.3", "--lipschitz", "2"], 0.4),
    (["catoni", "--train-loss", "0.1", "--kl", "5", "--n", "1000", "--C", "0.5"], 0.1432030899),
])
def test_every_bound(argv, value, capsys):
    assert main(["bound", *argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["value"] == pytest.approx(value, abs=1e-9)


def test_list(capsys):
    assert main(["bound", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("xu-raginsky", "bu-zou-veeravalli", "cmi", "binary-kl", "maurer-seeger",
                 "wasserstein", "interpolating"):
        assert name in out


@pytest.mark.parametrize("argv, message", [
    (["bound", "xu-raginsky", "--mi", "-0.1", "--n", "10", "--sigma", "1"],
     "infotheory: error: mi must be a mutual information >= 0 in nats, got -0.1"),
    (["bound", "xu-raginsky", "--mi", "0.1", "--n", "0", "--sigma", "1"],
     "infotheory: error: n must be an int >= 1 (the number of training samples), got 0"),
    (["bound", "xu-raginsky", "--mi", "0.1", "--n", "10", "--sigma", "0"],
     "infotheory: error: sigma must be > 0 (the sub-Gaussian parameter), got 0.0"),
    (["bound", "xu-raginsky", "--n", "10", "--sigma", "1"],
     "infotheory: error: bound 'xu-raginsky' needs --mi"),
    (["bound", "xu-raginsky", "--mi", "0.1", "0.2", "--n", "10", "--sigma", "1"],
     "infotheory: error: --mi takes one value for this bound, got 2"),
    (["bound", "nope"], "infotheory: error: unknown bound 'nope'; expected one of: xu-raginsky"),
    (["bound"], "infotheory: error: give the name of a bound"),
])
def test_user_errors(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_vacuous_bound_is_flagged(capsys):
    argv = ["bound", "xu-raginsky", "--mi", "5000", "--n", "1000", "--loss-range", "0", "1"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "<= 1.58114  VACUOUS" in captured.out
    assert "infotheory: warning: the bound 1.58114 is vacuous" in captured.err
    assert main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["vacuous"] is True
    assert main(["bound", "xu-raginsky", "--mi", "0.1", "--n", "1000", "--loss-range", "0",
                 "1"]) == 0
    assert "VACUOUS" not in capsys.readouterr().out
