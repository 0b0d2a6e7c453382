"""Chart text stays readable in the built book, on a desktop screen and on a phone.

Every page with a chart is opened at a desktop viewport and at a 390 x 844 phone
viewport. Once every Vega view has drawn, the rendered size of every text element in
every chart is its font size times the SVG's scale on the page (rendered width over
viewBox width), so a chart shrunk to fit its column counts as small text. Charts must
reflow to the column (narrower panels, stacked panels, wrapped lines) rather than shrink.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from equitylens.viz import charts

pytestmark = pytest.mark.browser

DESKTOP: dict[str, int] = {"width": 1280, "height": 800}
PHONE: dict[str, int] = {"width": 390, "height": 844}
MINIMUM_PX: dict[str, float] = {"desktop": charts.MIN_TEXT_PX, "phone": charts.MIN_PHONE_TEXT_PX}

# Rendered size of every visible text element in every chart of the page.
MEASURE = """
() => Array.from(document.querySelectorAll('.equitylens-chart')).flatMap((chart, index) => {
  const svg = chart.querySelector('svg');
  if (!svg) {
    return [{chart: index, title: chart.getAttribute('aria-label'), text: chart.textContent.slice(0, 80), px: 0}];
  }
  const box = svg.getBoundingClientRect();
  const title = Array.from(svg.querySelectorAll('.role-title-text text')).map(t => t.textContent).join(' ')
    || chart.getAttribute('aria-label');
  const view = svg.viewBox && svg.viewBox.baseVal;
  const scale = view && view.width ? box.width / view.width : 1;
  return Array.from(svg.querySelectorAll('text')).filter(text => {
    const style = getComputedStyle(text);
    const rect = text.getBoundingClientRect();
    return text.textContent.trim() !== '' && style.display !== 'none' && style.visibility !== 'hidden'
      && parseFloat(style.opacity || '1') > 0 && rect.width > 0;
  }).map(text => ({
    chart: index,
    title: title,
    text: text.textContent.trim().slice(0, 60),
    px: Math.round(parseFloat(getComputedStyle(text).fontSize) * scale * 100) / 100,
  }));
})
"""


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
    page.wait_for_function(
        "document.querySelectorAll('.equitylens-chart').length === "
        "document.querySelectorAll('.equitylens-chart[data-equitylens-drawn] svg[role=img]').length",
        timeout=30_000,
    )
    return page.evaluate(MEASURE)  # type: ignore[no-any-return]


def small_text(
    page: Any, base: str, pages: list[str], viewport: dict[str, int], minimum: float
) -> tuple[int, list[str]]:
    """The number of text elements measured and a line for each one under ``minimum`` px."""
    page.set_viewport_size(viewport)
    counted = 0
    problems: list[str] = []
    for path in pages:
        texts = measure(page, base, path)
        counted += len(texts)
        problems += [f"{path} | {t['title']} | {t['text']!r} | {t['px']} px" for t in texts if t["px"] < minimum]
    return counted, problems


def check_chart_text(built_book: dict[str, object], browser_page: Any, name: str, viewport: dict[str, int]) -> None:
    base, page = browser_page
    pages = chart_pages(Path(str(built_book["html"])))
    assert pages, "no page with a chart was built"
    try:
        counted, problems = small_text(page, base, pages, viewport, MINIMUM_PX[name])
    finally:
        page.set_viewport_size(DESKTOP)
    assert counted > 100, f"only {counted} chart text elements found on {len(pages)} pages"
    assert not problems, (
        f"{len(problems)} of {counted} chart text elements render under {MINIMUM_PX[name]} px at the {name} "
        f"viewport ({viewport['width']} px wide):\n" + "\n".join(problems)
    )


# One class per screen, so that the two workers of `make test` (--dist loadscope) can take one each.
class TestOnADesktop:
    def test_chart_text_is_readable(self, built_book, browser_page):
        check_chart_text(built_book, browser_page, "desktop", DESKTOP)


class TestOnAPhone:
    def test_chart_text_is_readable(self, built_book, browser_page):
        check_chart_text(built_book, browser_page, "phone", PHONE)
