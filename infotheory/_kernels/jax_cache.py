"""JAX's persistent compilation cache, switched on around the package's own jitted calls.

Tracing and XLA compilation of NeuralMI's training loop cost seconds in every new process; with
the cache, a later process reads the compiled program from disk instead (see
:mod:`infotheory._cache` for where it lives and how to move, disable or clear it).

JAX's configuration is process-wide, so the cache is enabled only for the duration of a
:func:`compilation_cache` block, in the calling thread, and JAX's cache object is reset on leaving
it: code the user jits outside those blocks is neither cached by us nor kept from a cache folder
the user configures later. A cache folder the user already configured, or caching disabled with
``jax_enable_compilation_cache=False``, is left alone (their setting applies to our programs too).
(Another thread that compiles while a block runs shares the block's cache: JAX keeps one cache
object per process.)

JAX's cache key is a hash of the traced and lowered program, so even a cache hit pays tracing and
lowering (0.3-0.4 s for NeuralMI's training loop). :func:`cached_call` skips both: it keeps the
compiled executables themselves (``jax.experimental.serialize_executable``) in the
``executables/`` sub-folder, keyed by everything that selects the program without tracing it:
the function and its module's source, the static arguments, the tree structure, shapes, dtypes
and weak types of the arguments, the JAX, jaxlib and caller-named library versions, the device
(platform, kind, runtime version), JAX's tracing configuration (``jax_enable_x64`` among it),
``XLA_FLAGS`` and the Python version. A key hit loads the executable (milliseconds); a miss, or
any failure to load, compiles and stores the result. These programs then bypass JAX's own cache
(an executable read from it cannot be serialised again); on a backend that cannot serialise
executables, each new process compiles them once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
import threading

from .._cache import jax_cache_dir
from .._validation import import_jax

import_jax()  # before jax._src: the actionable ImportError, NumPy's global seed kept

try:  # the configuration states double as thread-local context managers
    from jax._src import compilation_cache as _cc
    from jax._src import config as _config

    _STATES = (_config.compilation_cache_dir, _config.persistent_cache_min_compile_time_secs,
               _config.compilation_cache_max_size)
    _ENABLED = _config.enable_compilation_cache
    _cc.reset_cache  # noqa: B018  (checked here, called on leaving a block)
    if not all(isinstance(s, _config.State) for s in (*_STATES, _ENABLED)):
        raise AttributeError("older JAX: plain flags, not context managers")
except (ImportError, AttributeError):  # a JAX without them: compile as before
    _STATES = None

try:  # JAX locks its cache folder only when it bounds its size, and needs filelock for that
    import filelock  # noqa: F401
except ImportError:
    #: Without filelock: unbounded, and a process reading an entry while another writes it
    #: gets a warning and compiles (JAX's own behaviour with a user-configured folder).
    MAX_SIZE = -1
else:
    #: Bytes the folder may hold before JAX evicts the least recently used programs (one
    #: NeuralMI configuration takes about 0.5 MB); bounding it also makes JAX lock the folder,
    #: so that processes fitting at once never read a half-written entry.
    MAX_SIZE = 256 * 2**20

__all__ = ["cached_call", "compilation_cache", "our_cache_dir"]

#: Bytes the executables folder may hold before the least recently used ones are deleted.
EXECUTABLES_MAX_SIZE = 256 * 2**20


def our_cache_dir() -> str | None:
    """The folder our programs are cached in during :func:`compilation_cache`, or ``None``
    when we leave caching to the user's JAX configuration (or it is disabled, or the folder
    cannot be created)."""
    if _STATES is None or _STATES[0].value is not None or not _ENABLED.value:
        return None
    path = jax_cache_dir()
    if path is None:
        return None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:  # read-only home, a file in the way: run uncached rather than fail
        return None
    return str(path) if os.access(path, os.W_OK) else None


@contextlib.contextmanager
def compilation_cache():
    """Jitted calls inside the block read and write the persistent cache of
    :func:`our_cache_dir` (every program, however fast it compiled)."""
    path = our_cache_dir()
    if path is None:
        yield
        return
    cache_dir, min_time, max_size = _STATES
    try:
        with cache_dir(path), min_time(0.0), max_size(MAX_SIZE):
            yield
    finally:
        # JAX builds its cache object once, from the folder configured at the first compile:
        # drop it so that compiles outside this block see the user's configuration again.
        _cc.reset_cache()


# -- compiled executables, loaded without tracing ------------------------------------------------

_LOADED: dict = {}  # key -> jax.stages.Compiled, for the later calls of this process
_LOCK = threading.Lock()
_SOURCES: dict = {}  # module file -> digest of its source


def _source_digest(fn) -> str:
    import inspect

    path = inspect.getsourcefile(getattr(fn, "__wrapped__", fn))
    if path not in _SOURCES:
        with open(path, "rb") as f:
            _SOURCES[path] = hashlib.sha256(f.read()).hexdigest()
    return _SOURCES[path]


def _plain(value) -> bool:
    """Values whose ``repr`` is a faithful, stable description (no object addresses)."""
    import enum

    if isinstance(value, (tuple, list)):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str, enum.Enum))


def _program_key(fn, args, static, versions) -> tuple[str, str]:
    """(file name, full description) of the program ``fn(*args, **static)`` selects."""
    import jax
    import jaxlib
    from jax._src import config

    leaves, tree = jax.tree_util.tree_flatten(args)
    avals = []
    for leaf in leaves:
        aval = getattr(leaf, "aval", None)
        if aval is not None:
            avals.append((tuple(aval.shape), str(aval.dtype), bool(aval.weak_type)))
        elif hasattr(leaf, "shape") and hasattr(leaf, "dtype"):  # NumPy arrays and scalars
            avals.append((tuple(leaf.shape), str(leaf.dtype), False))
        else:  # a Python number: its dtype depends on the configuration, weakly typed
            raise TypeError(f"cached_call takes arrays, got {type(leaf).__name__}")
    device = jax.devices()[0]
    context = tuple(v for v in config.trace_context() if _plain(v))
    description = repr((
        fn.__module__, fn.__qualname__, _source_digest(fn), sorted(static.items()), str(tree),
        avals, jax.__version__, jaxlib.__version__, tuple(versions), device.platform,
        device.device_kind, device.client.platform_version, bool(config.enable_x64.value),
        context, os.environ.get("XLA_FLAGS", ""), sys.version_info[:2],
    ))
    name = f"{fn.__qualname__}-{hashlib.sha256(description.encode()).hexdigest()[:40]}.jaxexe"
    return name, description


def _load(path: str, description: str):
    import jax
    from jax.experimental import serialize_executable

    with open(path, "rb") as f:
        stored, payload, in_tree, out_tree = pickle.load(f)
    if stored != description:  # a hash collision, or a file from elsewhere
        return None
    device = jax.devices()[0]
    compiled = serialize_executable.deserialize_and_load(
        payload, in_tree, out_tree, backend=device.client, execution_devices=[device])
    os.utime(path)  # recently used: evicted last
    return compiled


def _store(folder: str, name: str, description: str, compiled) -> None:
    from jax.experimental import serialize_executable

    payload, in_tree, out_tree = serialize_executable.serialize(compiled)
    # Written beside and renamed into place: a process reading the folder at the same time
    # sees the whole file or none.
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump((description, payload, in_tree, out_tree), f,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, os.path.join(folder, name))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _evict(folder)


def _evict(folder: str) -> None:
    """Delete the least recently used executables beyond :data:`EXECUTABLES_MAX_SIZE`."""
    entries = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".jaxexe"):
            with contextlib.suppress(OSError):
                st = entry.stat()
                entries.append((st.st_mtime, st.st_size, entry.path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= EXECUTABLES_MAX_SIZE:
            break
        with contextlib.suppress(OSError):
            os.unlink(path)
        total -= size


def _executables_dir() -> str | None:
    path = our_cache_dir()
    if path is None:
        return None
    folder = os.path.join(path, "executables")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def cached_call(fn, *args, versions=(), **static):
    """``fn(*args, **static)`` for a function jitted with ``static`` as its static arguments,
    its compiled executable loaded from the ``executables/`` folder of :func:`our_cache_dir`
    when one was stored for this exact program (see the module docstring), else compiled and
    stored. ``args`` are arrays (no Python numbers, whose dtype depends on the configuration);
    ``versions`` names the versions of the libraries ``fn`` calls besides JAX (they select the
    program too).

    Without our cache folder (disabled, or the user's own JAX cache configured) this is the
    plain jitted call (in :func:`compilation_cache`, which then leaves the user's settings).
    Failing to read or write an executable never fails the call: it falls back to compiling,
    and only a program whose whole key matched is ever run.
    """
    folder = _executables_dir()
    if folder is None:
        with compilation_cache():
            return fn(*args, **static)
    try:
        name, description = _program_key(fn, args, static, versions)
    except Exception:  # a private JAX attribute gone, an unexpected argument: the normal path
        with compilation_cache():
            return fn(*args, **static)
    compiled = _LOADED.get(description)
    if compiled is None:
        with _LOCK:
            compiled = _LOADED.get(description)
            if compiled is None:
                compiled = _load_or_compile(fn, args, static, folder, name, description)
                _LOADED[description] = compiled
    return compiled(*args)


def _load_or_compile(fn, args, static, folder, name, description):
    path = os.path.join(folder, name)
    if os.path.exists(path):
        try:
            compiled = _load(path, description)
        except Exception:  # truncated, from an incompatible build, unreadable: compile again
            compiled = None
        if compiled is not None:
            return compiled
    # Compiled outside JAX's persistent cache: an executable read back from it cannot be
    # serialised again (XLA: "not serializable"), and ours replaces it for these programs.
    compiled = fn.lower(*args, **static).compile()
    with contextlib.suppress(Exception):  # a backend that cannot serialise, a full disk
        _store(folder, name, description, compiled)
    return compiled
