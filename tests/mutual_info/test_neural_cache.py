"""The persistent compilation cache of NeuralMI's jitted programs: where it lives, that a new
process reuses it, that ``INFOTHEORY_JAX_CACHE=""`` disables it, and that a JAX cache setting
of the user is respected and never overridden (JAX's configuration is process-wide)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from infotheory import NeuralMI
from infotheory._cache import cache_root, jax_cache_dir

pytest.importorskip("jax")
pytest.importorskip("optax")

# A configuration no other test uses, so its programs are compiled (not found in this process's
# in-memory cache) and the persistent cache is exercised: dx = 3, dy = 2, one small layer.
_TINY = dict(hidden=(3,), embed_dim=2, batch_size=16, max_steps=20, eval_every=10,
             learning_rate=1e-2, random_state=0)


def _data(n=64):
    # strongly dependent, so that the tiny critic's held-out bound is clearly positive
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, :2] + 0.3 * rng.normal(size=(n, 2))


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*-cache")) if folder.exists() else []


def _executables(folder: Path) -> list[Path]:
    return sorted((folder / "executables").glob("*.jaxexe"))


def test_cache_folder_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("INFOTHEORY_JAX_CACHE", raising=False)
    monkeypatch.setenv("INFOTHEORY_CACHE", str(tmp_path / "root"))
    assert cache_root() == tmp_path / "root"
    assert jax_cache_dir() == tmp_path / "root" / "jax"
    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", str(tmp_path / "elsewhere"))
    assert jax_cache_dir() == tmp_path / "elsewhere"
    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", "")
    assert jax_cache_dir() is None
    monkeypatch.delenv("INFOTHEORY_CACHE")
    monkeypatch.delenv("INFOTHEORY_JAX_CACHE")
    assert jax_cache_dir() == Path.home() / ".cache" / "infotheory" / "jax"


def test_cache_is_on_only_inside_the_block(monkeypatch, tmp_path):
    from jax._src import compilation_cache as cc
    from jax._src import config

    from infotheory._kernels.jax_cache import compilation_cache

    if config.compilation_cache_dir.value is not None:
        pytest.skip("a JAX compilation cache is configured for this process")
    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", str(tmp_path / "jax"))
    min_time = config.persistent_cache_min_compile_time_secs.value
    max_size = config.compilation_cache_max_size.value
    with compilation_cache():
        assert config.compilation_cache_dir.value == str(tmp_path / "jax")
        assert config.persistent_cache_min_compile_time_secs.value == 0.0
    assert config.compilation_cache_dir.value is None
    assert config.persistent_cache_min_compile_time_secs.value == min_time
    assert config.compilation_cache_max_size.value == max_size
    assert cc._cache is None  # rebuilt from the user's configuration at their next compile


def test_fit_fills_the_cache_and_the_empty_variable_disables_it(monkeypatch, tmp_path):
    from jax._src import config

    if config.compilation_cache_dir.value is not None:
        pytest.skip("a JAX compilation cache is configured for this process")
    from infotheory._kernels.jax_cache import compilation_cache

    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", "")
    monkeypatch.setenv("INFOTHEORY_CACHE", str(tmp_path / "root"))
    with compilation_cache():
        assert config.compilation_cache_dir.value is None  # no folder: JAX caches nothing
    NeuralMI(**{**_TINY, "hidden": (2,)}).fit(*_data())  # (a configuration of its own)
    assert not (tmp_path / "root").exists()

    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", str(tmp_path / "jax"))
    X, Y = _data()
    est = NeuralMI(**_TINY).fit(X, Y)
    # fit compiles one program (training chunk and held-out evaluation together), kept as an
    # executable loaded without tracing (not in JAX's cache, whose entries cannot be
    # serialised again)
    assert not _entries(tmp_path / "jax")
    executables = [p.name for p in _executables(tmp_path / "jax")]
    assert [name.split("-")[0] for name in executables] == ["train_and_evaluate"], executables
    assert np.isfinite(est.mutual_info_)
    est.score(X, Y)  # score evaluates on new data: its own program, stored too
    assert len(_executables(tmp_path / "jax")) == 2


def test_users_own_jax_cache_is_respected(monkeypatch, tmp_path):
    import jax
    from jax._src import config
    from jax.experimental.compilation_cache import compilation_cache as cc

    if config.compilation_cache_dir.value is not None:
        pytest.skip("a JAX compilation cache is configured for this process")
    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", str(tmp_path / "ours"))
    X, Y = _data()
    jax.config.update("jax_compilation_cache_dir", str(tmp_path / "users"))
    try:
        # another critic width than the test above: compiled again
        NeuralMI(**{**_TINY, "hidden": (5,)}).fit(X, Y)
        assert config.compilation_cache_dir.value == str(tmp_path / "users")
    finally:
        jax.config.update("jax_compilation_cache_dir", None)
        cc.reset_cache()
    assert not (tmp_path / "ours").exists()


_CHILD = r"""
import json, sys
import numpy as np
import jax.monitoring
events = []
jax.monitoring.register_event_listener(lambda name, **kw: events.append(name))
jax.monitoring.register_event_duration_secs_listener(lambda name, s, **kw: events.append(name))
from infotheory import NeuralMI
rng = np.random.default_rng(0)
X = rng.normal(size=(64, 3))
Y = X[:, :2] + 0.3 * rng.normal(size=(64, 2))
est = NeuralMI(hidden=(3,), embed_dim=2, batch_size=16, max_steps=20, eval_every=10,
               learning_rate=1e-2,                random_state=0).fit(X, Y)
