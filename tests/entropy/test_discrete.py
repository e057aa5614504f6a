"""DiscreteEntropy: closed forms, the SciPy reference, a slow reference, properties, bad input."""

import math
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from infotheory import DiscreteEntropy
from infotheory._kernels.counting import symbol_codes
from infotheory.datasets import discrete

METHODS = ("plugin", "miller_madow", "chao_shen")
PMF = np.array([0.4, 0.2, 0.15, 0.1, 0.1, 0.05])


def reference_entropy(X, method):
    """Readable slow version: count rows as tuples, apply the textbook formula."""
    rows = [tuple(r) for r in np.atleast_2d(np.asarray(X, dtype=float).reshape(len(X), -1))]
    counts = list(Counter(rows).values())
    n = len(rows)
    h = -sum(c / n * math.log(c / n) for c in counts)
    if method == "plugin":
        return h
    if method == "miller_madow":
        return h + (len(counts) - 1) / (2 * n)
    f1 = sum(1 for c in counts if c == 1)
    if f1 == n:
        f1 = n - 1
    coverage = 1 - f1 / n
    total = 0.0
    for c in counts:
        p = coverage * c / n
        total -= p * math.log(p) / (1 - (1 - p) ** n)
    return total


# -- closed form -------------------------------------------------------------------------------


def test_plugin_matches_true_entropy_at_large_n():
    n = 200_000
    x, h_true = discrete(n, PMF, random_state=0)
    # SE of the plug-in estimate: sd(log p(X)) / sqrt(N); its bias (m-1)/(2N) is ~1e-5
    se = np.std(np.log(PMF[x])) / math.sqrt(n)
    assert abs(DiscreteEntropy().fit(x).entropy_ - h_true) < 4 * se


def test_uniform_symbols_exact():
    x = np.repeat(np.arange(8), 5)
    assert DiscreteEntropy(base=2).fit(x).entropy_ == pytest.approx(3.0, abs=1e-12)
    assert DiscreteEntropy(method="miller_madow").fit(x).entropy_ == pytest.approx(
        math.log(8) + 7 / 80, abs=1e-12)
    # no singletons: coverage 1; Chao-Shen still corrects with the inclusion probabilities
    p = 1 / 8
    expected = -8 * p * math.log(p) / (1 - (1 - p) ** 40)
    assert DiscreteEntropy(method="chao_shen").fit(x).entropy_ == pytest.approx(expected, abs=1e-12)


def _mean_bias(method, pmf, n, seeds):
    h_true = -np.sum(pmf * np.log(pmf))
    est = [DiscreteEntropy(method=method).fit(discrete(n, pmf, random_state=s)[0]).entropy_
           for s in seeds]
    return np.mean(est) - h_true, np.std(est) / math.sqrt(len(seeds))


def test_miller_madow_reduces_bias():
    pmf = np.full(10, 0.1)
    bias_plugin, se = _mean_bias("plugin", pmf, 30, range(200))
    bias_mm, _ = _mean_bias("miller_madow", pmf, 30, range(200))
    assert bias_plugin < -4 * se  # plug-in is biased low, clearly
    assert abs(bias_mm) < abs(bias_plugin) / 2


def test_chao_shen_beats_miller_madow_when_undersampled():
    # 200 equiprobable symbols, 100 samples: most symbols unseen
    pmf = np.full(200, 1 / 200)
    bias_mm, se = _mean_bias("miller_madow", pmf, 100, range(100))
    bias_cs, _ = _mean_bias("chao_shen", pmf, 100, range(100))
    assert abs(bias_cs) < abs(bias_mm) - 4 * se


@pytest.mark.parametrize("method", METHODS)
def test_consistent_at_large_n(method):
    n = 100_000
    x, h_true = discrete(n, PMF, random_state=1)
    se = np.std(np.log(PMF[x])) / math.sqrt(n)
    assert abs(DiscreteEntropy(method=method).fit(x).entropy_ - h_true) < 4 * se


# -- references --------------------------------------------------------------------------------


@pytest.mark.parametrize("base", [None, 2, 10])
def test_plugin_equals_scipy(base):
    x = np.random.default_rng(0).integers(0, 12, size=500)
    counts = np.bincount(x)
    ours = DiscreteEntropy(base=base).fit(x).entropy_
    assert ours == pytest.approx(stats.entropy(counts, base=base), abs=1e-12)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "make",
    [
        lambda r: r.integers(0, 4, size=(300, 3)),               # packed, dense bincount
        lambda r: r.integers(-10**6, 10**6, size=(300, 2)),      # packed, sorted codes
        lambda r: r.integers(0, 3, size=(300, 1)) * 0.5,         # non-integer values
        lambda r: r.integers(0, 2, size=(300, 40)) * 10**9,      # range too large to pack
        lambda r: r.integers(0, 3, size=(5, 2)),                 # tiny
    ],
    ids=["dense", "sparse", "fractional", "unpackable", "tiny"],
)
def test_matches_slow_reference(method, make):
    X = make(np.random.default_rng(3))
    assert DiscreteEntropy(method=method).fit(X).entropy_ == pytest.approx(
        reference_entropy(X, method), abs=1e-10)


