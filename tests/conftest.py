"""Shared pytest configuration: float64 JAX for every test that imports it."""

import os
import tempfile

os.environ.setdefault("JAX_ENABLE_X64", "1")
os.environ.setdefault("JAX_PLATFORMS", "cpu" if not os.environ.get("INFOTHEORY_TEST_GPU") else "")
os.environ.setdefault("MPLBACKEND", "Agg")
# NeuralMI's compiled programs go to a cache of the test runs, not the user's (JAX locks it, so
# the xdist workers share it safely); tests of the cache itself set their own folders.
os.environ.setdefault("INFOTHEORY_JAX_CACHE",
                      os.path.join(tempfile.gettempdir(), "infotheory-tests-jax-cache"))
