"""First call of every estimator in a new process: cold (empty numba cache) and warm.

A notebook user's first ``fit`` compiles the numba kernels it reaches before it returns. For
every estimator of :func:`infotheory.all_estimators` (KSG at d = 1, 5 and 20 per side) a fresh
subprocess imports the package, builds a small valid input at N = 2000 and times its first
``fit``, with ``NUMBA_CACHE_DIR`` and ``INFOTHEORY_JAX_CACHE`` (NeuralMI's compiled JAX
executables) set to new empty temporary folders (cold); a second fresh subprocess repeats
it with those folders now filled (warm). Printed per estimator: import time
(``import infotheory`` and the estimator's module), wall and CPU time (all threads of the
subprocess) of the first ``fit`` cold and warm, and the wall time of a second ``fit`` on the
same data in the warm subprocess (the compute alone, so that compilation and first-call
overhead show apart; except where the kNN's first-call engines hand over to numba during that
fit, which then pays numba's set-up, or compiles the kernels the cold subprocess never reached:
see :mod:`infotheory._kernels.knn`). CPU time is less sensitive to other load on the machine
than wall time.
Each estimator gets its own cache folder, so each cold row is the cost of that estimator being
the first one called.

    python -m benchmarks coldstart            # every estimator
    python -m benchmarks coldstart --quick    # KSGMI (d = 1) and BinnedMI only
    BENCH_COLDSTART=KSGMI,VendiScore python -m benchmarks coldstart
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._timing import row

N = 2000

# name -> (estimator, constructor keywords, data recipe). Each recipe builds a valid input with a
# fixed seed; labels where the estimator expects them.
CASES = {
    "BinnedEntropy": ("BinnedEntropy", {}, "act"),
    "BinnedMI": ("BinnedMI", {}, "act_labels"),
    "CompressedMI": ("CompressedMI", {}, "embedded"),
    "ConditionalMI": ("ConditionalMI", {}, "xyz"),
    "DiffusionSpectralEntropy": ("DiffusionSpectralEntropy", {}, "act"),
    "DiffusionSpectralMI": ("DiffusionSpectralMI", {}, "act_labels"),
    "DiscreteEntropy": ("DiscreteEntropy", {}, "ints"),
    "DiscreteMI": ("DiscreteMI", {}, "ints_pair"),
    "EffectiveDimension": ("EffectiveDimension", {"n": 1000}, "scores"),
    "GaussianCopulaMI": ("GaussianCopulaMI", {}, "gauss5"),
    "GaussianEntropy": ("GaussianEntropy", {}, "act"),
    "GaussianMI": ("GaussianMI", {}, "gauss5"),
    "KLEntropy": ("KLEntropy", {}, "act3"),
    "KSGMI d=1": ("KSGMI", {}, "gauss1"),
    "KSGMI d=5": ("KSGMI", {}, "gauss5"),
    "KSGMI d=20": ("KSGMI", {}, "gauss20"),
    "LocalEffectiveDimension": ("LocalEffectiveDimension", {"n": 1000}, "scores"),
    "MixedMI": ("MixedMI", {}, "mixed"),
    "MutualInfo": ("MutualInfo", {}, "gauss5"),
    "NeuralMI": ("NeuralMI", {}, "gauss5"),
    "StudentTCopulaMI": ("StudentTCopulaMI", {}, "gauss5"),
    "TwoScaleEffectiveDimension": ("TwoScaleEffectiveDimension", {}, "scores"),
    "VendiScore": ("VendiScore", {}, "act"),
}

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import infotheory
name, kwargs, recipe, n = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
cls = getattr(infotheory, name)
t_import = time.perf_counter() - t0
rng = np.random.default_rng(0)
kw = {}
if recipe.startswith("gauss"):
    from infotheory.datasets import correlated_gaussians
    X, Y, _ = correlated_gaussians(n, 1.0, dim=int(recipe[5:]), random_state=0)
    args = (X, Y)
elif recipe == "act":
    args = (np.tanh(rng.normal(size=(n, 10))),)
elif recipe == "act3":
    args = (rng.normal(size=(n, 3)),)
elif recipe == "act_labels":
    y = rng.integers(0, 10, n)
    args = (np.tanh(rng.normal(size=(n, 10)) + y[:, None] / 3.0), y)
elif recipe == "embedded":
    from infotheory.datasets import embedded_gaussians
    X, Y, _ = embedded_gaussians(n, mi=1.0, latent_dim=2, dim=16, random_state=0)
    args = (X, Y)
elif recipe == "xyz":
    z = rng.normal(size=n)
    args = (z + rng.normal(size=n), z + rng.normal(size=n))
    kw = {"z": z}
elif recipe == "ints":
    args = (rng.integers(0, 8, size=(n, 2)),)
elif recipe == "ints_pair":
    x = rng.integers(0, 8, n)
    args = (x, (x + rng.integers(0, 2, n)) % 8)
elif recipe == "scores":
    args = (rng.normal(size=(n, 20)),)
elif recipe == "mixed":
    y = rng.integers(0, 3, n)
    args = (rng.normal(size=(n, 2)) + 2.0 * y[:, None], y)
else:
    raise SystemExit(f"unknown recipe {recipe}")
est = cls(**kwargs)
w0, c0 = time.perf_counter(), time.process_time()
est.fit(*args, **kw)
wall, cpu = time.perf_counter() - w0, time.process_time() - c0
# the same fit again in this process: compute alone, without compilation or first-call costs
w0 = time.perf_counter()
cls(**kwargs).fit(*args, **kw)
second = time.perf_counter() - w0
print(json.dumps({"import": t_import, "wall": wall, "cpu": cpu, "second": second}))
"""


