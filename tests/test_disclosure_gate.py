"""The disclosure gate over the built book (issue 12, item 5).

Reads every built page's chart data (the Vega-Lite specs: ``datasets`` and inline
``data.values``) and HTML tables, and fails on any count from 1 to threshold - 1 and on
any rate whose numerator is in that range. Numerators are recomputed without the
masking code: from a rate and its denominator in the same row, and, for the comparison
explorable (whose rows carry no denominator), with a plain groupby of the synthetic
county in ``datasets/``.

A cell that shows an unsafe table on purpose (to teach the attack) carries the notebook
cell tag ``unsafe-on-purpose`` (myst-nb writes it as the class
``tag_unsafe-on-purpose``); such cells are skipped, and the pages holding them must be
exactly those listed in ``UNSAFE_ON_PURPOSE``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from equitylens.data import load
from equitylens.methods.policy import DEFAULT_POLICY
from tests.book_pages import built_pages

K = DEFAULT_POLICY.k
TAG = "tag_unsafe-on-purpose"
# Pages allowed to show an unsafe table, each in a tagged cell, and why.
UNSAFE_ON_PURPOSE: dict[str, str] = {
    "book/stages/access/reidentification.html": (
        "the suppression explorable: its 'No protection' and 'Primary suppression only' views show "
        "what an attacker gets from an unprotected table"
    ),
    "book/labs/choices.html": "the same suppression explorable, in the lab",
}
# The suppression explorable's cells: the text a reader sees, unless the state says it
# is hidden or rounded (HUD rounding shows 1-7 as 4: not the true count).
SHOWN_COLUMNS = ("text", "shown")
NOT_A_COUNT_STATES = {"Rounded", "Hidden and protected", "Hidden, but the attack narrows it below the threshold"}

# Columns that hold counts of people (or records of people).
COUNT_COLUMNS = {
    "numerator",
    "denominator",
    "n",
    "count",
    "children",
    "people",
    "missing",
    "answered",
    "agree",
    "not_agree",
    "true_matches",
    "records",
    "events",
    "students",
}
# Columns that are a share of the row's denominator column (and the scale of the share).
RATE_COLUMNS = {"rate": 1.0, "share_agree": 1.0, "per_1000": 1000.0}
DENOMINATORS = ("denominator", "children", "answered", "students", "people")

# The comparison explorable: outcome label -> (county column, who is counted).
COMPARISON_OUTCOMES = {
    "Reported to child welfare": ("cw_reported", "children"),
    "Substantiated report": ("cw_substantiated", "children"),
    "Referred to juvenile justice": ("jj_referred", "children"),
    "Chronically absent from school": ("chronically_absent", "students"),
}
COMPARISON_NUMBERS = ("rate", "value", "lower", "upper", "axis_value", "axis_lower", "axis_upper")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    text = str(value).strip().replace(",", "")
    scale = 100.0 if text.endswith("%") else 1.0
    try:
        number = float(text.rstrip("%")) / scale
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _small(value: float | None) -> bool:
    return value is not None and 1 <= round(value) < K and abs(value - round(value)) < 1e-9


def row_problems(row: dict[str, Any], small_comparisons: set[tuple[str, str]]) -> list[str]:
    """Why a published row discloses a small count (empty when it does not)."""
    problems = []
    lower = {str(k).strip().lower(): v for k, v in row.items()}
    for column in COUNT_COLUMNS & set(lower):
        if _small(_number(lower[column])):
            problems.append(f"{column}={lower[column]!r}")
    for column, scale in RATE_COLUMNS.items():
        rate = _number(lower.get(column))
        for denominator in DENOMINATORS:
            n = _number(lower.get(denominator))
            if rate is not None and n is not None:
                numerator = round(rate / scale * n)
                if 1 <= numerator < K:
                    problems.append(f"{column}={lower[column]!r} of {denominator}={lower[denominator]!r}: {numerator}")
                break
    if "state" in lower and str(lower["state"]) not in NOT_A_COUNT_STATES:
        for column in SHOWN_COLUMNS:
            if column in lower and _small(_number(lower[column])):
                problems.append(f"{column}={lower[column]!r} ({lower['state']})")
        low, high = _number(lower.get("lower")), _number(lower.get("upper"))
        if low is not None and low == high and _small(low):
            problems.append(f"an attacker recovers {low:.0f}")
    key = (str(lower.get("outcome", "")), str(lower.get("race_ethnicity", "")))
    if key in small_comparisons:
        shown = [c for c in COMPARISON_NUMBERS if _number(lower.get(c)) is not None]
        if shown:
            problems.append(f"{key[1]} / {key[0]} rests on a small count but shows {shown}")
    return problems


def _cells(text: str) -> list[tuple[int, bool]]:
    """(position, tagged) of every notebook cell container in a built page."""
    # The outer container only: its class is "cell ..." (not "cell_input"/"cell_output").
    return [(m.start(), TAG in m.group(1)) for m in re.finditer(r'<div class="(cell(?: [^"]*)?)"', text)]


def _tagged(cells: list[tuple[int, bool]], position: int) -> bool:
    before = [tagged for start, tagged in cells if start <= position]
    return bool(before and before[-1])


def chart_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(position, row) for every data row of every Vega-Lite spec in a page."""
    for match in re.finditer(r"embed\(target, ", text):  # equitylensEmbed or vegaEmbed
        chunk = text[match.end() :]
        spec = json.loads(chunk.split(', {"renderer"')[0])
        for values in spec.get("datasets", {}).values():
            for row in values:
                yield match.start(), row
        stack = [spec]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                data = node.get("data")
                if isinstance(data, dict) and isinstance(data.get("values"), list):
                    for row in data["values"]:
                        if isinstance(row, dict):
                            yield match.start(), row
                stack.extend(v for k, v in node.items() if k != "datasets")
            elif isinstance(node, list):
                stack.extend(node)


