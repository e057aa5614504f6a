"""The declarative parameter constraints: accepted forms, refused values and their messages."""

from numbers import Integral, Real

import numpy as np
import pytest

from infotheory import KSGMI, KLEntropy
from infotheory._params import (
    Checked,
    HasMethods,
    Interval,
    Options,
    RealPair,
    StrOptions,
    validate_parameter,
    validate_parameters,
)

POSITIVE_INT = [Interval(Integral, 1, None, closed="left")]


@pytest.mark.parametrize("value", [1, 7, np.int64(2), np.int32(3), np.uint8(4)])
def test_integral_interval_accepts_python_and_numpy_ints(value):
    validate_parameter("k", value, POSITIVE_INT)


@pytest.mark.parametrize(
    ("value", "exc", "match"),
    [
        (True, TypeError, r"k must be an int, got True \(bool\)"),
        (np.True_, TypeError, r"k must be an int, got np.True_ \(bool\)"),
        (2.0, TypeError, r"k must be an int, got 2.0 \(float\)"),
        ("3", TypeError, r"k must be an int, got '3' \(str\)"),
        (0, ValueError, r"k must be >= 1, got 0"),
        (np.int64(-2), ValueError, r"k must be >= 1, got np.int64\(-2\)"),
    ],
)
def test_integral_interval_refuses(value, exc, match):
    with pytest.raises(exc, match=match):
        validate_parameter("k", value, POSITIVE_INT)


def test_real_interval_finite_nan_and_numpy_scalars():
    c = [Interval(Real, 0, None, closed="left")]
    for ok in (0, 0.5, np.float32(2.0), np.float64(1e300), np.int64(3)):
        validate_parameter("noise", ok, c)
    with pytest.raises(ValueError, match=r"noise must be a finite number >= 0, got inf"):
        validate_parameter("noise", float("inf"), c)
    with pytest.raises(ValueError, match=r"noise must be a number, got nan"):
        validate_parameter("noise", np.float64("nan"), c)
    with pytest.raises(TypeError, match=r"noise must be a real number"):
        validate_parameter("noise", False, c)
    infinite_ok = [Interval(Real, 0, None, closed="left", finite=False)]
    validate_parameter("q", np.inf, infinite_ok)
    with pytest.raises(ValueError, match=r"q must be a number, got nan"):
        validate_parameter("q", float("nan"), infinite_ok)


def test_bounded_interval_and_closedness():
    c = [Interval(Real, 0, 1, closed="left")]
    validate_parameter("zeta", 0.0, c)
    with pytest.raises(ValueError, match=r"zeta must be < 1, got 1"):
        validate_parameter("zeta", 1, c)


def test_boolean_accepts_numpy_bool_and_refuses_ints():
    validate_parameter("flag", np.True_, ["boolean"])
    validate_parameter("flag", False, ["boolean"])
    with pytest.raises(TypeError, match=r"flag must be a bool, got 1"):
        validate_parameter("flag", 1, ["boolean"])


def test_several_forms_name_them_all():
    c = [Interval(Real, 0, None, closed="neither"), StrOptions(("median",))]
    validate_parameter("bandwidth", "median", c)
    validate_parameter("bandwidth", 2.5, c)
    with pytest.raises(ValueError, match=r"bandwidth must be > 0, got -1"):
        validate_parameter("bandwidth", -1, c)  # the one form of its type says why
    with pytest.raises(ValueError,
                       match=r"bandwidth must be a real number > 0 or 'median', got 'mean'"):
        validate_parameter("bandwidth", "mean", c)
    with pytest.raises(TypeError, match=r"bandwidth must be a real number > 0 or 'median', "
                                        r"got \[1\] \(list\)"):
        validate_parameter("bandwidth", [1], c)


def test_options_none_callable_methods_pair_and_checked():
    validate_parameter("algorithm", np.int64(2), [Options(Integral, (1, 2))])
    with pytest.raises(ValueError, match=r"algorithm must be one of 1, 2, got 3"):
        validate_parameter("algorithm", 3, [Options(Integral, (1, 2))])
    validate_parameter("kernel", lambda a, b: a, [StrOptions(("rbf",)), callable])
    validate_parameter("activation", None, [StrOptions(("tanh",)), None])
    transformer = type("T", (), {"fit": print, "transform": print})()
    validate_parameter("compressor", transformer, [HasMethods(("fit", "transform"))])
    with pytest.raises(TypeError, match=r"compressor must be an object with fit, transform"):
        validate_parameter("compressor", 3, [HasMethods(("fit", "transform"))])
    with pytest.raises(ValueError, match=r"bin_range must be a pair \(low, high\)"):
        validate_parameter("bin_range", (1, np.nan), [RealPair()])

    def positive(v):
        if not np.all(np.asarray(v) > 0):
            raise ValueError(f"n must be > 0, got {v!r}")

    validate_parameter("n", [1, 2], [Checked("positive numbers", positive)])
    with pytest.raises(ValueError, match=r"n must be > 0"):
        validate_parameter("n", [1, -2], [Checked("positive numbers", positive)])


def test_named_glossary_forms():
    for ok in (None, 0, np.int64(5), np.random.default_rng(0), np.random.RandomState(0)):
        validate_parameter("random_state", ok, ["random_state"])
    with pytest.raises(TypeError, match=r"random_state must be None, an int"):
        validate_parameter("random_state", "x", ["random_state"])
    with pytest.raises(ValueError, match=r"n_jobs must be a positive int"):
        validate_parameter("n_jobs", 0, ["n_jobs"])
    validate_parameter("max_memory", "512MiB", ["max_memory"])
    with pytest.raises(ValueError, match=r"base must be > 0 and != 1"):
        validate_parameter("base", 1, ["base"])


def test_an_undeclared_parameter_is_a_developer_error():
    with pytest.raises(RuntimeError, match=r"Est declares no constraint for parameter\(s\) k"):
        validate_parameters({}, {"k": 1}, "Est")


def test_estimators_check_every_parameter_even_unused_ones():
    X = np.random.default_rng(0).normal(size=(50, 2))
    # noise is 0, so random_state is never used; it is still checked
    with pytest.raises(TypeError, match=r"random_state must be None, an int"):
        KSGMI(random_state="seed").fit(X[:, :1], X[:, 1:])
    # numpy scalars are parameters like any other
    same = KLEntropy(k=np.int64(3), weighted=np.False_).fit(X).entropy_
    assert same == KLEntropy().fit(X).entropy_
    with pytest.raises(TypeError, match=r"k must be an int"):
        KLEntropy(k=True).fit(X)
