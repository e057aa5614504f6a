"""Checks over every estimator of the package: scikit-learn's, and the package's own contract."""

import copy
import sys

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from infotheory import all_estimators
from infotheory._base import InfoEstimator, PartialFitMixin

# A 1-D array is one feature (the package's input convention), so fitting it must succeed.
_PACKAGE_WIDE = {"check_fit1d": "a 1-D X is one feature by design, not an error"}

ESTIMATORS = all_estimators()


def _instances():
    for cls in ESTIMATORS.values():
        # Only where a default cannot run on scikit-learn's generic data: the Fisher-dimension
        # estimators refuse non-negative data inferred as scores (the instances name the kind),
        # and CompressedMI's default compression does not fit 3-feature data yet.
        make = getattr(cls, "_common_test_instances", None)
        yield from (make() if make is not None else [cls()])


def _expected_failed(estimator):
    return {**_PACKAGE_WIDE, **getattr(estimator, "_expected_failed_checks", {})}


# Every estimator runs scikit-learn's checks with its default parameters. Two warnings are right
# on scikit-learn's generic data and are not failures: the data's pairwise distances of about 1
# are far below the reference default bandwidth 10 of the diffusion spectral estimators
# (BandwidthWarning), and its integer class targets are label-like inputs for the continuous MI
# estimators (DiscreteInputWarning). Both are tested where they must and must not fire.
@pytest.mark.filterwarnings("ignore::infotheory.spectral.BandwidthWarning")
@pytest.mark.filterwarnings("ignore::infotheory.mutual_info.DiscreteInputWarning")
@parametrize_with_checks(list(_instances()), expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# -- the package's contract ---------------------------------------------------------------------

_RNG = np.random.default_rng(0)
_X = _RNG.normal(size=(60, 3))
_Y_CONT = _X[:, :1] + 0.5 * _RNG.normal(size=(60, 1))
_LABELS = np.arange(60) % 3


def _data(est):
    """Arguments of ``fit`` that the estimator accepts with its default parameters."""
    side = {}
    for name in est._side_inputs:
        if name == "z":
            side[name] = _RNG.normal(size=60)
        elif name == "inputs":
            side[name] = _X
        elif name == "groups":
            side[name] = _LABELS
        elif name == "sample_weight":
            side[name] = np.linspace(1.0, 2.0, 60)
    if not est._requires_y:
        return (_X,), side
    for y in (_Y_CONT, _LABELS):
        try:
            type(est)(**est.get_params(deep=False)).fit(_X, y, **side)
        except ValueError:
            continue
        return (_X, y), side
    raise AssertionError(f"no test data for {type(est).__name__}")  # pragma: no cover


def _instance(cls):
    est = cls()
    if "progress" in est.get_params():
        est.set_params(progress=False)
    make = getattr(cls, "_common_test_instances", None)
    return make()[0] if make is not None else est


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if hasattr(a, "__dict__") and type(a) is type(b) and not isinstance(a, type):
        return _same(vars(a), vars(b))
    try:
        return bool(a == b) or (a != a and b != b)  # NaN equals NaN here
    except (TypeError, ValueError):
        return a is b


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_score_never_changes_the_estimator(name):
    est = _instance(ESTIMATORS[name])
    args, side = _data(est)
    est.fit(*args, **side)
    before = copy.deepcopy(vars(est))
    # another sample than in fit, so that anything score wrote would differ
    est.score(*(a[:45] for a in args), **{k: v[:45] for k, v in side.items()})
    after = vars(est)
    assert before.keys() == after.keys(), set(before) ^ set(after)
    changed = [k for k in before if not _same(before[k], after[k])]
    assert not changed, f"{name}.score changed {changed}"


# Functions of the base through which fitted state may be written.
_WRITERS = {InfoEstimator._check_n_features.__code__, InfoEstimator._store.__code__,
            InfoEstimator.fit.__code__, PartialFitMixin._add_batch.__code__}


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_fit_writes_only_through_the_contract(name):
    cls = ESTIMATORS[name]
    assert cls.score is InfoEstimator.score, f"{name} overrides score"
    assert cls.fit in (InfoEstimator.fit, PartialFitMixin.fit), f"{name} overrides fit"
    params = set(cls().get_params(deep=False))
    writes = []

    class Spy(cls):
        def __setattr__(self, key, value):
            caller = sys._getframe(1).f_code
            if key not in params and caller not in _WRITERS:
                writes.append((key, caller.co_name))
            super().__setattr__(key, value)

    Spy.__name__ = cls.__name__
    est = Spy(**_instance(cls).get_params(deep=False))
    args, side = _data(est)
    est.fit(*args, **side)
    if hasattr(est, "partial_fit"):
        est.partial_fit(*args, **side)
    assert not writes, f"{name} writes fitted state outside the base: {writes}"
    assert est.value_ == getattr(est, cls._result_attr)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_every_parameter_has_declared_constraints(name):
    cls = ESTIMATORS[name]
    assert set(cls._parameter_constraints) == set(cls().get_params(deep=False)), name


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_side_inputs_are_declared(name):
    est = _instance(ESTIMATORS[name])
    args, _ = _data(est)
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) not_a_side_input"):
        est.fit(*args, not_a_side_input=1)


def test_units():
    units = {name: cls._unit for name, cls in ESTIMATORS.items()}
    assert units.pop("VendiScore") == ""
    for name in ("EffectiveDimension", "LocalEffectiveDimension", "TwoScaleEffectiveDimension"):
        assert units.pop(name) == "dimensions"
    assert set(units.values()) == {"information"}
