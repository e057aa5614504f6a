"""Accuracy and time of every MI estimator on the known-MI suite (``infotheory.datasets.mi_suite``).

Same process, same samples for every estimator: for each task of the suite (Gaussian dense and
sparse, Student-t, uniform noise, Gaussian mixtures, injective transforms; 1-50 features per side)
and each N, every estimator's absolute error against the closed-form or Monte-Carlo truth. Printed:
mean absolute error per family, overall, the number of tasks an estimator ran (the others raised
or are not applicable), and the total wall and CPU time (CPU time is the fairer number on a shared
machine). Ours: ``MutualInfo()`` (auto), ``KSGMI``,
``GaussianCopulaMI``, ``StudentTCopulaMI``, ``GaussianMI``, ``CompressedMI``, ``NeuralMI`` when
installed (``MixedMI``, ``DiscreteMI`` and ``BinnedMI`` take labels: the suite has none). Peers:
NPEET (``npeet-plus``, KSG in any dimension) and, at 1 + 1 features only, scikit-learn's
``mutual_info_regression`` and ennemi. An estimator is skipped at the next N when its time at this
N extrapolates beyond ``LIMIT_S``.

Environment: ``BENCH_MI_N=1000,5000`` (sizes; default 1000, 5000, 20000 with N = 20000 on the
tasks of at most 10 features per side), ``BENCH_MI_FAMILIES=gaussian,mixture``,
``BENCH_MI_MAX_DIM=10``, ``BENCH_MI_ESTIMATORS=auto,npeet``. ``quick``: N = 1000, at most 5
features per side.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from collections import defaultdict

import numpy as np

from infotheory.datasets import FAMILIES, mi_suite

LIMIT_S = 1800.0
SEED = 1


def _ours(name):
    def run(X, Y):
        import infotheory

        if name == "auto":
            est = infotheory.MutualInfo(random_state=0)
        elif name == "KSGMI":
            est = infotheory.KSGMI(warn_bias=False)
        elif name == "StudentTCopulaMI":
            est = infotheory.StudentTCopulaMI(random_state=0)
        elif name == "CompressedMI":
            est = infotheory.CompressedMI(random_state=0)
        elif name == "NeuralMI":
            from infotheory.mutual_info import NeuralMI

            est = NeuralMI(random_state=0)
        else:
            est = getattr(infotheory, name)()
        return est.fit(X, Y).mutual_info_

    return run


def _npeet(X, Y):
    from npeet_plus import mi

    return float(mi(X, Y, k=3, base=math.e))


def _sklearn(X, Y):
    if X.shape[1] != 1 or Y.shape[1] != 1:
        return None
    from sklearn.feature_selection import mutual_info_regression

    return float(mutual_info_regression(X, Y[:, 0], n_neighbors=3, random_state=0)[0])


def _ennemi(X, Y):
    if X.shape[1] != 1 or Y.shape[1] != 1:
        return None
    from ennemi import estimate_mi

    return float(np.asarray(estimate_mi(Y[:, 0], X[:, 0], k=3)).ravel()[0])


def _estimators():
    names = {
        "auto": _ours("auto"),
        "KSGMI": _ours("KSGMI"),
        "GaussianCopulaMI": _ours("GaussianCopulaMI"),
        "StudentTCopulaMI": _ours("StudentTCopulaMI"),
        "GaussianMI": _ours("GaussianMI"),
        "CompressedMI": _ours("CompressedMI"),
        "npeet": _npeet,
        "sklearn": _sklearn,
        "ennemi": _ennemi,
    }
    try:
        from infotheory.mutual_info import NeuralMI  # noqa: F401

        names["NeuralMI"] = _ours("NeuralMI")
    except ImportError:
        pass
    chosen = os.environ.get("BENCH_MI_ESTIMATORS")
    if chosen:
        names = {k: v for k, v in names.items() if k in chosen.split(",")}
    return names


def _run_one(fn, X, Y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            value = fn(X, Y)
        except (ValueError, ImportError, np.linalg.LinAlgError) as exc:
            return None, time.perf_counter() - t0, time.process_time() - c0, type(exc).__name__
    return value, time.perf_counter() - t0, time.process_time() - c0, None


def run(n, tasks, estimators, out=print):
    """Errors of every estimator on every task at one N; returns {estimator: {task: error}}."""
    errors = defaultdict(dict)
    times = defaultdict(float)
    cpu = defaultdict(float)
    failed = defaultdict(int)
    for task in tasks:
        X, Y, truth = task.sample(n, random_state=SEED)
        for name, fn in estimators.items():
            value, seconds, cpu_seconds, _ = _run_one(fn, X, Y)
            times[name] += seconds
            cpu[name] += cpu_seconds
            if value is None or not math.isfinite(value):
                failed[name] += 1
                continue
            errors[name][task.name] = abs(value - truth)
    families = [f for f in FAMILIES if any(t.family == f for t in tasks)]
    out(f"\nN = {n}, {len(tasks)} tasks; mean absolute error in nats (tasks run); wall and CPU "
        "time in s, all tasks")
    header = f"{'estimator':18s}" + "".join(f"{f[:13]:>14s}" for f in families)
    out(header + f"{'overall':>10s}{'ran':>7s}{'wall':>8s}{'cpu':>8s}")
    for name in estimators:
        cells = []
        for fam in families:
            errs = [errors[name][t.name] for t in tasks
                    if t.family == fam and t.name in errors[name]]
            cells.append(f"{np.mean(errs):14.3f}" if errs else f"{'-':>14s}")
        allerr = list(errors[name].values())
        overall = f"{np.mean(allerr):10.3f}" if allerr else f"{'-':>10s}"
        out(f"{name:18s}" + "".join(cells) + overall
            + f"{len(allerr):>4d}/{len(tasks):<2d}{times[name]:8.1f}{cpu[name]:8.1f}")
    return errors, times


def main(quick: bool = False) -> None:
    sizes = os.environ.get("BENCH_MI_N")
    families = os.environ.get("BENCH_MI_FAMILIES")
    max_dim = os.environ.get("BENCH_MI_MAX_DIM")
    fams = families.split(",") if families else None
    if quick:
        plan = [(1000, mi_suite(families=fams, max_dim=5))]
    else:
        ns = [int(s) for s in sizes.split(",")] if sizes else [1000, 5000, 20000]
        limit = int(max_dim) if max_dim else None
        plan = []
        for n in ns:
            cap = limit if limit is not None else (10 if n >= 20000 else None)
            plan.append((n, mi_suite(families=fams, max_dim=cap)))
    estimators = _estimators()
    for n, tasks in plan:
        _, times = run(n, tasks, estimators)
        for name, seconds in times.items():  # drop what would take too long at the next N
            if seconds * 4 > LIMIT_S:
                print(f"(skipping {name} at larger N: {seconds:.0f} s at N = {n})")
                estimators.pop(name, None)


if __name__ == "__main__":
    main()
