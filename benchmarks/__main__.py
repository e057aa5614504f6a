"""Run every ``benchmarks/bench_*.py`` (or those named on the command line) in one process.

Each module exposes ``main(quick: bool = False)`` that prints a table with our estimate, the other
package's estimate, the true value where known, both times and the time ratio; compile time of our
numba/JAX kernels is measured on a warm-up call and printed apart from run time.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv=None) -> int:
    here = Path(__file__).parent
    available = sorted(
        m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")
    )
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"subset of {available}")
    parser.add_argument("--quick", action="store_true", help="smallest sizes only")
    args = parser.parse_args(argv)
    names = [n if n.startswith("bench_") else f"bench_{n}" for n in args.names] or available
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(f"benchmarks.{name}").main(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
