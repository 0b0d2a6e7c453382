"""Sphinx extension for the "For instructors" pages.

Directives:

``assessment-rubric``
    One required argument, a rubric id from ``book/data/rubrics.yml``; renders it as a
    table (criteria as rows, the three levels as columns).
``assignment-map``
    No arguments; renders ``book/data/assignments.yml`` as a table mapping each
    assignment to its stage, learning objectives and the time a student needs.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from equitylens.book.directives import _DataDirective
from equitylens.kit import assignments, rubrics


class RubricDirective(_DataDirective):
    """Render one rubric from rubrics.yml."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False

    def run(self) -> list[nodes.Node]:
        path = self.data_file(rubrics.RUBRICS_FILE)
        try:
            markdown = rubrics.rubric_markdown(self.arguments[0].strip(), path=path)
        except ValueError as exc:
            raise self.error(f"assessment-rubric: {exc}") from exc
        return self.parse_markdown(markdown, path)


class AssignmentMap(_DataDirective):
    """Render the assignment map from assignments.yml."""

    required_arguments = 0
    optional_arguments = 0
    has_content = False

    def run(self) -> list[nodes.Node]:
        path = self.data_file(assignments.ASSIGNMENTS_FILE)
        try:
            markdown = assignments.assignment_map_markdown(path)
        except ValueError as exc:
            raise self.error(f"assignment-map: {exc}") from exc
        return self.parse_markdown(markdown, path)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives with Sphinx."""
    app.add_directive("assessment-rubric", RubricDirective)
    app.add_directive("assignment-map", AssignmentMap)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
