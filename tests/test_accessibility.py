"""Every built page, in a real browser: accessible, offline, free of script errors, charts working.

Each page of ``_build/html`` (see ``tests.book_pages.built_pages``: the generated
index and search pages too) is opened once, at a desktop width, in the shared Chromium
page of the ``browser_page`` fixture, whose requests may not leave the local server: so
every chart is also checked to draw with the network cut. On each visit we record the
scripts' uncaught errors, the off-site requests, whether every chart drew, the rendered
size of every chart's text, axe-core's findings (all of axe's rules, with the page in
the light theme, then colour contrast in the theme's dark mode, which a reader with a
dark system setting gets, for each text style no earlier page of the half has shown:
see ``DARK``), what each bound control did when moved, and last the
size of every chart's text again once the window has narrowed to a phone's and the
charts have reflowed to the narrower column (as they do when a reader turns a phone or
narrows a window: the same drawing code as a page opened on a phone). The tests below
then read that record. (The lab page's charts against their tables:
``test_explorables_browser``.)

The pages are visited in two interleaved halves, one per test class, so that the
two workers of ``make test`` (``--dist loadscope``) can each take one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from equitylens.viz import charts
from tests.book_pages import built_pages
from tests.chart_checks import (
    ALL_DRAWN,
    DESKTOP,
    DRAWN,
    MEASURE,
    PHONE,
    bound_inputs,
    move_every_control,
    reflow,
)

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")
# The theme fades colours in when it switches to dark; axe must see the settled colours.
SETTLED = "*, *::before, *::after { transition: none !important; animation: none !important; }"


LIGHT = "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"

# Colour contrast in the theme's dark mode (the attribute its own script sets for a reader
# with a dark system setting), once for each text style the half has not met yet. A text's
# contrast is set by its own colour, size, weight and outline and by the backgrounds,
# opacity, filters and pseudo-element backgrounds of the element and its ancestors: that
# is its style key. The first visible element with a key new to this half goes to axe's
# color-contrast rule (with its descendants); one whose key an earlier page already
# passed is not checked again. Keys travel as short SHA-256 digests; ``seen`` holds the
# half's. (What lies behind a text without being an ancestor, an overlapping sibling, is
# left to the light pass, where axe sees every text.)
DARK = """async (seen) => {
  document.documentElement.dataset.theme = 'dark';
  const own = (el) => {
    const s = getComputedStyle(el);
    return [el.namespaceURI, s.color, s.fill, s.fontSize, s.fontWeight, s.textShadow,
      s.webkitTextStrokeWidth, s.webkitTextStrokeColor].join(' ');
  };
  const layers = new Map();
  const behind = (el) => {
    if (!el) return '';
    if (!layers.has(el)) {
      const s = getComputedStyle(el);
      const before = getComputedStyle(el, '::before'), after = getComputedStyle(el, '::after');
      layers.set(el, [s.backgroundColor, s.backgroundImage, s.opacity, s.filter, s.mixBlendMode, s.backdropFilter,
        s.position, before.backgroundColor, before.backgroundImage, after.backgroundColor, after.backgroundImage,
      ].join(' ') + ' / ' + behind(el.parentElement));
    }
    return layers.get(el);
  };
  const first = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let texts = 0;
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || !walker.currentNode.nodeValue.trim()) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    texts += 1;
    const key = own(el) + ' on ' + behind(el);
    if (!first.has(key)) first.set(key, el);
  }
  const known = new Set(seen), fresh = [];
  for (const [key, el] of first) {
    const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
    const digest = Array.from(bytes.slice(0, 12), b => b.toString(16).padStart(2, '0')).join('');
    if (!known.has(digest)) { known.add(digest); fresh.push([digest, el]); }
  }
  const checked = fresh.map(([, el]) => el);
  const result = checked.length
    ? await axe.run(checked, {runOnly: ['color-contrast'], resultTypes: ['violations']}) : {violations: []};
  return {violations: result.violations, styles: fresh.map(([digest]) => digest), texts, distinct: first.size};
}"""


def dark_contrast(page: Any, seen: set[str]) -> dict[str, Any]:
    """Switch the page to the dark theme and check the contrast of every text style not in ``seen``; add them."""
    result: dict[str, Any] = page.evaluate(DARK, sorted(seen))
    seen.update(result["styles"])
    return result


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
    dark_styles_seen: set[str] = set()
    pages = built_pages(html)
    assert len(pages) >= HALVES, f"only {len(pages)} HTML pages under {html}"
    for path in pages[request.cls.half :: HALVES]:
        name = path.relative_to(html).as_posix()
        errors: list[str] = []

        def on_error(error: Any, errors: list[str] = errors) -> None:
            errors.append(str(error))

        page.on("pageerror", on_error)
        page.set_viewport_size(DESKTOP)  # the last page was left at the phone width
        blocked_before = len(page.offsite_requests)
        source = path.read_text(encoding="utf-8")
        # a redirect stub (index.html) navigates on: wait until its target has settled
        page.goto(f"{server}/{name}", wait_until="networkidle" if 'http-equiv="refresh"' in source.lower() else "load")
        expected = source.count('class="equitylens-chart"')
        if expected:
            with contextlib.suppress(Exception):  # the count below says how many drew
                page.wait_for_function(ALL_DRAWN, timeout=20_000)
        drawn = page.evaluate(f"document.querySelectorAll({DRAWN!r}).length")
        chart_text = page.evaluate(MEASURE) if expected else []
        page.add_style_tag(content=SETTLED)
        page.evaluate(axe.axe_script)
        light = page.evaluate(LIGHT)
        dark = dark_contrast(page, dark_styles_seen)
        found, moved, problems = move_every_control(page) if expected else (0, 0, [])
        phone_text = reflow(page, PHONE) if expected else []
        page.remove_listener("pageerror", on_error)
        record[name] = {
            "expected_charts": expected,
            "drawn_charts": drawn,
            "chart_text": chart_text,
            "phone_chart_text": phone_text,
            "controls": {"bound": bound_inputs(source), "found": found, "moved": moved, "problems": problems},
            "errors": errors,
            "offsite": list(page.offsite_requests[blocked_before:]),
            "axe": _findings(light) + _findings(dark["violations"], " (dark theme)"),
            "dark_styles": {"texts": dark["texts"], "distinct": dark["distinct"], "checked": len(dark["styles"])},
        }
    assert record, f"no HTML pages under {html}"
    return record


def _assert_readable(visits: dict[str, dict[str, Any]], key: str, minimum: float, viewport: dict[str, int]) -> None:
    texts = [(page, text) for page, seen in visits.items() for text in seen[key]]
    small = [f"{page} | {t['title']} | {t['text']!r} | {t['px']} px" for page, t in texts if t["px"] < minimum]
    charted = sum(1 for seen in visits.values() if seen["expected_charts"])
    assert len(texts) > 100, f"only {len(texts)} chart text elements found on {charted} pages with charts"
    assert not small, (
        f"{len(small)} of {len(texts)} chart text elements render under {minimum} px at "
        f"{viewport['width']} px wide:\n" + "\n".join(small)
    )


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

    def test_chart_text_is_readable_at_a_desktop_width(self, visits):
        """Every chart's text renders at MIN_TEXT_PX or more at the desktop width."""
        _assert_readable(visits, "chart_text", charts.MIN_TEXT_PX, DESKTOP)

    def test_chart_text_is_readable_on_a_phone(self, visits):
        """Every chart reflows to a phone's column, and its text renders at MIN_PHONE_TEXT_PX or more.

        A chart shrunk to fit the column counts as small text (``MEASURE`` scales each font
        size by the SVG's rendered size): charts must narrow, stack or wrap instead.
        """
        _assert_readable(visits, "phone_chart_text", charts.MIN_PHONE_TEXT_PX, PHONE)

    def test_every_bound_control_is_there_and_changes_its_chart(self, visits):
        """Each input a chart binds shows a control; moving it redraws the chart, and undoing it restores it."""
        problems: list[str] = []
        for page, seen in visits.items():
            controls = seen["controls"]
            if controls["found"] != controls["bound"]:
                problems.append(f"{page}: {controls['found']} controls for {controls['bound']} bound parameters")
            if controls["moved"] != controls["found"]:
                problems.append(f"{page}: moved {controls['moved']} of {controls['found']} controls")
            problems += [f"{page}: {problem}" for problem in controls["problems"]]
        assert not problems, "\n".join(problems)


