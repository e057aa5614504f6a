"""scikit-learn's estimator checks over every registered estimator of the package."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from infotheory import all_estimators

# By our contract (DESIGN.md §3) a 1-D array is one feature, so fitting it must succeed.
_PACKAGE_WIDE = {"check_fit1d": "a 1-D X is one feature by design (DESIGN.md §3)"}


def _instances():
    for cls in all_estimators().values():
        # An estimator whose defaults cannot run on sklearn's generic data provides its own
        # test instances through `_common_test_instances` (a classmethod).
        make = getattr(cls, "_common_test_instances", None)
        yield from (make() if make is not None else [cls()])


def _expected_failed(estimator):
    return {**_PACKAGE_WIDE, **getattr(estimator, "_expected_failed_checks", {})}


@parametrize_with_checks(list(_instances()), expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    check(estimator)
