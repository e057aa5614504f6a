"""Side-by-side benchmarks: ``python -m benchmarks [NAME ...]`` runs ``bench_*.py`` modules."""
