"""Every warning class of the package derives from one base, and points at the user's call."""

import warnings

import numpy as np
import pytest

import infotheory
from infotheory import InfotheoryWarning

_WARNINGS = sorted(name for name in infotheory.__all__ if name.endswith("Warning"))


@pytest.mark.parametrize("name", _WARNINGS)
def test_every_public_warning_derives_from_the_package_base(name):
    assert issubclass(getattr(infotheory, name), InfotheoryWarning)


def test_warning_points_at_the_callers_line():
    X = np.random.default_rng(0).integers(0, 3, size=(500, 1)).astype(float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        infotheory.GaussianMI().fit(X, X[:, 0] + np.random.default_rng(1).normal(size=500))
    ours = [w for w in caught if issubclass(w.category, InfotheoryWarning)]
    assert ours, "label-like X must warn"
    assert all(w.filename == __file__ for w in ours)
