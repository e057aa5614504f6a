"""The one place that turns user input into arrays and checked parameters.

Every public estimator and function calls these helpers before any numerical work, so that bad input
gets a ``ValueError`` / ``TypeError`` naming the argument, the expected form and what was received,
and nothing else happens (no partial work, no silent NaN, no process killed for memory).

Kernels in :mod:`infotheory._kernels` never validate; they may assume the output of this module:
C-contiguous ``float64`` arrays of shape ``(n_samples, n_features)`` with finite values.
"""

from __future__ import annotations

import math
import numbers
import re

import numpy as np

from .chunked import is_chunked
from .chunked import refuse as refuse_chunked

__all__ = [
    "MemoryBudgetError",
    "check_samples",
    "check_values",
    "plain_array",
    "check_paired",
    "check_labels",
    "check_param",
    "check_option",
    "check_bool",
    "check_n_jobs",
    "check_base",
    "check_random_state",
    "validate_random_state",
    "pow2_scale",
    "check_memory",
    "check_covariance_memory",
    "parse_memory",
    "check_backend",
    "import_jax",
    "require_y",
    "to_unit",
]

DEFAULT_MAX_MEMORY = "4GB"


class MemoryBudgetError(ValueError, MemoryError):
    """Raised before an allocation that would exceed the estimator's ``max_memory`` budget.

    It is a ``ValueError`` (bad input for the chosen method) and a ``MemoryError`` (so code that
    already guards against out-of-memory conditions catches it too).
    """


def _owner(estimator) -> str:
    if estimator is None:
        return ""
    name = estimator if isinstance(estimator, str) else type(estimator).__name__
    return f" by {name}"


def _unmask(X, name: str):
    """The data of a masked array without masked entries; refuse one that masks values.

    Dropping the mask would silently use the hidden (often garbage) values, and dropping the
    rows would silently change the sample, so a masked value is an error the user resolves.
    """
    if not np.ma.isMaskedArray(X):
        return X
    n_masked = int(np.ma.count_masked(X))
    if n_masked:
        raise ValueError(
            f"{name} is a masked array with {n_masked} masked value(s): expected plain values. "
            f"Drop the rows with masked values or fill them ({name}.filled(value)) first."
        )
    return np.ma.getdata(X)


def _refuse_sparse(X, name: str) -> None:
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            f"{name} is a sparse matrix ({type(X).__name__}): expected a dense array of shape "
            "(n_samples, n_features); convert it with .toarray() if it fits in memory"
        )


def plain_array(X, name: str):
    """``X`` without a mask (refused if it masks values) and not sparse (refused), for inputs
    validated elsewhere (integer masks, labels, tables)."""
    _refuse_sparse(X, name)
    return _unmask(X, name)


def _as_numeric(X, name: str) -> np.ndarray:
    """Convert to a real floating array, with messages that name the argument."""
    if X is None:
        raise ValueError(
            f"{name} is None: expected an array-like of shape (n_samples, n_features)"
        )
    if is_chunked(X):  # never np.asarray a Dask / Zarr array: it may be larger than memory
        refuse_chunked(X, name)
    _refuse_sparse(X, name)
    X = _unmask(X, name)
    if hasattr(X, "to_numpy") and not isinstance(X, np.ndarray):  # pandas objects
        X = X.to_numpy()
    try:
        arr = np.asarray(X)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(
            f"{name} could not be converted to a rectangular array: {exc}"
        ) from None
    if np.iscomplexobj(arr):
        raise ValueError(
            f"Complex data not supported: {name} has dtype {arr.dtype}, expected real numbers"
        )
    if arr.dtype.kind in "fiub":
        return arr if arr.dtype == np.float64 else arr.astype(np.float64)
    if arr.dtype.kind == "O":
        # only real numbers: float() would also parse strings ("1.5") and mapping types
        flat = arr.reshape(-1)
        if not all(isinstance(v, numbers.Real) for v in flat):
            bad = next(v for v in flat if not isinstance(v, numbers.Real))
            raise TypeError(
                f"{name} must be numeric: expected real numbers, got an object array holding "
                f"{bad!r} ({type(bad).__name__}); float() argument must be a string or a real "
                "number"
            )
        return arr.astype(np.float64)
    raise TypeError(
        f"{name} must be numeric: expected an array of real numbers, got dtype {arr.dtype}"
    )


