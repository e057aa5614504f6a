"""Loading saved activations: folder layouts, memory mapping, and the error messages."""

import numpy as np
import pytest

from infotheory.analysis import load_activations, open_npz


def _layers(seed, n=50):
    rng = np.random.default_rng(seed)
    return {"h1": rng.normal(size=(n, 6)), "h2": rng.normal(size=(n, 3)).astype(np.float32)}


def _assert_same(loaded, expected):
    assert sorted(loaded) == sorted(expected)
    for key, arr in expected.items():
        np.testing.assert_array_equal(np.asarray(loaded[key]), arr)


def test_npz_folder_is_memory_mapped_and_in_numeric_epoch_order(tmp_path):
    epochs = [0, 2, 10, 100]  # "epoch_10" sorts before "epoch_2" as text; order must be numeric
    data = {e: _layers(e) for e in epochs}
    for e in epochs:
        np.savez(tmp_path / f"epoch_{e}.npz", **data[e])
    (tmp_path / "notes.txt").write_text("ignored")
    loaded = load_activations(tmp_path)
    assert loaded["epochs"] == epochs
    for e, rec in zip(epochs, loaded["activations"]):
        _assert_same(rec, data[e])
        assert all(isinstance(a, np.memmap) for a in rec.values())
        assert not rec["h1"].flags.writeable


def test_compressed_npz_is_read_into_memory(tmp_path):
    data = _layers(1)
    np.savez_compressed(tmp_path / "epoch_0003.npz", **data)
    loaded = load_activations(tmp_path)
    assert loaded["epochs"] == [3]
    _assert_same(loaded["activations"][0], data)
    assert not isinstance(loaded["activations"][0]["h1"], np.memmap)


def test_fortran_ordered_and_empty_members_map_correctly(tmp_path):
    a = np.asfortranarray(np.arange(24.0).reshape(4, 6))
    np.savez(tmp_path / "f.npz", a=a, empty=np.zeros((0, 3)))
    out = open_npz(tmp_path / "f.npz")
    np.testing.assert_array_equal(out["a"], a)
    assert out["empty"].shape == (0, 3)
    assert list(open_npz(tmp_path / "f.npz", mmap_mode=None)) == ["a", "empty"]


def test_epoch_subfolders_of_npy(tmp_path):
    data = {e: _layers(e) for e in (1, 5)}
    for e, layers in data.items():
        (tmp_path / f"epoch_{e:04d}").mkdir()
        for name, arr in layers.items():
            np.save(tmp_path / f"epoch_{e:04d}" / f"{name}.npy", arr)
    loaded = load_activations(tmp_path, layers=["h2"])
    assert loaded["epochs"] == [1, 5]
    assert list(loaded["activations"][1]) == ["h2"]
    assert isinstance(loaded["activations"][1]["h2"], np.memmap)
    np.testing.assert_array_equal(loaded["activations"][1]["h2"], data[5]["h2"])


def test_single_files_and_flat_npy_folder(tmp_path):
    data = _layers(2)
    np.savez(tmp_path / "epoch_7.npz", **data)
    loaded = load_activations(tmp_path / "epoch_7.npz", layers="h1")
    assert loaded["epochs"] == [7] and list(loaded["activations"][0]) == ["h1"]

    np.save(tmp_path / "h1.npy", data["h1"])
    single = load_activations(tmp_path / "h1.npy")
    assert single["epochs"] == [0]
    _assert_same(single["activations"][0], {"h1": data["h1"]})

    flat = tmp_path / "flat"
    flat.mkdir()
    for name, arr in data.items():
        np.save(flat / f"{name}.npy", arr)
    _assert_same(load_activations(flat, mmap_mode=None)["activations"][0], data)


def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="activation path not found: .*nowhere"):
        load_activations(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="activation file not found"):
        open_npz(tmp_path / "nowhere.npz")


def test_missing_layer_lists_available(tmp_path):
    np.savez(tmp_path / "epoch_0.npz", **_layers(0))
    expected = r"layer\(s\) 'h3' not found in .*epoch_0\.npz; available layers: 'h1', 'h2'"
    with pytest.raises(KeyError, match=expected):
        load_activations(tmp_path, layers=["h1", "h3"])
    np.save(tmp_path / "x.npy", np.zeros(3))
    with pytest.raises(KeyError, match=r"'h1'.* not found in .*x\.npy; available layers: 'x'"):
        load_activations(tmp_path / "x.npy", layers=["h1"])


def test_empty_or_unknown_folder(tmp_path):
    (tmp_path / "readme.txt").write_text("nothing here")
    with pytest.raises(ValueError, match=r"no activations found in .*expected epoch_<E>\.npz"):
        load_activations(tmp_path)
    with pytest.raises(ValueError, match=r"unsupported activation file .*readme\.txt"):
        load_activations(tmp_path / "readme.txt")
    (tmp_path / "epoch_1").mkdir()
    with pytest.raises(ValueError, match=r"epoch folder .*epoch_1 holds no <layer>\.npy files"):
        load_activations(tmp_path)


def test_bad_npz_and_npy_files(tmp_path):
    (tmp_path / "epoch_0.npz").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match=r"not a valid \.npz file"):
        load_activations(tmp_path)
    (tmp_path / "bad.npy").write_bytes(b"garbage")
    with pytest.raises(ValueError, match=r"could not read .*bad\.npy as a \.npy array"):
        load_activations(tmp_path / "bad.npy")


def test_inconsistent_and_duplicated_epochs(tmp_path):
    np.savez(tmp_path / "epoch_0.npz", **_layers(0))
    np.savez(tmp_path / "epoch_1.npz", h1=np.zeros((50, 6)))
    with pytest.raises(ValueError, match=r"epochs hold different layers: epoch_0\.npz has"):
        load_activations(tmp_path)
    np.savez(tmp_path / "epoch_01.npz", h1=np.zeros((50, 6)))
    with pytest.raises(ValueError, match=r"epoch\(s\) \[1\] appear more than once"):
        load_activations(tmp_path)


def test_open_npz_missing_key(tmp_path):
    np.savez(tmp_path / "a.npz", x=np.zeros(3))
    with pytest.raises(KeyError, match=r"key\(s\) 'y' not found in .*a\.npz; available keys: 'x'"):
        open_npz(tmp_path / "a.npz", keys=["x", "y"])


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"mmap_mode must be one of None, .*, got 'w'"):
        load_activations(tmp_path, mmap_mode="w")
    with pytest.raises(TypeError, match="path must be a str or path-like, got int"):
        load_activations(3)
