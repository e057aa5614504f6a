"""Binned activation MI over an information plane: 10 layers × 100 epochs of 10 000 × 256.

Target: the whole information-plane grid under a minute. Compared with what users otherwise write
(the papers' code): each value replaced by its bin's left edge, then ``np.unique(axis=0)`` on the
rows, and once more per class for H(T|Y). The numpy version is timed on a few layer-epochs and
extrapolated to the grid.

Activations are float32 tanh / ReLU arrays (as saved by training loops) drawn once into a small
pool; layer ``l`` at epoch ``e`` uses pool entry ``(l + e) % pool`` so that the timing measures
the estimator, not the random number generator.

The grid is timed twice: one ``BinnedMI.fit`` after another on one thread (the number compared
with the target), then through ``InformationPlane(n_jobs=-1)``, which fits the (epoch, layer) jobs
in a thread pool over all cores (the kernels release the GIL).
"""

from __future__ import annotations

import os
import time

import numpy as np

from benchmarks._timing import row, timed
from infotheory.analysis import InformationPlane
from infotheory.entropy import adaptive_range_max
from infotheory.mutual_info import BinnedMI


def numpy_binned_mi(T, y, edges):
    """H(T) and I(T;Y) as the reference code computes them (np.unique on rows of left edges)."""

    def rows_entropy(rows):
        _, counts = np.unique(rows, axis=0, return_counts=True)
        p = counts / counts.sum()
        return -(p * np.log(p)).sum()

    digitized = edges[np.digitize(T, edges) - 1]
    h = rows_entropy(digitized)
    h_given_y = sum((y == c).mean() * rows_entropy(digitized[y == c]) for c in np.unique(y))
    return h, h - h_given_y


def numpy_entropy_based_edges(T, n_bins, low):
    """Chelombiev et al.'s edges as users write them: np.unique, then every len(u)/n_bins-th."""
    u = np.unique(T)
    u = u[u != low]
    return np.array([low, *(u[int(k * (len(u) / n_bins))] for k in range(n_bins)), u[-1]])