def _check_finite(arr: np.ndarray, name: str) -> None:
    if arr.size and not np.isfinite(arr).all():
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        raise ValueError(
            f"{name} contains {n_nan} NaN and {n_inf} inf value(s) (shape={arr.shape}); "
            "expected finite values. Drop or impute them first."
        )


def check_samples(
    X,
    *,
    name: str = "X",
    min_samples: int = 1,
    min_features: int = 1,
    estimator=None,
    requirement: str = "",
) -> np.ndarray:
    """Validate a sample array and return it as C-contiguous ``float64`` of shape ``(n, d)``.

    A 1-D array is one feature (shape ``(n, 1)``). Read-only inputs (memory maps) are not
    copied when they are already ``float64`` and C-contiguous.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
        The samples.
    name : str
        Argument name used in error messages.
    min_samples, min_features : int
        Minimum sizes; violating them raises ``ValueError`` in scikit-learn's wording.
    estimator : object or str, optional
        Named in the "too few samples" message.
    requirement : str, optional
        Why ``min_samples`` is needed (e.g. ``"k=5 neighbours"``), appended to the message.

    Returns
    -------
    ndarray of shape (n_samples, n_features), float64
    """
    if is_chunked(X):
        refuse_chunked(X, name, _owner(estimator)[len(" by "):])
    arr = _as_numeric(X, name)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D or 2-D (n_samples, n_features), got a {arr.ndim}-D array of "
            f"shape {arr.shape}"
        )
    n, d = arr.shape
    if n == 0:
        raise ValueError(
            f"{name} is empty: found array with 0 sample(s) (shape={arr.shape}) while a minimum "
            f"of {max(min_samples, 1)} is required{_owner(estimator)}."
        )
    if d < min_features:
        raise ValueError(
            f"Found array with {d} feature(s) (shape={arr.shape}) while a minimum of "
            f"{min_features} is required{_owner(estimator)}: {name} needs at least "
            f"{min_features} column(s)."
        )
    if n < min_samples:
        why = f" ({requirement})" if requirement else ""
        raise ValueError(
            f"Found array with {n} sample(s) (shape={arr.shape}) while a minimum of "
            f"{min_samples} is required{_owner(estimator)}{why}: {name} has too few samples."
        )
    _check_finite(arr, name)
    return np.ascontiguousarray(arr)


def check_values(values, name: str, *, ndim: int | tuple | None = None,
                 allow_empty: bool = False) -> np.ndarray:
    """Validate an array of real, finite numbers of any shape (or of ``ndim`` dimensions).

    For arguments that are not sample arrays: eigenvalues, per-sample terms, maxima, edges.
    Returns a ``float64`` array (NumPy scalars, lists and object arrays of numbers accepted;
    masked arrays with masked values, sparse matrices, strings and complex numbers refused).
    """
    arr = _as_numeric(values, name)
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if dims is not None and arr.ndim not in dims:
        expected = " or ".join(f"{d}-D" for d in dims)
        raise ValueError(f"{name} must be {expected}, got a {arr.ndim}-D array of shape "
                         f"{arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape={arr.shape}): expected at least one value")
    _check_finite(arr, name)
    return arr


def require_y(y, estimator) -> None:
    """Raise the scikit-learn-worded error when a required second variable is missing."""
    if y is None:
        name = type(estimator).__name__ if not isinstance(estimator, str) else estimator
        raise ValueError(
            f"{name} requires y to be passed, but the target y is None: expected an array-like "
            "with one row per sample of X"
        )


