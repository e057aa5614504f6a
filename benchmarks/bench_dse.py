"""Diffusion spectral entropy: ours beside ``dse-dsmi`` (DESIGN.md §5).

Seeded 10-cluster data (``make_blobs(N, 64, centers=10, random_state=0)``), sigma = 10, t = 1,
values in bits. Each measurement runs in a fresh subprocess so that its peak resident memory
(resident set size sampled every 2 ms during the computation, minus the size before it) is its
own. Printed: values, times, time
ratios (reference / ours) and peak-memory ratios, then SLQ at N = 100 000.

    python -m benchmarks dse          # N = 500, 2000, 8000 and SLQ at 1e5
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
X = make_blobs(n_samples=n, n_features=64, centers=10, random_state=0)[0]
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


def _measure(kind: str, n: int, **extra) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": _THREADS, "OMP_NUM_THREADS": _THREADS,
           "MKL_NUM_THREADS": _THREADS, "NUMBA_NUM_THREADS": _THREADS}
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
    for driver in ("numpy", "evd", "evr", "ev"):
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
    sizes = (500, 2000) if quick else (500, 2000, 8000)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(int(_THREADS)):
        _eigensolvers(2000)
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
        for knn in (50,):
            big = _measure("ours", 100_000, method="slq", knn=knn)
            print(f"SLQ N=100000 knn={knn}: {big['value']:.4f} ± {big['se']:.1e} bits in "
                  f"{big['time']:.1f} s, peak {big['peak_mb']:.0f} MB")
            mid = _measure("ours", 8000, method="slq", knn=knn)
            print(f"  (same knn at N=8000: {mid['value']:.4f} bits, a kernel truncated to "
                  f"{knn} neighbours; compare with the exact row above)")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
