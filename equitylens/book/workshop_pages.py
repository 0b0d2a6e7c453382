"""Sphinx extension: render the session plans in ``workshops/`` as book pages.

Directives:

``workshop-plan``
    One required argument, a plan's file stem (``00-orientation`` ... ``07-deliberation``);
    renders that plan, its title and headings included, so the page needs nothing else.
    Use it alone, at the top level of a page.
``workshop-series``
    No arguments; a table of every session in the series, linked to its page.

The plans stay the single source: the book never holds a copy. Both directives read from
``<srcdir>/workshops`` when it exists, else from the package default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from equitylens.kit import workshops


class _WorkshopDirective(SphinxDirective):
    def folder(self) -> Path:
        local = Path(self.env.srcdir) / "workshops"
        return local if local.is_dir() else workshops.WORKSHOP_DIR

    def parse(self, markdown: str, sources: list[Path], *, titles: bool) -> list[nodes.Node]:
        for path in sources:
            self.env.note_dependency(str(path))
        node = nodes.container()
        node.document = self.state.document
        lines = StringList(markdown.splitlines(), source=str(sources[0]))
        self.state.nested_parse(lines, self.content_offset, node, match_titles=titles)
        return list(node.children)


class WorkshopPlan(_WorkshopDirective):
    """Render one session plan as a whole page."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        folder = self.folder()
        path = folder / f"{self.arguments[0].strip()}.md"
        try:
            plan = workshops.load_plan(path)
            workshops.check_agenda(plan, workshops.load_activities(folder / workshops.ACTIVITIES_FILE))
            markdown = workshops.plan_markdown(plan)
        except ValueError as exc:
            raise self.error(f"workshop-plan: {exc}") from exc
        return self.parse(markdown, [path, folder / workshops.ACTIVITIES_FILE], titles=True)


class WorkshopSeries(_WorkshopDirective):
    """A table of the whole series."""

    required_arguments = 0
    has_content = False

    def run(self) -> list[nodes.Node]:
        folder = self.folder()
        try:
            markdown = workshops.series_markdown(folder)
        except ValueError as exc:
            raise self.error(f"workshop-series: {exc}") from exc
        return self.parse(markdown, sorted(folder.glob(workshops.PLAN_PATTERN)), titles=False)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives with Sphinx."""
    app.add_directive("workshop-plan", WorkshopPlan)
    app.add_directive("workshop-series", WorkshopSeries)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
