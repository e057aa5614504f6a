"""Out-of-core and distributed estimation on Dask: a 10 GB Zarr store in bounded memory.

* Binned MI (fixed binning, I(T;Y) and H(T)) of a 10^7 x 256 float32 Zarr store (10.2 GB, no
  compression), chunk by chunk, in a subprocess whose peak resident memory is read with
  ``resource.getrusage``; beside it the in-memory path and the chunked path on the largest size
  that fits comfortably (5 x 10^5 rows), same data, with both estimates.
* The Vendi score (cosine, dual path) and the Gaussian MI between the two halves of the units on
  the same store.
* The information plane over 20 layers x 100 epochs (Zarr store, 2000 jobs) on a ``LocalCluster``
  of 1 and 2 single-threaded worker processes: times and their ratio.

The layer is the tanh response of a random 256-unit layer to 4096 distinct inputs (the
12-bit inputs of Shwartz-Ziv & Tishby), each sample one of them: the symbol table of the binned
count holds the distinct rows (at most 4096 x 256 bytes here), as every exact count must.

The store is written once to ``BENCH_DASK_DIR`` (default ``/work/tmp_dask``, outside the
repository) and removed at the end unless ``BENCH_DASK_KEEP=1``. ``--quick`` uses 10^6 rows.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROWS_CHUNK = 65_536
WIDTH = 256
N_PATTERNS = 4096


def _patterns(seed=0):
    rng = np.random.default_rng(seed)
    bits = ((np.arange(N_PATTERNS)[:, None] >> np.arange(12)) & 1).astype(np.float32)
    W = rng.normal(scale=1.0, size=(12, WIDTH)).astype(np.float32)
    return np.tanh(bits @ W - W.sum(axis=0) / 2), bits


def _write_store(path: Path, n: int) -> None:
    import zarr

    patterns, _ = _patterns()
    rng = np.random.default_rng(1)
    root = zarr.open_group(str(path), mode="w")
    T = root.create_array("T", shape=(n, WIDTH), chunks=(ROWS_CHUNK, WIDTH), dtype="float32",
                          compressors=None)
    labels = root.create_array("y", shape=(n,), chunks=(ROWS_CHUNK,), dtype="int8",
                               compressors=None)
    for start in range(0, n, ROWS_CHUNK):
        k = rng.integers(0, N_PATTERNS, size=min(ROWS_CHUNK, n - start))
        T[start:start + k.size] = patterns[k]
        # label: the parity bit of the input, flipped for 10 % of the samples
        labels[start:start + k.size] = (k % 2) ^ (rng.random(k.size) < 0.1)


# Each measurement runs in its own process so that its peak resident memory is its own.
_CHILD = r"""
import json, resource, sys, time
import numpy as np, zarr, dask.array as da
from infotheory import BinnedMI, GaussianMI, VendiScore
path, what, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
root = zarr.open_group(path, mode="r")
X = da.from_zarr(root["T"])[:n]
y = np.asarray(root["y"][:n])
t = time.perf_counter()
if what == "binned":
    v = BinnedMI(binning="fixed").fit(X, y).mutual_info_
elif what == "binned_memory":
    v = BinnedMI(binning="fixed", max_memory="16GB").fit(np.asarray(X), y).mutual_info_
elif what == "vendi":
    v = VendiScore(kernel="cosine").fit(X).score_
elif what == "vendi_memory":
    v = VendiScore(kernel="cosine").fit(np.asarray(X)).score_
elif what == "gaussian":
    v = GaussianMI().fit(X[:, :128], X[:, 128:]).mutual_info_
elif what == "gaussian_memory":
    A = np.asarray(X)
    v = GaussianMI().fit(A[:, :128], A[:, 128:]).mutual_info_
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: kB)
print(json.dumps({"value": float(v), "seconds": elapsed, "peak_mib": peak}))
"""


def _measure(path: Path, what: str, n: int) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path), what, str(n)],
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _plane(path: Path, y, workers: int) -> float:
    from distributed import Client, LocalCluster

    from infotheory import InformationPlane

    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None,
                      processes=True) as cluster, Client(cluster) as client:
        client.run(lambda: __import__("infotheory.mutual_info"))  # imports off the clock
        t = time.perf_counter()
        InformationPlane(client=client, progress=False,
                         estimator=__import__("infotheory").BinnedMI(binning="fixed")).fit(
            path, y=y)
        return time.perf_counter() - t


def _write_plane_store(path: Path, n: int, width: int, layers: int, epochs: int):
    import zarr

    rng = np.random.default_rng(2)
    root = zarr.open_group(str(path), mode="w")
    for e in range(epochs):
        for l in range(layers):
            root.create_array(f"epoch_{e:03d}/h{l:02d}",
                              data=np.tanh(rng.normal(size=(n, width))).astype(np.float32),
                              chunks=(n, width))
    return rng.integers(0, 10, n)


def main(quick: bool = False) -> None:
    base = Path(os.environ.get("BENCH_DASK_DIR", "/work/tmp_dask"))
    base.mkdir(parents=True, exist_ok=True)
    n = 1_000_000 if quick else 10_000_000
    store = base / f"activations_{n}.zarr"
    try:
        if not (store / "T" / "zarr.json").is_file() or os.environ.get("BENCH_DASK_REWRITE"):
            t = time.perf_counter()
            _write_store(store, n)
            print(f"wrote {n} x {WIDTH} float32 ({n * WIDTH * 4 / 1e9:.1f} GB) in "
                  f"{time.perf_counter() - t:.0f} s to {store}")
        print(f"{'quantity':<34}{'rows':>10}{'path':>10}{'value':>14}{'time s':>9}{'peak MiB':>10}")
        small = min(n, 500_000)
        names = {"binned": "binned I(T;Y), fixed", "vendi": "Vendi (cosine, dual)",
                 "gaussian": "Gaussian MI (128 vs 128 units)"}
        for what in ("binned", "vendi", "gaussian"):
            mem = _measure(store, f"{what}_memory", small)
            pair = [("memory", small, mem), ("chunked", small, _measure(store, what, small)),
                    ("chunked", n, _measure(store, what, n))]
            for label, size, r in pair:
                flag = "" if r["peak_mib"] < 2048 else "  over 2 GiB"
                print(f"{names[what]:<34}{size:>10}{label:>10}{r['value']:>14.6f}"
                      f"{r['seconds']:>9.1f}{r['peak_mib']:>10.0f}{flag}", flush=True)
            chk = pair[1][2]
            print(f"  chunked / in-memory time at {small} rows: "
                  f"{chk['seconds'] / mem['seconds']:.2f} (estimates differ by "
                  f"{abs(chk['value'] - mem['value']):.1e})", flush=True)

        layers, epochs = (4, 10) if quick else (20, 100)
        plane_store = base / f"plane_{layers}x{epochs}.zarr"
        y = _write_plane_store(plane_store, 2000, 32, layers, epochs)
        t1 = _plane(plane_store, y, 1)
        t2 = _plane(plane_store, y, 2)
        print(f"information plane {layers} layers x {epochs} epochs (2000 x 32 each): "
              f"1 worker {t1:.1f} s, 2 workers {t2:.1f} s, ratio {t1 / t2:.2f} "
              f"(cores here: {os.cpu_count()})")
    finally:
        if not os.environ.get("BENCH_DASK_KEEP"):
            shutil.rmtree(store, ignore_errors=True)
            shutil.rmtree(base / f"plane_{4 if quick else 20}x{10 if quick else 100}.zarr",
                          ignore_errors=True)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
