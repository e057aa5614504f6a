"""Vendi score: ours beside vendi-score (cosine kernel), and the RBF kernel at n = 100 000.

Targets: cosine, n = 8000, d = 64 on the dual path in milliseconds; RBF at
n = 100 000 under a minute with the approximation error reported.
"""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks._timing import row, timed
from infotheory import VendiScore


def _clusters(n, d=64, k=10, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(k, d))
    return centres[rng.integers(0, k, size=n)] + rng.normal(size=(n, d))


def main(quick: bool = False) -> None:
    try:
        from vendi_score import vendi
    except ImportError:  # pragma: no cover - optional benchmark dependency
        vendi = None
    sizes = (500, 2000) if quick else (500, 2000, 8000)
    widths = (6, 18, 18, 18, 10, 10, 10, 8)
    print("cosine kernel, d = 64, q = 1 (vendi-score: score_dual and score_X (n x n))")
    print(row(("n", "ours (dual)", "vs.score_dual", "vs.score_X", "ours ms", "dual ms",
               "X ms", "X/ours"), widths))
    VendiScore().fit(_clusters(100))  # warm-up (no compiled kernels; imports only)
    for n in sizes:
        X = _clusters(n)
        ours, t_ours = timed(lambda X=X: VendiScore().fit(X).score_, repeat=5)
        if vendi is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref_d, t_d = timed(vendi.score_dual, X, repeat=5)
                ref_x, t_x = timed(vendi.score_X, X, repeat=1)
        else:
            ref_d = ref_x = t_d = t_x = float("nan")
        print(row((n, f"{ours:.12f}", f"{ref_d:.12f}", f"{ref_x:.12f}", f"{1e3 * t_ours:.2f}",
                   f"{1e3 * t_d:.2f}", f"{1e3 * t_x:.0f}", f"{t_x / t_ours:.0f}x"), widths))

    n_exact = 2000 if quick else 4000
    n_big = 20_000 if quick else 100_000
    print(f"\nRBF kernel (bandwidth='median'), d = 64, 10 clusters; exact at n = {n_exact}")
    widths = (8, 10, 7, 14, 12, 9)
    print(row(("n", "method", "rank", "score", "approx err", "seconds"), widths))
    X = _clusters(n_exact, seed=1)
    est, t = timed(lambda: VendiScore(kernel="rbf", method="kernel").fit(X))
    print(row((n_exact, est.method_, est.n_components_, f"{est.score_:.6f}", "-", f"{t:.2f}"),
              widths))
    for method in ("nystroem", "rff"):
        est, t = timed(lambda m=method: VendiScore(kernel="rbf", method=m, n_components=1000,
                                                   random_state=0).fit(X))
        print(row((n_exact, method, 1000, f"{est.score_:.6f}", f"{est.approximation_error_:.4f}",
                   f"{t:.2f}"), widths))
    X = _clusters(n_big, seed=2)
    est, t = timed(lambda: VendiScore(kernel="rbf", n_components=1000, random_state=0).fit(X))
    print(row((n_big, est.method_, est.n_components_, f"{est.score_:.6f}",
               f"{est.approximation_error_:.4f}", f"{t:.2f}"), widths))
    print(f"vendi-score skipped at n = {n_big}: score_K needs the dense {n_big} x {n_big} "
          f"kernel matrix ({8 * n_big**2 / 1e9:.0f} GB) and an O(n^3) eigensolve.")


if __name__ == "__main__":
    main()