def _timed_cpu(fn, *args, repeat=1):
    """(result, best wall seconds, best CPU seconds) of ``repeat`` calls."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn(*args)
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return result, wall, cpu


def _pool(kind, size, n, d, rng):
    arrays = []
    for k in range(size):
        z = rng.normal(size=(n, d)) * (0.5 + 0.25 * k)
        arrays.append((np.tanh(z) if kind == "tanh" else np.maximum(z, 0)).astype(np.float32))
    return arrays


def _grid(params, pool, y, n_layers, n_epochs, max_values=None):
    """Fit one estimator per layer and epoch; return the wall and CPU seconds spent in ``fit``.

    CPU time is printed beside wall time because on a shared machine the wall time also counts
    the time other processes held the cores (the kernels are single-threaded).
    """
    wall = cpu = 0.0
    for e in range(n_epochs):
        for l in range(n_layers):
            T = pool[(l + e) % len(pool)]
            extra = {} if max_values is None else {"max_value": float(max_values[e])}
            est = BinnedMI(**params, **extra)
            t0, c0 = time.perf_counter(), time.process_time()
            est.fit(T, y)
            wall += time.perf_counter() - t0
            cpu += time.process_time() - c0
    return wall, cpu


def _plane_grid(params, pool, y, n_layers, n_epochs, n_jobs):
    """Wall and CPU seconds of the whole grid through ``InformationPlane(n_jobs=n_jobs)``.

    The plane computes the adaptive range's running maximum itself, as a user's run would.
    """
    records = [{f"layer{l}": pool[(l + e) % len(pool)] for l in range(n_layers)}
               for e in range(n_epochs)]
    plane = InformationPlane(estimator=BinnedMI(**params), progress=False, n_jobs=n_jobs)
    t0, c0 = time.perf_counter(), time.process_time()
    plane.fit(records, None, y)
    return time.perf_counter() - t0, time.process_time() - c0


def main(quick: bool = False) -> None:
    n, d, n_layers = 10_000, 256, 10
    n_epochs = 3 if quick else 100
    n_numpy = 2 if quick else 3
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, n)
    pools = {"tanh": _pool("tanh", 6, n, d, rng), "relu": _pool("relu", 6, n, d, rng)}
    calls = n_layers * n_epochs
    n_threads = min(os.cpu_count() or 1, calls)
    print(f"{n_layers} layers x {n_epochs} epochs of {n} x {d} float32 activations, 10 classes; "
          f"threaded grid: InformationPlane(n_jobs=-1) = {n_threads} threads on "
          f"{os.cpu_count()} cores")

    cases = [
        ("fixed (Tishby, 30 edges on [-1,1])", "tanh", {"binning": "fixed"}),
        ("fixed bin size 0.07 (Saxe)", "tanh", {"binning": "fixed", "bin_size": 0.07}),
        ("adaptive_range (ReLU, running max)", "relu",
         {"binning": "adaptive_range", "activation": "relu"}),
        ("entropy_based (tanh)", "tanh", {"binning": "entropy_based", "activation": "tanh"}),
        ("entropy_based (ReLU)", "relu", {"binning": "entropy_based", "activation": "relu"}),
    ]
    widths = (36, 9, 11, 10, 11, 14, 13, 12, 10, 10, 7)
    print(row(["binning", "compile s", "1-thr wall s", "1-thr cpu s", "cpu ms/call",
               f"{n_threads}-thr wall s", f"{n_threads}-thr cpu s", "numpy cpu ms",
               "ours I(T;Y)", "numpy", "ratio"], widths))
    for name, kind, params in cases:
        pool = pools[kind]
        # first call: loads the cached numba kernels (compiles them on a fresh install)
        _, first = timed(BinnedMI(**params).fit, pool[0], y)
        running = None
        if params["binning"] == "adaptive_range":
            # the running maximum over all layers, non-decreasing over epochs (Chelombiev et al.)
            maxima = [[float(pool[(l + e) % len(pool)].max()) for l in range(n_layers)]
                      for e in range(n_epochs)]
            running = adaptive_range_max(maxima)
        total, cpu = _grid(params, pool, y, n_layers, n_epochs, running)
        par_wall, par_cpu = _plane_grid(params, pool, y, n_layers, n_epochs, -1)
        # same data, same edges for the numpy version
        T = pool[0]
        extra = {} if running is None else {"max_value": float(running[0])}
        ours = BinnedMI(**params, **extra).fit(T, y)
        t64 = T.astype(np.float64)
        if params.get("bin_size"):
            codes = np.floor(t64 / params["bin_size"])
            edges = np.arange(codes.min(), codes.max() + 2)  # bin k has left edge k

            def run_numpy(T=codes, edges=edges):
                return numpy_binned_mi(T, y, edges)
        elif params["binning"] == "entropy_based":

            def run_numpy(T=t64, low=ours.lower_bound_):
                return numpy_binned_mi(T, y, numpy_entropy_based_edges(T, 30, low))
        else:

            def run_numpy(T=t64, edges=ours.bin_edges_):
                return numpy_binned_mi(T, y, edges)
        (h_np, mi_np), t_np, c_np = _timed_cpu(run_numpy, repeat=n_numpy)
        assert abs(ours.entropy_ - h_np) < 1e-9 and abs(ours.mutual_info_ - mi_np) < 1e-9
        print(row([name, f"{first:.2f}", f"{total:.1f}", f"{cpu:.1f}",
                   f"{1e3 * cpu / calls:.1f}", f"{par_wall:.1f}", f"{par_cpu:.1f}",
                   f"{1e3 * c_np:.0f}", f"{ours.mutual_info_:.6f}", f"{mi_np:.6f}",
                   f"{c_np / (cpu / calls):.0f}x"], widths), flush=True)
    print(f"1-thr: one BinnedMI.fit after another on one thread; {n_threads}-thr: the same grid "
          f"through InformationPlane(n_jobs=-1), {n_threads} threads (its CPU s sums all "
          f"threads). cpu ms/call = 1-thread grid CPU / {calls} calls; numpy (edges included for "
          f"entropy_based) timed on the first layer-epoch, best of {n_numpy}; ratio = numpy / "
          "ours, single-thread CPU time per call (wall time on a shared machine also counts "
          "other processes); target: grid under 60 s on one thread")


if __name__ == "__main__":
    main()
