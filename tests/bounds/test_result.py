"""BoundResult: text, JSON, immutability; every docstring example runs."""

import doctest
import importlib
import json

import numpy as np
import pytest

from infotheory.bounds import BoundResult, MIEstimate, fcmi_bound, xu_raginsky_bound


def test_str_lists_value_inputs_assumptions_reference():
    res = xu_raginsky_bound(MIEstimate(0.3, ci=(0.2, 0.4)), 10, loss_range=(0, 1))
    text = str(res)
    assert text.startswith("xu_raginsky: E[L_mu(W) - L_S(W)] <= 0.122474")
    assert "(CI 0.1 to 0.141421)" in text
    assert "inputs: mi=0.3" in text and "loss_range=[0, 1]" in text
    assert "assumes: training samples Z_1..Z_n i.i.d. from mu" in text
    assert "reference: A. Xu and M. Raginsky" in text


def test_to_dict_is_json_with_arrays():
    res = fcmi_bound(np.linspace(0, 0.5, 10))
    d = json.loads(json.dumps(res.to_dict()))
    assert d["inputs"]["terms"][-1] == pytest.approx(0.5)
    assert d["bounds"] == "gen" and d["ci"] is None
    assert "array of 10 values" in str(res)
    assert float(res) == res.value


def test_frozen():
    res = BoundResult(value=0.1, name="x")
    with pytest.raises(AttributeError):
        res.name = "y"


@pytest.mark.parametrize("module", ["kl", "mutual_info", "cmi", "pac_bayes", "wasserstein",
                                    "supersample", "_checks"])
def test_docstring_examples(module):
    mod = importlib.import_module(f"infotheory.bounds.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# -- vacuous flag and float-like behaviour -------------------------------------------------------


def test_vacuous_flag_from_the_loss_range():
    from infotheory.bounds import mcallester_bound, xu_raginsky_bound

    vac = xu_raginsky_bound(5000, 1000, loss_range=(0, 1))  # 1.58 for a loss in [0, 1]
    assert vac.vacuous is True and vac.loss_range == (0.0, 1.0)
    assert "VACUOUS: the gap of a loss in [0, 1] is at most 1" in str(vac)
    assert vac.to_dict()["vacuous"] is True
    ok = xu_raginsky_bound(0.1, 1000, loss_range=(0, 1))
    assert ok.vacuous is False and "VACUOUS" not in str(ok)
    assert xu_raginsky_bound(5000, 1000, sigma=0.5).vacuous is None  # range unknown
    assert xu_raginsky_bound(0.5, 1, loss_range=(-1, 2)).vacuous is False  # 1.5 < b - a = 3
    # population-loss bounds of a [0, 1] loss: vacuous at >= 1
    assert mcallester_bound(0.5, 5000, 100).vacuous is True
    assert mcallester_bound(0.1, 5, 1000).vacuous is False


def test_bound_compares_and_formats_like_its_value():
    from infotheory.bounds import xu_raginsky_bound

    r = xu_raginsky_bound(0.1, 1000, loss_range=(0, 1))
    v = float(r)
    assert r < 0.2 and r <= v and r > 0.001 and r >= v and r == v and not r == v + 1
    assert 0.001 < r < 0.2  # reflected comparisons with floats
    assert f"{r:.3f}" == f"{v:.3f}" and format(r) == str(r)
    assert sorted([xu_raginsky_bound(0.2, 1000, loss_range=(0, 1)), r])[0] is r
    assert r == xu_raginsky_bound(0.1, 1000, loss_range=(0, 1)) and hash(r) == hash(v)
    assert (r == "x") is False
    with pytest.raises(TypeError):
        r < "x"  # noqa: B015 - the comparison itself must raise
