"""Show the lines of the source that compute each equation, found by their text.

Line numbers written into the docs go stale as soon as the code moves. Here the
docs name the *text* of a line instead, and the build finds it:

``.. source-function:: sklearn_shallow.network.forward``
    includes the function's body (after its docstring) with its real line
    numbers; the lines holding
    each fragment of the ``:emphasize:`` option (one per line) are highlighted.

``:source-line:`forward | Z = params[f"W{l}"] @ A```
    renders as "line N", a link to that line's function block on the same page.

A fragment that is not found in the function, or found on more than one line,
is an error (a warning, fatal under ``-W``), so the docs cannot silently point
at the wrong line.
"""

import ast
import importlib
import inspect
import os
from functools import cache
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.directives.code import LiteralInclude
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

logger = logging.getLogger(__name__)

DEFAULT_MODULE = "sklearn_shallow.network"


@cache
def _function_span(module_name, function):
    """Source file, source lines and the 1-based (first, last) line of a top-level function."""
    module = importlib.import_module(module_name)
    path = Path(inspect.getsourcefile(module))
    text = path.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == function:
            return path, tuple(text.splitlines()), _first_code_line(node), node.end_lineno
    raise LookupError(f"{module_name} has no top-level function {function!r}")


def _first_code_line(node):
    """The first line after the docstring (the docstring is in the API reference)."""
    body = node.body
    has_docstring = (
        isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )
    if has_docstring and len(body) > 1:
        return body[1].lineno
    return min([node.lineno] + [d.lineno for d in node.decorator_list])


def _split_target(target):
    """``'module.function'`` or ``'function'`` (in sklearn_shallow.network)."""
    module_name, _, function = target.rpartition(".")
    return module_name or DEFAULT_MODULE, function


def find_line(target, fragment):
    """The 1-based line number, in its file, of the one line of ``target`` holding ``fragment``."""
    module_name, function = _split_target(target)
    _, lines, first, last = _function_span(module_name, function)
    found = [n for n in range(first, last + 1) if fragment in lines[n - 1]]
    if len(found) != 1:
        where = "no line" if not found else f"{len(found)} lines ({found})"
        raise LookupError(f"{where} of {module_name}.{function} holds {fragment!r}")
    return found[0]


def block_id(target):
    return nodes.make_id("source-" + _split_target(target)[1])


class SourceFunction(LiteralInclude):
    """Include one function of the package with real line numbers and emphasised lines."""

    required_arguments = 1
    option_spec = {"emphasize": directives.unchanged, "caption": directives.unchanged}

    def run(self):
        target = self.arguments[0]
        module_name, function = _split_target(target)
        try:
            path, _, first, last = _function_span(module_name, function)
            fragments = [f.strip() for f in self.options.get("emphasize", "").splitlines()]
            emphasised = [find_line(target, f) - first + 1 for f in fragments if f]
        except (ImportError, LookupError) as error:
            return [self.state.document.reporter.warning(str(error), line=self.lineno)]
        document_dir = Path(self.env.doc2path(self.env.docname)).parent
        self.arguments = [os.path.relpath(path, document_dir)]
        self.options = {
            "lines": f"{first}-{last}",
            "lineno-match": True,
            "language": "python",
            "caption": self.options.get(
                "caption",
                f"``{function}()`` in ``{module_name.replace('.', '/')}.py``, "
                f"lines {first}-{last}",
            ),
        }
        if emphasised:
            self.options["emphasize-lines"] = ",".join(map(str, emphasised))
        result = super().run()
        result[0]["ids"].append(block_id(target))
        return result


class SourceLine(SphinxRole):
    """``:source-line:`function | fragment``` -> "line N", linking to the function block."""

    def run(self):
        target, _, fragment = self.text.partition("|")
        target, fragment = target.strip(), fragment.strip()
        try:
            number = find_line(target, fragment)
        except (ImportError, LookupError) as error:
            message = self.inliner.reporter.warning(str(error), line=self.lineno)
            return [nodes.problematic(self.rawtext, self.rawtext)], [message]
        label = nodes.literal("", f"line {number}")
        reference = nodes.reference("", "", label, internal=True, refid=block_id(target))
        return [reference], []


def setup(app):
    app.add_directive("source-function", SourceFunction)
    app.add_role("source-line", SourceLine())
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
