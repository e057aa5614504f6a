"""Shared pytest configuration: float64 JAX for every test that imports it."""

import os

os.environ.setdefault("JAX_ENABLE_X64", "1")
os.environ.setdefault("JAX_PLATFORMS", "cpu" if not os.environ.get("INFOTHEORY_TEST_GPU") else "")
os.environ.setdefault("MPLBACKEND", "Agg")