def check_paired(
    X,
    Y,
    *,
    names: tuple[str, str] = ("X", "y"),
    min_samples: int = 1,
    estimator=None,
    requirement: str = "",
) -> tuple[np.ndarray, np.ndarray]:
    """Validate two sample arrays that describe the same samples (same number of rows)."""
    if Y is None and estimator is not None:
        require_y(Y, estimator)
    Xa = check_samples(
        X, name=names[0], min_samples=min_samples, estimator=estimator, requirement=requirement
    )
    Ya = check_samples(
        Y, name=names[1], min_samples=1, estimator=estimator, requirement=requirement
    )
    if Xa.shape[0] != Ya.shape[0]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of samples: "
            f"{names[0]} has {Xa.shape[0]} (shape={Xa.shape}), {names[1]} has {Ya.shape[0]} "
            f"(shape={Ya.shape})"
        )
    return Xa, Ya


def check_labels(y, *, name: str = "y", n_samples: int | None = None,
                 return_classes: bool = False):
    """Validate class labels and return them encoded as ``int64`` codes ``0..n_classes-1``.

    Labels may be of any hashable scalar dtype (ints, strings, floats); a column vector
    ``(n, 1)`` is accepted and flattened. NaN labels are rejected. With ``return_classes``,
    return ``(codes, classes)``, ``classes`` being the sorted distinct labels.
    """
    if y is None:
        raise ValueError(f"{name} is None: expected labels of shape (n_samples,)")
    _refuse_sparse(y, name)
    y = _unmask(y, name)
    try:
        arr = np.asarray(y)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(f"{name} could not be converted to a rectangular array: {exc}") from None
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be labels of shape (n_samples,), got an array of shape {arr.shape}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty: expected labels of shape (n_samples,), got shape (0,)")
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported: {name} has dtype {arr.dtype}")
    if n_samples is not None and arr.shape[0] != n_samples:
        raise ValueError(
            f"{name} must have one label per sample: expected {n_samples}, got {arr.shape[0]}"
        )
    if arr.dtype.kind == "f":
        _check_finite(arr, name)
    elif arr.dtype.kind == "O":
        _check_object_labels(arr, name)
    try:
        classes, codes = np.unique(arr, return_inverse=True)
    except TypeError:
        raise TypeError(
            f"Unknown label type: {name} has values that cannot be compared "
            f"(dtype {arr.dtype}); expected labels of a single type"
        ) from None
    codes = codes.reshape(-1).astype(np.int64)
    return (codes, classes) if return_classes else codes


def _check_object_labels(arr: np.ndarray, name: str) -> None:
    """Labels of an object array: hashable scalars of one kind, no missing values.

    NaN would otherwise become a class of its own (NaN != NaN), and ``None`` a label.
    """
    kinds = set()
    for v in arr:
        if v is None or (isinstance(v, numbers.Real) and not math.isfinite(v)):
            raise ValueError(
                f"{name} contains a missing or non-finite label ({v!r}): expected a label for "
                "every sample. Drop those samples or give them a class first."
            )
        if isinstance(v, (str, bytes)):
            kinds.add("str")
        elif isinstance(v, numbers.Number):
            kinds.add("number")
        else:
            raise TypeError(
                f"{name} must hold numbers or strings as labels, got {v!r} ({type(v).__name__})"
            )
    if len(kinds) > 1:
        raise TypeError(
            f"Unknown label type: {name} has values that cannot be compared (dtype object): it "
            "mixes numbers and strings; expected labels of a single type"
        )