def table_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(position, row) for every body row of every HTML table in a page."""
    soup = BeautifulSoup(text, "html.parser")
    for table in soup.find_all("table"):
        position = text.find(str(table)[:200])
        head = table.find("thead")
        if head is None:
            continue
        names = [th.get_text(strip=True) for th in head.find_all("tr")[-1].find_all(["th", "td"])]
        body = table.find("tbody") or table
        for tr in body.find_all("tr"):
            values = [td.get_text(strip=True) for td in tr.find_all(["th", "td"])]
            if len(values) == len(names):
                yield max(position, 0), dict(zip(names, values, strict=True))


@pytest.fixture(scope="module")
def small_comparisons() -> set[tuple[str, str]]:
    """(outcome label, group) whose count in the comparison explorable is 1..K-1, by plain groupby."""
    county = load.county()
    children = county[county["age"] < 18]
    found = set()
    for label, (column, who) in COMPARISON_OUTCOMES.items():
        people = children[children["student"]] if who == "students" else children
        grouped = people.groupby(people["race_ethnicity"].astype(str))[column].agg(["sum", "count"])
        small = ((grouped["sum"] > 0) & (grouped["sum"] < K)) | (grouped["count"] < K)
        found |= {(label, str(g)) for g in grouped.index[small]}
    return found


def test_the_oracle_finds_the_groups_the_issue_names(small_comparisons) -> None:
    nhpi, mena = "Native Hawaiian or Pacific Islander", "Middle Eastern or North African"
    assert ("Substantiated report", nhpi) in small_comparisons
    assert {("Referred to juvenile justice", nhpi), ("Referred to juvenile justice", mena)} <= small_comparisons


def test_row_rules_catch_counts_rates_and_comparisons() -> None:
    assert row_problems({"numerator": 4, "denominator": 415}, set())
    assert row_problems({"rate": 4 / 415, "denominator": 415}, set())
    assert row_problems({"Rate": "1.0%", "denominator": "415"}, set())
    assert row_problems({"outcome": "o", "race_ethnicity": "g", "axis_value": 1.2}, {("o", "g")})
    assert not row_problems({"outcome": "o", "race_ethnicity": "g", "axis_value": None}, {("o", "g")})
    assert not row_problems({"numerator": 0, "denominator": 415, "rate": 0.0}, set())
    assert not row_problems({"numerator": 40, "denominator": 415, "rate": 40 / 415}, set())
    assert row_problems({"state": "Small count shown", "text": "4"}, set())
    assert not row_problems({"state": "Rounded", "text": "4"}, set())
    assert row_problems({"state": "Hidden, but the attack recovers it", "lower": 3, "upper": 3}, set())


def test_no_built_page_discloses_a_small_count(built_book, small_comparisons) -> None:
    html = Path(str(built_book["html"]))
    assert html.is_dir(), built_book["log"]
    failures: list[str] = []
    tagged_pages: set[str] = set()
    for page in built_pages(html):
        text = page.read_text(encoding="utf-8")
        cells = _cells(text)
        name = page.relative_to(html).as_posix()
        for source, rows in (("chart", chart_rows(text)), ("table", table_rows(text))):
            for position, row in rows:
                problems = row_problems(row, small_comparisons)
                if not problems:
                    continue
                if _tagged(cells, position):
                    tagged_pages.add(name)
                    continue
                failures.append(f"{name} ({source}): {'; '.join(problems)}")
    assert not failures, f"{len(failures)} disclosures:\n" + "\n".join(sorted(set(failures))[:80])
    assert tagged_pages <= set(UNSAFE_ON_PURPOSE), f"unlisted unsafe-on-purpose pages: {tagged_pages}"
    assert set(UNSAFE_ON_PURPOSE) <= tagged_pages, "listed pages no longer show an unsafe table: update the list"
