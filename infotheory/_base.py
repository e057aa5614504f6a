"""The estimator contract shared by every estimator in the package.

One estimator is one information quantity estimated from sample arrays. The flow is always::

    fit(X, y, **side)  ->  validate once  ->  _learn (optional state)  ->  _estimate  ->  store
    score(X, y, **side) -> validate once  ->  _estimate (reads the fitted state)  ->  return

* ``_estimate`` is **pure**: it reads parameters and fitted state and returns the quantity, either
  as a float or as an :class:`Estimate` (value, extra fitted attributes, standard error). It
  never assigns to ``self``, so ``score`` never changes a fitted estimator.
* ``fit`` is the only writer: it stores the state from ``_learn`` and the :class:`Estimate`.
* Values are computed in nats; the base converts them to the unit of the ``base`` parameter
  (``None`` nats, ``2`` bits). Quantities that are not information (the Vendi score, a dimension)
  set ``_unit`` to their own unit and are never converted.
* Side inputs of ``fit``/``score`` (a conditioning variable ``z``, ``groups``, ``inputs``,
  ``sample_weight``) are declared in ``_side_inputs`` and validated by ``_validate_side``, so
  callers (the information plane, the CLI, resampling) learn what an estimator takes from the
  declaration rather than by inspecting signatures.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._validation import (
    check_base,
    check_bool,
    check_n_jobs,
    check_paired,
    check_samples,
    parse_memory,
    require_y,
    to_unit,
    validate_random_state,
)

__all__ = ["Estimate", "InfoEstimator", "all_estimators"]

_REGISTRY: dict[str, type] = {}

_ESTIMATOR_MODULES = (
    "infotheory.entropy",
    "infotheory.mutual_info",
    "infotheory.spectral",
    "infotheory.dimension",
)

#: ``_unit`` of estimators whose value is an amount of information (converted by ``base``).
INFORMATION = "information"


@dataclass(frozen=True)
class Estimate:
    """What :meth:`InfoEstimator._estimate` returns when it has more to say than one number.

    Attributes
    ----------
    value : float
        The quantity, in nats for information quantities (the estimator converts it to the unit
        of its ``base``), else in the estimator's own unit.
    attributes : mapping of str to object
        Further fitted attributes (names ending in ``_``) that ``fit`` stores verbatim, e.g.
        ``{"eigenvalues_": lam, "n_samples_used_": 500}``. ``score`` discards them.
    standard_error : float or None
        A standard error of ``value`` in the same unit (nats for information), stored by ``fit``
        as ``standard_error_`` after the unit conversion; ``None`` where no cheap one exists.
    """

    value: float
    attributes: Mapping[str, Any] = field(default_factory=dict)
    standard_error: float | None = None


class InfoEstimator(BaseEstimator):
    """Base class: ``Est(**params).fit(X, y).score(X, y)`` for an information quantity.

    Class attributes a subclass sets:

    ``_result_attr``
        Name of the fitted attribute holding the value (e.g. ``"entropy_"``); read it through the
        public :attr:`value_`.
    ``_unit``
        ``"information"`` (converted by ``base``), or the fixed unit of a quantity that is not
        information (``""`` for unitless scores, ``"dimensions"``).
    ``_requires_y``
        Whether ``fit`` needs a second variable ``y``.
    ``_side_inputs``
        Names of the keyword side inputs ``fit`` and ``score`` accept (e.g. ``("z",)``).
    ``_min_samples``
        Smallest number of samples the method accepts (see :meth:`_min_samples_required`).
    ``_non_deterministic``
        True when the value depends on ``random_state``.
    """

    _result_attr: ClassVar[str] = "value_"
    _unit: ClassVar[str] = INFORMATION
    _requires_y: ClassVar[bool] = False
    _side_inputs: ClassVar[tuple[str, ...]] = ()
    _min_samples: ClassVar[int] = 2
    _non_deterministic: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_") and not cls.__dict__.get("_abstract", False):
            _REGISTRY[cls.__name__] = cls

    # -- hooks for subclasses -------------------------------------------------------------

    def _estimate(self, X: np.ndarray, y: np.ndarray | None, **side) -> float | Estimate:
        """Return the quantity for validated arrays; pure (never assigns to ``self``)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _learn(self, X: np.ndarray, y: np.ndarray | None, **side) -> Mapping[str, Any]:
        """Fitted state that ``score`` reuses (bin edges, a compressor): ``{name_: value}``.

        Called by ``fit`` only, before :meth:`_estimate`; the default learns nothing.
        """
        return {}

    def _check_params(self) -> None:
        """Validate hyper-parameters (called at the start of ``fit`` and ``score``).

        Checks the parameters shared by many estimators (``base``, ``max_memory``,
        ``random_state``, ``n_jobs``, ``progress``) whenever the estimator has them, whether or
        not the chosen path uses them. Subclasses extend it and call ``super()._check_params()``.
        """
        params = self.get_params(deep=False)
        check_base(params.get("base"))
        if "max_memory" in params:
            parse_memory(params["max_memory"])
        if "random_state" in params:
            validate_random_state(params["random_state"])
        if "n_jobs" in params:
            check_n_jobs(params["n_jobs"])
        if "progress" in params:
            check_bool(params["progress"], "progress")

    def _min_samples_required(self) -> tuple[int, str]:
        """Smallest sample count and the reason, used in the "too few samples" message."""
        return self._min_samples, ""

    def _validate_y(self, y, X: np.ndarray):
        """Validate the second variable; default: continuous samples paired with ``X``."""
        _, Y = check_paired(X, y, estimator=self)
        return Y

    def _validate_side(self, name: str, value, X: np.ndarray):
        """Validate one declared side input; default: samples paired with ``X`` (or None)."""
        if value is None:
            return None
        A = check_samples(value, name=name, estimator=self)
        if A.shape[0] != X.shape[0]:
            raise ValueError(
                f"X and {name} must have the same number of samples: X has {X.shape[0]} "
                f"(shape={X.shape}), {name} has {A.shape[0]} (shape={A.shape})"
            )
        return A

    # -- the contract ---------------------------------------------------------------------

    def _validate(self, X, y, side: Mapping[str, Any] | None = None, *, reset: bool):
        """Validate parameters and every input once; returns ``(X, y)`` or ``(X, y, side)``."""
        self._check_params()
        unknown = sorted(set(side or ()) - set(self._side_inputs))
        if unknown:
            accepted = ", ".join(self._side_inputs) or "none"
            raise TypeError(
                f"{type(self).__name__}.fit got unexpected keyword argument(s) "
                f"{', '.join(unknown)}; side inputs it accepts: {accepted}"
            )
        n_min, why = self._min_samples_required()
        if self._requires_y:
            require_y(y, self)
        Xa = check_samples(X, min_samples=n_min, estimator=self, requirement=why)
        if reset:
            self.n_features_in_ = Xa.shape[1]
        elif Xa.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {Xa.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        Ya = self._validate_y(y, Xa) if (y is not None or self._requires_y) else None
        if side is None:
            return Xa, Ya
        checked = {name: self._validate_side(name, side.get(name), Xa)
                   for name in self._side_inputs}
        return Xa, Ya, checked

    def fit(self, X, y=None, **side):
        """Estimate the quantity on ``X`` (and ``y``) and store it in the result attribute.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples; a 1-D array is one feature.
        y : array-like of shape (n_samples,) or (n_samples, n_features_y), optional
            The second variable, for estimators of a joint quantity.
        **side
            The side inputs the estimator declares (see its documentation), e.g. ``z``.

        Returns
        -------
        self
        """
        Xa, Ya, sides = self._validate(X, y, side, reset=True)
        state = dict(self._learn(Xa, Ya, **sides))
        for name, value in state.items():
            setattr(self, name, value)
        self._store(self._estimate(Xa, Ya, **sides))
        return self

    def score(self, X, y=None, **side) -> float:
        """Return the quantity estimated on ``X`` (and ``y``) as a float, in the estimator's unit.

        Requires a fitted estimator (``X`` must have as many features as in ``fit``). Fitted
        state (bin edges, compressors) is applied, never changed: ``score`` does not modify the
        estimator.
        """
        check_is_fitted(self)
        Xa, Ya, sides = self._validate(X, y, side, reset=False)
        result = self._estimate(Xa, Ya, **sides)
        value = result.value if isinstance(result, Estimate) else result
        return self._in_unit(value)

    def _store(self, result: float | Estimate) -> None:
        """Write an estimate's value, standard error and extra attributes (``fit`` only)."""
        if not isinstance(result, Estimate):
            result = Estimate(float(result))
        setattr(self, self._result_attr, self._in_unit(result.value))
        if result.standard_error is not None:
            self.standard_error_ = self._in_unit(result.standard_error)
        for name, value in result.attributes.items():
            setattr(self, name, value)

    def _in_unit(self, value_nats: float) -> float:
        """Convert a value in nats to the estimator's unit (information quantities only)."""
        if self._unit != INFORMATION:
            return float(value_nats)
        return float(to_unit(value_nats, getattr(self, "base", None)))

    # -- public read-only accessors -------------------------------------------------------

    @property
    def value_(self) -> float:
        """The fitted quantity, whatever the estimator calls it (``entropy_``, ``score_``, ...).

        Raises ``NotFittedError`` before ``fit``.
        """
        check_is_fitted(self)
        return float(getattr(self, self._result_attr))

    @property
    def unit_(self) -> str:
        """The unit of :attr:`value_`: ``"nats"``, ``"bits"``, ``"log base b"`` or a fixed unit."""
        if self._unit != INFORMATION:
            return self._unit
        base = check_base(getattr(self, "base", None))
        if base is None or np.isclose(base, np.e):
            return "nats"
        if base == 2:
            return "bits"
        if base == 10:
            return "hartleys"
        return f"log base {base:g}"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = self._requires_y
        tags.non_deterministic = self._non_deterministic
        tags.input_tags.allow_nan = False
        return tags


def all_estimators() -> dict[str, type]:
    """Return ``{name: class}`` for every public estimator of the package."""
    for module in _ESTIMATOR_MODULES:
        importlib.import_module(module)
    return dict(sorted(_REGISTRY.items()))
