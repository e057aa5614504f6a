"""Chunked (Dask / Zarr) input equals in-memory input; the information plane on Dask."""

import subprocess
import sys

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
zarr = pytest.importorskip("zarr")

from infotheory import (  # noqa: E402
    KSGMI,
    BinnedEntropy,
    BinnedMI,
    DiscreteEntropy,
    DiscreteMI,
    GaussianCopulaMI,
    GaussianEntropy,
    GaussianMI,
    InformationPlane,
    VendiScore,
)
from infotheory.chunked import is_chunked, subsample  # noqa: E402

N = 1003  # ragged last chunk for every chunking below
RAGGED = (97, 160)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, 3))
    Y = X[:, :2] + rng.normal(size=(N, 2))
    Y[:60, 0] = 0.25  # ties for the copula ranks
    T = np.tanh(X @ rng.normal(size=(3, 5))).astype(np.float32)
    T[:40] = 0.0  # repeated rows and values at the lower bound
    labels = rng.integers(0, 3, N)
    symbols = rng.integers(0, 4, size=(N, 2)).astype(float)
    return X, Y, T, labels, symbols


def chunks(A, rows):
    return da.from_array(A, chunks=(rows,) + ((-1,) if A.ndim == 2 else ()))


@pytest.mark.parametrize("rows", RAGGED)
def test_gaussian_estimators_equal_in_memory(data, rows):
    X, Y, *_ = data
    for est in (GaussianMI(), GaussianCopulaMI(), GaussianCopulaMI(bias_correct=False)):
        got = est.fit(chunks(X, rows), chunks(Y, 61))
        value, se = got.mutual_info_, got.standard_error_
        ref = est.fit(X, Y)
        assert value == pytest.approx(ref.mutual_info_, abs=1e-10)
        assert se == pytest.approx(ref.standard_error_, rel=1e-8)
    assert GaussianEntropy().fit(chunks(X, rows)).entropy_ == pytest.approx(
        GaussianEntropy().fit(X).entropy_, abs=1e-10)


def test_gaussian_chunked_drops_constant_columns_with_the_same_warning(data):
    from infotheory.mutual_info import ConstantFeatureWarning

    X, Y, *_ = data
    X = X.copy()
    X[:, 1] = 3.0  # a dead unit
    for est in (GaussianMI(), GaussianCopulaMI()):
        with pytest.warns(ConstantFeatureWarning, match="X has 1 constant column"):
            got = est.fit(chunks(X, 97), Y).mutual_info_
        with pytest.warns(ConstantFeatureWarning, match="X has 1 constant column"):
            assert got == pytest.approx(est.fit(X, Y).mutual_info_, abs=1e-10)
    X[:, :] = 1.0
    with pytest.warns(ConstantFeatureWarning, match="every column is constant"):
        assert GaussianMI().fit(chunks(X, 97), Y).mutual_info_ == 0.0


@pytest.mark.parametrize("rows", RAGGED)
def test_discrete_estimators_equal_in_memory(data, rows):
    *_, labels, symbols = data
    for method in ("plugin", "miller_madow", "chao_shen"):
        est = DiscreteEntropy(method=method)
        assert est.fit(chunks(symbols, rows)).entropy_ == pytest.approx(
            est.fit(symbols).entropy_, abs=1e-12)
    for method in ("plugin", "miller_madow"):
        est = DiscreteMI(method=method)
        got = est.fit(chunks(symbols, rows), labels)
        value, se = got.mutual_info_, got.standard_error_
        ref = est.fit(symbols, labels)
        assert value == pytest.approx(ref.mutual_info_, abs=1e-12)
        assert se == pytest.approx(ref.standard_error_, rel=1e-10)
    got = DiscreteEntropy().fit(chunks(symbols, rows)).standard_error_
    assert got == pytest.approx(DiscreteEntropy().fit(symbols).standard_error_, rel=1e-10)


BINNINGS = [
    dict(binning="fixed", n_bins=6),
    dict(binning="fixed", bin_size=0.3),
    dict(binning="adaptive_range", n_bins=7),
    dict(binning="entropy_based", n_bins=9),
    dict(binning="entropy_based", n_bins=9, activation="tanh"),
]


