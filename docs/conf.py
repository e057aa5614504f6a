"""Sphinx configuration: numpydoc API pages and the executed notebooks (rendered, not re-run)."""

import shutil
from pathlib import Path

import infotheory

# The notebooks live at the top level (executed by `make test`); Sphinx renders a copy.
_here = Path(__file__).parent
shutil.copytree(_here.parent / "notebooks", _here / "notebooks", dirs_exist_ok=True)

project = "infotheory"
author = "infotheory developers"
release = infotheory.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_nb",
]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# scikit-learn generates set_*_request methods for fit/score parameters; their docstrings are
# scikit-learn's, not ours, and are not valid numpydoc.
autodoc_default_options = {
    "members": True,
    "inherited-members": False,
    "exclude-members": "set_fit_request, set_score_request, set_partial_fit_request",
}
autodoc_typehints = "none"
nb_execution_mode = "off"  # notebooks are executed by `make test` (nbmake) and stored with outputs
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "alabaster"
intersphinx_mapping = {}
suppress_warnings = ["myst.header"]
