"""Shared pytest configuration: float64 JAX, a JAX cache for test runs, repeatable examples."""

import os
import tempfile

from hypothesis import settings

os.environ.setdefault("JAX_ENABLE_X64", "1")
os.environ.setdefault("JAX_PLATFORMS", "cpu" if not os.environ.get("INFOTHEORY_TEST_GPU") else "")
os.environ.setdefault("MPLBACKEND", "Agg")
# NeuralMI's compiled programs go to a cache of the test runs, not the user's (JAX locks it, so
# the xdist workers share it safely); tests of the cache itself set their own folders.
os.environ.setdefault("INFOTHEORY_JAX_CACHE",
                      os.path.join(tempfile.gettempdir(), "infotheory-tests-jax-cache"))

# `make test` (and CI) draws the same property-test examples every run, so that a red build is
# reproducible and never depends on the day's random examples; plain pytest and `make test-all`
# keep exploring new ones (a failure prints the example and a reproduction blob).
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
