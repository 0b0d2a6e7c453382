"""Every built page, in a real browser: accessible, offline, free of script errors, charts drawn.

Each page of ``_build/html`` (see ``tests.book_pages.built_pages``: the generated
index and search pages too) is opened once in the shared Chromium page of the
``browser_page`` fixture, whose requests may not leave the local server: so every
chart is also checked to draw with the network cut. On each
visit we record the scripts' uncaught errors, the off-site requests, whether every
chart drew, and axe-core's findings (all of axe's rules, with the page in the
light theme, then colour contrast again in the theme's dark mode, which a reader
with a dark system setting gets). The tests below then read that record.

The pages are visited in two interleaved halves, one per test class, so that the
two workers of ``make test`` (``--dist loadscope``) can each take one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from tests.book_pages import built_pages

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")
CHART = ".equitylens-chart"
DRAWN = ".equitylens-chart svg[role=img][aria-label]"
# The theme fades colours in when it switches to dark; axe must see the settled colours.
SETTLED = "*, *::before, *::after { transition: none !important; animation: none !important; }"


# Both axe passes in one call: every rule in the light theme, then colour contrast again
# in the theme's dark mode (the attribute its own script sets for a reader with a dark
# system setting). axe-core is injected once per page.
BOTH_THEMES = """async () => {
  const light = await axe.run(document, {resultTypes: ['violations']});
  document.documentElement.dataset.theme = 'dark';
  const dark = await axe.run(document, {runOnly: ['color-contrast'], resultTypes: ['violations']});
  return {light: light.violations, dark: dark.violations};
}"""


def _findings(violations: list[dict[str, Any]], suffix: str = "") -> list[dict[str, Any]]:
    return [
        {
            "rule": violation["id"] + suffix,
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [" ".join(map(str, node["target"])) for node in violation["nodes"]],
        }
        for violation in violations
    ]


HALVES = 2


@pytest.fixture(scope="class")
def visits(request, built_book, browser_page) -> dict[str, dict[str, Any]]:
    sync_axe = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="axe-playwright-python missing: pip install -r requirements.txt"
    )
    axe = sync_axe.Axe()
    html = Path(str(built_book["html"]))
    server, page = browser_page
    record: dict[str, dict[str, Any]] = {}
    pages = built_pages(html)
    assert len(pages) >= HALVES, f"only {len(pages)} HTML pages under {html}"
    for path in pages[request.cls.half :: HALVES]:
        name = path.relative_to(html).as_posix()
        errors: list[str] = []

        def on_error(error: Any, errors: list[str] = errors) -> None:
            errors.append(str(error))

        page.on("pageerror", on_error)
        blocked_before = len(page.offsite_requests)
        source = path.read_text(encoding="utf-8")
        # a redirect stub (index.html) navigates on: wait until its target has settled
        page.goto(f"{server}/{name}", wait_until="networkidle" if 'http-equiv="refresh"' in source.lower() else "load")
        expected = source.count('class="equitylens-chart"')
        if expected:
            with contextlib.suppress(Exception):  # the count below says how many drew
                page.wait_for_function(f"document.querySelectorAll({DRAWN!r}).length >= {expected}", timeout=20_000)
        drawn = page.evaluate(f"document.querySelectorAll({DRAWN!r}).length")
        page.add_style_tag(content=SETTLED)
        page.evaluate(axe.axe_script)
        violations = page.evaluate(BOTH_THEMES)
        page.remove_listener("pageerror", on_error)
        record[name] = {
            "expected_charts": expected,
            "drawn_charts": drawn,
            "errors": errors,
            "offsite": list(page.offsite_requests[blocked_before:]),
            "axe": _findings(violations["light"]) + _findings(violations["dark"], " (dark theme)"),
        }
    assert record, f"no HTML pages under {html}"
    return record


class Checks:
    """The checks, run on the pages of one half (``half``) by each subclass."""

    half = 0

    def test_no_serious_or_critical_accessibility_violations(self, visits):
        problems = [
            f"{page}: {finding['rule']} ({finding['impact']}: {finding['help']}) at {'; '.join(finding['targets'][:5])}"
            for page, seen in visits.items()
            for finding in seen["axe"]
            if finding["impact"] in BLOCKING
        ]
        assert not problems, f"{len(problems)} axe-core violations:\n" + "\n".join(problems)

    def test_every_page_stays_on_the_local_server(self, visits):
        attempts = [f"{page}: {url}" for page, seen in visits.items() for url in seen["offsite"]]
        assert not attempts, "pages tried to reach other sites:\n" + "\n".join(attempts)

    def test_every_page_runs_without_script_errors(self, visits):
        errors = [f"{page}: {error}" for page, seen in visits.items() for error in seen["errors"]]
        assert not errors, "uncaught script errors:\n" + "\n".join(errors)

    def test_every_chart_on_every_page_draws(self, visits):
        blank = [
            f"{page}: {seen['drawn_charts']} of {seen['expected_charts']} charts drew with an accessible name"
            for page, seen in visits.items()
            if seen["drawn_charts"] < seen["expected_charts"]
        ]
        assert not blank, "\n".join(blank)
        assert sum(seen["expected_charts"] for seen in visits.values()), "no page holds a chart"


class TestFirstHalfOfThePages(Checks):
    half = 0


class TestSecondHalfOfThePages(Checks):
    half = 1
