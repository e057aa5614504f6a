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

__all__ = [
    "MemoryBudgetError",
    "check_samples",
    "check_paired",
    "check_labels",
    "check_symbols",
    "check_param",
    "check_option",
    "check_bool",
    "check_n_jobs",
    "check_base",
    "check_random_state",
    "check_memory",
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


def _as_numeric(X, name: str) -> np.ndarray:
    """Convert to a real floating array, with messages that name the argument."""
    if X is None:
        raise ValueError(
            f"{name} is None: expected an array-like of shape (n_samples, n_features)"
        )
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            f"{name} is a sparse matrix ({type(X).__name__}): expected a dense array of shape "
            "(n_samples, n_features); convert it with .toarray() if it fits in memory"
        )
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
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must be numeric: expected real numbers, got an object array whose "
                f"elements cannot be converted ({exc}); float() argument must be a string or "
                "a real number"
            ) from None
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
    try:
        classes, codes = np.unique(arr, return_inverse=True)
    except TypeError:
        raise TypeError(
            f"Unknown label type: {name} has values that cannot be compared "
            f"(dtype {arr.dtype}); expected labels of a single type"
        ) from None
    codes = codes.reshape(-1).astype(np.int64)
    return (codes, classes) if return_classes else codes


def check_symbols(X, *, name: str = "X", n_samples: int | None = None) -> np.ndarray:
    """Validate a discrete array and return one ``int64`` symbol code per sample.

    Rows of a 2-D array are joint symbols (the row ``(a, b)`` is one symbol). Any numeric dtype
    is accepted; each distinct value (row) is one symbol.
    """
    arr = check_samples(X, name=name)
    if n_samples is not None and arr.shape[0] != n_samples:
        raise ValueError(
            f"{name} must have one row per sample: expected {n_samples}, got {arr.shape[0]} "
            f"(shape={arr.shape})"
        )
    if arr.shape[1] == 1:
        _, codes = np.unique(arr[:, 0], return_inverse=True)
    else:
        _, codes = np.unique(arr, axis=0, return_inverse=True)
    return codes.reshape(-1).astype(np.int64)


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
    if isinstance(value, bool) or not isinstance(value, kinds):
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
    """Check a thread count: ``None`` (all threads), a positive int, or a negative int
    (``-1`` all cores, ``-k`` all but ``k - 1``); return it unchanged."""
    check_param(n_jobs, name, numbers.Integral, allow_none=True)
    if n_jobs == 0:
        raise ValueError(f"{name} must be a positive int, a negative int or None, got 0")
    return n_jobs


def check_bool(value, name: str) -> bool:
    """Check that a flag is a real ``bool`` (``numpy.bool_`` included); return it as ``bool``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value!r} ({type(value).__name__})")
    return bool(value)


def check_option(value, name: str, options) -> object:
    """Check that ``value`` is one of ``options`` (strings or other constants)."""
    if not any(value is o or (isinstance(o, str) and value == o) for o in options):
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value


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


def check_random_state(seed) -> np.random.Generator:
    """Turn ``None``, an int, a ``Generator`` or a ``RandomState`` into a ``Generator``.

    Never touches NumPy's global RNG state. A ``RandomState`` is consumed (one draw) to seed the
    returned generator, so passing the same ``RandomState`` object twice gives different streams,
    as in scikit-learn.
    """
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.RandomState):
        return np.random.default_rng(seed.randint(0, 2**31 - 1))
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"random_state must be a non-negative int, got {seed}")
        return np.random.default_rng(int(seed))
    raise TypeError(
        "random_state must be None, an int, a numpy.random.Generator or a "
        f"numpy.random.RandomState, got {seed!r} ({type(seed).__name__})"
    )


_UNITS = {"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def parse_memory(max_memory, name: str = "max_memory") -> float:
    """Parse a memory budget: a number of bytes or a string such as ``"4GB"`` / ``"512MiB"``."""
    if isinstance(max_memory, numbers.Real) and not isinstance(max_memory, bool):
        check_param(max_memory, name, numbers.Real, low=0, low_inclusive=False)
        return float(max_memory)
    if isinstance(max_memory, str):
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([KMGT]?I?B?)\s*", max_memory.upper())
        if m and float(m.group(1)) > 0:
            return float(m.group(1)) * _UNITS[m.group(2)]
    raise ValueError(
        f"{name} must be a positive number of bytes or a string such as '4GB' or '512MiB', "
        f"got {max_memory!r}"
    )


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
    import importlib.util

    if importlib.util.find_spec("jax") is None:
        return "numba"
    jax = import_jax()
    try:
        has_accelerator = any(dev.platform != "cpu" for dev in jax.devices())
    except RuntimeError:
        has_accelerator = False
    return "jax" if has_accelerator else "numba"


def import_jax():
    """Import and return :mod:`jax`, or raise an actionable ``ImportError``."""
    try:
        import jax
    except ImportError as exc:
        raise ImportError(
            "backend='jax' needs JAX, which is an optional dependency: "
            "pip install infotheory[jax]"
        ) from exc
    return jax
