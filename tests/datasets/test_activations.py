"""The bundled demo activations: shapes, determinism, caching, training, parameter errors."""

import numpy as np
import pytest

from infotheory.datasets import load_demo_activations
from infotheory.datasets.activations import ACTIVATION_BOUNDS

SMALL = {"n_epochs": 4, "n_saved": 3}


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("INFOTHEORY_CACHE", str(tmp_path / "cache"))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_shapes_and_ranges(activation):
    demo = load_demo_activations(activation, **SMALL)
    np.testing.assert_array_equal(demo["epochs"], [0, 1, 4])  # geomspace(1, 4, 2) and epoch 0
    assert demo["X"].shape == (1797, 64) and demo["X"].min() == 0 and demo["X"].max() == 1
    assert demo["y"].shape == (1797,) and set(np.unique(demo["y"])) == set(range(10))
    assert len(demo["activations"]) == 3 and demo["accuracy"].shape == (3,)
    assert demo["low"] == ACTIVATION_BOUNDS[activation]
    for rec in demo["activations"]:
        assert list(rec) == [f"layer_{i}" for i in range(1, 6)]
        assert [a.shape[1] for a in rec.values()] == [10, 7, 5, 4, 3]
        for a in rec.values():
            assert a.shape[0] == 1797 and a.dtype == np.float32
            if activation == "relu":
                assert a.min() >= 0
            else:
                assert np.abs(a).max() < 1


def test_deterministic_and_cached(tmp_path):
    first = load_demo_activations("relu", **SMALL)
    files = list((tmp_path / "cache" / "demo_activations").glob("relu_*.npz"))
    assert len(files) == 1
    again = load_demo_activations("relu", **SMALL)  # read from the cache
    fresh = load_demo_activations("relu", cache=False, **SMALL)  # recomputed
    for other in (again, fresh):
        np.testing.assert_array_equal(other["accuracy"], first["accuracy"])
        for a, b in zip(first["activations"], other["activations"]):
            for name in a:
                np.testing.assert_array_equal(a[name], b[name])
    seed1 = load_demo_activations("relu", random_state=1, **SMALL)
    assert not np.array_equal(seed1["activations"][-1]["layer_1"],
                              first["activations"][-1]["layer_1"])
    assert len(list(files[0].parent.glob("relu_*.npz"))) == 2  # keyed by the parameters


def test_corrupt_or_unwritable_cache_is_regenerated(tmp_path, monkeypatch):
    demo = load_demo_activations("tanh", **SMALL)
    (path,) = (tmp_path / "cache" / "demo_activations").glob("tanh_*.npz")
    path.write_bytes(b"truncated")
    again = load_demo_activations("tanh", **SMALL)
    np.testing.assert_array_equal(again["activations"][1]["layer_2"],
                                  demo["activations"][1]["layer_2"])
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    monkeypatch.setenv("INFOTHEORY_CACHE", str(blocker))  # mkdir below a file fails
    assert load_demo_activations("tanh", n_epochs=1, n_saved=2)["epochs"].tolist() == [0, 1]


def test_training_improves_accuracy():
    # Chance is 0.1 with ten balanced classes; 30 epochs of Adam get well beyond it.
    demo = load_demo_activations("tanh", n_epochs=30, n_saved=4, cache=False)
    assert demo["accuracy"][0] < 0.2
    assert demo["accuracy"][-1] > 0.5
    assert np.all(np.diff(demo["epochs"]) > 0)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"activation": "sigmoid"}, ValueError, "activation must be one of 'tanh', 'relu', got"),
        ({"n_epochs": 0}, ValueError, "n_epochs must be >= 1, got 0"),
        ({"n_saved": 1}, ValueError, "n_saved must be >= 2, got 1"),
        ({"n_epochs": 2.5}, TypeError, "n_epochs must be an int, got 2.5"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be > 0, got 0.0"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1, got 0"),
        ({"hidden": ()}, TypeError, r"hidden must be a non-empty tuple of ints, got \(\)"),
        ({"hidden": (3, 0)}, ValueError, "hidden widths must be >= 1, got 0"),
        ({"random_state": -1}, ValueError, "random_state must be >= 0, got -1"),
    ],
)
def test_bad_parameters(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        load_demo_activations(**kwargs)
