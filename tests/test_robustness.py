"""The robustness contract: every input gets a correct answer or a clear error.

A parametrised battery over every public estimator (found through ``all_estimators()``, so a new
estimator joins automatically), the public functions (helpers, data generators, bounds, plotting,
resampling) and the command line. Each case asserts one of:

* a ``ValueError`` / ``TypeError`` whose message names the offending argument;
* a finite value that is the correct one (scale-invariant estimators give the same value on data
  times 1e-300 as on the data; entropies shift by ``d log a``; a valid spelling of a parameter,
  such as ``np.int64(3)`` for ``3``, gives the same value as the plain one);
* for huge sizes, a :class:`~infotheory.MemoryBudgetError` raised before anything is allocated
  (checked under an address-space limit and with ``tracemalloc``).

Nothing may hang: every case runs under an alarm, and a hard watchdog ends the process if a
compiled kernel ignores the alarm.
"""

from __future__ import annotations

import contextlib
import faulthandler
import inspect
import math
import os
import re
import signal
import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.decomposition import PCA

import infotheory
from infotheory import MemoryBudgetError, all_estimators

_TIMEOUT = int(os.environ.get("INFOTHEORY_CASE_TIMEOUT", "120"))  # per case, compilation included


@pytest.fixture(autouse=True)
def _no_hang():
    """Fail a case that runs too long instead of hanging the suite."""

    def _alarm(signum, frame):
        raise TimeoutError(f"case ran longer than {_TIMEOUT} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(_TIMEOUT)
    # A compiled kernel never returns to the interpreter, so the alarm cannot stop it: the
    # watchdog thread then dumps the stacks and ends the process (the run fails, not hangs).
    faulthandler.dump_traceback_later(2 * _TIMEOUT, exit=True)
    try:
        yield
    finally:
        signal.alarm(0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)


def _names(exc: BaseException, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", str(exc)) is not None


@contextlib.contextmanager
def _clear_error(name: str):
    """Expect a ValueError / TypeError whose message names ``name``."""
    with pytest.raises((ValueError, TypeError)) as info:
        yield
    assert _names(info.value, name), f"message does not name {name!r}: {info.value}"


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


# -- data ------------------------------------------------------------------------------------

_N = 64
_RNG = np.random.default_rng(0)
_X = _RNG.normal(size=(_N, 2))
_Y = _X[:, :1] + 0.7 * _RNG.normal(size=(_N, 1))
_Z = _X[:, 1:] + 0.7 * _RNG.normal(size=(_N, 1))
_LABELS = (_X[:, 0] > 0).astype(np.int64) + (_X[:, 1] > 0.5)
_DISC = _RNG.integers(0, 3, size=(_N, 1)).astype(np.float64)
_DISC_Y = (_DISC[:, 0] + (_RNG.random(_N) < 0.3)) % 3
_BOUNDED = np.tanh(_X)
_SCORES = _RNG.normal(size=(40, 3))


def _spec(name: str) -> dict:
    """How to fit each estimator: its arguments and how its value behaves under scaling.

    ``scale`` is ``"invariant"`` (same value after multiplying an argument by a > 0),
    ``"entropy"`` (shifts by d log a, d the number of columns) or ``"any"`` (a parameter of the
    method fixes a length scale: a finite value or a clear error).
    """
    table = {
        "BinnedEntropy": dict(args={"X": _BOUNDED}, scale="any"),
        "BinnedMI": dict(args={"X": _BOUNDED, "y": _LABELS}, labels=("y",), scale="any"),
        # the compressor (PCA here) sees X in the user's units: exact for y, clear error for X
        "CompressedMI": dict(args={"X": _X, "y": _Y}, scale={"X": "any", "y": "invariant"},
                             params={"y_compressor": None, "compressor": PCA(n_components=2),
                                     "random_state": 0}),
        "ConditionalMI": dict(args={"X": _X[:, :1], "y": _Y, "z": _Z}, scale="invariant",
                              optional=("z",)),
        "DiffusionSpectralEntropy": dict(args={"X": _X}, scale="any"),
        "DiffusionSpectralMI": dict(args={"X": _X, "y": _LABELS}, labels=("y",), scale="any",
                                    params={"n_repetitions": 2, "random_state": 0}),
        "DiscreteEntropy": dict(args={"X": _DISC}, scale="invariant", symbols=("X",)),
        "DiscreteMI": dict(args={"X": _DISC, "y": _DISC_Y}, scale="invariant",
                           symbols=("X", "y")),
        "EffectiveDimension": dict(args={"X": _SCORES}, scale="invariant"),
        "GaussianCopulaMI": dict(args={"X": _X, "y": _Y}, scale="invariant"),
        "GaussianEntropy": dict(args={"X": _X}, scale="entropy"),
        "GaussianMI": dict(args={"X": _X, "y": _Y}, scale="invariant"),
        "KLEntropy": dict(args={"X": _X}, scale="entropy"),
        "KSGMI": dict(args={"X": _X, "y": _Y}, scale="invariant", params={"warn_bias": False}),
        "LocalEffectiveDimension": dict(args={"X": _SCORES}, scale="invariant"),
        "MixedMI": dict(args={"X": _X, "y": _LABELS}, labels=("y",), scale="invariant"),
        # random_state=None draws a new held-out split per fit: fix it to compare values
        "MutualInfo": dict(args={"X": _X, "y": _Y}, scale="invariant",
                           params={"random_state": 0}),
        "StudentTCopulaMI": dict(args={"X": _X, "y": _Y}, scale="invariant"),
        # a tiny seeded critic keeps each case to one short training run
        "NeuralMI": dict(args={"X": _X, "y": _Y}, scale="invariant",
                         params={"hidden": (4,), "embed_dim": 2, "max_steps": 20,
                                 "eval_every": 10, "random_state": 0}),
        "TwoScaleEffectiveDimension": dict(args={"X": _SCORES}, scale="invariant"),
        "VendiScore": dict(args={"X": _X}, scale="any"),
    }
    # An estimator added later joins with the generic recipe: X alone, or X and a continuous y.
    cls = all_estimators()[name]
    default = {"args": {"X": _X, "y": _Y} if cls._requires_y else {"X": _X}, "scale": "any"}
    spec = {"labels": (), "symbols": (), "params": {}, "optional": (),
            **table.get(name, default)}
    return spec


_ESTIMATORS = sorted(all_estimators())


def _make(name: str, **params):
    spec = _spec(name)
    return all_estimators()[name](**{**spec["params"], **params})


def _fit_value(name: str, args: dict | None = None, **params) -> float:
    spec = _spec(name)
    est = _make(name, **params)
    args = dict(spec["args"] if args is None else args)
    X = args.pop("X")
    _quiet(est.fit, X, **args)
    value = getattr(est, est._result_attr)
    return value


def _reference(name: str) -> float:
    return _fit_value(name)


# -- bad data --------------------------------------------------------------------------------


def _nan(a):
    a = np.array(a, dtype=np.float64)
    a.reshape(-1)[1] = np.nan
    return a


def _inf(a):
    a = np.array(a, dtype=np.float64)
    a.reshape(-1)[1] = np.inf
    return a


def _masked(a):
    a = np.asarray(a)
    mask = np.zeros(a.shape, dtype=bool)
    mask.reshape(-1)[1] = True
    return np.ma.masked_array(a, mask=mask)


def _sparse(a):
    import scipy.sparse as sp

    a = np.asarray(a, dtype=np.float64)
    return sp.csr_matrix(a.reshape(a.shape[0], -1))


_BAD_DATA = {
    "nan": _nan,
    "inf": _inf,
    "empty": lambda a: np.asarray(a)[:0],
    "one_sample": lambda a: np.asarray(a)[:1],
    "3d": lambda a: np.asarray(a).reshape(len(a), -1, 1)[:, :, [0, 0]],
    "complex": lambda a: np.asarray(a) + 1j,
    "masked": _masked,
    "sparse": _sparse,
    "none": lambda a: None,
    "short": lambda a: np.asarray(a)[:-1],
    "words": lambda a: np.full(np.shape(a), "abc"),
    "object_words": lambda a: np.full(np.shape(a), "abc", dtype=object),
    "object_nan": lambda a: np.where(np.arange(np.size(a)).reshape(np.shape(a)) == 1, np.nan,
                                     np.asarray(a).astype(object)).astype(object),
    "dict": lambda a: {"a": 1},
}

# a 3-D X is valid for the effective-dimension classes (T draws of scores)
_ACCEPTS_3D = {"EffectiveDimension", "LocalEffectiveDimension", "TwoScaleEffectiveDimension"}


def _arg_cases(cases, *, labels: bool = True):
    """(estimator, data argument, case) for every estimator and argument (labels optional)."""
    for name in _ESTIMATORS:
        for arg in _spec(name)["args"]:
            if labels or arg not in _spec(name)["labels"]:
                for case in cases:
                    yield pytest.param(name, arg, case, id=f"{name}-{arg}-{case:g}"
                                       if isinstance(case, float) else f"{name}-{arg}-{case}")


@pytest.mark.parametrize(("name", "arg", "case"), list(_arg_cases(_BAD_DATA)))
def test_bad_data_is_refused(name, arg, case):
    spec = _spec(name)
    args = dict(spec["args"])
    if case == "none" and arg == "X":
        args["X"] = None
    else:
        args[arg] = _BAD_DATA[case](args[arg])
    if case in ("empty", "one_sample") and arg == "X":  # shrink every argument together
        args = {k: _BAD_DATA[case](v) for k, v in args.items()}
    if arg in (*spec["labels"], *spec["symbols"]) and case in ("words", "object_words"):
        # strings are valid labels and symbols: one class here (a value, or a clear error)
        try:
            value = _fit_value(name, args)
        except (ValueError, TypeError) as exc:
            assert _names(exc, arg), exc
        else:
            assert math.isfinite(value)
        return
    if case == "3d" and name in _ACCEPTS_3D:
        assert math.isfinite(np.ravel(_fit_value(name, args))[0])
        return
    if case in ("empty", "one_sample") and arg != "X":
        pytest.skip("covered by the X case")
    if case == "none" and arg in spec["optional"]:
        pytest.skip("an optional argument")
    if case == "one_sample" or (case == "short" and len(args) == 1):
        # fewer samples: a finite value (e.g. the entropy 0 of one sample) or a clear error
        try:
            value = _fit_value(name, args)
        except (ValueError, TypeError) as exc:
            assert _names(exc, arg), exc
        else:
            assert np.isfinite(value).all(), value
        return
    if case == "short":  # the mismatch may be reported on either argument
        with pytest.raises((ValueError, TypeError)) as info:
            _fit_value(name, args)
        assert any(_names(info.value, a) for a in args), info.value
        return
    with _clear_error(arg):
        _fit_value(name, args)


# -- valid data that must be accepted with the same value ------------------------------------

_SAME_DATA = {
    "object_floats": lambda a: np.asarray(a).astype(object),
    "lists": lambda a: np.asarray(a).tolist(),
    "masked_no_mask": lambda a: np.ma.masked_array(np.asarray(a)),
    "read_only": lambda a: _read_only(a),
    "fortran": lambda a: np.asfortranarray(a),
}


def _read_only(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


@pytest.mark.parametrize("case", list(_SAME_DATA))
@pytest.mark.parametrize("name", _ESTIMATORS)
def test_valid_data_spellings_give_the_same_value(name, case):
    spec = _spec(name)
    args = {k: _SAME_DATA[case](v) for k, v in spec["args"].items()}
    np.testing.assert_allclose(_fit_value(name, args), _reference(name), rtol=1e-10, atol=1e-12)


# -- extreme scales ---------------------------------------------------------------------------

_FACTORS = (1e-300, 1e-200, 1e200, 1e300)


@pytest.mark.parametrize(("name", "arg", "factor"), list(_arg_cases(_FACTORS, labels=False)))
def test_extreme_scales(name, arg, factor):
    spec = _spec(name)
    args = dict(spec["args"])
    args[arg] = np.asarray(args[arg]) * factor
    scale = spec["scale"][arg] if isinstance(spec["scale"], dict) else spec["scale"]
    if scale == "any":
        try:
            value = _fit_value(name, args)
        except (ValueError, TypeError) as exc:
            assert _names(exc, arg), exc
            return
        assert np.isfinite(value).all(), value
        return
    value = _fit_value(name, args)
    expected = _reference(name)
    if scale == "entropy":
        expected = expected + np.shape(args[arg])[1] * math.log(factor)
    np.testing.assert_allclose(value, expected, rtol=1e-7, atol=1e-9)


# -- parameters -------------------------------------------------------------------------------

# values that no parameter accepts
_ALWAYS_BAD = {"banana": "banana", "nan": float("nan"), "object": object(), "list": [1, 2]}
# values some parameters accept: then the result must be finite
_MAYBE_BAD = {"minus_one": -1, "zero": 0, "inf": float("inf"), "minus_inf": -float("inf"),
              "true": True, "half": 0.5, "huge_float": 1e300, "tiny_float": 1e-300}


def _param_cases():
    for name in _ESTIMATORS:
        for param in sorted(_make(name).get_params(deep=False)):
            for case in [*_ALWAYS_BAD, *_MAYBE_BAD]:
                yield pytest.param(name, param, case, id=f"{name}-{param}-{case}")


@pytest.mark.parametrize(("name", "param", "case"), list(_param_cases()))
def test_bad_parameters(name, param, case):
    default = _make(name).get_params(deep=False)[param]
    if case in _ALWAYS_BAD:
        if case == "list" and (param == "layers" or isinstance(default, tuple)):
            pytest.skip("a list is a valid form of this parameter")
        with _clear_error(param):
            _fit_value(name, **{param: _ALWAYS_BAD[case]})
        return
    value = _MAYBE_BAD[case]
    if case == "true" and isinstance(default, (bool, np.bool_)):
        pytest.skip("a bool parameter")
    if case == "true":  # a bool is never a number here
        with _clear_error(param):
            _fit_value(name, **{param: value})
        return
    try:
        result = _fit_value(name, **{param: value})
    except (ValueError, TypeError) as exc:
        assert _names(exc, param), exc
        return
    assert np.isfinite(result).all(), f"{param}={value!r} gave {result}"


def _numpy_spelling(value):
    if isinstance(value, bool):
        return np.bool_(value)
    if isinstance(value, int):
        return np.int64(value)
    if isinstance(value, float):
        return np.float64(value)
    if isinstance(value, tuple):
        return np.array(value)
    return None


def _spelling_cases():
    for name in _ESTIMATORS:
        for param, value in sorted(_make(name).get_params(deep=False).items()):
            if _numpy_spelling(value) is not None:
                yield pytest.param(name, param, id=f"{name}-{param}")


@pytest.mark.parametrize(("name", "param"), list(_spelling_cases()))
def test_numpy_parameter_values_are_accepted(name, param):
    value = _make(name).get_params(deep=False)[param]
    got = _fit_value(name, **{param: _numpy_spelling(value)})
    np.testing.assert_allclose(got, _reference(name), rtol=1e-10)


_MEMORY_OK = ["4G", "4GB", "4gib", "4 GiB", "4096M", "4096MB", "4e9", 4e9, 4_000_000_000,
              np.int64(4_000_000_000), "4000000000B"]
_MEMORY_BAD = ["lots", "4XB", "-4GB", "0", 0, -1, float("nan"), float("inf"), True, "4 G B", ""]


def _memory_cases(values):
    for name in _ESTIMATORS:
        if "max_memory" in _make(name).get_params():
            for i, v in enumerate(values):
                yield pytest.param(name, v, id=f"{name}-{i}-{v!r}")


@pytest.mark.parametrize(("name", "value"), list(_memory_cases(_MEMORY_OK)))
def test_max_memory_spellings(name, value):
    np.testing.assert_allclose(_fit_value(name, max_memory=value), _reference(name), rtol=1e-10)


@pytest.mark.parametrize(("name", "value"), list(_memory_cases(_MEMORY_BAD)))
def test_max_memory_refused(name, value):
    with _clear_error("max_memory"):
        _fit_value(name, max_memory=value)


@pytest.mark.parametrize("name", _ESTIMATORS)
def test_random_state_is_validated_even_when_unused(name):
    if "random_state" not in _make(name).get_params():
        pytest.skip("no random_state")
    with _clear_error("random_state"):
        _fit_value(name, random_state="banana")
    with _clear_error("random_state"):
        _fit_value(name, random_state=-1)


@pytest.mark.parametrize("name", _ESTIMATORS)
def test_global_numpy_rng_untouched(name):
    state = np.random.get_state()[1].copy()  # noqa: NPY002 - the global generator is tested
    _fit_value(name)
    after = np.random.get_state()[1]  # noqa: NPY002
    assert np.array_equal(after, state), "the global NumPy RNG was reseeded"


@pytest.mark.parametrize("factor", [1e-200, 1e200])
@pytest.mark.parametrize(("name", "params", "args"), [
    ("KLEntropy", {"metric": "chebyshev"}, {"X": _X}),
    ("KSGMI", {"standardize": False, "warn_bias": False}, {"X": _X, "y": _Y}),
    ("KSGMI", {"algorithm": 2, "warn_bias": False}, {"X": _X, "y": _Y}),
    ("ConditionalMI", {"standardize": False}, {"X": _X[:, :1], "y": _Y, "z": _Z}),
    ("MixedMI", {"standardize": False}, {"X": _X, "y": _LABELS}),
    ("LocalEffectiveDimension", {"input_kind": "fisher"}, {"X": np.cov(_X.T)}),
])
def test_extreme_scales_other_paths(name, params, args, factor):
    """All data scaled together (the kNN paths without standardisation, the max-norm grid)."""
    scaled = {k: (v if k == "y" and name == "MixedMI" else v * factor) for k, v in args.items()}
    value = _fit_value(name, scaled, **params)
    expected = _fit_value(name, args, **params)
    if name == "KLEntropy":
        expected += args["X"].shape[1] * math.log(factor)
    np.testing.assert_allclose(value, expected, rtol=1e-7)


@pytest.mark.parametrize("sigma", [1e-300, 1e-160, 1e300])
def test_dse_extreme_bandwidths(sigma):
    """sigma -> 0: the kernel is the identity, DSE = log n; sigma -> inf: all alike, DSE = 0."""
    value = _fit_value("DiffusionSpectralEntropy", {"X": _X}, sigma=sigma, random_state=0)
    assert value == pytest.approx(math.log(_N) if sigma < 1 else 0.0, abs=1e-9)


def test_valid_numpy_options_from_the_issue():
    ref = _fit_value("KSGMI", algorithm=2)
    assert _fit_value("KSGMI", algorithm=np.int64(2)) == ref
    assert _fit_value("KLEntropy", weighted=np.True_) == _fit_value("KLEntropy", weighted=True)
    with _clear_error("algorithm"):
        _fit_value("KSGMI", algorithm=True)  # a bool is not the algorithm number 1
    ref = _fit_value("BinnedEntropy", binning="fixed")
    assert _fit_value("BinnedEntropy", binning="fixed", bin_range=np.array([-1, 1])) == ref


def test_jax_is_neither_imported_nor_reseeding(tmp_path):
    """backend="auto" finds JAX without importing it on a CPU-only machine, and importing JAX
    (fisher_from_model) leaves NumPy's global generator as it was."""
    import subprocess
    import sys

    code = """
import os, sys
import numpy as np
os.environ["JAX_PLATFORMS"] = "cpu"
from infotheory import DiffusionSpectralEntropy
from infotheory._validation import import_jax
np.random.seed(0)
DiffusionSpectralEntropy(random_state=0).fit(np.random.default_rng(0).normal(size=(30, 2)))
assert "jax" not in sys.modules, "backend='auto' imported JAX"
import_jax()
assert "jax" in sys.modules
assert np.random.rand() == np.random.RandomState(0).rand(), "importing JAX reseeded NumPy"
"""
    env = {k: v for k, v in os.environ.items() if k != "JAX_PLATFORMS"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=_TIMEOUT, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]


# -- huge sizes: refused before allocating ----------------------------------------------------


@contextlib.contextmanager
def _no_big_allocation(limit=256 * 2**20):
    """Fail if the block allocates more than ``limit`` bytes (and never let it take the host)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limited = False
    try:  # Linux: at most 2 GiB more address space, so a regression fails instead of swapping
        with open("/proc/self/statm") as f:
            vm = int(f.read().split()[0]) * resource.getpagesize()
        cap = vm + 2 * 2**30 if hard == resource.RLIM_INFINITY else min(vm + 2 * 2**30, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        limited = True
    except (OSError, ValueError):  # no /proc or no RLIMIT_AS (macOS): tracemalloc alone
        pass
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
        assert peak < limit, f"allocated {peak / 2**20:.0f} MiB before refusing"
    finally:
        tracemalloc.stop()
        if limited:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


_WIDE = _RNG.normal(size=(5, 40000))


def _huge_cases():
    yield "GaussianMI", {"X": _WIDE, "y": _WIDE}, {"max_memory": "1GB"}
    yield "GaussianCopulaMI", {"X": _WIDE, "y": _WIDE}, {"max_memory": "1GB"}
    yield "GaussianEntropy", {"X": _WIDE}, {"max_memory": "1GB"}
    yield "BinnedEntropy", {"X": _BOUNDED}, {"n_bins": 10**9, "max_memory": "1GB"}
    yield "BinnedMI", {"X": _BOUNDED, "y": _LABELS}, {"n_bins": 10**9, "max_memory": "1GB"}
    yield ("DiffusionSpectralMI", {"X": _X, "y": _X[:, 0]},
           {"n_clusters": 10**9, "max_memory": "1GB", "n_repetitions": 1})
    yield ("DiffusionSpectralEntropy", {"X": _X}, {"n_probes": 10**9, "max_memory": "1GB",
                                                    "method": "lanczos"})
    yield ("VendiScore", {"X": _X}, {"n_components": 10**9, "max_memory": "1GB",
                                     "method": "nystrom"})


@pytest.mark.parametrize(("name", "args", "params"), list(_huge_cases()),
                         ids=[c[0] + "-" + "-".join(c[2]) for c in _huge_cases()])
def test_huge_sizes_refused_before_allocating(name, args, params):
    with _no_big_allocation(), pytest.raises((MemoryBudgetError, ValueError)) as info:
        _fit_value(name, dict(args), **params)
    if not isinstance(info.value, MemoryBudgetError):
        bad = [p for p in params if p != "max_memory"]
        assert any(_names(info.value, p) for p in bad), info.value


# -- labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in _ESTIMATORS if _spec(n)["labels"]])
def test_nan_in_object_labels_is_refused(name):
    args = dict(_spec(name)["args"])
    y = args["y"].astype(object)
    y[3] = float("nan")
    args["y"] = y
    with _clear_error("y"):
        _fit_value(name, args)


@pytest.mark.parametrize("name", [n for n in _ESTIMATORS
                                  if hasattr(all_estimators()[n], "partial_fit")
                                  and _spec(n)["labels"]])
def test_partial_fit_mixed_label_types_refused(name):
    est = _make(name)
    X, y = _spec(name)["args"]["X"], _spec(name)["args"]["y"]
    est.partial_fit(X[:32], y[:32])
    with _clear_error("y"):
        est.partial_fit(X[32:], y[32:].astype(str))


def test_partial_fit_mixed_labels_in_one_batch_refused():
    est = infotheory.BinnedMI()
    y = np.array([0, 1, "a"] * 21 + [0], dtype=object)
    with _clear_error("y"):
        est.partial_fit(_BOUNDED, y)


# -- public functions -------------------------------------------------------------------------


def _functions():
    """(id, callable, valid kwargs, array args, scalar args) for each public function."""
    from infotheory import bounds, datasets, dimension, entropy, mutual_info, spectral

    eig = np.array([0.5, 0.3, 0.2])
    return [
        ("entropy_based_edges", entropy.entropy_based_edges,
         {"values": np.linspace(0.1, 0.9, 50), "n_bins": 10, "low": -1.0},
         ["values"], ["n_bins", "low"]),
        ("adaptive_range_max", entropy.adaptive_range_max,
         {"layer_maxima": np.array([[1.0, 2.0], [1.5, 2.5]])}, ["layer_maxima"], []),
        ("renyi_entropy_of_spectrum", spectral.renyi_entropy_of_spectrum,
         {"eigenvalues": eig, "q": 1.0}, ["eigenvalues"], ["q", "tol"]),
        ("gaussian_mi", mutual_info.gaussian_mi, {"X": _X, "Y": _Y}, ["X", "Y"], []),
        ("gaussian_copula_mi", mutual_info.gaussian_copula_mi, {"X": _X, "Y": _Y}, ["X", "Y"],
         ["bias_correct"]),
        ("gaussian_copula_mi_se", mutual_info.gaussian_copula_mi_se, {"X": _X, "Y": _Y},
         ["X", "Y"], []),
        ("pairwise_copula_lower_bound", mutual_info.pairwise_copula_lower_bound,
         {"X": _X, "Y": _Y}, ["X", "Y"], ["alpha"]),
        ("maddox_effective_dimension", dimension.maddox_effective_dimension,
         {"fisher_or_eigenvalues": eig, "z": 1.0}, ["fisher_or_eigenvalues"], ["z"]),
        ("xu_raginsky_bound", bounds.xu_raginsky_bound, {"mi": 0.5, "n": 100, "sigma": 0.5},
         [], ["mi", "n", "sigma"]),
        ("bu_zou_veeravalli_bound", bounds.bu_zou_veeravalli_bound,
         {"mi": np.full(10, 0.1), "sigma": 0.5}, ["mi"], ["sigma"]),
        ("cmi_bound", bounds.cmi_bound, {"cmi": 0.3, "n": 100}, [], ["cmi", "n"]),
        ("ecmi_bound", bounds.ecmi_bound, {"terms": np.full(10, 0.1)}, ["terms"], []),
        ("fcmi_bound", bounds.fcmi_bound, {"terms": np.full(10, 0.1)}, ["terms"], []),
        ("loss_difference_bound", bounds.loss_difference_bound, {"terms": np.full(10, 0.1)},
         ["terms"], []),
        ("interpolating_gen", bounds.interpolating_gen, {"terms": np.full(10, 0.1)},
         ["terms"], []),
        ("binary_kl_cmi_bound", bounds.binary_kl_cmi_bound,
         {"train_loss": 0.1, "terms": np.full(10, 0.1)}, ["terms"], ["train_loss"]),
        ("wasserstein_bound", bounds.wasserstein_bound,
         {"distances": np.full(10, 0.1), "lipschitz": 1.0}, ["distances"], ["lipschitz"]),
        ("expected_wasserstein_1d", bounds.expected_wasserstein_1d,
         {"conditional_samples": _X[:, :1].T.repeat(3, 0), "marginal_samples": _X[:, 0]},
         ["conditional_samples", "marginal_samples"], []),
        ("maurer_seeger_bound", bounds.maurer_seeger_bound,
         {"train_loss": 0.1, "kl": 5.0, "n": 1000}, [], ["train_loss", "kl", "n", "delta"]),
        ("mcallester_bound", bounds.mcallester_bound,
         {"train_loss": 0.1, "kl": 5.0, "n": 1000}, [], ["train_loss", "kl", "n", "delta"]),
        ("catoni_bound", bounds.catoni_bound,
         {"train_loss": 0.1, "kl": 5.0, "n": 1000}, [], ["train_loss", "kl", "n", "delta", "C"]),
        ("kl_inverse", bounds.kl_inverse, {"q": 0.1, "c": 0.2}, [], ["q", "c"]),
        ("binary_kl", bounds.binary_kl, {"q": 0.1, "p": 0.2}, [], ["q", "p"]),
        ("correlated_gaussians", datasets.correlated_gaussians,
         {"n_samples": 20, "mi": 0.5, "random_state": 0}, [],
         ["n_samples", "mi", "dim", "random_state"]),
        ("discrete", datasets.discrete, {"n_samples": 20, "pmf": [0.5, 0.5], "random_state": 0},
         ["pmf"], ["n_samples", "random_state"]),
        ("discrete_joint", datasets.discrete_joint,
         {"n_samples": 20, "pmf": np.full((2, 2), 0.25), "random_state": 0}, ["pmf"],
         ["n_samples", "random_state"]),
        ("exponential", datasets.exponential, {"n_samples": 20, "random_state": 0}, [],
         ["n_samples", "scale", "dim", "random_state"]),
        ("gaussian", datasets.gaussian, {"n_samples": 20, "cov": np.eye(2), "random_state": 0},
         ["cov"], ["n_samples", "random_state"]),
        ("student_t", datasets.student_t, {"n_samples": 20, "df": 3.0, "random_state": 0}, [],
         ["n_samples", "df", "rho", "dim", "random_state"]),
        ("student_t_mi", datasets.student_t_mi, {"df": 3.0, "rho": 0.5}, [], ["df", "rho", "dim"]),
        ("uniform", datasets.uniform, {"n_samples": 20, "random_state": 0}, [],
         ["n_samples", "low", "high", "dim", "random_state"]),
        ("monotone_transform", datasets.monotone_transform, {"X": _X}, ["X"], ["kind"]),
        ("embedded_gaussians", datasets.embedded_gaussians,
         {"n_samples": 20, "mi": 0.5, "dim": 4, "random_state": 0}, [],
         ["n_samples", "mi", "latent_dim", "dim", "strength", "random_state"]),
    ]


# arguments documented as any shape, scalars that also take arrays, and (function, argument)
# pairs whose exact value at the edge of the domain is infinite (KL(q || 0) = inf for q > 0)
_ANY_SHAPE = {("entropy_based_edges", "values")}
_ARRAY_SCALARS = {("maddox_effective_dimension", "z")}
_INFINITE_OK = {("binary_kl", "p"), ("binary_kl", "q")}


def _function_array_cases():
    for fid, _fn, _kwargs, arrays, _ in _functions():
        for arg in arrays:
            for case in ("nan", "inf", "empty", "complex", "masked", "words", "object_words",
                         "3d_extra", "none"):
                yield pytest.param(fid, arg, case, id=f"{fid}-{arg}-{case}")


def _function(fid):
    return next(f for f in _functions() if f[0] == fid)


def _result_values(out):
    if hasattr(out, "value"):
        return np.asarray(out.value, dtype=float)
    if isinstance(out, tuple):
        return np.concatenate([np.ravel(np.asarray(o, dtype=float)) for o in out
                               if np.asarray(o).dtype.kind in "fiu"])
    return np.asarray(out, dtype=float)


@pytest.mark.parametrize(("fid", "arg", "case"), list(_function_array_cases()))
def test_function_bad_arrays(fid, arg, case):
    _, fn, kwargs, _, _ = _function(fid)
    kwargs = dict(kwargs)
    a = np.asarray(kwargs[arg])
    if case == "3d_extra":
        if (fid, arg) in _ANY_SHAPE:
            pytest.skip("any shape is valid")
        kwargs[arg] = a.reshape(a.shape + (1, 1, 1))[..., [0, 0]]
    elif case == "empty":
        kwargs[arg] = a.reshape(-1)[:0]
    else:
        kwargs[arg] = _BAD_DATA[case](a)
    with _clear_error(arg):
        _quiet(fn, **kwargs)


def _function_scalar_cases():
    for fid, _, _, _, scalars in _functions():
        for arg in scalars:
            for case in [*_ALWAYS_BAD, *_MAYBE_BAD]:
                yield pytest.param(fid, arg, case, id=f"{fid}-{arg}-{case}")


@pytest.mark.parametrize(("fid", "arg", "case"), list(_function_scalar_cases()))
def test_function_bad_scalars(fid, arg, case):
    _, fn, kwargs, _, _ = _function(fid)
    kwargs = dict(kwargs)
    if case in _ALWAYS_BAD:
        if case == "list" and (fid, arg) in _ARRAY_SCALARS:
            pytest.skip("an array-like is valid here")
        kwargs[arg] = _ALWAYS_BAD[case]
        with _clear_error(arg):
            _quiet(fn, **kwargs)
        return
    value = _MAYBE_BAD[case]
    kwargs[arg] = value
    default = inspect.signature(fn).parameters[arg].default
    if case == "true" and not isinstance(_function(fid)[2].get(arg, default), bool):
        with _clear_error(arg):
            _quiet(fn, **kwargs)
        return
    try:
        out = _quiet(fn, **kwargs)
    except (ValueError, TypeError) as exc:
        assert _names(exc, arg), exc
        return
    vals = _result_values(out)
    if (fid, arg) in _INFINITE_OK:
        assert not np.isnan(vals).any(), f"{arg}={value!r} gave {out}"
        return
    assert np.isfinite(vals).all(), f"{arg}={value!r} gave {out}"


@pytest.mark.parametrize("spelling", ["object_floats", "lists", "read_only"])
@pytest.mark.parametrize("fid", [f[0] for f in _functions() if f[3]])
def test_function_array_spellings_give_the_same_value(fid, spelling):
    _, fn, kwargs, arrays, _ = _function(fid)
    ref = _result_values(_quiet(fn, **kwargs))
    spelled = {k: (_SAME_DATA[spelling](v) if k in arrays else v) for k, v in kwargs.items()}
    np.testing.assert_allclose(_result_values(_quiet(fn, **spelled)), ref, rtol=1e-12)


@pytest.mark.parametrize("fid", [f[0] for f in _functions()])
def test_function_numpy_scalars_accepted(fid):
    _, fn, kwargs, _, scalars = _function(fid)
    ref = _result_values(_quiet(fn, **kwargs))
    spelled = {k: (_numpy_spelling(v) if k in scalars and _numpy_spelling(v) is not None
                   and not isinstance(v, tuple) else v) for k, v in kwargs.items()}
    np.testing.assert_allclose(_result_values(_quiet(fn, **spelled)), ref, rtol=1e-12)


def test_entropy_based_edges_nan_and_zero_bins():
    from infotheory.entropy import entropy_based_edges

    with _clear_error("values"):
        entropy_based_edges(np.array([0.1, np.nan, 0.5]), 10, -1.0)
    with _clear_error("n_bins"):
        entropy_based_edges(np.array([0.1, 0.2, 0.5]), 0, -1.0)


def test_renyi_entropy_of_spectrum_checks():
    from infotheory.spectral import renyi_entropy_of_spectrum

    with _clear_error("eigenvalues"):
        renyi_entropy_of_spectrum(np.array([0.5, np.nan, 0.5]), 1.0)
    with _clear_error("eigenvalues"):
        renyi_entropy_of_spectrum(np.array([]), 1.0)
    with _clear_error("eigenvalues"):
        renyi_entropy_of_spectrum(np.array([-0.5, 1.5]), 1.0)
    assert renyi_entropy_of_spectrum(np.array([0.5, 0.5]), 1.0) == pytest.approx(math.log(2))


def test_student_t_infinite_df_is_gaussian_or_refused():
    from infotheory.datasets import student_t

    try:
        out = student_t(50, df=float("inf"), random_state=0)
    except ValueError as exc:
        assert _names(exc, "df")
        return
    arrays = out if isinstance(out, tuple) else (out,)
    assert all(np.isfinite(np.asarray(a, dtype=float)).all() for a in arrays)


# -- resampling -------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", ["bootstrap_ci", "permutation_test"])
def test_resampling_with_a_class_is_refused(fn):
    from infotheory import resampling

    with _clear_error("estimator"):
        getattr(resampling, fn)(infotheory.KSGMI, _X, _Y, random_state=0, progress=False)


@pytest.mark.parametrize("param", ["n_resamples", "confidence", "method", "random_state",
                                   "progress"])
@pytest.mark.parametrize("case", ["banana", "nan", "true", "minus_one"])
def test_bootstrap_parameters(param, case):
    from infotheory.resampling import bootstrap_ci

    value = {**_ALWAYS_BAD, **_MAYBE_BAD}[case]
    kwargs = {"n_resamples": 5, "random_state": 0, "progress": False, param: value}
    if case == "true" and param == "progress":
        pytest.skip("a bool parameter")
    with _clear_error(param):
        bootstrap_ci(infotheory.GaussianMI(), _X, _Y, **kwargs)


def test_bootstrap_refuses_nan_estimates():
    from infotheory.resampling import bootstrap_ci

    class _NaN:
        def fit(self, X, y=None):
            return self

        def score(self, X, y=None):
            return float("nan")

        def get_params(self, deep=True):
            return {}

    with pytest.raises(ValueError, match="estimator"):
        bootstrap_ci(_NaN(), _X, _Y, n_resamples=5, random_state=0, progress=False)


@pytest.mark.parametrize("ci", ["no", 1, None, "yes"])
def test_estimate_information_ci_must_be_bool(ci):
    from infotheory.bounds import estimate_information

    with _clear_error("ci"):
        estimate_information(infotheory.GaussianMI(), _X, _Y, ci=ci)


# -- the information plane --------------------------------------------------------------------


def _plane_data():
    acts = [{"h": np.tanh(_X + e)} for e in range(3)]
    return acts, _X, _LABELS


@pytest.mark.parametrize("epochs", [[0, float("nan"), 2], [0, 1], ["a", "b", "c"],
                                    [0, float("inf"), 2]])
def test_information_plane_bad_epochs(epochs):
    acts, X, y = _plane_data()
    with _clear_error("epochs"):
        _quiet(infotheory.InformationPlane(progress=False).fit, acts, X, y, epochs=epochs)


# -- plotting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["nan", "complex", "mis_sized", "empty", "words"])
def test_plot_estimate_vs_n_bad_input(case):
    from infotheory.plotting import plot_estimate_vs_n

    ns, est = np.array([10, 100, 1000]), np.array([0.1, 0.2, 0.3])
    arg = "estimates"
    if case == "nan":
        est = _nan(est)
    elif case == "complex":
        est = est + 1j
    elif case == "mis_sized":
        ns = ns[:2]
        arg = "ns"
    elif case == "empty":
        ns, est = ns[:0], est[:0]
        arg = "ns"
    elif case == "words":
        est = np.array(["a", "b", "c"])
    with _clear_error(arg):
        plot_estimate_vs_n(ns, est)


@pytest.mark.parametrize("case", ["nan", "complex", "empty", "2d", "words"])
def test_plot_spectrum_bad_input(case):
    from infotheory.plotting import plot_spectrum

    eig = np.array([0.5, 0.3, 0.2])
    eig = {"nan": _nan(eig), "complex": eig + 1j, "empty": eig[:0], "2d": np.eye(3)[:, :, None],
           "words": np.array(["a", "b"])}[case]
    with _clear_error("eigenvalues"):
        plot_spectrum(eig)


@pytest.mark.parametrize("case", ["nan", "complex", "words"])
def test_plot_information_plane_bad_values(case):
    from infotheory.plotting import plot_information_plane

    bad = {"nan": float("nan"), "complex": 1 + 1j, "words": "abc"}[case]
    table = [{"epoch": e, "layer": "h", "mi_xt": 1.0 + e, "mi_ty": 0.5} for e in range(3)]
    table[1]["mi_xt"] = bad
    with _clear_error("mi_xt"):
        plot_information_plane(table)


# -- the command line -------------------------------------------------------------------------


def _cli(args, capsys):
    from infotheory.cli import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("method", ["gaussian", "kl"])
def test_cli_extreme_scale_gives_the_shifted_entropy(tmp_path, capsys, method):
    path = tmp_path / "d.npz"
    np.savez(path, x=_X * 1e300, y=_X)
    args = ["estimate", path, "--method", method, "--json", "--x"]
    code, out, _ = _cli([*args, "x"], capsys)
    code_ref, out_ref, _ = _cli([*args, "y"], capsys)
    assert code == code_ref == 0
    import json

    value, ref = json.loads(out)["value"], json.loads(out_ref)["value"]
    assert value == pytest.approx(ref + 2 * math.log(1e300), rel=1e-9)


def test_cli_nonfinite_estimate_is_an_error(tmp_path, capsys, monkeypatch):
    from infotheory.entropy import GaussianEntropy

    monkeypatch.setattr(GaussianEntropy, "_estimate", lambda self, X, y: float("nan"))
    path = tmp_path / "d.npz"
    np.savez(path, x=_X)
    code, out, err = _cli(["estimate", path, "--x", "x", "--method", "gaussian"], capsys)
    assert code == 2 and "nan" not in out
    assert err.startswith("infotheory: error:")


def test_cli_nan_data_is_an_error(tmp_path, capsys):
    path = tmp_path / "d.npz"
    np.savez(path, x=_nan(_X))
    code, out, err = _cli(["estimate", path, "--x", "x", "--method", "kl"], capsys)
    assert code == 2 and err.startswith("infotheory: error:") and "Traceback" not in err


@pytest.mark.parametrize("where", ["existing_file", "below_a_file", "unwritable"])
def test_cli_os_errors_are_user_errors(tmp_path, capsys, where):
    (tmp_path / "file").write_text("x")
    output = {"existing_file": tmp_path / "file", "below_a_file": tmp_path / "file" / "out",
              "unwritable": "/proc/infotheory-robustness-test/out"}[where]
    acts = tmp_path / "acts"
    acts.mkdir()
    for e in range(2):
        np.savez(acts / f"epoch_{e}.npz", h=np.tanh(_X + e))
    np.save(tmp_path / "labels.npy", _LABELS)
    code, _, err = _cli(["plane", acts, "--labels", tmp_path / "labels.npy", "--output", output,
                         "--quiet", "--bins", 5], capsys)
    assert code == 2, err
    assert err.startswith("infotheory: error:") and "Traceback" not in err
