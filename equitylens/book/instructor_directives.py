"""Sphinx extension for the "For instructors" pages.

Directives:

``assessment-rubric``
    One required argument, a rubric id from ``book/data/rubrics.yml``; renders it as a
    table (criteria as rows, the three levels as columns).
``assignment-map``
    No arguments; renders ``book/data/assignments.yml`` as a table mapping each
    assignment to its stage, learning objectives and the time a student needs.
``public-api``
    No arguments; renders ``equitylens.__all__`` as one table per methods module:
    each public function and the first line of its docstring.
``published-table-message``
    No arguments; renders, as a text block, what ``grading.check_published_table`` tells a
    student who publishes the access assignment's raw counts (the real message, so the page
    shows the kit's current threshold and wording).
"""

from __future__ import annotations

import importlib
import inspect
import re
import textwrap
from pathlib import Path
from typing import Any, Final

from docutils import nodes
from sphinx.application import Sphinx

import equitylens
from equitylens.book.directives import _DataDirective
from equitylens.data import load
from equitylens.explore import scenarios
from equitylens.kit import assignments, grading, rubrics


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


_RST_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")


def _summary(value: object) -> str:
    """The first paragraph of ``value``'s docstring, on one line, as MyST table text."""
    doc = inspect.getdoc(value) or ""
    paragraph = " ".join(doc.split("\n\n")[0].split())
    return _RST_ROLE.sub(r"`\1`", paragraph).replace("``", "`").replace("|", "\\|")


def public_api_markdown() -> str:
    """The public functions of ``equitylens`` as Markdown tables, one per methods module."""
    by_module: dict[str, list[str]] = {}
    for name in equitylens.__all__:
        by_module.setdefault(equitylens._EXPORTS[name], []).append(name)
    parts: list[str] = []
    for module_name in sorted(by_module):
        module = importlib.import_module(module_name)
        parts += [f"### `{module_name}`", "", _summary(module), ""]
        parts += ["| Function | What it does |", "| --- | --- |"]
        parts += [f"| `equitylens.{name}` | {_summary(getattr(equitylens, name))} |" for name in by_module[module_name]]
        parts.append("")
    return "\n".join(parts)


class PublicApi(_DataDirective):
    """Render the public API table from ``equitylens.__all__`` and the docstrings."""

    required_arguments = 0
    optional_arguments = 0
    has_content = False

    def run(self) -> list[nodes.Node]:
        module = importlib.import_module("equitylens")
        assert module.__file__ is not None
        return self.parse_markdown(public_api_markdown(), Path(module.__file__))


#: The access assignment's table: its dimensions and count column (see ``book/assignments/access.ipynb``).
RAW_COUNTS_DIMS: Final[tuple[str, str]] = ("race_ethnicity", "service")
RAW_COUNTS_COUNT: Final = "n"


def raw_counts_message(width: int = 100) -> str:
    """What the published-table check says when a student publishes the raw service counts.

    The counts are the access assignment's (``scenarios.service_counts`` of the synthetic
    county), wrapped at ``width`` characters.
    """
    counts = scenarios.service_counts(load.county())
    try:
        grading.check_published_table(counts, dims=list(RAW_COUNTS_DIMS), count=RAW_COUNTS_COUNT)
    except AssertionError as failure:
        return textwrap.fill(str(failure), width=width)
    raise ValueError("the raw service counts pass check_published_table: the page's example no longer fails")


class PublishedTableMessage(_DataDirective):
    """Render the published-table check's message for the raw counts as a text block."""

    required_arguments = 0
    optional_arguments = 0
    has_content = False

    def run(self) -> list[nodes.Node]:
        try:
            text = raw_counts_message()
        except ValueError as exc:
            raise self.error(f"published-table-message: {exc}") from exc
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives with Sphinx."""
    app.add_directive("assessment-rubric", RubricDirective)
    app.add_directive("assignment-map", AssignmentMap)
    app.add_directive("public-api", PublicApi)
    app.add_directive("published-table-message", PublishedTableMessage)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
