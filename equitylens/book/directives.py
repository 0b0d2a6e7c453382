"""Sphinx extension: render the kit's YAML content inside book pages.

Directives:

``practice-table``
    One required argument, a stage id (``planning`` ... ``reporting``); renders that
    stage's positive and problematic practices from ``book/data/practices.yml``.
``glossary-from-data``
    No arguments; renders ``book/data/glossary.yml`` as a Sphinx glossary, so
    ``{term}`` roles across the book resolve to it.

Both read from ``<srcdir>/data`` when it exists, else from the package default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from equitylens.data import content


class _DataDirective(SphinxDirective):
    """Shared helpers: locate a data file and parse generated MyST into nodes."""

    def data_file(self, name: str) -> Path:
        """Return the YAML file ``name``, preferring the book's own data folder."""
        local = Path(self.env.srcdir) / "data" / name
        return local if local.is_file() else content.DATA_DIR / name

    def parse_markdown(self, markdown: str, path: Path) -> list[nodes.Node]:
        """Record ``path`` as a dependency and parse ``markdown`` in place."""
        self.env.note_dependency(str(path))
        node = nodes.container()
        node.document = self.state.document
        lines = StringList(markdown.splitlines(), source=str(path))
        self.state.nested_parse(lines, self.content_offset, node)
        return list(node.children)


class PracticeTable(_DataDirective):
    """Render the practice table(s) for one life-cycle stage."""

    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
    has_content = False

    def run(self) -> list[nodes.Node]:
        stage_id = self.arguments[0].strip()
        path = self.data_file(content.PRACTICES_FILE)
        try:
            markdown = content.practices_markdown(stage_id, path)
        except ValueError as exc:
            raise self.error(f"practice-table: {exc}") from exc
        return self.parse_markdown(markdown, path)


class GlossaryFromData(_DataDirective):
    """Render the whole glossary from glossary.yml."""

    required_arguments = 0
    optional_arguments = 0
    has_content = False

    def run(self) -> list[nodes.Node]:
        path = self.data_file(content.GLOSSARY_FILE)
        try:
            markdown = content.glossary_markdown(path)
        except ValueError as exc:
            raise self.error(f"glossary-from-data: {exc}") from exc
        return self.parse_markdown(markdown, path)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives with Sphinx."""
    app.add_directive("practice-table", PracticeTable)
    app.add_directive("glossary-from-data", GlossaryFromData)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
