"""The estimator contract shared by every estimator in the package (DESIGN.md §3).

Subclasses implement :meth:`InfoEstimator._estimate`, which receives validated arrays and returns
the quantity **in nats**; the base class handles validation, units (``base``), the fitted result
attribute and ``score``. Estimators that learn state in ``fit`` (bin edges, compressors) override
``fit`` and ``score`` and keep the same conventions.

Every concrete subclass registers itself, so :func:`all_estimators` (and the common sklearn test)
sees estimators added by later modules without a central list to edit.
"""

from __future__ import annotations

import importlib
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._validation import check_base, check_paired, check_samples, require_y, to_unit

__all__ = ["InfoEstimator", "all_estimators"]

_REGISTRY: dict[str, type] = {}

# Subpackages whose estimators are registered on import. A module that does not exist yet is
# skipped, so the list can name the whole layout of DESIGN.md §2.
_ESTIMATOR_MODULES = (
    "infotheory.entropy",
    "infotheory.mutual_info",
    "infotheory.spectral",
    "infotheory.dimension",
)


class InfoEstimator(BaseEstimator):
    """Base class: ``Est(**params).fit(X, y).score(X, y)`` for an information quantity.

    Class attributes a subclass sets:

    ``_result_attr``
        Name of the fitted attribute holding the value (e.g. ``"entropy_"``).
    ``_requires_y``
        Whether ``fit`` needs a second variable ``y``.
    ``_min_samples``
        Smallest number of samples the method accepts (may be overridden by
        :meth:`_min_samples_required`, e.g. ``k + 1`` for kNN methods).
    ``_non_deterministic``
        True when the value depends on ``random_state``.
    """

    _result_attr: ClassVar[str] = "value_"
    _requires_y: ClassVar[bool] = False
    _min_samples: ClassVar[int] = 2
    _non_deterministic: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_") and not cls.__dict__.get("_abstract", False):
            _REGISTRY[cls.__name__] = cls

    # -- hooks for subclasses -------------------------------------------------------------

    def _estimate(self, X: np.ndarray, y: np.ndarray | None) -> float:
        """Return the quantity in nats for validated arrays (subclasses implement)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _check_params(self) -> None:
        """Validate hyper-parameters (called at the start of ``fit`` and ``score``)."""
        check_base(getattr(self, "base", None))

    def _min_samples_required(self) -> tuple[int, str]:
        """Smallest sample count and the reason, used in the "too few samples" message."""
        return self._min_samples, ""

    def _validate_y(self, y, X: np.ndarray):
        """Validate the second variable; default: continuous samples paired with ``X``."""
        _, Y = check_paired(X, y, estimator=self)
        return Y

    # -- the contract ---------------------------------------------------------------------

    def _validate(self, X, y, *, reset: bool):
        self._check_params()
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
        return Xa, Ya

    def fit(self, X, y=None):
        """Estimate the quantity on ``X`` (and ``y``) and store it in the result attribute.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples; a 1-D array is one feature.
        y : array-like of shape (n_samples,) or (n_samples, n_features_y), optional
            The second variable, for estimators of a joint quantity.

        Returns
        -------
        self
        """
        Xa, Ya = self._validate(X, y, reset=True)
        setattr(self, self._result_attr, self._in_unit(self._estimate(Xa, Ya)))
        return self

    def score(self, X, y=None) -> float:
        """Return the quantity estimated on ``X`` (and ``y``) as a float, in the unit of ``base``.

        Requires a fitted estimator (``X`` must have as many features as in ``fit``).
        """
        check_is_fitted(self)
        Xa, Ya = self._validate(X, y, reset=False)
        return self._in_unit(self._estimate(Xa, Ya))

    def _in_unit(self, value_nats: float) -> float:
        """Convert a value in nats to the estimator's unit (its ``base`` parameter, if any)."""
        return float(to_unit(value_nats, getattr(self, "base", None)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = self._requires_y
        tags.non_deterministic = self._non_deterministic
        tags.input_tags.allow_nan = False
        return tags


def all_estimators() -> dict[str, type]:
    """Return ``{name: class}`` for every public estimator of the package."""
    for module in _ESTIMATOR_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return dict(sorted(_REGISTRY.items()))