@pytest.mark.parametrize("params", BINNINGS, ids=lambda p: "-".join(map(str, p.values())))
def test_binned_estimators_equal_in_memory(data, params):
    *_, T, labels, _ = data
    ref = BinnedMI(**params).fit(T, labels)
    got = BinnedMI(**params).fit(chunks(T, 97), chunks(labels, 200))
    # the counts themselves are the same, not only the entropies
    assert got.n_symbols_ == ref.n_symbols_
    assert np.array_equal(np.sort(got._stats_.t.counts), np.sort(ref._stats_.t.counts))
    assert np.array_equal(np.sort(got._stats_.ty.counts), np.sort(ref._stats_.ty.counts))
    assert np.array_equal(got._stats_.y, ref._stats_.y)
    if ref.bin_edges_ is not None:
        assert np.array_equal(got.bin_edges_, ref.bin_edges_)
    for name in ("mutual_info_", "entropy_", "mi_xt_"):
        assert getattr(got, name) == pytest.approx(getattr(ref, name), abs=1e-12)
    assert ref.score(chunks(T, 160), labels) == pytest.approx(ref.mutual_info_, abs=1e-12)
    ent = BinnedEntropy(**params).fit(T)
    assert BinnedEntropy(**params).fit(chunks(T, 160)).entropy_ == pytest.approx(
        ent.entropy_, abs=1e-12)


def test_binned_chunked_fit_continues_with_partial_fit(data):
    *_, T, labels, _ = data
    params = dict(binning="fixed", n_bins=6)
    est = BinnedMI(**params).fit(chunks(T[:500], 97), labels[:500])
    est.partial_fit(T[500:], labels[500:])
    assert est.mutual_info_ == pytest.approx(BinnedMI(**params).fit(T, labels).mutual_info_,
                                             abs=1e-12)


def test_binned_streams_mix_in_memory_and_chunked_batches(data):
    *_, T, labels, _ = data
    names = np.array(["cat", "dog", "eel"])[labels]  # string labels stay in memory
    params = dict(binning="entropy_based", n_bins=9)
    est = BinnedMI(**params).partial_fit(T[:300], names[:300])
    est.partial_fit(chunks(T[300:], 97), names[300:])
    ref = BinnedMI(**params).partial_fit(T[:300], names[:300]).partial_fit(T[300:], names[300:])
    assert np.array_equal(est.bin_edges_, ref.bin_edges_)  # the first batch's edges
    assert est.mutual_info_ == pytest.approx(ref.mutual_info_, abs=1e-12)
    assert list(est.classes_) == list(ref.classes_)
    with_inputs = BinnedMI(**params).partial_fit(T[:300], names[:300], inputs=T[:300])
    with pytest.raises(ValueError, match="inputs must be given in every partial_fit call"):
        with_inputs.partial_fit(chunks(T[300:], 97), names[300:])
    # a chunked fit forgets what an earlier fit stored, as an in-memory fit does
    est.stale_ = 1.0
    assert not hasattr(est.fit(chunks(T, 97), names), "stale_")


def test_chunked_labels_beside_in_memory_activations(data):
    X, Y, *_ = data
    got = GaussianMI().fit(X, chunks(Y, 97)).mutual_info_
    assert got == pytest.approx(GaussianMI().fit(X, Y).mutual_info_, abs=1e-10)