def check_param(
    value,
    name: str,
    kind: type | tuple,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    allow_none: bool = False,
    finite: bool = False,
):
    """Check a scalar parameter's type and range; return it unchanged.

    ``kind`` is ``numbers.Integral``, ``numbers.Real`` or a tuple of types. Booleans are not
    accepted as numbers. ``finite=True`` also rejects ``inf`` and ``-inf``.
    """
    if value is None and allow_none:
        return value
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kinds):
        expected = " or ".join(_type_name(k) for k in kinds)
        raise TypeError(f"{name} must be {expected}, got {value!r} ({type(value).__name__})")
    if isinstance(value, numbers.Real) and math.isnan(value):
        raise ValueError(f"{name} must be a number, got nan")
    if finite and not math.isfinite(value):
        bound = "" if low is None else f" {'>=' if low_inclusive else '>'} {low}"
        raise ValueError(f"{name} must be a finite number{bound}, got {value!r}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        op = ">=" if low_inclusive else ">"
        raise ValueError(f"{name} must be {op} {low}, got {value!r}")
    if high is not None and (value > high or (value == high and not high_inclusive)):
        op = "<=" if high_inclusive else "<"
        raise ValueError(f"{name} must be {op} {high}, got {value!r}")
    return value


def _type_name(k) -> str:
    return {numbers.Integral: "an int", numbers.Real: "a real number"}.get(k, k.__name__)


def check_n_jobs(n_jobs, name: str = "n_jobs"):
    """Check a thread count: ``None`` (one thread unless a joblib context sets it), a positive
    int, or a negative int (``-1`` all cores, ``-k`` all but ``k - 1``); return it unchanged."""
    check_param(n_jobs, name, numbers.Integral, allow_none=True)
    if n_jobs == 0:
        raise ValueError(f"{name} must be a positive int, a negative int or None, got 0")
    return n_jobs


def check_bool(value, name: str) -> bool:
    """Check that a flag is a real ``bool`` (``numpy.bool_`` included); return it as ``bool``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value!r} ({type(value).__name__})")
    return bool(value)


def _same_option(value, option) -> bool:
    """``value`` spells ``option``: identical, an equal string, or an equal number of the same
    kind (``np.int64(2)`` is ``2``, ``np.True_`` is ``True``; ``1`` is not ``True``)."""
    if value is option:
        return True
    if isinstance(option, str):
        return isinstance(value, str) and value == option
    if isinstance(option, bool):
        return isinstance(value, (bool, np.bool_)) and bool(value) == option
    if isinstance(option, numbers.Number) and option is not None:
        return (isinstance(value, numbers.Number) and not isinstance(value, (bool, np.bool_))
                and value == option)
    return False


def check_option(value, name: str, options) -> object:
    """Check that ``value`` is one of ``options``; return the option itself.

    Options are strings or other constants; a NumPy scalar equal to a numeric or bool option is
    that option (and the plain Python option is returned).
    """
    for option in options:
        try:
            if _same_option(value, option):
                return option
        except (TypeError, ValueError):  # e.g. an array compared with a number
            break
    listed = ", ".join(repr(o) for o in options)
    raise ValueError(f"{name} must be one of {listed}, got {value!r}")


def check_base(base) -> float | None:
    """Validate a logarithm base: ``None`` (nats) or a real number > 0 and != 1."""
    if base is None:
        return None
    check_param(base, "base", numbers.Real, low=0, low_inclusive=False)
    if not math.isfinite(base):
        raise ValueError(f"base must be finite (None means nats, 2 means bits), got {base}")
    if base == 1:
        raise ValueError("base must be > 0 and != 1 (None means nats, 2 means bits), got 1")
    return float(base)


def to_unit(value_nats, base):
    """Convert a value in nats to the unit of logarithm ``base`` (``None`` keeps nats)."""
    if base is None:
        return value_nats
    return value_nats / math.log(base)


def unit_name(base) -> str:
    """The name of the unit of logarithm ``base``: nats, bits, hartleys or ``log base b``."""
    if base is None or math.isclose(base, math.e):
        return "nats"
    return {2: "bits", 10: "hartleys"}.get(base, f"log base {base:g}")


def validate_random_state(seed, name: str = "random_state"):
    """Check that ``seed`` can seed a generator (without drawing from it); return it unchanged.

    Accepts ``None``, a non-negative int (NumPy integers included, bools not), a
    ``numpy.random.Generator`` or a ``numpy.random.RandomState``.
    """
    if seed is None or isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)):
        if seed < 0:
            raise ValueError(f"{name} must be a non-negative int, got {seed}")
        return seed
    raise TypeError(
        f"{name} must be None, an int, a numpy.random.Generator or a "
        f"numpy.random.RandomState, got {seed!r} ({type(seed).__name__})"
    )


def check_random_state(seed, name: str = "random_state") -> np.random.Generator:
    """Turn ``None``, an int, a ``Generator`` or a ``RandomState`` into a ``Generator``.

    Never touches NumPy's global RNG state. A ``RandomState`` is consumed (one draw) to seed the
    returned generator, so passing the same ``RandomState`` object twice gives different streams,
    as in scikit-learn.
    """
    validate_random_state(seed, name)
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.RandomState):
        return np.random.default_rng(seed.randint(0, 2**31 - 1))
    return np.random.default_rng(int(seed))


# Decimal prefixes (K, KB = 1e3) and binary ones (Ki, KiB = 2**10), as in dask and pandas.
_PREFIXES = {"": 1.0, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15}
_BINARY = {"K": 2.0**10, "M": 2.0**20, "G": 2.0**30, "T": 2.0**40, "P": 2.0**50}
_MEMORY_RE = re.compile(
    r"\s*((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:E[+-]?[0-9]+)?)\s*(?:([KMGTP]?)B?|([KMGTP])IB?)\s*"
)


def parse_memory(max_memory, name: str = "max_memory") -> float:
    """Parse a memory budget: a number of bytes or a string such as ``"4GB"``, ``"4G"``,
    ``"512MiB"``, ``"512Mi"`` or ``"4e9"`` (case-insensitive). Returns bytes, a finite float > 0.
    """
    if isinstance(max_memory, numbers.Real) and not isinstance(max_memory, (bool, np.bool_)):
        check_param(max_memory, name, numbers.Real, low=0, low_inclusive=False, finite=True)
        return float(max_memory)
    if isinstance(max_memory, str):
        m = _MEMORY_RE.fullmatch(max_memory.upper())
        if m:
            size = float(m.group(1)) * (
                _BINARY[m.group(3)] if m.group(3) else _PREFIXES[m.group(2)]
            )
            if 0 < size < math.inf:
                return size
    raise ValueError(
        f"{name} must be a positive number of bytes or a string such as '4GB' or '512MiB', got "
        f"{max_memory!r} (units B, K, M, G, T, P, each with or without B or iB: '4G', '4Gi', "
        "'4e9' are accepted)"
    )


def pow2_scale(arr: np.ndarray, axis: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Scale ``arr`` by a power of two so that its largest magnitude lies in ``[0.5, 1)``.

    Multiplying by ``2**-e`` is exact in floating point (no rounding, barring subnormal results),
    so every ratio, comparison and neighbour order of the data is unchanged, while squares and
    products of the scaled values can no longer overflow or underflow. Estimators use it on data
    of extreme magnitude (1e-300, 1e300): a scale-invariant quantity is computed on the scaled
    array as is; an entropy is shifted back by ``d * e * log 2``.

    Parameters
    ----------
    arr : ndarray
        Finite values.
    axis : int or None
        ``None`` scales the whole array by one power; ``0`` each column by its own.

    Returns
    -------
    scaled : ndarray
        ``arr * 2**-e`` (a new array).
    e : ndarray of int
        The exponents, of shape ``()`` (``axis=None``) or one per column.
    """
    if arr.size:  # max |x| without an |x| temporary
        peak = np.maximum(np.abs(arr.max(axis=axis)), np.abs(arr.min(axis=axis)))
    else:
        peak = np.zeros(() if axis is None else 0)
    e = np.where(peak > 0, np.frexp(peak)[1], 0).astype(np.int64)
    if arr.size and np.all(np.abs(e) <= 1000):
        # a product with the power of two 2**-e rounds like ldexp (exact unless subnormal,
        # then to nearest) and is several times faster; beyond, 2**-e is not a float64
        return arr * np.ldexp(1.0, -e), e
    return np.ldexp(arr, -e), e


def _human(n_bytes: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n_bytes >= size:
            return f"{n_bytes / size:.1f} {unit}"
    return f"{n_bytes:.0f} B"


def check_memory(n_bytes: float, max_memory, *, what: str, alternative: str) -> None:
    """Raise :class:`MemoryBudgetError` before allocating more than ``max_memory``.

    Parameters
    ----------
    n_bytes : float
        Bytes the operation would allocate.
    max_memory : int, float or str
        The budget (see :func:`parse_memory`).
    what : str
        What would be allocated, e.g. ``"the 100000 x 100000 kernel matrix"``.
    alternative : str
        The scalable method to use instead, named in the message.
    """
    budget = parse_memory(max_memory)
    if n_bytes > budget:
        raise MemoryBudgetError(
            f"{what} would need {_human(n_bytes)}, more than max_memory={_human(budget)}. "
            f"Use {alternative}, or raise max_memory if the machine has the memory."
        )


def check_covariance_memory(n: int, d: int, max_memory, owner: str) -> None:
    """Budget of a Gaussian fit on ``n`` samples of ``d`` features: a copy of the data and about
    three ``d x d`` matrices (covariance, its blocks, the Cholesky factor)."""
    check_memory(8.0 * (n * d + 3.0 * d * d), max_memory,
                 what=f"the {d} x {d} covariance matrices of {owner}",
                 alternative="fewer features (e.g. CompressedMI, or PCA first)")


def check_backend(backend) -> str:
    """Resolve ``backend`` (``"auto"``, ``"numba"``, ``"jax"``) to ``"numba"`` or ``"jax"``.

    ``"auto"`` picks JAX only when it is installed *and* an accelerator (GPU/TPU) is visible;
    otherwise numba. Choosing ``"jax"`` without JAX installed raises an ``ImportError`` that says
    how to install it.
    """
    check_option(backend, "backend", ("auto", "numba", "jax"))
    if backend == "numba":
        return "numba"
    if backend == "jax":
        import_jax()
        return "jax"
    if not _jax_may_see_accelerator():
        return "numba"
    jax = import_jax()
    try:
        has_accelerator = any(dev.platform != "cpu" for dev in jax.devices())
    except RuntimeError:
        has_accelerator = False
    return "jax" if has_accelerator else "numba"


def _jax_may_see_accelerator() -> bool:
    """Whether JAX is installed with an accelerator plugin, found without importing anything.

    Importing JAX takes seconds, so ``backend="auto"`` imports it only when it could find a
    GPU/TPU: JAX installed, not restricted to the CPU by ``JAX_PLATFORMS``, and a CUDA/ROCm/TPU
    plugin or a ``jax_plugins`` namespace present.
    """
    import importlib.util
    import os

    if importlib.util.find_spec("jax") is None:
        return False
    platforms = os.environ.get("JAX_PLATFORMS", os.environ.get("JAX_PLATFORM_NAME", ""))
    if platforms and set(platforms.lower().replace(" ", "").split(",")) <= {"cpu"}:
        return False
    plugins = ("jax_plugins", "jax_cuda12_plugin", "jax_cuda13_plugin", "jax_rocm60_plugin",
               "jax_rocm7_plugin", "libtpu")
    for name in plugins:
        try:
            if importlib.util.find_spec(name) is not None:
                return True
        except (ImportError, ValueError):
            continue
    return False


def import_jax():
    """Import and return :mod:`jax`, or raise an actionable ``ImportError``.

    Importing JAX reseeds NumPy's global random generator; its state is restored, so user code
    seeded with ``np.random.seed`` draws the same numbers whether or not JAX was imported.
    """
    state = np.random.get_state()  # noqa: NPY002 - the global state is what we protect
    try:
        import jax
        import jax.numpy  # noqa: F401 - imported here, under the saved state
    except ImportError as exc:
        raise ImportError(
            "backend='jax' needs JAX, which is an optional dependency: "
            "pip install \"infotheory-ml[jax]\""
        ) from exc
    finally:
        np.random.set_state(state)  # noqa: NPY002
    return jax