print(json.dumps({"mi": est.mutual_info_,
                  "hits": events.count("/jax/compilation_cache/cache_hits"),
                  "misses": events.count("/jax/compilation_cache/cache_misses"),
                  "compiles": events.count("/jax/core/compile/backend_compile_duration"),
                  "lowerings": events.count("/jax/core/compile/jaxpr_to_mlir_module_duration")}))
"""


@pytest.mark.slow
def test_a_new_process_reuses_the_cache(tmp_path):
    """Two fresh interpreters (about 5 s each): the first compiles and writes, the second
    loads the stored executable (neither lowering nor compiling) and returns the same value."""
    env = {**os.environ, "INFOTHEORY_JAX_CACHE": str(tmp_path / "jax")}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))

    def run():
        out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                             env=env, cwd=root, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    first = run()
    assert first["compiles"] > 0 and _executables(tmp_path / "jax")
    second = run()
    assert second["compiles"] == second["lowerings"] == 0
    assert second["misses"] == second["hits"] == 0
    assert second["mi"] == first["mi"]


def test_a_cache_folder_that_cannot_be_made_means_no_cache(monkeypatch, tmp_path):
    """A file where the folder should be (or a read-only home): fit compiles as without a cache
    instead of failing."""
    from jax._src import config

    from infotheory._kernels.jax_cache import our_cache_dir

    if config.compilation_cache_dir.value is not None:
        pytest.skip("a JAX compilation cache is configured for this process")
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", str(blocker / "jax"))
    assert our_cache_dir() is None
    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", str(tmp_path / "ok"))
    assert our_cache_dir() == str(tmp_path / "ok")


def _forget_loaded(monkeypatch):
    """A fresh process's view of the store: nothing loaded in memory yet."""
    from infotheory._kernels import jax_cache

    monkeypatch.setattr(jax_cache, "_LOADED", {})