@pytest.mark.parametrize("kernel", ["linear", "cosine"])
def test_vendi_dual_path_and_partial_fit_from_chunks(data, kernel):
    X, *_ = data
    w = np.random.default_rng(1).uniform(size=N)
    for q in (1.0, 2.0):
        ref = VendiScore(kernel=kernel, q=q).fit(X).score_
        assert VendiScore(kernel=kernel, q=q).fit(chunks(X, 97)).score_ == pytest.approx(
            ref, abs=1e-10)
    assert VendiScore(kernel=kernel).fit(chunks(X, 160), sample_weight=w).score_ == (
        pytest.approx(VendiScore(kernel=kernel).fit(X, sample_weight=w).score_, abs=1e-10))
    streamed = VendiScore(kernel=kernel)
    for start in range(0, N, 400):  # chunked batches
        streamed.partial_fit(chunks(X[start:start + 400], 97))
    assert streamed.score_ == pytest.approx(VendiScore(kernel=kernel).fit(X).score_, abs=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_vendi_cosine_chunks_with_all_zero_rows_equal_in_memory(data, weighted):
    X, *_ = data
    X = X.copy()
    X[[5, 400, 999]] = 0.0  # all-zero rows in three chunks: a direction of their own
    w = np.random.default_rng(1).uniform(size=N) if weighted else None
    for A in (X, np.delete(X, [5, 400, 999], axis=0)):  # with and without all-zero rows
        for q in (0.0, 1.0):
            wa = None if w is None else w[:A.shape[0]]
            ref = VendiScore(q=q).fit(A, sample_weight=wa)
            got = VendiScore(q=q).fit(chunks(A, 97), sample_weight=wa)
            assert got.score_ == pytest.approx(ref.score_, abs=1e-10)
            assert got.n_eigenvalues_ == ref.n_eigenvalues_


def test_zarr_array_and_store_inputs(data, tmp_path):
    X, Y, T, labels, _ = data
    z = zarr.create_array(str(tmp_path / "t.zarr"), shape=T.shape, chunks=(128, 5),
                          dtype="float32")
    z[...] = T
    ref = BinnedMI(binning="entropy_based").fit(T, labels).mutual_info_
    assert BinnedMI().fit(z, labels).mutual_info_ == pytest.approx(ref, abs=1e-12)
    store = zarr.storage.LocalStore(str(tmp_path / "t.zarr"), read_only=True)
    assert BinnedMI().fit(store, labels).mutual_info_ == pytest.approx(ref, abs=1e-12)


def test_store_larger_than_max_memory_is_processed_chunk_by_chunk(data, tmp_path):
    *_, T, labels, _ = data
    big = np.tile(T, (20, 1))  # 20 060 x 5 float32: ~800 kB of float64 working copies
    y = np.tile(labels, 20)
    with pytest.raises(Exception, match="max_memory"):
        BinnedMI(binning="fixed", max_memory="200kB").fit(big, y)
    got = BinnedMI(binning="fixed", max_memory="200kB").fit(chunks(big, 1000), y)
    assert got.mutual_info_ == pytest.approx(BinnedMI(binning="fixed").fit(big, y).mutual_info_,
                                             abs=1e-12)


def test_estimators_that_do_not_decompose_refuse_chunked_input_clearly(data):
    X, Y, *_ = data
    with pytest.raises(TypeError, match=r"KSGMI takes in-memory arrays only.*Gaussian.*subsample"):
        KSGMI().fit(chunks(X, 97), Y)
    with pytest.raises(TypeError, match="dual path only"):
        VendiScore(kernel="rbf").fit(chunks(X, 97))
    with pytest.raises(TypeError, match="BinnedMI takes chunked X without side inputs, got inputs"):
        BinnedMI().fit(chunks(X, 97), np.zeros(N), inputs=X)


def test_subsample_is_seeded_and_reads_only_the_rows(data):
    X, *_ = data
    a = subsample(chunks(X, 97), 100, random_state=3)
    b = subsample(X, 100, random_state=3)
    assert a.shape == (100, 3) and np.array_equal(a, b)
    assert not is_chunked(a)
    with pytest.raises(ValueError, match="at most"):
        subsample(X, N + 1)


def test_chunked_input_is_validated(data):
    X, *_ = data
    bad = X.copy()
    bad[500, 1] = np.nan
    with pytest.raises(ValueError, match="NaN.*chunk 5"):
        GaussianEntropy().fit(chunks(bad, 97))
    with pytest.raises(ValueError, match="same number of samples"):
        GaussianMI().fit(chunks(X, 97), X[:10])
    with pytest.raises(ValueError, match="1-D or 2-D"):
        GaussianEntropy().fit(da.zeros((4, 4, 4), chunks=2))
    # the declared parameter constraints and the fitted number of features, as in memory
    with pytest.raises(TypeError, match="warn_discrete must be a bool, got 'yes'"):
        GaussianMI(warn_discrete="yes").fit(chunks(X, 97), X)
    with pytest.raises(ValueError, match="n_bins must be >= 2, got 1"):
        BinnedEntropy(n_bins=1).fit(chunks(X, 97))
    fitted = BinnedEntropy().fit(X)
    with pytest.raises(ValueError, match="X has 2 features, but BinnedEntropy is expecting 3"):
        fitted.score(chunks(X[:, :2], 97))


# -- the information plane on Dask ------------------------------------------------------------

# coarse bins: 300 samples fill the symbols of 3 units without saturating I(X;T)
PLANE_BINNING = dict(binning="fixed", n_bins=3)
CLI_BINNING = ["--binning", "fixed", "--bins", "3"]


def plane(**params):
    return InformationPlane(estimator=BinnedMI(**PLANE_BINNING), progress=False, **params)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    rng = np.random.default_rng(2)
    root = tmp_path_factory.mktemp("plane")
    n = 300
    y = rng.integers(0, 2, n)
    group = zarr.open_group(str(root / "run.zarr"), mode="w")
    records = []
    for epoch in range(3):
        rec = {}
        for layer in ("h1", "h2"):
            a = np.tanh(rng.normal(size=(n, 3))).astype(np.float32)
            group.create_array(f"epoch_{epoch}/{layer}", data=a, chunks=(100, 3))
            (root / "npy" / f"epoch_{epoch}").mkdir(parents=True, exist_ok=True)
            np.save(root / "npy" / f"epoch_{epoch}" / f"{layer}.npy", a)
            rec[layer] = a
        records.append(rec)
    np.save(root / "y.npy", y)
    reference = plane().fit(records, y=y).table_
    return root, y, reference


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    # one thread per worker: Python records warnings process-wide (see InformationPlane.client)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def test_plane_reads_a_zarr_store_in_threads(run):
    root, y, reference = run
    assert plane(n_jobs=2).fit(root / "run.zarr", y=y).table_ == (
        reference)


@pytest.mark.parametrize("layout", ["run.zarr", "npy"])
def test_plane_on_a_local_cluster_reads_files_on_the_workers(run, client, layout):
    root, y, reference = run
    assert plane(client=client).fit(root / layout, y=y).table_ == (
        reference)


def test_chunked_estimators_run_on_a_distributed_client(data, client):
    X, Y, *_ = data
    assert GaussianMI().fit(chunks(X, 97), Y).mutual_info_ == pytest.approx(
        GaussianMI().fit(X, Y).mutual_info_, abs=1e-10)


def test_plane_client_is_checked(run):
    root, y, _ = run
    with pytest.raises(TypeError, match="client must be"):
        plane(client=3).fit(root / "run.zarr", y=y)


@pytest.mark.slow
def test_cli_plane_with_a_zarr_store_on_a_local_cluster(run, tmp_path):
    root, _, _ = run
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from infotheory.cli import main; sys.exit(main())",
         "plane", str(root / "run.zarr"), "--labels", str(root / "y.npy"), "--output", str(out),
         "--scheduler", "local", "--jobs", "2", *CLI_BINNING,
         "--base", "2.718281828459045", "--quiet"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (out / "information_plane.csv").is_file()


def test_cli_plane_with_a_zarr_store(run, tmp_path):
    from infotheory.cli import main

    root, _, _ = run
    out = tmp_path / "out"
    assert main(["plane", str(root / "run.zarr"), "--labels", str(root / "y.npy"), "--output",
                 str(out), "--quiet", *CLI_BINNING]) == 0
    assert (out / "information_plane.csv").is_file()


def test_effective_dimension_from_chunked_scores(data):
    from infotheory import EffectiveDimension, LocalEffectiveDimension, TwoScaleEffectiveDimension

    rng = np.random.default_rng(4)
    S = rng.normal(size=(3, 503, 6)) * np.arange(1, 7)
    for est in (EffectiveDimension(n=[100, 10_000]), LocalEffectiveDimension(n=[100, 10_000])):
        got = est.fit(da.from_array(S, chunks=(1, 97, 6))).effective_dimension_
        np.testing.assert_allclose(got, est.fit(S).effective_dimension_, rtol=0, atol=1e-10)
    one = EffectiveDimension().fit(S[0])
    assert one.score(chunks(S[0], 97)) == pytest.approx(one.effective_dimension_, abs=1e-10)
    with pytest.raises(TypeError, match="TwoScaleEffectiveDimension takes in-memory"):
        TwoScaleEffectiveDimension().fit(da.from_array(S, chunks=(1, 97, 6)))
    with pytest.raises(TypeError, match="per-sample scores"):
        EffectiveDimension(input_kind="fisher").fit(chunks(S[0], 97))


def test_diffusion_spectral_entropy_reads_its_seeded_subsample_from_chunks(data):
    from infotheory import DiffusionSpectralEntropy, DiffusionSpectralMI

    X, *_ = data
    for params in (dict(max_samples=400, random_state=0), dict(max_samples=2000)):
        est = DiffusionSpectralEntropy(**params)
        assert est.fit(chunks(X, 97)).entropy_ == pytest.approx(est.fit(X).entropy_, abs=1e-12)
    with pytest.raises(TypeError, match="set max_samples"):
        DiffusionSpectralEntropy(max_samples=None).fit(chunks(X, 97))
    with pytest.raises(TypeError, match="DiffusionSpectralMI takes in-memory"):
        DiffusionSpectralMI().fit(chunks(X, 97), np.zeros(N))


def test_merged_distinct_sets_are_held_within_the_memory_budget(data):
    from infotheory import MemoryBudgetError
    from infotheory.chunked import column_value_counts

    X, *_ = data
    rng = np.random.default_rng(5)
    T = rng.normal(size=(4000, 8))  # every row a distinct symbol: 4000 rows of 8 codes
    with pytest.raises(MemoryBudgetError, match="distinct binned rows"):
        BinnedEntropy(binning="fixed", bin_size=0.01, max_memory="50kB").fit(chunks(T, 200))
    with pytest.raises(MemoryBudgetError, match="distinct values"):
        BinnedEntropy(max_memory="10kB").fit(chunks(T, 50))
    with pytest.raises(MemoryBudgetError, match="exact ranks"):
        column_value_counts(chunks(X, 97), max_memory="1kB")


def test_load_activations_reads_zarr_layouts(tmp_path):
    from infotheory.analysis import load_activations
    from infotheory.analysis.loading import open_reference, reference

    root = zarr.open_group(str(tmp_path / "one.zarr"), mode="w")
    root.create_array("b", data=np.ones((4, 2), dtype="float32"))
    root.create_array("a", data=np.zeros((4, 3), dtype="float32"))
    loaded = load_activations(tmp_path / "one.zarr")
    assert loaded["epochs"] == [0] and list(loaded["activations"][0]) == ["a", "b"]
    assert np.array_equal(open_reference(reference(loaded["activations"][0]["b"])),
                          np.ones((4, 2)))
    with pytest.raises(KeyError, match="available layers"):
        load_activations(tmp_path / "one.zarr", layers=["c"])
    zarr.open_group(str(tmp_path / "empty.zarr"), mode="w")
    with pytest.raises(ValueError, match="no activations found in the Zarr store"):
        load_activations(tmp_path / "empty.zarr")
    # a memory map travels as its file and offset; a view of one travels as data
    np.save(tmp_path / "t.npy", np.arange(12.0).reshape(4, 3))
    mm = np.load(tmp_path / "t.npy", mmap_mode="r")
    ref = reference(mm)
    assert not isinstance(ref, np.ndarray) and np.array_equal(open_reference(ref), mm)
    view = mm[1:]
    assert reference(view) is view


def test_plane_warnings_of_dask_workers_are_aggregated_like_threads(run, client):
    from infotheory.mutual_info import DiscreteInputWarning

    root, y, _ = run
    fit = dict(activations=root / "run.zarr", y=y)
    # labels as a Gaussian variable: every job warns that y looks discrete
    with pytest.warns(DiscreteInputWarning, match=r"\[in 6 of 6 layer×epoch fits") as rec:
        remote = plane(client=client, estimator_ty=GaussianMI()).fit(**fit)
    assert len([w for w in rec if w.category is DiscreteInputWarning]) == 1
    with pytest.warns(DiscreteInputWarning):
        local = plane(estimator_ty=GaussianMI()).fit(**fit)
    assert remote.warnings_ == local.warnings_ and remote.table_ == local.table_
