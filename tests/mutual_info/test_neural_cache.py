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
             random_state=0)


def _data(n=64):
    # strongly dependent, so that the tiny critic's held-out bound is clearly positive
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, X[:, :2] + 0.3 * rng.normal(size=(n, 2))


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*-cache")) if folder.exists() else []


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
    assert not (tmp_path / "root").exists()

    monkeypatch.setenv("INFOTHEORY_JAX_CACHE", str(tmp_path / "jax"))
    X, Y = _data()
    est = NeuralMI(**_TINY).fit(X, Y)
    names = [p.name for p in _entries(tmp_path / "jax")]
    assert any(name.startswith("jit_train_chunk-") for name in names), names
    assert any(name.startswith("jit_evaluate-") for name in names), names
    assert any(name.startswith("jit_init_state-") for name in names), names
    assert np.isfinite(est.mutual_info_)


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
from infotheory import NeuralMI
rng = np.random.default_rng(0)
X = rng.normal(size=(64, 3))
Y = X[:, :2] + 0.3 * rng.normal(size=(64, 2))
est = NeuralMI(hidden=(3,), embed_dim=2, batch_size=16, max_steps=20, eval_every=10,
               random_state=0).fit(X, Y)
print(json.dumps({"mi": est.mutual_info_,
                  "hits": events.count("/jax/compilation_cache/cache_hits"),
                  "misses": events.count("/jax/compilation_cache/cache_misses")}))
"""


@pytest.mark.slow
def test_a_new_process_reuses_the_cache(tmp_path):
    """Two fresh interpreters (about 5 s each): the first compiles and writes, the second
    compiles nothing and returns the same value."""
    env = {**os.environ, "INFOTHEORY_JAX_CACHE": str(tmp_path / "jax")}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))

    def run():
        out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                             env=env, cwd=root, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    first = run()
    assert first["hits"] == 0 and first["misses"] > 0
    assert _entries(tmp_path / "jax")
    second = run()
    assert second["misses"] == 0 and second["hits"] == first["misses"]
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
