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
* Every constructor parameter is declared in ``_parameter_constraints`` (see
  :mod:`infotheory._params`) and checked at the start of ``fit``, ``partial_fit`` and ``score``,
  whether or not the chosen path uses it; ``_check_params`` is left for rules that tie several
  parameters together.
* Estimators whose value is a function of statistics accumulated over batches (symbol counts, a
  second-moment matrix) add :class:`PartialFitMixin`, which gives them ``partial_fit``.
* :func:`all_estimators` finds the estimators by walking the package, as
  ``sklearn.utils.discovery.all_estimators`` does: a user's own subclass of the same name is not
  one of them.
* Chunked input (a Dask array, a Zarr array or store; see :mod:`infotheory.chunked`) is never
  read into memory whole. Estimators whose quantity decomposes over chunks of samples set
  ``_chunked = True`` and implement ``_estimate_chunked(X, y)`` on row-chunked Dask arrays;
  ``fit``/``score`` (and ``partial_fit``) route such input there, validated by the
  ``_validate_*_chunked`` hooks. Every other estimator refuses it with a ``TypeError`` naming
  the estimators that take it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import chunked
from ._params import validate_parameters
from ._validation import (
    check_base,
    check_paired,
    check_samples,
    require_y,
    to_unit,
    unit_name,
)

__all__ = ["Estimate", "InfoEstimator", "PartialFitMixin", "all_estimators"]

#: ``_unit`` of estimators whose value is an amount of information (converted by ``base``).
INFORMATION = "information"


