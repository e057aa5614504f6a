"""KSG mutual information: our KSGMI beside scikit-learn, NPEET (npeet-plus) and ennemi.

Same process, same data: correlated Gaussians with a known MI (1 nat in total), N in
{1e3, 1e4, 1e5} and d in {1, 5, 20} features per side, k = 3. scikit-learn's
``mutual_info_regression`` and ennemi only take a 1-D target, so they run at d = 1. A competitor is
skipped when its time extrapolated from the previous N (quadratic in N for d > 1) exceeds 120 s.
Our first call on a tiny input (numba compile, or cache load once cached) is printed apart,
as is our first call at N = CELLS_MIN_N (the kernels of 4-12-D kNN and counts from that size).
``BENCH_KSG_DIMS=20`` (comma-separated) and ``BENCH_KSG_SIZES=10000,100000`` restrict the grid;
``BENCH_KSG_LIMIT=600`` raises the limit of the extrapolated time (a loaded machine inflates the
small-N times that the extrapolation starts from).
"""

from __future__ import annotations

import math
import os
import warnings

import numpy as np

from infotheory._kernels.knn import CELLS_MIN_N
from infotheory.datasets import correlated_gaussians
from infotheory.mutual_info import KSGMI

from ._timing import row, timed


def _timed_cpu(fn, *args, repeat=1):
    """Best wall time and best CPU time (all threads) of ``repeat`` calls, and the last result."""
    import time

    wall = cpu = float("inf")
    result = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn(*args)
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return result, wall, cpu

LIMIT_S = float(os.environ.get("BENCH_KSG_LIMIT", "120"))
#: From this many samples, rows with more than one feature per side also time ours on every core.
THREADED_FROM_N = 100_000
TRUE_MI = 1.0
WIDTHS = (7, 4, 10, 10, 10, 9, 9, 9, 9, 9, 9, 12)


def _ours(X, Y):
    # The others compute the KSG estimate only; our default also runs the Gaussian-copula bias
    # check (ranks on at most 20 000 samples, about 3-10 ms), which is timed apart below.
    return KSGMI(warn_bias=False).fit(X, Y).mutual_info_


def _sklearn(X, Y):
    from sklearn.feature_selection import mutual_info_regression

    return float(mutual_info_regression(X, Y[:, 0], n_neighbors=3, random_state=0)[0])


def _npeet(X, Y):
    from npeet_plus import mi

    return float(mi(X, Y, k=3, base=math.e))


def _ennemi(X, Y):
    import ennemi

    return float(np.asarray(ennemi.estimate_mi(Y[:, 0], X[:, 0], k=3)).ravel()[0])


COMPETITORS = {"sklearn": (_sklearn, True), "npeet": (_npeet, False), "ennemi": (_ennemi, True)}


_MODULES = {"sklearn": "sklearn", "npeet": "npeet_plus", "ennemi": "ennemi"}


def _available(name):
    try:
        __import__(_MODULES[name])
    except ImportError:
        return False
    return True