def _child(case, cache_dir: str, n: int = N) -> dict:
    name, kwargs, recipe = case
    env = {**os.environ, "NUMBA_CACHE_DIR": os.path.join(cache_dir, "numba"),
           "INFOTHEORY_JAX_CACHE": os.path.join(cache_dir, "jax")}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)  # a cache of the user would make cold warm
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, name, json.dumps(kwargs), recipe, str(n)],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1], env=env,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(quick: bool = False) -> None:
    import infotheory

    names = list(CASES)
    if quick:
        names = ["KSGMI d=1", "BinnedMI"]
    chosen = [s for s in os.environ.get("BENCH_COLDSTART", "").split(",") if s]
    if chosen:
        names = [n for n in names if n in chosen or CASES[n][0] in chosen]
    missing = set(infotheory.all_estimators()) - {CASES[n][0] for n in CASES}
    if missing and not chosen and not quick:
        print(f"no coldstart case for {sorted(missing)}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"N = {N}; first fit in a new process; cold = empty NUMBA_CACHE_DIR and "
          f"INFOTHEORY_JAX_CACHE, warm = those caches filled; CPU = all threads of the "
          f"subprocess; load average {load:.2f} on {os.cpu_count()} cores")
    print("2nd s = a second fit on the same data in the warm subprocess (compute alone: what the "
          "first call costs beyond it is compilation, imports and first-call overhead; unless "
          "the kNN's first-call engines hand over to numba during it)")
    widths = (26, 9, 9, 9, 9, 9, 9)
    print(row(("estimator", "import s", "cold s", "cold CPU", "warm s", "warm CPU", "2nd s"),
              widths))
    worst_cold = worst_warm = 0.0
    for name in names:
        with tempfile.TemporaryDirectory(prefix="infotheory-cold-") as cache:
            cold = _child(CASES[name], cache)
            warm = _child(CASES[name], cache)
        worst_cold = max(worst_cold, cold["wall"])
        worst_warm = max(worst_warm, warm["wall"])
        print(row((name, f"{warm['import']:.2f}", f"{cold['wall']:.2f}", f"{cold['cpu']:.2f}",
                   f"{warm['wall']:.3f}", f"{warm['cpu']:.3f}", f"{warm['second']:.3f}"), widths),
              flush=True)
    print(f"slowest first call: cold {worst_cold:.2f} s, warm {worst_warm:.3f} s")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
