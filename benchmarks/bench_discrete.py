"""Discrete entropy and MI: ours beside scipy.stats.entropy and sklearn.metrics.mutual_info_score.

Same data for both; the other side's time includes its own counting (``np.unique`` for SciPy,
which takes counts; ``mutual_info_score`` counts through a contingency matrix). Values must agree
to rounding (plug-in). Run: ``python -m benchmarks discrete [--quick]``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from sklearn.metrics import mutual_info_score

from benchmarks._timing import row, timed
from infotheory import DiscreteEntropy, DiscreteMI
from infotheory.datasets import discrete_joint

_WIDTHS = (26, 9, 6, 12, 12, 10, 10, 7)


def _scipy_entropy(X):
    if X.shape[1] == 1:
        _, counts = np.unique(X[:, 0], return_counts=True)
    else:
        _, counts = np.unique(X, axis=0, return_counts=True)
    return stats.entropy(counts)


def _ours_entropy(X):
    return DiscreteEntropy().fit(X).entropy_


def _ours_mi(x, y):
    return DiscreteMI().fit(x, y).mutual_info_


def _compare(label, n, m, ours, ref, args, repeat=3):
    v_ours, t_ours = timed(ours, *args, repeat=repeat)
    v_ref, t_ref = timed(ref, *args, repeat=repeat)
    print(row((label, n, m, f"{v_ours:.6f}", f"{v_ref:.6f}", f"{t_ours:.4f}", f"{t_ref:.4f}",
               f"{t_ref / t_ours:.1f}x"), _WIDTHS))


def main(quick: bool = False) -> None:
    rng = np.random.default_rng(0)
    sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
    print(row(("task", "N", "m", "ours", "reference", "t ours", "t ref", "ratio"), _WIDTHS))
    for n in sizes:
        for m in (10, 1000):
            X = rng.integers(0, m, size=(n, 1))
            _compare("entropy vs scipy", n, m, _ours_entropy, _scipy_entropy, (X,))
            side = round(m ** (1 / 3))
            J = rng.integers(0, side, size=(n, 3))
            _compare("joint d=3 vs scipy", n, side**3, _ours_entropy, _scipy_entropy, (J,))
            k = round(np.sqrt(m))
            P = rng.dirichlet(np.ones(k * k)).reshape(k, k) + np.eye(k)
            x, y, true_mi = discrete_joint(n, P / P.sum(), random_state=rng)
            _compare(f"MI vs sklearn ({true_mi:.3f})", n, k * k, _ours_mi, mutual_info_score,
                     (x, y))


if __name__ == "__main__":
    main()
