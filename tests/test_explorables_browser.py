"""The static explorables work in the built book with the network cut.

Every bound control on every page is moved and the chart must change; on the lab
page, the chart must then show exactly what the scenario table says for that choice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from equitylens.data import load
from equitylens.explore import scenarios, views
from equitylens.methods import disaggregate

T = TypeVar("T")
pytestmark = pytest.mark.browser
LAB = "book/labs/choices.html"


def open_page(browser_page, path: str):
    server, page = browser_page
    page.goto(f"{server}/{path}", wait_until="networkidle")
    page.wait_for_function(
        "document.querySelectorAll('.equitylens-chart').length === "
        "document.querySelectorAll('.equitylens-chart svg[role=img]').length",
        timeout=30_000,
    )
    return page


def chart_state(page, index: int) -> str:
    return page.evaluate(f"document.querySelectorAll('.equitylens-chart')[{index}].querySelector('svg').innerHTML")


def poll(page, read: Callable[[], T], done: Callable[[T], bool], timeout_ms: int = 5_000) -> T:
    """Read until ``done(value)`` or the timeout (Vega redraws after the event); return the last value.

    The caller asserts on the value, so a chart that never changes still fails, with its message.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    value = read()
    while not done(value) and time.monotonic() < deadline:
        page.wait_for_timeout(25)
        value = read()
    return value


def changed(page, index: int, before: str) -> str:
    """Chart ``index``'s SVG once it differs from ``before`` (or as it is at the timeout)."""
    return poll(page, lambda: chart_state(page, index), lambda state: state != before)


def test_every_bound_control_changes_its_chart(built_book, browser_page):
    html = Path(str(built_book["html"]))
    pages = [p for p in html.rglob("*.html") if "_static" not in p.parts and "equitylens-chart" in p.read_text("utf-8")]
    moved = 0
    for path in pages:
        page = open_page(browser_page, path.relative_to(html).as_posix())
        count = page.evaluate("document.querySelectorAll('.equitylens-chart').length")
        for index in range(count):
            chart = page.locator(".equitylens-chart").nth(index)
            for select in chart.locator(".vega-bind select").all():
                options = select.locator("option").all_inner_texts()
                current = select.input_value()
                before = chart_state(page, index)
                select.select_option(next(o for o in options if o != current))
                assert changed(page, index, before) != before, f"{path.name} chart {index}: select did nothing"
                moved += 1
            for slider in chart.locator(".vega-bind input[type=range]").all():
                before = chart_state(page, index)
                low = slider.get_attribute("min")
                slider.fill(str(low))
                slider.dispatch_event("input")
                assert changed(page, index, before) != before, f"{path.name} chart {index}: slider did nothing"
                moved += 1
            for group in chart.locator(".vega-bind").all():
                radios = group.locator("input[type=radio]").all()
                if not radios:
                    continue
                target = next(r for r in radios if not r.is_checked())
                before = chart_state(page, index)
                target.check()
                assert changed(page, index, before) != before, f"{path.name} chart {index}: radio did nothing"
                moved += 1
    assert moved >= 7, f"only {moved} controls found: the lab page's explorables should have at least seven"
    assert not browser_page[1].offsite_requests


def set_radio(page, index: int, label: str) -> None:
    chart = page.locator(".equitylens-chart").nth(index)
    chart.get_by_label(label, exact=True).check()


def texts(page, index: int, group_class: str) -> list[str]:
    return page.evaluate(
        f"Array.from(document.querySelectorAll('.equitylens-chart')[{index}].querySelectorAll('g.{group_class} text'))"
        ".map(t => t.textContent)"
    )


@pytest.fixture(scope="module")
def tables():
    county = load.county()
    return {
        "disaggregation": scenarios.disaggregation(load.child_welfare_youth(), outcome="placed"),
        "suppression": scenarios.suppression(scenarios.service_counts(county)),
        "comparison": scenarios.comparison(county),
    }


def test_suppression_chart_shows_what_the_table_says(built_book, browser_page, tables):
    page = open_page(browser_page, LAB)
    index = 1  # the second chart on the lab page
    grid, _ = views.suppression_views(tables["suppression"])
    for method in (1, 2):
        set_radio(page, index, scenarios.METHODS[method])
        slider = page.locator(".equitylens-chart").nth(index).locator("input[type=range]")
        slider.fill("11")
        slider.dispatch_event("input")
        expected = sorted(grid[(grid["m"] == method) & (grid["k"] == 11)]["text"].tolist())
        shown = poll(
            page,
            lambda: sorted(t for t in texts(page, index, "mark-text") if t in set(grid["text"])),
            lambda labels, expected=expected: labels == expected,
        )
        assert shown == expected, scenarios.METHODS[method]
        recovered = [t for t in shown if t.startswith("= ")]
        assert bool(recovered) == (method == 1), "primary only is broken by the attack; complementary is not"


def test_comparison_headline_follows_the_reference(built_book, browser_page, tables):
    page = open_page(browser_page, LAB)
    index = 2
    table = tables["comparison"]
    outcome = table["outcome"].iloc[0]
    for key in ("white", "total", "others"):
        reference = scenarios.REFERENCE_CHOICES[key]
        set_radio(page, index, reference)
        expected = table[(table["outcome"] == outcome) & (table["reference"] == reference)]["headline"].iloc[0]
        # the headline is wrapped over several lines in the chart: compare without whitespace
        wanted = "".join(expected.split())
        shown = poll(
            page,
            lambda: "".join("".join(texts(page, index, "mark-text")).split()),
            lambda text, wanted=wanted: wanted in text,
        )
        assert wanted in shown, reference


def test_disaggregation_dots_follow_the_level(built_book, browser_page, tables):
    page = open_page(browser_page, LAB)
    index = 0
    visible, _, _ = views.disaggregation_views(tables["disaggregation"])
    select = page.locator(".equitylens-chart").nth(index).locator(".vega-bind select")
    for level in (disaggregate.LADDER[1][0], disaggregate.LADDER[2][0]):
        select.select_option(level)
        rule = visible["rule"].iloc[0]
        expected = len(visible[(visible["level"] == level) & (visible["rule"] == rule)])
        dots = poll(
            page,
            lambda: page.evaluate(
                "document.querySelectorAll('.equitylens-chart')[0]"
                ".querySelectorAll('g.mark-symbol.role-mark path').length"
            ),
            lambda count, expected=expected: count == expected,
        )
        assert dots == expected, level
