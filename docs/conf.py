"""Sphinx configuration of the infotheory site.

- Theme: the PyData Sphinx theme (dark mode, API sidebar, version switcher read from the local
  ``_static/switcher.json``).
- Math renders without a network: MathJax 3 is copied into ``_static/mathjax`` by
  ``sphinx-mathjax-offline`` and MyST's ``dollarmath``/``amsmath`` make ``$...$`` in the notebooks
  math.
- API pages: numpydoc docstrings, one page per public name (autosummary), grouped by family.
- The notebooks are rendered as stored (``make test`` executes them); the example gallery
  (sphinx-gallery, ``examples/``) and the figures of the guide (matplotlib's plot directive) are
  computed by every build, so what they show is what the installed package does.
"""

import os
import shutil
from pathlib import Path

import infotheory

# The notebooks live at the top level (executed by `make test`); Sphinx renders a copy.
_here = Path(__file__).parent
shutil.copytree(_here.parent / "notebooks", _here / "notebooks", dirs_exist_ok=True)

# Gallery scripts and guide figures run in this process: keep BLAS to one thread per process
# (the CI machine has two cores shared with pytest workers) and draw without a display.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

project = "infotheory"
author = "infotheory developers"
copyright = "infotheory developers"
release = infotheory.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # serves MathJax 3 from _static/mathjax instead of a CDN
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_nb",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]

# -- API pages -------------------------------------------------------------------------------
autosummary_generate = True
templates_path = ["_templates"]
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

# -- notebooks and math ----------------------------------------------------------------------
nb_execution_mode = "off"  # notebooks are executed by `make test` (nbmake) and stored with outputs
myst_enable_extensions = ["dollarmath", "amsmath"]
# The gallery also writes a .ipynb of every example; those are downloads, not pages.
exclude_patterns = [
    "_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb", "sg_execution_times.rst",
]
suppress_warnings = ["myst.header"]
intersphinx_mapping = {}

# -- example gallery -------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    # An example that raises fails the build (sphinx-gallery's default), so the gallery can only
    # show code that runs on the current package.
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "min_reported_time": 1,
    # Show what the scripts print, not the repr of a last expression such as ax.legend().
    "capture_repr": (),
    # No execution-time pages: sphinx-gallery builds them with tables from a CDN.
    "write_computation_times": False,
    # Re-run unchanged scripts too: the package under them may have changed.
    "run_stale_examples": True,
}

# -- figures of the guide (matplotlib.sphinxext.plot_directive) ------------------------------
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.autolayout": False}
plot_apply_rcparams = True

# -- HTML ------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_static_path = ["_static"]
html_title = f"infotheory {release}"
html_theme_options = {
    # Each published version lives at /<version>/ of the docs host, listed in switcher.json (add
    # an entry per release). The file is checked from this source tree at build time and read by
    # the browser from the site itself, never from another host; browsers refuse to read it
    # from file://, so the menu works when the site is served (python -m http.server).
    "switcher": {"json_url": "_static/switcher.json", "version_match": release},
    "navbar_end": ["version-switcher", "theme-switcher", "navbar-icon-links"],
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# The home page and the guide have no section tree worth a sidebar; the guide's table needs room.
html_sidebars = {"index": [], "guide/*": []}
