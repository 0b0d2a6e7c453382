"""The built book: warning-free, offline, small, and its charts draw."""

from __future__ import annotations

import json
import re
from pathlib import Path

OFFSITE = re.compile(r"""<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)=["']((?:https?:)?//[^"']+)""", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?((?:https?:)?//[^)"']+)""", re.I)
PAGE_LIMIT = 1.5 * 1024 * 1024


def pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def test_book_builds_without_warnings(built_book):
    warnings = [line for line in str(built_book["log"]).splitlines() if re.search(r": (WARNING|ERROR|CRITICAL)", line)]
    assert built_book["returncode"] == 0, "\n".join(warnings) or str(built_book["log"])[-3000:]
    assert not warnings, "\n".join(warnings)


def test_no_page_loads_anything_from_another_site(built_book):
    html = Path(str(built_book["html"]))
    offenders = []
    for page in pages(html):
        for url in OFFSITE.findall(page.read_text(encoding="utf-8")):
            offenders.append(f"{page.relative_to(html)}: {url}")
    for sheet in html.joinpath("_static").rglob("*.css"):
        for url in CSS_URL.findall(sheet.read_text(encoding="utf-8", errors="ignore")):
            offenders.append(f"{sheet.relative_to(html)}: {url}")
    assert not offenders, "\n".join(offenders)


def test_chart_pages_load_the_local_bundle(built_book):
    html = Path(str(built_book["html"]))
    chart_pages = [p for p in pages(html) if "equitylens-chart" in p.read_text(encoding="utf-8")]
    assert chart_pages, "no page holds a chart"
    for page in chart_pages:
        assert "_static/equitylens/vega-bundle.js" in page.read_text(encoding="utf-8"), page.name
    assert (html / "_static" / "equitylens" / "vega-bundle.js").stat().st_size > 100_000


def test_pages_stay_small(built_book):
    html = Path(str(built_book["html"]))
    heavy = [
        f"{p.relative_to(html)}: {p.stat().st_size / 1e6:.2f} MB" for p in pages(html) if p.stat().st_size > PAGE_LIMIT
    ]
    assert not heavy, "\n".join(heavy)


def chart_specs(page: Path) -> list[dict]:
    """The Vega-Lite specs embedded in a built page."""
    specs = []
    for chunk in page.read_text(encoding="utf-8").split("embed(target, ")[1:]:  # equitylensEmbed or vegaEmbed
        specs.append(json.loads(chunk.split(', {"renderer"')[0]))
    return specs


IDENTIFIERS = {"person_id", "record_id", "first_name", "last_name", "birth_date", "report_id", "referral_id"}
MAX_SUMMARY_ROWS = 5_000  # an explorable's scenario table; the county has 200,000 people


def test_charts_embed_summaries_not_rows(built_book):
    """Charts carry summary tables, never person rows: no identifier field, and far fewer rows than people."""
    html = Path(str(built_book["html"]))
    for page in pages(html):
        for spec in chart_specs(page):
            rows = [row for values in spec.get("datasets", {}).values() for row in values]
            assert len(rows) <= MAX_SUMMARY_ROWS, f"{page.name}: a chart embeds {len(rows)} rows"
            fields = {key for row in rows for key in row}
            assert not fields & IDENTIFIERS, f"{page.name}: a chart embeds identifiers {fields & IDENTIFIERS}"


def test_every_chart_has_a_data_table_beside_it(built_book):
    html = Path(str(built_book["html"]))
    for page in pages(html):
        text = page.read_text(encoding="utf-8")
        charts_on_page = text.count('class="equitylens-chart"')
        tables = text.count('class="equitylens-data-table"')
        assert tables >= charts_on_page, f"{page.name}: {charts_on_page} charts but {tables} data tables"