class TestFirstHalfOfThePages(Checks):
    half = 0


class TestSecondHalfOfThePages(Checks):
    half = 1


def test_the_dark_pass_checks_each_new_text_style_and_finds_a_planted_low_contrast(built_book, browser_page):
    """A style already passed is not checked again; a dark-mode colour or background change is new, and caught."""
    sync_axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python missing")
    server, page = browser_page
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/book/intro.html")
    page.add_style_tag(content=SETTLED)
    page.evaluate(sync_axe.Axe().axe_script)
    seen: set[str] = set()
    first = dark_contrast(page, seen)
    assert first["violations"] == [] and first["texts"] > 50
    assert len(first["styles"]) == first["distinct"] > 5, first
    again = dark_contrast(page, seen)
    assert again["styles"] == [] and again["violations"] == [], "a style already passed was checked again"

    planted = {
        "text colour": "html[data-theme=dark] .bd-article h1 { color: #3a3a3a !important; }",
        "background": "html[data-theme=dark] .bd-article section { background-color: #c8c8c8 !important; }",
    }
    for what, rule in planted.items():
        style = page.add_style_tag(content=rule)
        caught = dark_contrast(page, set(seen))
        style.evaluate("element => element.remove()")
        assert caught["styles"], f"a dark-mode {what} change gave no new text style"
        rules = {violation["id"] for violation in caught["violations"]}
        assert rules == {"color-contrast"}, f"planted low-contrast {what} not caught: {rules or 'no violation'}"
