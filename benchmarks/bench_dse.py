"""Diffusion spectral entropy: ours beside ``dse-dsmi``.

Seeded 10-cluster data (``make_blobs(N, 64, centers=10, random_state=0)``), sigma = 10, t = 1,
values in bits; the N = 1e5 run uses data whose kernel is local (10 two-dimensional sheets).
Each measurement runs in a fresh subprocess so that its peak resident memory
(resident set size sampled every 2 ms during the computation, minus the size before it) is its
own. Printed: values, times, time
ratios (reference / ours) and peak-memory ratios, then SLQ at N = 100 000.

    python -m benchmarks dse          # N = 500, 2000, 4000, 8000 and SLQ at 1e5
    python -m benchmarks dse --quick  # N = 500, 2000
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks._timing import row

_CHILD = r"""
import json, sys, time
import numpy as np
from sklearn.datasets import make_blobs
kind, n, extra = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
data = extra.pop("data", "blobs")
if data == "blobs":
    X = make_blobs(n_samples=n, n_features=64, centers=10, random_state=0)[0]
else:
    # 10 far-apart 2-D sheets (side 1000, sigma = 10) in 64-d with noise 0.5: a kernel that
    # is local, so the kNN-truncated kernel holds its mass with a few dozen neighbours
    rng = np.random.default_rng(0)
    lab = rng.integers(0, 10, n)
    Q = np.linalg.qr(rng.normal(size=(64, 64)))[0]
    X = np.hstack([rng.uniform(0, 1000.0, size=(n, 2)), np.zeros((n, 62))]) @ Q
    X += 1e4 * rng.normal(size=(10, 64))[lab] + 0.5 * rng.normal(size=(n, 64))
if kind == "ref":
    from dse_dsmi import diffusion_spectral_entropy
    fn = lambda: (diffusion_spectral_entropy(X, gaussian_kernel_sigma=10, t=1), None)
else:
    from infotheory.spectral import DiffusionSpectralEntropy
    est = DiffusionSpectralEntropy(base=2, random_state=0, max_samples=None, **extra)
    # warm-up on a tiny problem: numba compilation and imports are not run time
    DiffusionSpectralEntropy(**extra).fit(X[:50])
    def fn():
        est.fit(X)
        return est.entropy_, getattr(est, "standard_error_", None)
import threading, psutil
proc = psutil.Process()
base = proc.memory_info().rss
peak = [base]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], proc.memory_info().rss)
        done.wait(0.002)
sampler = threading.Thread(target=sample)
sampler.start()
t0 = time.perf_counter()
value, se = fn()
elapsed = time.perf_counter() - t0
done.set()
sampler.join()
peak = max(peak[0], proc.memory_info().rss) - base
print(json.dumps({"value": value, "se": se, "time": elapsed, "peak_mb": peak / 2**20}))
"""


# One thread for BLAS and numba on both sides: on a shared machine two BLAS threads fighting
# for busy cores made a 500 x 500 eigensolve 100x slower, which would measure the load, not
# the methods. Unset INFOTHEORY_BENCH_THREADS keeps 1; set it to use more.
_THREADS = os.environ.get("INFOTHEORY_BENCH_THREADS", "1")


def _measure(kind: str, n: int, threads: str = _THREADS, **extra) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads,
           "MKL_NUM_THREADS": threads, "NUMBA_NUM_THREADS": threads}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(n), json.dumps(extra)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1],
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _eigensolvers(n: int) -> None:
    """Time the symmetric eigensolvers on the kernel this package builds."""
    import time

    import numpy as np
    from sklearn.datasets import make_blobs

    from infotheory._kernels.spectral import diffusion_kernel_dense, eigvalsh_inplace

    X = make_blobs(n_samples=n, n_features=64, centers=10, random_state=0)[0]
    K = diffusion_kernel_dense(X, 10.0)
    cells = []
    for driver in ("numpy", "evd", "evr", "ev", "2stage"):
        best = float("inf")
        for _ in range(3):
            A = K.copy()
            t0 = time.perf_counter()
            eigvalsh_inplace(A, driver)
            best = min(best, time.perf_counter() - t0)
        cells.append(f"{driver}={best:.2f}s")
    print(f"eigensolvers at N={n} (best of 3): " + ", ".join(cells))
    del K, np


def main(quick: bool = False) -> None:
    sizes = (500, 2000) if quick else (500, 2000, 4000, 8000)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(int(_THREADS)):
        _eigensolvers(2000)
        if not quick:
            _eigensolvers(4000)
    print(f"BLAS/numba threads: {_THREADS}; ratios are reference / ours")
    widths = (6, 6, 24, 16, 8, 7, 7, 8, 7, 8)
    print(row(("N", "method", "ours (bits)", "dse-dsmi (bits)", "|diff|", "ours s",
               "ref s", "speed-up", "ours MB", "ref MB"), widths))
    for n in sizes:
        ref = _measure("ref", n)
        for method in ("exact", "slq"):
            ours = _measure("ours", n, method=method)
            se = f" ±{ours['se']:.1e}" if ours["se"] is not None else ""
            print(row((n, method, f"{ours['value']:.10f}" + se, f"{ref['value']:.10f}",
                       f"{abs(ours['value'] - ref['value']):.1e}", f"{ours['time']:.2f}",
                       f"{ref['time']:.2f}", f"{ref['time'] / ours['time']:.1f}x",
                       f"{ours['peak_mb']:.0f}", f"{ref['peak_mb']:.0f}"), widths),
                  flush=True)
    if not quick:
        # On the blobs above (sigma = 10) every point sees its whole cluster: at N = 1e5 that is
        # 1e9 kernel entries, which no truncation may drop. The scalable path is shown where the
        # kernel is local (sheets, see _CHILD), checked against exact at N = 8000 first.
        cores = str(os.cpu_count())
        ex = _measure("ours", 8000, data="sheets", method="exact")
        sl = _measure("ours", 8000, data="sheets", method="slq")
        print(f"sheets N=8000: exact {ex['value']:.6f} bits ({ex['time']:.1f} s), SLQ "
              f"{sl['value']:.6f} ± {sl['se']:.1e} bits ({sl['time']:.2f} s), rel. diff "
              f"{abs(sl['value'] - ex['value']) / ex['value']:.1e}")
        big = _measure("ours", 100_000, threads=cores, data="sheets", method="slq")
        print(f"sheets N=100000, SLQ, {cores} threads: {big['value']:.4f} ± {big['se']:.1e} bits "
              f"in {big['time']:.1f} s, peak {big['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