@dataclass(frozen=True)
class Estimate:
    """What :meth:`InfoEstimator._estimate` returns when it has more to say than one number.

    Attributes
    ----------
    value : float or ndarray
        The quantity (an array only for estimators evaluated at several scales), in nats for
        information quantities (the estimator converts it to the unit
        of its ``base``), else in the estimator's own unit.
    attributes : mapping of str to object
        Further fitted attributes (names ending in ``_``) that ``fit`` stores verbatim, e.g.
        ``{"eigenvalues_": lam, "n_samples_used_": 500}``. ``score`` discards them. An attribute
        whose value is in nats and must follow ``base`` is listed in ``in_unit`` instead.
    in_unit : mapping of str to float
        Further fitted information quantities in nats (e.g. ``{"entropy_": h}``), stored by
        ``fit`` after conversion to the unit of ``base``.
    standard_error : float or None
        A standard error of ``value`` in the same unit (nats for information), stored by ``fit``
        as ``standard_error_`` after the unit conversion; ``None`` where no cheap one exists.
    """

    value: Any
    attributes: Mapping[str, Any] = field(default_factory=dict)
    standard_error: float | None = None
    in_unit: Mapping[str, float] = field(default_factory=dict)


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
    ``_parameter_constraints``
        The accepted forms of every constructor parameter (:mod:`infotheory._params`).
    ``_cli_name``
        Short method name of the ``infotheory estimate`` command (e.g. ``"ksg"``); an entropy
        and an MI estimator may share one (used without and with ``--y``). None: not offered.
    ``_chunked``
        True when ``_estimate_chunked`` takes row-chunked Dask arrays (out-of-core input).
    """

    _abstract: ClassVar[bool] = True  # not an estimator itself (subclasses are, unless they say)
    _parameter_constraints: ClassVar[dict] = {}
    _cli_name: ClassVar[str | None] = None
    _result_attr: ClassVar[str] = "value_"
    _unit: ClassVar[str] = INFORMATION
    _requires_y: ClassVar[bool] = False
    _side_inputs: ClassVar[tuple[str, ...]] = ()
    _min_samples: ClassVar[int] = 2
    _non_deterministic: ClassVar[bool] = False
    _chunked: ClassVar[bool] = False

    # -- hooks for subclasses -------------------------------------------------------------

    def _estimate(self, X: np.ndarray, y: np.ndarray | None, **side) -> float | Estimate:
        """Return the quantity for validated arrays; pure (never assigns to ``self``)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _learn(self, X: np.ndarray, y: np.ndarray | None, **side) -> Mapping[str, Any]:
        """Fitted state that ``score`` reuses (bin edges, a compressor): ``{name_: value}``.

        Called by ``fit`` only, before :meth:`_estimate`; the default learns nothing.
        """
        return {}

    def _estimate_fitted(self, X: np.ndarray, y: np.ndarray | None, **side) -> float | Estimate:
        """The value ``fit`` reports, once the state of :meth:`_learn` is set; pure.

        The default is :meth:`_estimate` on the fit data. An estimator that learns on one part of
        the data and reports on the rest (a held-out split) evaluates on that rest here.
        """
        return self._estimate(X, y, **side)

    def _validate_params(self) -> None:
        """Check every parameter against ``_parameter_constraints``, then ``_check_params``."""
        validate_parameters(self._parameter_constraints, self.get_params(deep=False),
                            type(self).__name__)
        self._check_params()

    def _check_params(self) -> None:
        """Rules tying several parameters together (called after the declared constraints)."""

    def _validate_X(self, X, n_min: int, why: str):
        """Validate ``X``; default: a sample array ``(n_samples, n_features)``."""
        return check_samples(X, min_samples=n_min, estimator=self, requirement=why)

    def _n_features(self, Xa) -> int:
        """Number of features of validated ``X`` (checked against ``n_features_in_``)."""
        return Xa.shape[1]

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

    # -- validation -----------------------------------------------------------------------

    def _validate(self, X, y, side: Mapping[str, Any] | None = None, *, reset: bool):
        """Validate parameters and every input once; returns ``(X, y)`` or ``(X, y, side)``."""
        self._validate_params()
        self._check_side_names(side)
        n_min, why = self._min_samples_required()
        if self._requires_y:
            require_y(y, self)
        Xa = self._validate_X(X, n_min, why)
        self._check_n_features(self._n_features(Xa), reset=reset)
        Ya = self._validate_y(y, Xa) if (y is not None or self._requires_y) else None
        if side is None:
            return Xa, Ya
        checked = {name: self._validate_side(name, side.get(name), Xa)
                   for name in self._side_inputs}
        return Xa, Ya, checked

    def _check_input(self, X, y, side, *, reset: bool):
        """``(chunked, X, y, side)`` validated once: in memory by :meth:`_validate`, or as
        row-chunked Dask arrays when ``X`` or ``y`` is a Dask / Zarr array
        (:func:`infotheory.chunked.check_input`)."""
        if chunked.is_chunked(X) or chunked.is_chunked(y):
            return (True, *chunked.check_input(self, X, y, side, reset=reset))
        return (False, *self._validate(X, y, side, reset=reset))

    def _check_side_names(self, side: Mapping[str, Any] | None) -> None:
        """Refuse keyword side inputs the estimator does not declare."""
        unknown = sorted(set(side or ()) - set(self._side_inputs))
        if unknown:
            accepted = ", ".join(self._side_inputs) or "none"
            raise TypeError(
                f"{type(self).__name__}.fit got unexpected keyword argument(s) "
                f"{', '.join(unknown)}; side inputs it accepts: {accepted}"
            )

    def _check_n_features(self, n_features: int, *, reset: bool) -> None:
        """``reset``: forget the earlier fit and store ``n_features_in_``; else compare with it."""
        if reset:  # a new fit forgets everything an earlier one stored
            for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
                del self.__dict__[name]
            self.n_features_in_ = n_features
        elif n_features != self.n_features_in_ and not self.__sklearn_tags__().input_tags.pairwise:
            raise ValueError(
                f"X has {n_features} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )

    # -- chunked input (Dask / Zarr; see infotheory.chunked) ---------------------------------

    def _estimate_chunked(self, X, y, **side) -> float | Estimate:
        """``_estimate`` for row-chunked Dask arrays (``y`` aligned or None); pure.

        Only called when ``_chunked`` is True; merges per-chunk partial results exactly.
        """
        raise NotImplementedError  # pragma: no cover - abstract

    def _learn_chunked(self, X, y, **side) -> Mapping[str, Any]:
        """:meth:`_learn` for chunked input; an estimator with ``_learn`` state overrides it."""
        return {}

    def _validate_X_chunked(self, X, n_min: int, why: str):
        """Chunked ``X`` as a 2-D Dask array chunked along rows only, with ``n_min`` rows."""
        return chunked.check_samples(X, n_min, why, self)

    def _validate_y_chunked(self, y, X):
        """The second variable of chunked input: a Dask array chunked as ``X`` (``y`` may be
        chunked or in memory)."""
        return chunked.check_paired(y, X)

    def _validate_side_chunked(self, name: str, value, X):
        """A side input given with chunked ``X``; refused unless the estimator overrides this."""
        return chunked.refuse_side(self, name, value)

    # -- the contract ---------------------------------------------------------------------

    def fit(self, X, y=None, **side):
        """Estimate the quantity on ``X`` (and ``y``) and store it in the result attribute.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples; a 1-D array is one feature. Estimators with ``_chunked = True`` also take a
            Dask array or a Zarr array/store, reduced chunk by chunk (:mod:`infotheory.chunked`).
        y : array-like of shape (n_samples,) or (n_samples, n_features_y), optional
            The second variable, for estimators of a joint quantity.
        **side
            The side inputs the estimator declares (see its documentation), e.g. ``z``.

        Returns
        -------
        self
        """
        is_chunked, Xa, Ya, sides = self._check_input(X, y, side, reset=True)
        learn = self._learn_chunked if is_chunked else self._learn
        estimate = self._estimate_chunked if is_chunked else self._estimate_fitted
        state = dict(learn(Xa, Ya, **sides))
        for name, value in state.items():
            setattr(self, name, value)
        self._store(estimate(Xa, Ya, **sides))
        return self

    def score(self, X, y=None, **side) -> float:
        """Return the quantity estimated on ``X`` (and ``y``) as a float, in the estimator's unit.

        Requires a fitted estimator (``X`` must have as many features as in ``fit``). Fitted
        state (bin edges, compressors) is applied, never changed: ``score`` does not modify the
        estimator.
        """
        check_is_fitted(self)
        is_chunked, Xa, Ya, sides = self._check_input(X, y, side, reset=False)
        estimate = self._estimate_chunked if is_chunked else self._estimate
        result = estimate(Xa, Ya, **sides)
        value = result.value if isinstance(result, Estimate) else result
        if np.ndim(value) != 0:
            raise ValueError(
                "score returns one number and needs a scalar scale parameter; with an array, "
                "read the fitted attribute after fit"
            )
        return self._in_unit(value)

    def _store(self, result: float | Estimate) -> None:
        """Write an estimate's value, standard error and extra attributes (``fit`` only)."""
        if not isinstance(result, Estimate):
            result = Estimate(result)
        setattr(self, self._result_attr, self._in_unit(result.value))
        if result.standard_error is not None:
            self.standard_error_ = self._in_unit(result.standard_error)
        for name, value in result.in_unit.items():
            setattr(self, name, self._in_unit(value))
        for name, value in result.attributes.items():
            setattr(self, name, value)

    def _in_unit(self, value_nats):
        """Convert a value in nats to the estimator's unit (information quantities only).

        Scalars come back as ``float``; arrays (values at several scales) as arrays.
        """
        if np.ndim(value_nats) != 0:
            value = np.asarray(value_nats, dtype=np.float64)
            return value if self._unit != INFORMATION else to_unit(value, getattr(self, "base",
                                                                                  None))
        if self._unit != INFORMATION:
            return float(value_nats)
        return float(to_unit(value_nats, getattr(self, "base", None)))

    # -- public read-only accessors -------------------------------------------------------

    @property
    def value_(self) -> float:
        """The fitted quantity, whatever the estimator calls it (``entropy_``, ``score_``, ...).

        A float (an array for estimators evaluated at an array of scales). Raises
        ``NotFittedError`` before ``fit``.
        """
        check_is_fitted(self)
        value = getattr(self, self._result_attr)
        return float(value) if np.ndim(value) == 0 else value

    @property
    def unit_(self) -> str:
        """The unit of :attr:`value_`: ``"nats"``, ``"bits"``, ``"log base b"`` or a fixed unit."""
        if self._unit != INFORMATION:
            return self._unit
        return unit_name(check_base(getattr(self, "base", None)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = self._requires_y
        tags.non_deterministic = self._non_deterministic
        tags.input_tags.allow_nan = False
        return tags


class PartialFitMixin:
    """``partial_fit`` for estimators whose value is a function of accumulated statistics.

    Put it before :class:`InfoEstimator` in the bases. ``fit(X)`` is one batch on a fresh
    estimator, ``partial_fit(X)`` adds a batch; the value always comes from all batches so far.
    The subclass implements:

    ``_learn(X, y, **side)``
        Parameters learned from the first batch (e.g. bin edges), as ``{name_: value}``.
    ``_accumulate(stats, X, y, **side)``
        Statistics of ``stats`` (``None`` to start afresh) plus the batch, computed with the
        fitted parameters. It may update ``stats`` in place: only ``partial_fit`` passes existing
        statistics, ``score`` always passes ``None``.
    ``_estimate_from(stats)``
        The quantity (float or :class:`Estimate`) of the statistics; pure.

    ``_new_stream()`` (optional)
        The statistics the first ``partial_fit`` starts from (default None, as ``fit``).

    With ``_chunked = True`` the subclass also implements ``_accumulate_chunked`` (and
    ``_learn_chunked`` when ``_learn`` learns parameters) on row-chunked Dask arrays: ``fit``,
    ``partial_fit`` and ``score`` then take chunked batches, and in-memory and chunked batches
    can follow each other in one stream.

    The statistics are kept in the private ``_stats_`` attribute.
    """

    def _estimate(self, X, y, **side):
        return self._estimate_from(self._accumulate(None, X, y, **side))

    def _estimate_chunked(self, X, y, **side):
        return self._estimate_from(self._accumulate_chunked(None, X, y, **side))

    def _new_stream(self):
        """The statistics a stream starts from in ``partial_fit`` (``fit`` starts from None)."""
        return None

    def fit(self, X, y=None, **side):
        """Estimate the quantity on ``X`` (one batch); see the class documentation."""
        return self._add_batch(X, y, side, first=True, stats=None)

    def partial_fit(self, X, y=None, **side):
        """Add a batch of samples to the statistics and update the estimate.

        The first call (or ``fit``) also learns the parameters that later batches reuse, so the
        batches must have the same features. Parameters are those of :meth:`fit`.

        Returns
        -------
        self
        """
        first = "_stats_" not in self.__dict__
        return self._add_batch(X, y, side, first=first,
                               stats=self._new_stream() if first else self._stats_)

    def _add_batch(self, X, y, side, *, first: bool, stats):
        is_chunked, Xa, Ya, sides = self._check_input(X, y, side, reset=first)
        learn = self._learn_chunked if is_chunked else self._learn
        accumulate = self._accumulate_chunked if is_chunked else self._accumulate
        if first:
            for name, value in dict(learn(Xa, Ya, **sides)).items():
                setattr(self, name, value)
        stats = accumulate(stats, Xa, Ya, **sides)
        self._stats_ = stats
        self._store(self._estimate_from(stats))
        return self


# Subpackages that hold no estimator (or import optional dependencies at import time).
_NOT_WALKED = ("infotheory._kernels", "infotheory.plotting", "infotheory.cli")


def all_estimators() -> dict[str, type]:
    """Return ``{name: class}`` for every public estimator defined in the package.

    The package is walked (every module of ``infotheory`` is imported, as
    ``sklearn.utils.discovery.all_estimators`` does) and the :class:`InfoEstimator` subclasses
    *defined* in an ``infotheory`` module under a public name are kept; intermediate bases
    (``_abstract = True``) are not. A class defined elsewhere (a user's own ``KLEntropy`` in
    ``__main__``) is never one of them.
    """
    import infotheory

    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(infotheory.__path__, prefix="infotheory."):
        name = info.name
        if name.startswith(_NOT_WALKED) or any(part.startswith("test") for part in
                                                 name.split(".")):
            continue
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if (issubclass(cls, InfoEstimator) and cls.__module__ == name
                    and not cls_name.startswith("_") and not cls.__dict__.get("_abstract", False)):
                found[cls_name] = cls
    return dict(sorted(found.items()))
