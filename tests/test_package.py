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


def test_registry_lists_every_estimator_exported_at_top_level():
    from infotheory._base import InfoEstimator

    registered = set(infotheory.all_estimators())
    exported = {
        name for name in infotheory.__all__
        if isinstance(getattr(infotheory, name), type)
        and issubclass(getattr(infotheory, name), InfoEstimator)
    }
    assert exported == registered


def test_import_and_public_names_load_neither_jax_nor_matplotlib():
    code = (
        "import sys, infotheory\n"
        "[getattr(infotheory, n) for n in infotheory.__all__]\n"
        "print('jax' in sys.modules, 'matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
