"""Rubrics for written-judgement exercises, stored once as data and rendered anywhere.

``book/data/rubrics.yml`` holds every rubric: criteria, each described at three levels
(``strong``, ``developing``, ``beginning``; 2, 1 and 0 points). An instructor grades with
it; a learner self-assesses with it. :func:`show` puts one in a notebook (the book shows
the same HTML), :func:`rubric_markdown` feeds the ``assessment-rubric`` directive, and
:func:`rubric_table` gives a tidy DataFrame.

>>> rubric_table("planning-table")[["criterion", "level", "points"]].head(3)
               criterion       level  points
0  Names who is affected      strong       2
1  Names who is affected  developing       1
2  Names who is affected   beginning       0
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Final

import pandas as pd

from equitylens.data import content

RUBRICS_FILE: Final = "rubrics.yml"
LEVELS: Final[tuple[str, ...]] = ("strong", "developing", "beginning")
LEVEL_POINTS: Final[dict[str, int]] = {"strong": 2, "developing": 1, "beginning": 0}
LEVEL_TITLES: Final[dict[str, str]] = {
    "strong": "Strong (2)",
    "developing": "Developing (1)",
    "beginning": "Beginning (0)",
}
ERR_UNKNOWN: Final = "rubric_id={value!r} is not in rubrics.yml; available: {allowed}"


def load_rubrics(path: Path | str | None = None) -> dict[str, dict[str, Any]]:
    """Load and validate ``rubrics.yml``; return rubrics keyed by id, in file order."""
    file = Path(path) if path is not None else content.DATA_DIR / RUBRICS_FILE
    data = content.read_yaml(file)
    if not isinstance(data, list) or not data:
        raise ValueError(f"{file}: expected a non-empty list of rubrics")
    out: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(data):
        where = f"{file}: rubric {i}"
        rubric = content._require(raw, ("id", "title", "criteria"), where)
        rid = str(content._text(rubric["id"], f"{where}.id"))
        if rid in out:
            raise ValueError(f"{where}: duplicate id {rid!r}")
        content._text(rubric["title"], f"{where}.title")
        criteria = rubric["criteria"]
        if not isinstance(criteria, list) or not criteria:
            raise ValueError(f"{where}: criteria must be a non-empty list")
        for j, criterion in enumerate(criteria):
            cwhere = f"{where}.criteria[{j}]"
            content._require(criterion, ("name", *LEVELS), cwhere)
            for key in ("name", *LEVELS):
                content._text(criterion[key], f"{cwhere}.{key}")
        out[rid] = rubric
    return out


def _get(rubric_id: str, path: Path | str | None) -> dict[str, Any]:
    rubrics = load_rubrics(path)
    if rubric_id not in rubrics:
        raise ValueError(ERR_UNKNOWN.format(value=rubric_id, allowed=list(rubrics)))
    return rubrics[rubric_id]


def rubric_table(rubric_id: str, *, path: Path | str | None = None) -> pd.DataFrame:
    """One rubric as a tidy table: ``criterion``, ``level``, ``points``, ``description``."""
    rubric = _get(rubric_id, path)
    rows = [
        {"criterion": c["name"], "level": level, "points": LEVEL_POINTS[level], "description": c[level].strip()}
        for c in rubric["criteria"]
        for level in LEVELS
    ]
    return pd.DataFrame(rows)


def max_points(rubric_id: str, *, path: Path | str | None = None) -> int:
    """Highest score the rubric can give (2 points per criterion)."""
    return LEVEL_POINTS["strong"] * len(_get(rubric_id, path)["criteria"])


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def rubric_markdown(rubric_id: str, *, path: Path | str | None = None) -> str:
    """The rubric as a MyST table (criteria as rows, levels as columns)."""
    rubric = _get(rubric_id, path)
    header = ["Criterion", *(LEVEL_TITLES[level] for level in LEVELS)]
    lines = [
        f"**Rubric: {_cell(rubric['title'])}** ({max_points(rubric_id, path=path)} points)",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for c in rubric["criteria"]:
        lines.append("| " + " | ".join([f"**{_cell(c['name'])}**", *(_cell(c[level]) for level in LEVELS)]) + " |")
    return "\n".join(lines) + "\n"


def rubric_html(rubric_id: str, *, path: Path | str | None = None) -> str:
    """The rubric as an accessible HTML table (caption, header cells with scope)."""
    rubric = _get(rubric_id, path)
    head = "".join(f'<th scope="col">{html.escape(LEVEL_TITLES[level])}</th>' for level in LEVELS)
    rows = "".join(
        f'<tr><th scope="row">{html.escape(c["name"])}</th>'
        + "".join(f"<td>{html.escape(' '.join(c[level].split()))}</td>" for level in LEVELS)
        + "</tr>"
        for c in rubric["criteria"]
    )
    caption = f"Rubric: {rubric['title']} ({max_points(rubric_id, path=path)} points)"
    return (
        f'<table class="table equitylens-rubric"><caption>{html.escape(caption)}</caption>'
        f'<thead><tr><th scope="col">Criterion</th>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )


class Rubric:
    """A rubric for display in Jupyter and in the book (HTML, with a Markdown fallback)."""

    def __init__(self, rubric_id: str, *, path: Path | str | None = None) -> None:
        self.rubric_id = rubric_id
        self._html = rubric_html(rubric_id, path=path)
        self._markdown = rubric_markdown(rubric_id, path=path)

    def _repr_html_(self) -> str:
        return self._html

    def __repr__(self) -> str:
        return self._markdown


def show(rubric_id: str, *, path: Path | str | None = None) -> Rubric:
    """Display one rubric in a notebook cell: ``rubrics.show("planning-purpose")``."""
    return Rubric(rubric_id, path=path)