def main(quick: bool = False):
    sizes = [1_000] if quick else [1_000, 10_000, 100_000]
    dims = [1, 5, 20]
    sizes = [int(s) for s in os.environ.get("BENCH_KSG_SIZES", "").split(",") if s] or sizes
    dims = [int(s) for s in os.environ.get("BENCH_KSG_DIMS", "").split(",") if s] or dims
    X, Y, _ = correlated_gaussians(50, TRUE_MI, dim=20, random_state=0)
    _, t_compile = timed(_ours, X, Y)
    _, t_compile1 = timed(_ours, X[:, :1], Y[:, :1])
    print(f"our first call on 50 samples (compile or cache load): d=20 {t_compile:.2f} s, "
          f"d=1 {t_compile1:.2f} s")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"true MI = {TRUE_MI} nats; times are best of up to 3 runs (wall, and CPU time of all "
          f"threads); ratio = theirs / ours (wall), CPU ratio = theirs / ours (CPU); load "
          f"average {load:.2f} on {os.cpu_count()} cores")
    print(row(("N", "d", "other", "ours [s]", "ours CPU", "other [s]", "other CPU", "ratio",
               "CPU ratio", "ours", "other", "note"), WIDTHS))
    last = {}
    warmed = set()
    for d in dims:
        for n in sizes:
            X, Y, _ = correlated_gaussians(n, TRUE_MI, dim=d, random_state=1)
            repeat = 3 if n <= 10_000 or d == 1 else 1
            if repeat == 1 and d not in warmed and n >= CELLS_MIN_N:
                # the large-N kernels (cell lists, from CELLS_MIN_N samples) compile on their
                # first call: timed apart, as the tiny first call above
                _, t_first = timed(_ours, X[:CELLS_MIN_N], Y[:CELLS_MIN_N])
                warmed.add(d)
                print(f"our first call at N = {CELLS_MIN_N}, d = {d} (compile or cache load of "
                      f"the large-N kernels, and the estimate): {t_first:.2f} s", flush=True)
            mine, t_mine, c_mine = _timed_cpu(_ours, X, Y, repeat=repeat)
            for name, (fn, only_1d) in COMPETITORS.items():
                if (only_1d and d > 1) or not _available(name):
                    continue
                prev = last.get((name, d))
                if prev is not None:
                    n0, t0 = prev
                    predicted = t0 * (n / n0) ** (2.0 if d > 1 else 1.1)
                    if predicted > LIMIT_S:
                        print(row((n, d, name, f"{t_mine:.3f}", f"{c_mine:.3f}", "skipped", "",
                                   "", "", f"{mine:.3f}", "", f"(>{LIMIT_S:.0f} s)"), WIDTHS),
                              flush=True)
                        last[(name, d)] = (n, predicted)
                        continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # third-party deprecation chatter
                    theirs, t_theirs, c_theirs = _timed_cpu(
                        fn, X, Y, repeat=repeat if n < 100_000 else 1)
                last[(name, d)] = (n, t_theirs)
                print(row((n, d, name, f"{t_mine:.3f}", f"{c_mine:.3f}", f"{t_theirs:.3f}",
                           f"{c_theirs:.3f}", f"{t_theirs / t_mine:.1f}x",
                           f"{c_theirs / c_mine:.1f}x", f"{mine:.3f}", f"{theirs:.3f}", ""),
                          WIDTHS), flush=True)
                if d > 1 and n >= THREADED_FROM_N:
                    # the default is one thread (scikit-learn's n_jobs=None); on many features
                    # and samples a user would pass n_jobs=-1, so show that too
                    mt, t_mt, c_mt = _timed_cpu(
                        lambda A, B: KSGMI(warn_bias=False, n_jobs=-1).fit(A, B).mutual_info_,
                        X, Y, repeat=1)
                    print(row((n, d, name, f"{t_mt:.3f}", f"{c_mt:.3f}", f"{t_theirs:.3f}",
                               f"{c_theirs:.3f}", f"{t_theirs / t_mt:.1f}x",
                               f"{c_theirs / c_mt:.1f}x", f"{mt:.3f}", f"{theirs:.3f}",
                               "ours n_jobs=-1"), WIDTHS), flush=True)
    _default_cost(max(sizes))


def _default_cost(n: int) -> None:
    """Time the default estimator (with the bias check) beside the bare estimate, at d = 1."""
    X, Y, _ = correlated_gaussians(n, TRUE_MI, dim=1, random_state=1)
    _, bare, bare_cpu = _timed_cpu(_ours, X, Y, repeat=5)
    _, full, full_cpu = _timed_cpu(lambda A, B: KSGMI().fit(A, B).mutual_info_, X, Y, repeat=5)
    line = (f"N = {n}, d = 1: KSGMI() with its default Gaussian-copula bias check {full:.3f} s "
            f"(CPU {full_cpu:.3f} s), without (warn_bias=False, the column 'ours') {bare:.3f} s "
            f"(CPU {bare_cpu:.3f} s)")
    if _available("sklearn"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, t_sk, c_sk = _timed_cpu(_sklearn, X, Y, repeat=3)
        line += (f"; scikit-learn {t_sk:.3f} s (CPU {c_sk:.3f} s): {t_sk / full:.1f}x wall, "
                 f"{c_sk / full_cpu:.1f}x CPU against the default")
    print(line)


if __name__ == "__main__":
    main()
