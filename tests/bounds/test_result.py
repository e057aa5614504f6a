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
