"""One test per error path of infotheory._validation, each asserting its message."""

import sys

import numpy as np
import pytest
import scipy.sparse

from infotheory._validation import (
    MemoryBudgetError,
    check_backend,
    check_base,
    check_labels,
    check_memory,
    check_option,
    check_paired,
    check_param,
    check_random_state,
    check_samples,
    import_jax,
    parse_memory,
    require_y,
    to_unit,
)

# -- check_samples (and the numeric conversion behind it) --------------------------------------


def test_none():
    with pytest.raises(ValueError, match=r"X is None: expected an array-like of shape "
                                         r"\(n_samples, n_features\)"):
        check_samples(None)


def test_sparse():
    with pytest.raises(TypeError, match=r"X is a sparse matrix \(csr_matrix\): expected a dense "
                                        r"array .*\.toarray\(\)"):
        check_samples(scipy.sparse.csr_matrix(np.eye(3)))


def test_ragged():
    with pytest.raises(ValueError, match=r"X could not be converted to a rectangular array"):
        check_samples([[1.0, 2.0], [3.0]])


def test_complex():
    with pytest.raises(ValueError, match=r"Complex data not supported: X has dtype complex128, "
                                         r"expected real numbers"):
        check_samples(np.ones(3, dtype=complex))


def test_object_not_convertible():
    with pytest.raises(TypeError, match=r"X must be numeric: expected real numbers, got an "
                                        r"object array"):
        check_samples(np.array([1.0, "a", None], dtype=object))


def test_object_convertible_is_accepted():
    out = check_samples(np.array([1, 2.5], dtype=object))
    assert out.dtype == np.float64 and out.shape == (2, 1)


def test_non_numeric_dtype():
    with pytest.raises(TypeError, match=r"X must be numeric: expected an array of real numbers, "
                                        r"got dtype <U1"):
        check_samples(np.array(["a", "b"]))


def test_wrong_ndim():
    with pytest.raises(ValueError, match=r"X must be 1-D or 2-D \(n_samples, n_features\), got a "
                                         r"3-D array of shape \(2, 2, 2\)"):
        check_samples(np.zeros((2, 2, 2)))


def test_empty():
    with pytest.raises(ValueError, match=r"X is empty: found array with 0 sample\(s\) "
                                         r"\(shape=\(0, 3\)\) while a minimum of 5 is required "
                                         r"by KSGMI"):
        check_samples(np.zeros((0, 3)), min_samples=5, estimator="KSGMI")


def test_too_few_features():
    with pytest.raises(ValueError, match=r"Found array with 1 feature\(s\) \(shape=\(4, 1\)\) "
                                         r"while a minimum of 2 is required: X needs at least 2"):
        check_samples(np.zeros((4, 1)), min_features=2)


def test_too_few_samples_names_estimator_and_reason():
    with pytest.raises(ValueError, match=r"Found array with 3 sample\(s\) \(shape=\(3, 2\)\) while "
                                         r"a minimum of 6 is required by KLEntropy \(k=5 "
                                         r"neighbours\): X has too few samples"):
        check_samples(np.zeros((3, 2)), min_samples=6, estimator=object.__new__(type(
            "KLEntropy", (), {})), requirement="k=5 neighbours")


def test_nan_and_inf_counted():
    X = np.array([[np.nan, 1.0], [np.inf, -np.inf]])
    with pytest.raises(ValueError, match=r"Z contains 1 NaN and 2 inf value\(s\) "
                                         r"\(shape=\(2, 2\)\); expected finite values"):
        check_samples(X, name="Z")


def test_read_only_float64_not_copied():
    X = np.arange(6.0).reshape(3, 2)
    X.setflags(write=False)
    assert check_samples(X) is X


# -- paired arrays ------------------------------------------------------------------------------


def test_require_y():
    with pytest.raises(ValueError, match=r"KSGMI requires y to be passed, but the target y is "
                                         r"None"):
        require_y(None, "KSGMI")


def test_paired_missing_y_names_estimator():
    with pytest.raises(ValueError, match=r"GaussianMI requires y to be passed"):
        check_paired(np.zeros((3, 1)), None, estimator="GaussianMI")


def test_paired_mismatch():
    with pytest.raises(ValueError, match=r"X and y must have the same number of samples: X has 3 "
                                         r"\(shape=\(3, 1\)\), y has 2 \(shape=\(2, 1\)\)"):
        check_paired(np.zeros(3), np.zeros(2))


# -- labels -------------------------------------------------------------------------------------


def test_labels_none():
    with pytest.raises(ValueError, match=r"y is None: expected labels of shape \(n_samples,\)"):
        check_labels(None)


def test_labels_wrong_shape():
    with pytest.raises(ValueError, match=r"y must be labels of shape \(n_samples,\), got an array "
                                         r"of shape \(3, 2\)"):
        check_labels(np.zeros((3, 2)))


