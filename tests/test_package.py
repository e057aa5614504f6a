"""The package surface: every advertised public name resolves, and importing stays light."""

import subprocess
import sys

import infotheory


def test_every_public_name_resolves():
    for name in infotheory.__all__:
        assert getattr(infotheory, name) is not None, name


def test_unknown_attribute_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="has no attribute 'NoSuchEstimator'"):
        infotheory.NoSuchEstimator  # noqa: B018


def test_discovery_lists_every_estimator_exported_at_top_level():
    from infotheory._base import InfoEstimator

    registered = set(infotheory.all_estimators())
    exported = {
        name for name in infotheory.__all__
        if isinstance(getattr(infotheory, name), type)
        and issubclass(getattr(infotheory, name), InfoEstimator)
    }
    assert exported == registered


def test_import_and_public_names_load_neither_jax_nor_matplotlib_nor_dask():
    heavy = ("jax", "matplotlib", "dask", "distributed", "zarr")
    code = (
        "import sys, infotheory\n"
        "[getattr(infotheory, n) for n in infotheory.__all__]\n"
        f"print(*[m in sys.modules for m in {heavy!r}])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"] * len(heavy)


def test_lazy_table_points_to_the_defining_subpackage():
    for name, cls in infotheory.all_estimators().items():
        assert name in infotheory._LAZY, f"{name} is not exported by infotheory"
        sub = infotheory._LAZY[name]
        assert cls.__module__.startswith(f"infotheory.{sub}"), (name, cls.__module__, sub)


def test_a_users_estimator_of_the_same_name_does_not_replace_the_packages():
    from infotheory._base import InfoEstimator

    original = infotheory.all_estimators()["KLEntropy"]
    namespace = {"InfoEstimator": InfoEstimator, "__name__": "__main__"}
    exec("class KLEntropy(InfoEstimator):\n    pass\n", namespace)  # as in a notebook
    assert infotheory.all_estimators()["KLEntropy"] is original
    assert namespace["KLEntropy"] not in infotheory.all_estimators().values()
