"""The lab page's static explorables show what the scenario tables say, with the network cut.

On the lab page, each chart must show exactly what ``equitylens.explore.scenarios``
computes for the choice made in its controls. (That every bound control on every page
redraws its chart is checked in each page's visit in ``test_accessibility``.)
"""

from __future__ import annotations

import pytest

from equitylens.data import load
from equitylens.explore import scenarios, views
from equitylens.methods import disaggregate
from tests.chart_checks import ALL_DRAWN, poll
from tests.conftest import PROXY_ERROR

pytestmark = pytest.mark.browser
LAB = "book/labs/choices.html"


def open_page(browser_page, path: str):
    server, page = browser_page
    page.goto(f"{server}/{path}", wait_until="load")
    page.wait_for_function(ALL_DRAWN, timeout=30_000)
    return page


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


def test_the_browser_cannot_reach_another_host_and_every_attempt_is_recorded(browser_page):
    """The guard the page visits rely on: Chromium fails every request for another host at
    the closed proxy (a host name, a bare address, a websocket), and each one is recorded."""
    server, page = browser_page
    page.goto(f"{server}/{LAB}", wait_until="load")
    failures: dict[str, str] = {}
    page.on("requestfailed", lambda request: failures.setdefault(request.url, request.failure or ""))
    before = len(page.offsite_requests)
    outcomes = page.evaluate(
        """async () => {
            const fetched = await Promise.allSettled([
                fetch('https://example.org/vega.js'), fetch('http://93.184.216.34/data.csv')]);
            const opened = await new Promise(done => {
                const socket = new WebSocket('ws://example.org/socket');
                socket.onopen = () => done('open');
                socket.onerror = () => done('error');
            });
            return [...fetched.map(result => result.status), opened];
        }"""
    )
    local = page.evaluate(f"fetch({server + '/' + LAB!r}).then(response => response.status)")
    assert outcomes == ["rejected", "rejected", "error"]
    assert local == 200, "a loopback request must still go through"
    tried = page.offsite_requests[before:]
    assert tried == ["https://example.org/vega.js", "http://93.184.216.34/data.csv", "ws://example.org/socket"]
    assert {failures.get(url) for url in tried[:2]} == {PROXY_ERROR}, failures
