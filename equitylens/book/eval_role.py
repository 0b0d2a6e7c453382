"""The book's ``{eval}`` role: the results stored in the notebook, never a live kernel.

myst-nb's own ``{eval}`` needs its "inline" execution mode, which would run every notebook
on every build and defeat the build cache. Here the role reads the results that
``python -m equitylens.book.notebooks execute`` stored in each Markdown cell's
``metadata.user_expressions`` (see :mod:`equitylens.book.numbers`). An expression with no
stored result, or one that failed, is a warning, so ``-W`` fails the build.

Markdown cells are rendered in order, so the n-th ``{eval}`expr``` on a page takes the
result stored in the cell where ``expr`` occurs for the n-th time.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from equitylens.book.numbers import EVAL_ROLE, stored_results

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)
_STATE = "equitylens_eval_results"
_REMOVED = frozenset({"remove-cell", "remove_cell"})


def results_in_order(notebook: nbformat.NotebookNode) -> dict[str, deque[str | None]]:
    """For each expression, its stored text at each place it occurs in a rendered Markdown cell."""
    queues: dict[str, deque[str | None]] = {}
    for cell in notebook.cells:
        if cell.cell_type != "markdown" or _REMOVED & set(cell.metadata.get("tags", [])):
            continue
        stored = stored_results(cell.metadata)
        for match in EVAL_ROLE.finditer(cell.source):
            expression = match.group("expression")
            queues.setdefault(expression, deque()).append(stored.get(expression))
    return queues


def plain_text(text: str) -> str:
    """A stored ``text/plain`` as prose: a Python string literal loses its quotes."""
    if text[:1] in {"'", '"'}:
        try:
            value = ast.literal_eval(text)
        except (SyntaxError, ValueError):
            return text
        if isinstance(value, str):
            return value
    return text


class StoredEvalRole(SphinxRole):
    """``{eval}`expression```: the text stored for ``expression`` when the notebook last ran."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        document = self.inliner.document
        queues = document.get(_STATE)
        if queues is None:
            source = Path(self.env.doc2path(self.env.docname))
            if source.suffix != ".ipynb":
                return self._problem(f"{{eval}} works only in notebooks, not in {source.name}")
            notebook = nbformat.read(source, as_version=4)  # type: ignore[no-untyped-call]
            queues = results_in_order(notebook)
            document[_STATE] = queues
        queue = queues.get(self.text)
        text = queue.popleft() if queue else None
        if text is None:
            return self._problem(
                f"no stored result for {{eval}}`{self.text}`: run "
                "`python -m equitylens.book.notebooks execute` on this notebook"
            )
        shown = plain_text(text)
        return [nodes.inline(shown, shown, classes=["pasted-text"])], []

    def _problem(self, message: str) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        logger.warning(message, location=self.get_location(), type="equitylens", subtype="eval")
        return [nodes.problematic(self.rawtext, self.rawtext)], []


def _clear(app: Sphinx, doctree: nodes.document) -> None:
    """Drop the per-page results so that they are not pickled with the page."""
    doctree.attributes.pop(_STATE, None)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register ``{eval}`` (replacing myst-nb's kernel-backed role)."""
    app.add_role("eval", StoredEvalRole(), override=True)
    # Again once every extension is set up, whatever order they were loaded in.
    app.connect("builder-inited", lambda app: app.add_role("eval", StoredEvalRole(), override=True))
    app.connect("doctree-read", _clear)
    return {"parallel_read_safe": True}