def test_symbol_codes_identify_equal_rows():
    X = np.random.default_rng(0).integers(0, 3, size=(200, 4)).astype(float)
    codes, m = symbol_codes(X)
    _, expected = np.unique(X, axis=0, return_inverse=True)
    assert m == len(np.unique(X, axis=0))
    # same partition of the rows
    assert len(set(zip(codes, expected.ravel()))) == m


# -- properties --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_invariant_to_relabelling_and_order(method):
    rng = np.random.default_rng(4)
    x = rng.integers(0, 7, size=300)
    est = DiscreteEntropy(method=method)
    h = est.fit(x).entropy_
    assert est.fit(7.5 * x - 3).entropy_ == pytest.approx(h, abs=1e-12)
    assert est.fit(rng.permutation(x)).entropy_ == pytest.approx(h, abs=1e-12)


def test_joint_entropy_bounds():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 4, size=1000)
    y = (x + rng.integers(0, 2, size=1000)) % 4
    hx, hy = (DiscreteEntropy().fit(v).entropy_ for v in (x, y))
    hxy = DiscreteEntropy().fit(np.column_stack([x, y])).entropy_
    assert max(hx, hy) <= hxy <= hx + hy
    assert 0 <= hx <= math.log(4)


def test_constant_has_zero_entropy():
    for method in ("plugin", "miller_madow"):
        assert DiscreteEntropy(method=method).fit(np.zeros(10)).entropy_ == 0.0


def test_all_singletons_chao_shen_is_finite():
    h = DiscreteEntropy(method="chao_shen").fit(np.arange(20)).entropy_
    assert math.isfinite(h) and h > math.log(20)


def test_score_equals_fit_and_bits():
    x = np.random.default_rng(6).integers(0, 5, size=100)
    est = DiscreteEntropy(base=2).fit(x)
    assert est.score(x) == est.entropy_
    assert est.entropy_ == pytest.approx(DiscreteEntropy().fit(x).entropy_ / math.log(2))


def test_read_only_memmap(tmp_path):
    x = np.random.default_rng(7).integers(0, 5, size=(100, 2)).astype(np.float64)
    np.save(tmp_path / "x.npy", x)
    mm = np.load(tmp_path / "x.npy", mmap_mode="r")
    assert DiscreteEntropy().fit(mm).entropy_ == DiscreteEntropy().fit(x).entropy_


# -- bad input ---------------------------------------------------------------------------------


def test_bad_method():
    with pytest.raises(ValueError, match=r"method must be one of 'plugin', .*got 'nsb'"):
        DiscreteEntropy(method="nsb").fit([0, 1])


def test_bad_base():
    with pytest.raises(ValueError, match="base must be > 0 and != 1"):
        DiscreteEntropy(base=1).fit([0, 1])


@pytest.mark.parametrize(
    "X, err, match",
    [
        ([0.0, np.nan, 1.0], ValueError, r"X contains 1 NaN and 0 inf"),
        (np.zeros((2, 2, 2)), ValueError, r"X must be 1-D or 2-D"),
        (np.zeros((0, 1)), ValueError, r"X is empty"),
        (np.array([1, "a"], dtype=object), TypeError, r"Unknown label type: X has values that "
                                                      r"cannot be compared"),
    ],
)
def test_bad_input(X, err, match):
    # strings and categoricals are symbols (test_string_and_categorical_symbols); a mix of
    # types that cannot be ordered is refused
    with pytest.raises(err, match=match):
        DiscreteEntropy().fit(X)


def test_string_and_categorical_symbols():
    pd = pytest.importorskip("pandas")
    words = ["cat", "dog", "cat", "eel", "dog", "cat"]
    codes = [0, 1, 0, 2, 1, 0]
    ref = DiscreteEntropy().fit(codes).entropy_
    assert DiscreteEntropy().fit(words).entropy_ == ref
    assert DiscreteEntropy().fit(np.array(words, dtype=object)).entropy_ == ref
    assert DiscreteEntropy().fit(pd.Categorical(words)).entropy_ == ref
    assert DiscreteEntropy().fit(pd.Series(words, dtype="category")).entropy_ == ref
    # rows of mixed columns are joint symbols, coded column by column
    frame = pd.DataFrame({"a": pd.Categorical(words), "b": [1, 2, 1, 1, 2, 2]})
    joint = DiscreteEntropy().fit(np.c_[codes, [1, 2, 1, 1, 2, 2]]).entropy_
    assert DiscreteEntropy().fit(frame).entropy_ == joint
    assert DiscreteEntropy().fit(frame).standard_error_ > 0


def test_standard_error_matches_the_spread_over_seeds():
    # plug-in delta method: SE^2 = Var(log p(X)) / N; p = (0.5, 0.25, 0.125, 0.125)
    p = np.array([0.5, 0.25, 0.125, 0.125])
    n = 2000
    truth_se = math.sqrt((p * np.log(p) ** 2).sum() - ((p * np.log(p)).sum()) ** 2) / math.sqrt(n)
    rng = np.random.default_rng(0)
    draws = [DiscreteEntropy().fit(rng.choice(4, size=n, p=p)) for _ in range(200)]
    spread = np.std([d.entropy_ for d in draws], ddof=1)
    # SD of 200 values: +-5 % (1 SD); 4 SD
    assert spread == pytest.approx(truth_se, rel=0.2)
    assert np.mean([d.standard_error_ for d in draws]) == pytest.approx(truth_se, rel=0.05)