def test_labels_column_vector_accepted():
    np.testing.assert_array_equal(check_labels(np.array([[2], [5], [2]])), [0, 1, 0])


def test_labels_empty():
    with pytest.raises(ValueError, match=r"y is empty: expected labels of shape \(n_samples,\), "
                                         r"got shape \(0,\)"):
        check_labels([])


def test_labels_complex():
    with pytest.raises(ValueError, match=r"Complex data not supported: y has dtype complex128"):
        check_labels(np.ones(2, dtype=complex))


def test_labels_count():
    with pytest.raises(ValueError, match=r"y must have one label per sample: expected 4, got 3"):
        check_labels([0, 1, 0], n_samples=4)


def test_labels_nan():
    with pytest.raises(ValueError, match=r"y contains 1 NaN and 0 inf"):
        check_labels([0.0, np.nan, 1.0])


def test_labels_incomparable():
    with pytest.raises(TypeError, match=r"Unknown label type: y has values that cannot be "
                                        r"compared \(dtype object\)"):
        check_labels(np.array([1, "a", 2.5], dtype=object))


def test_labels_strings_encoded():
    np.testing.assert_array_equal(check_labels(["b", "a", "b"]), [1, 0, 1])


# -- symbols ------------------------------------------------------------------------------------


# -- parameters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, kwargs, err, match",
    [
        (True, dict(kind=int), TypeError, r"k must be int, got True \(bool\)"),
        ("3", dict(kind=int), TypeError, r"k must be int, got '3' \(str\)"),
        (float("nan"), dict(kind=float), ValueError, r"k must be a number, got nan"),
        (0, dict(kind=int, low=1), ValueError, r"k must be >= 1, got 0"),
        (1, dict(kind=int, low=1, low_inclusive=False), ValueError, r"k must be > 1, got 1"),
        (11, dict(kind=int, high=10), ValueError, r"k must be <= 10, got 11"),
        (10, dict(kind=int, high=10, high_inclusive=False), ValueError, r"k must be < 10, got 10"),
    ],
)
def test_check_param(value, kwargs, err, match):
    kind = kwargs.pop("kind")
    with pytest.raises(err, match=match):
        check_param(value, "k", kind, **kwargs)


def test_check_param_names_abstract_kinds():
    import numbers

    with pytest.raises(TypeError, match=r"alpha must be a real number, got 'x' \(str\)"):
        check_param("x", "alpha", numbers.Real)
    with pytest.raises(TypeError, match=r"k must be an int, got 2.0 \(float\)"):
        check_param(2.0, "k", numbers.Integral)
    assert check_param(None, "k", int, allow_none=True) is None


def test_check_option():
    with pytest.raises(ValueError, match=r"algorithm must be one of 1, 2, got 3"):
        check_option(3, "algorithm", (1, 2))
    with pytest.raises(ValueError, match=r"norm must be one of 'euclidean', 'max', got 'l1'"):
        check_option("l1", "norm", ("euclidean", "max"))


@pytest.mark.parametrize(
    "base, err, match",
    [
        (1, ValueError, r"base must be > 0 and != 1 \(None means nats, 2 means bits\), got 1"),
        (0, ValueError, r"base must be > 0, got 0"),
        (-2.0, ValueError, r"base must be > 0, got -2.0"),
        ("2", TypeError, r"base must be a real number, got '2' \(str\)"),
    ],
)
def test_check_base(base, err, match):
    with pytest.raises(err, match=match):
        check_base(base)


def test_check_base_and_units():
    assert check_base(None) is None and check_base(2) == 2.0
    assert to_unit(np.log(2), 2) == pytest.approx(1.0)
    assert to_unit(1.5, None) == 1.5


def test_random_state_errors():
    with pytest.raises(ValueError, match=r"random_state must be a non-negative int, got -1"):
        check_random_state(-1)
    with pytest.raises(TypeError, match=r"random_state must be None, an int, a "
                                        r"numpy.random.Generator or a numpy.random.RandomState, "
                                        r"got 1.5 \(float\)"):
        check_random_state(1.5)
    with pytest.raises(TypeError, match=r"got True \(bool\)"):
        check_random_state(True)


def test_random_state_kinds():
    g = np.random.default_rng(0)
    assert check_random_state(g) is g
    assert check_random_state(3).integers(100) == np.random.default_rng(3).integers(100)
    rs = np.random.RandomState(0)
    a, b = check_random_state(rs).random(), check_random_state(rs).random()
    assert a != b  # a RandomState is consumed, as in scikit-learn


# -- memory -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["lots", "-1GB", "0GB", ""])
def test_parse_memory_bad_string(value):
    with pytest.raises(ValueError, match=r"max_memory must be a positive number of bytes or a "
                                         r"string such as '4GB' or '512MiB', got"):
        parse_memory(value)


def test_parse_memory_bad_number():
    with pytest.raises(ValueError, match=r"max_memory must be > 0, got 0"):
        parse_memory(0)
    with pytest.raises(ValueError, match=r"max_memory must be a positive number"):
        parse_memory(True)


