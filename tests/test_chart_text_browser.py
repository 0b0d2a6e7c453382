"""Chart text stays readable in the built book on a 390 x 844 phone screen.

Every page with a chart is opened at the phone viewport. Once every Vega view has
drawn and reflowed, the rendered size of every text element in every chart is its font
size times the SVG's scale on the page (``tests.chart_checks.MEASURE``), so a chart
shrunk to fit its column counts as small text: charts must reflow to the column
(narrower panels, stacked panels, wrapped lines) rather than shrink. The same
measurement at the desktop width is part of each page's visit in ``test_accessibility``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from equitylens.viz import charts
from tests.chart_checks import ALL_DRAWN, DESKTOP, MEASURE, PHONE

pytestmark = pytest.mark.browser


def chart_pages(html: Path) -> list[str]:
    """Every built page that holds a chart, relative to the book's root."""
    return sorted(
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if "_static" not in p.parts and "equitylens-chart" in p.read_text("utf-8")
    )


def measure(page: Any, base: str, path: str) -> list[dict[str, Any]]:
    """Open ``path``, wait until every chart has drawn (and reflowed), and measure its text."""
    page.goto(f"{base}/{path}", wait_until="load")
    page.wait_for_function(ALL_DRAWN, timeout=30_000)
    return page.evaluate(MEASURE)  # type: ignore[no-any-return]


def test_chart_text_is_readable_on_a_phone(built_book, browser_page):
    base, page = browser_page
    pages = chart_pages(Path(str(built_book["html"])))
    assert pages, "no page with a chart was built"
    minimum = charts.MIN_PHONE_TEXT_PX
    counted = 0
    problems: list[str] = []
    page.set_viewport_size(PHONE)
    try:
        for path in pages:
            texts = measure(page, base, path)
            counted += len(texts)
            problems += [f"{path} | {t['title']} | {t['text']!r} | {t['px']} px" for t in texts if t["px"] < minimum]
    finally:
        page.set_viewport_size(DESKTOP)
    assert counted > 100, f"only {counted} chart text elements found on {len(pages)} pages"
    assert not problems, (
        f"{len(problems)} of {counted} chart text elements render under {minimum} px at the phone "
        f"viewport ({PHONE['width']} px wide):\n" + "\n".join(problems)
    )
