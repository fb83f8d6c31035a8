"""Pages and API sections that exist only when other parts of the package do.

``docs/dask.rst`` and the modules ``sklearn_shallow.dask``, ``.io`` and ``.onnx``
are optional: the dask page is listed in the toctree when the file exists, and a
module gets an API section when it imports (its optional dependencies may be
missing). The marker comments ``.. optional-pages`` (in ``index.rst``) and
``.. optional-api`` (in ``api.rst``) are replaced at read time.

The public names of the package and of its always-present modules are listed
in ``api.rst`` by hand; a name missing there is a build warning, so that the
API reference cannot fall behind ``__all__``.
"""

import importlib
import inspect
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

OPTIONAL_PAGES = ["dask"]

OPTIONAL_MODULES = {
    "sklearn_shallow.dask": "Dask: training on arrays larger than memory",
    "sklearn_shallow.io": "Persistence",
    "sklearn_shallow.onnx": "ONNX export",
}


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return sorted(n for n in names if not n.startswith("__"))


def _api_section(module_name, title):
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        logger.info("API: %s is not documented (%s)", module_name, error)
        return ""
    entries = "\n".join(f"   {name}" for name in _public_names(module))
    # autosummary stubs are generated from the files before this hook runs, so the
    # optional modules are documented in place: a summary table, then the members.
    return (
        f"{title}\n{'-' * len(title)}\n\n"
        f".. currentmodule:: {module_name}\n\n"
        f".. autosummary::\n\n{entries}\n\n"
        f".. automodule:: {module_name}\n   :members:\n\n"
    )


def _fill(app, docname, source):
    text = source[0]
    if docname == "index" and ".. optional-pages" in text:
        present = [p for p in OPTIONAL_PAGES if (Path(app.srcdir) / f"{p}.rst").exists()]
        text = text.replace(".. optional-pages", "\n".join(f"   {p}" for p in present))
    if docname == "api" and ".. optional-api" in text:
        sections = [_api_section(name, title) for name, title in OPTIONAL_MODULES.items()]
        text = text.replace(".. optional-api", "".join(sections))
    source[0] = text


LISTED_MODULES = ["sklearn_shallow", "sklearn_shallow.network", "sklearn_shallow.plotting"]


def _check_api_is_complete(app):
    listed = {line.strip() for line in (Path(app.srcdir) / "api.rst").read_text().splitlines()}
    for module_name in LISTED_MODULES:
        module = importlib.import_module(module_name)
        for name in _public_names(module):
            is_module = inspect.ismodule(getattr(module, name, None))
            if not is_module and name not in listed:
                logger.warning(
                    "%s.%s is public (in __all__) but not listed in api.rst", module_name, name
                )


def _always_reread(app, env, added, changed, removed):
    """``index`` and ``api`` depend on files and modules Sphinx does not track."""
    return ["index", "api"]


def setup(app):
    app.connect("source-read", _fill)
    app.connect("env-get-outdated", _always_reread)
    app.connect("builder-inited", _check_api_is_complete)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