def test_parse_memory_units():
    assert parse_memory("4GB") == 4e9
    assert parse_memory("512MiB") == 512 * 2**20
    assert parse_memory(" 1.5 kb ") == 1500
    assert parse_memory(1000) == 1000.0


def test_check_memory():
    with pytest.raises(MemoryBudgetError, match=r"the 100000 x 100000 kernel matrix would need "
                                                r"80.0 GB, more than max_memory=4.0 GB. Use "
                                                r"method='nystroem'"):
        check_memory(8e10, "4GB", what="the 100000 x 100000 kernel matrix",
                     alternative="method='nystroem'")
    assert issubclass(MemoryBudgetError, ValueError) and issubclass(MemoryBudgetError, MemoryError)
    check_memory(100, "1KB", what="x", alternative="y")  # within budget: no error


# -- backend ------------------------------------------------------------------------------------


def test_check_backend_bad_option():
    with pytest.raises(ValueError, match=r"backend must be one of 'auto', 'numba', 'jax', got "
                                         r"'torch'"):
        check_backend("torch")


def test_check_backend_auto_without_accelerator():
    assert check_backend("numba") == "numba"
    assert check_backend("auto") == "numba"  # conftest pins JAX to the CPU


def test_import_jax_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", None)  # makes `import jax` raise ImportError
    with pytest.raises(ImportError, match=r"backend='jax' needs JAX, which is an optional "
                                          r'dependency: pip install "infotheory-ml\[jax\]"'):
        import_jax()
    with pytest.raises(ImportError, match=r'pip install "infotheory-ml\[jax\]"'):
        check_backend("jax")


def test_check_base_rejects_infinity():
    from infotheory._validation import check_base

    with pytest.raises(ValueError, match="base must be finite"):
        check_base(float("inf"))


def test_check_labels_ragged():
    from infotheory._validation import check_labels

    with pytest.raises(ValueError, match="y could not be converted to a rectangular array"):
        check_labels([[1, 2], [3]])


def test_check_bool():
    from infotheory._validation import check_bool

    assert check_bool(np.bool_(True), "flag") is True
    with pytest.raises(TypeError, match=r"flag must be a bool, got 1 \(int\)"):
        check_bool(1, "flag")


def test_logdet_rejects_numerically_singular_covariance():
    from infotheory import GaussianEntropy

    i = np.arange(1.0, 101.0)
    with pytest.raises(ValueError, match="covariance is singular"):
        GaussianEntropy().fit(np.column_stack([i, 2 * i]))


def test_check_param_finite():
    from infotheory._validation import check_param

    assert check_param(1e300, "noise", float, low=0, finite=True) == 1e300
    with pytest.raises(ValueError, match=r"noise must be a finite number >= 0, got inf"):
        check_param(float("inf"), "noise", float, low=0, finite=True)
    assert check_param(float("inf"), "noise", float, low=0) == float("inf")


def test_check_n_jobs():
    from infotheory._validation import check_n_jobs

    assert check_n_jobs(None) is None and check_n_jobs(-1) == -1 and check_n_jobs(2) == 2
    with pytest.raises(ValueError, match="n_jobs must be a positive int, a negative int or None"):
        check_n_jobs(0)
    with pytest.raises(TypeError, match=r"n_jobs must be an int, got 1.5 \(float\)"):
        check_n_jobs(1.5)


@pytest.mark.parametrize(("base", "name"), [(None, "nats"), (np.e, "nats"), (2, "bits"),
                                            (10, "hartleys"), (3, "log base 3")])
def test_unit_name(base, name):
    from infotheory._validation import unit_name

    assert unit_name(base) == name


def test_pow2_scale_equals_ldexp_at_every_magnitude():
    # pow2_scale multiplies by 2**-e where that is a float64, ldexp's result also for subnormal
    # values (both round to nearest); beyond (e near +-1074) it takes ldexp itself
    from infotheory._validation import pow2_scale

    rng = np.random.default_rng(0)
    g = rng.normal(size=(200, 3))
    for A in (g, g * 1e300, g * 1e-300, np.c_[g[:, 0] * 1e-310, g[:, 1] * 1e200, 0 * g[:, 2]],
              np.c_[g[:, 0] * 1e5, g[:, 1] * 1e-308], np.array([[5e-324], [1e-320], [0.0]]),
              np.array([[5e-324], [1e300]]), np.array([[-0.0], [0.0]])):
        for axis in (None, 0):
            peak = np.abs(A).max(axis=axis)
            e = np.where(peak > 0, np.frexp(peak)[1], 0)
            scaled, exps = pow2_scale(A, axis=axis)
            np.testing.assert_array_equal(exps, e)
            np.testing.assert_array_equal(scaled, np.ldexp(A, -e))
            np.testing.assert_array_equal(np.signbit(scaled), np.signbit(A))
