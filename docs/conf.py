"""Sphinx configuration of the sklearn-shallow documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
The gallery (``examples/plot_*.py``) runs during the build. Nothing is fetched
from the network: intersphinx is off and the theme's assets are local.
"""

import importlib
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

from threadpoolctl import threadpool_limits  # noqa: E402

import sklearn_shallow  # noqa: E402

project = "sklearn-shallow"
author = "sklearn-shallow developers"
copyright = "2026, sklearn-shallow developers"
version = release = sklearn_shallow.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sourcelines",
    "optional_pages",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**.codeobj.json"]
root_doc = "index"
default_role = "literal"
nitpicky = False

# -- autodoc / autosummary / numpydoc -------------------------------------------------

autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False


def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    """Leave out ``set_fit_request`` and the like: scikit-learn generates them for
    metadata routing, and their docstrings point into scikit-learn's own docs."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)


# -- sphinx-gallery --------------------------------------------------------------------

# Examples whose optional dependency is not installed are shown but not run, so
# that the build passes with the [docs] extra alone.
_OPTIONAL_EXAMPLE_MODULES = {"plot_dask_": "dask.distributed"}


def _module_available(name):
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def _executed_examples_pattern():
    skipped = [
        prefix
        for prefix, module in _OPTIONAL_EXAMPLE_MODULES.items()
        if not _module_available(module)
    ]
    if not skipped:
        return r"/plot_"
    return r"/plot_(?!" + "|".join(p.removeprefix("plot_") for p in skipped) + ")"


sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": _executed_examples_pattern(),
    "within_subsection_order": "gallery_order.ExampleOrder",
    "doc_module": ("sklearn_shallow",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"sklearn_shallow": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "show_memory": False,
    # No sg_execution_times.rst in docs/: it would be an untracked generated file.
    "write_computation_times": False,
    "capture_repr": ("_repr_html_", "__repr__"),
}

# The examples fit small networks, where BLAS threads only add overhead; on a
# busy machine they also make the timings of plot_compare_mlp.py meaningless.
threadpool_limits(limits=1)

# The examples draw with the non-interactive backend.
os.environ["MPLBACKEND"] = "Agg"

# -- HTML ------------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-shallow {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "navigation_with_keys": False,
}
html_context = {"default_mode": "light"}
# Pages without sub-pages need no left sidebar; the gallery keeps its list of examples.
html_sidebars = {page: [] for page in ["index", "install", "user_guide", "api", "dask"]}
