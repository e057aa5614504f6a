"""Declarative hyper-parameter constraints, checked by the estimator base for every parameter.

Each estimator declares ``_parameter_constraints``: a mapping from every constructor parameter to
the list of forms it accepts, in scikit-learn's style::

    _parameter_constraints = {
        "k": [Interval(Integral, 1, None, closed="left")],
        "metric": [StrOptions({"euclidean", "chebyshev"})],
        "weighted": ["boolean", StrOptions({"auto"})],
        "base": ["base"],
        "n_jobs": ["n_jobs"],
    }

A value is valid when it satisfies at least one form. The forms are

* ``None`` (the value ``None``), ``callable`` (any callable), ``"boolean"`` (``bool`` or
  ``numpy.bool_``);
* :class:`Interval` (a real or integral number in a range; booleans are never numbers, NumPy
  scalars are; NaN is always refused and infinities unless ``finite=False``);
* :class:`StrOptions` and :class:`Options` (one of a set of constants);
* :class:`HasMethods` (an object with the named methods, e.g. a transformer);
* the named forms of the package's glossary, each checked by its helper in
  :mod:`infotheory._validation` so that the rule lives in one place: ``"random_state"``,
  ``"n_jobs"``, ``"base"``, ``"max_memory"``.

scikit-learn's own validator is private (``sklearn.utils._param_validation``), so this module
is a small one of our own with the same vocabulary. Every message names the parameter, the
expected form and the value received; a value of no accepted type raises ``TypeError``, a value of
an accepted type that is out of range raises ``ValueError``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ._validation import (
    check_base,
    check_bool,
    check_n_jobs,
    check_param,
    check_random_state,
    parse_memory,
)

__all__ = ["Interval", "StrOptions", "Options", "HasMethods", "RealPair", "Checked",
           "validate_parameters",
           "KNN_CONSTRAINTS"]


class _Constraint:
    """One accepted form: ``accepts_type`` (the kind of value) and ``check`` (its range)."""

    def accepts_type(self, value) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def check(self, value, name: str) -> None:
        """Raise ``ValueError`` naming ``name`` when a value of the right type is out of range."""

    def __str__(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


class Interval(_Constraint):
    """A real (``numbers.Real``) or integral (``numbers.Integral``) number in a range.

    Parameters
    ----------
    kind : numbers.Integral or numbers.Real
        The number type; booleans are excluded, NumPy scalars included.
    left, right : float or None
        Bounds (None: unbounded on that side).
    closed : {"left", "right", "both", "neither"}
        Which bounds belong to the interval.
    finite : bool, default=True
        Refuse ``inf`` and ``-inf`` (NaN is always refused).
    """

    def __init__(self, kind, left, right, *, closed: str, finite: bool = True):
        if kind not in (numbers.Integral, numbers.Real):
            raise TypeError(f"kind must be numbers.Integral or numbers.Real, got {kind!r}")
        if closed not in ("left", "right", "both", "neither"):
            raise ValueError(f"closed must be 'left', 'right', 'both' or 'neither', got {closed!r}")
        self.kind, self.left, self.right = kind, left, right
        self.closed, self.finite = closed, finite

    def accepts_type(self, value) -> bool:
        return isinstance(value, self.kind) and not isinstance(value, (bool, np.bool_))

    def check(self, value, name: str) -> None:
        check_param(
            value, name, self.kind,
            low=self.left, high=self.right,
            low_inclusive=self.closed in ("left", "both"),
            high_inclusive=self.closed in ("right", "both"),
            finite=self.finite,
        )

    def __str__(self) -> str:
        what = "an int" if self.kind is numbers.Integral else "a real number"
        if self.left is not None and self.right is not None:
            lo = "[" if self.closed in ("left", "both") else "("
            hi = "]" if self.closed in ("right", "both") else ")"
            return f"{what} in {lo}{self.left}, {self.right}{hi}"
        if self.left is not None:
            return f"{what} {'>=' if self.closed in ('left', 'both') else '>'} {self.left}"
        if self.right is not None:
            return f"{what} {'<=' if self.closed in ('right', 'both') else '<'} {self.right}"
        return what


class Options(_Constraint):
    """One of a set of constants of a given type (e.g. ``Options(Integral, {1, 2})``)."""

    def __init__(self, kind, options: Iterable):
        self.kind = kind
        # a set is listed sorted (stable messages); a sequence in the order given
        self.options = (tuple(sorted(options, key=repr)) if isinstance(options, set | frozenset)
                        else tuple(options))

    def accepts_type(self, value) -> bool:
        return isinstance(value, self.kind) and not isinstance(value, (bool, np.bool_))

    def check(self, value, name: str) -> None:
        if not any(value == o for o in self.options):
            raise ValueError(f"{name} must be one of {self._listed()}, got {value!r}")

    def _listed(self) -> str:
        return ", ".join(repr(o) for o in self.options)

    def __str__(self) -> str:
        return self._listed() if len(self.options) == 1 else f"one of {self._listed()}"


class StrOptions(Options):
    """One of a set of strings, listed in messages in the order given."""

    def __init__(self, options: Iterable[str]):
        super().__init__(str, tuple(options))


class HasMethods(_Constraint):
    """An object with the named methods (e.g. a scikit-learn transformer)."""

    def __init__(self, methods: Iterable[str]):
        self.methods = tuple(methods)

    def accepts_type(self, value) -> bool:
        return all(callable(getattr(value, m, None)) for m in self.methods)

    def __str__(self) -> str:
        return "an object with " + ", ".join(self.methods)


class RealPair(_Constraint):
    """A pair ``(low, high)`` of finite real numbers with ``low < high`` (a range)."""

    def accepts_type(self, value) -> bool:
        return isinstance(value, tuple | list | np.ndarray)

    def check(self, value, name: str) -> None:
        ok = (
            isinstance(value, tuple | list | np.ndarray)
            and np.ndim(value) == 1
            and len(value) == 2
            and all(_is_real(v) for v in value)
            and np.isfinite(np.asarray(value, dtype=np.float64)).all()
            and value[0] < value[1]
        )
        if not ok:
            raise ValueError(
                f"{name} must be a pair (low, high) of finite numbers with low < high, "
                f"got {value!r}"
            )

    def __str__(self) -> str:
        return "a pair (low, high) of finite numbers with low < high"


class Checked(_Constraint):
    """Any value that a check function accepts (arrays of scales, layer sizes).

    ``check(value)`` raises ``TypeError``/``ValueError`` naming the parameter; ``description``
    says what is expected.
    """

    def __init__(self, description: str, check):
        self.description, self._check = description, check

    def accepts_type(self, value) -> bool:
        return True

    def check(self, value, name: str) -> None:
        self._check(value)

    def __str__(self) -> str:
        return self.description


class _Named(_Constraint):
    """A form of the glossary, checked by its helper in :mod:`infotheory._validation`."""

    def __init__(self, label: str, is_type, helper):
        self.label, self._is_type, self._helper = label, is_type, helper

    def accepts_type(self, value) -> bool:
        return self._is_type(value)

    def check(self, value, name: str) -> None:
        self._helper(value, name)

    def __str__(self) -> str:
        return self.label


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _is_real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _check_random_state(value, name):
    check_random_state(value)


def _check_base(value, name):
    check_base(value)


def _check_memory(value, name):
    parse_memory(value, name)


_NAMED = {
    "boolean": _Named("a bool", lambda v: isinstance(v, (bool, np.bool_)), check_bool),
    "random_state": _Named(
        "None, an int >= 0, a numpy.random.Generator or a numpy.random.RandomState",
        lambda v: v is None or _is_int(v)
        or isinstance(v, (np.random.Generator, np.random.RandomState)),
        _check_random_state,
    ),
    "n_jobs": _Named("None or a non-zero int (-1: all threads)",
                     lambda v: v is None or _is_int(v), check_n_jobs),
    "base": _Named("None (nats) or a real number > 0 and != 1 (2: bits)",
                   lambda v: v is None or _is_real(v), _check_base),
    "max_memory": _Named("a positive number of bytes or a string such as '4GB'",
                         lambda v: _is_real(v) or isinstance(v, str), _check_memory),
}


class _NoneConstraint(_Constraint):
    def accepts_type(self, value) -> bool:
        return value is None

    def __str__(self) -> str:
        return "None"


class _Callable(_Constraint):
    def accepts_type(self, value) -> bool:
        return callable(value)

    def __str__(self) -> str:
        return "a callable"


def _as_constraint(c) -> _Constraint:
    if isinstance(c, _Constraint):
        return c
    if c is None:
        return _NoneConstraint()
    if c is callable:
        return _Callable()
    if isinstance(c, str) and c in _NAMED:
        return _NAMED[c]
    raise ValueError(f"unknown parameter constraint {c!r}")


def _describe(constraints) -> str:
    parts = [str(c) for c in constraints]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _received(value) -> str:
    return f"{value!r} ({type(value).__name__})"


def validate_parameter(name: str, value, constraints) -> None:
    """Check one parameter against its list of accepted forms (see the module docstring)."""
    cs = [_as_constraint(c) for c in constraints]
    typed = [c for c in cs if c.accepts_type(value)]
    if not typed:
        if len(cs) == 1:  # the helper's own message (a TypeError) says it best
            cs[0].check(value, name)
        raise TypeError(f"{name} must be {_describe(cs)}, got {_received(value)}")
    errors = []
    for c in typed:
        try:
            c.check(value, name)
        except (TypeError, ValueError) as exc:
            errors.append(exc)
        else:
            return
    if len(typed) == 1 and isinstance(typed[0], Interval | _Named | RealPair | Checked):
        raise errors[0]  # the only form of this type: the helper's own message says it best
    raise ValueError(f"{name} must be {_describe(cs)}, got {value!r}")


def validate_parameters(constraints: Mapping[str, list], params: Mapping[str, Any],
                        owner: str) -> None:
    """Check every parameter of ``params``; each must have its constraints declared."""
    missing = sorted(set(params) - set(constraints))
    if missing:  # a developer error: every parameter is declared, used or not
        raise RuntimeError(f"{owner} declares no constraint for parameter(s) {', '.join(missing)}")
    for name, value in params.items():
        validate_parameter(name, value, constraints[name])


#: Parameters shared by the kNN information estimators (KSG, Frenzel-Pompe, Ross, compressed).
KNN_CONSTRAINTS = {
    "k": [Interval(numbers.Integral, 1, None, closed="left")],
    "noise": [Interval(numbers.Real, 0, None, closed="left")],
    "standardize": ["boolean"],
    "random_state": ["random_state"],
    "base": ["base"],
    "n_jobs": ["n_jobs"],
}