def test_a_damaged_or_foreign_executable_is_never_run(monkeypatch, tmp_path):
    """A truncated file, or a file whose full key differs from the program asked for (a hash
    collision, a copy from another machine), is not run: fit compiles again and gives the
    same value."""
    import pickle

    from jax._src import config

    if config.compilation_cache_dir.value is not None:
        pytest.skip("a JAX compilation cache is configured for this process")
    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", str(tmp_path / "jax"))
    X, Y = _data()
    kw = {**_TINY, "hidden": (4,)}
    _forget_loaded(monkeypatch)
    value = NeuralMI(**kw).fit(X, Y).mutual_info_
    (path,) = _executables(tmp_path / "jax")
    good = path.read_bytes()

    description, *rest = pickle.loads(good)

    path.write_bytes(good[: len(good) // 2])
    _forget_loaded(monkeypatch)
    assert NeuralMI(**kw).fit(X, Y).mutual_info_ == value

    from jax.experimental import serialize_executable

    loads = []
    monkeypatch.setattr(serialize_executable, "deserialize_and_load",
                        lambda *a, **k: loads.append(a))
    path.write_bytes(pickle.dumps((description + "elsewhere", *rest)))
    _forget_loaded(monkeypatch)
    assert NeuralMI(**kw).fit(X, Y).mutual_info_ == value
    assert not loads  # the key was compared before anything was loaded


def test_the_program_key_names_what_selects_the_program():
    from infotheory._kernels import neural_jax as nj
    from infotheory._kernels.jax_cache import _program_key

    a = np.zeros((4, 3), np.float32)
    key = _program_key(nj.encode, ([(a, a[0])], a), {}, ())
    assert key == _program_key(nj.encode, ([(a, a[0])], a), {}, ())
    others = [
        _program_key(nj.encode, ([(a, a[0])], a[:2]), {}, ()),  # shape
        _program_key(nj.encode, ([(a, a[0])], a.astype(np.float16)), {}, ()),  # dtype
        _program_key(nj.encode, ([(a, a[0])], (a,)), {}, ()),  # tree structure
        _program_key(nj.encode, ([(a, a[0])], a), {"n": 2}, ()),  # static argument
        _program_key(nj.encode, ([(a, a[0])], a), {}, ("optax 9",)),  # library version
        _program_key(nj.evaluate, ([(a, a[0])], a), {}, ()),  # function
    ]
    assert len({key[0], *(k[0] for k in others)}) == 1 + len(others)
    with pytest.raises(TypeError, match="takes arrays"):
        _program_key(nj.encode, ([(a, a[0])], 1.0), {}, ())


def test_the_store_evicts_the_least_recently_used(monkeypatch, tmp_path):
    from infotheory._kernels import jax_cache

    monkeypatch.setattr(jax_cache, "EXECUTABLES_MAX_SIZE", 250)
    for i, name in enumerate(["old", "mid", "new"]):
        path = tmp_path / f"{name}.jaxexe"
        path.write_bytes(b"x" * 100)
        os.utime(path, (1000 + i, 1000 + i))
    (tmp_path / "other-cache").write_bytes(b"x" * 1000)  # not ours: left alone
    jax_cache._evict(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mid.jaxexe", "new.jaxexe",
                                                         "other-cache"]


def test_a_backend_that_cannot_serialise_still_fits(monkeypatch, tmp_path):
    """Serialising the compiled program fails (a backend without support, a full disk): fit
    compiles, returns the same value and stores nothing."""
    from jax._src import config
    from jax.experimental import serialize_executable

    if config.compilation_cache_dir.value is not None:
        pytest.skip("a JAX compilation cache is configured for this process")
    X, Y = _data()
    kw = {**_TINY, "hidden": (5,)}
    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", "")
    value = NeuralMI(**kw).fit(X, Y).mutual_info_

    def refuse(*args, **kwargs):
        raise RuntimeError("not serializable")

    monkeypatch.setattr(serialize_executable, "serialize", refuse)
    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", str(tmp_path / "jax"))
    _forget_loaded(monkeypatch)
    assert NeuralMI(**kw).fit(X, Y).mutual_info_ == value
    assert _executables(tmp_path / "jax") == []


def test_learned_encoder_goes_through_the_executable_store(monkeypatch, tmp_path):
    # CompressedMI's learned encoders run the jitted encoder through the store, on rows padded
    # as in training: the codes of the unpadded call, and one stored program for 100 and 120
    # rows (the same padded size).
    from jax._src import config

    if config.compilation_cache_dir.value is not None:
        pytest.skip("a JAX compilation cache is configured for this process")
    from infotheory._kernels import neural_jax as nj
    from infotheory.mutual_info.compressed import _LearnedEncoder
    from infotheory.mutual_info.neural import MarginalMap

    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", str(tmp_path / "jax"))
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(120, 5))
    layers = nj.init_mlp(rng, (5, 7, 3), np.float32)
    enc = _LearnedEncoder(MarginalMap(Z, "standardize"), layers)
    codes = enc.transform(Z)
    assert codes.shape == (120, 3) and codes.dtype == np.float64
    direct = np.asarray(nj.encode(layers, np.asarray(MarginalMap(Z, "standardize")(Z),
                                                     np.float32)))
    np.testing.assert_allclose(codes, direct, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(enc.transform(Z[:100]), codes[:100], rtol=1e-5, atol=1e-6)
    stored = [p.name for p in _executables(tmp_path / "jax")]
    assert len(stored) == 1 and stored[0].startswith("encode-")
