"""What the browser tests read from a built page's charts: drawn, text size, bound controls.

Shared by ``test_accessibility`` (one visit per page records all of it, at the desktop
width and then at a phone's) and ``test_explorables_browser`` (the lab page's
explorables against their scenario tables).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

DESKTOP: dict[str, int] = {"width": 1280, "height": 800}
PHONE: dict[str, int] = {"width": 390, "height": 844}

# Every chart has drawn (and reflowed to its column) with an accessible name.
ALL_DRAWN = (
    "document.querySelectorAll('.equitylens-chart').length === "
    "document.querySelectorAll('.equitylens-chart[data-equitylens-drawn] svg[role=img][aria-label]').length"
)
DRAWN = ".equitylens-chart svg[role=img][aria-label]"

# Rendered size of every visible text element in every chart of the page: its font size
# times the SVG's scale on the page (rendered width over viewBox width), so a chart
# shrunk to fit its column counts as small text.
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

# The column width each chart was last drawn for (``embed.js`` records it when a drawing is done).
_DRAWN_FOR = "Array.from(document.querySelectorAll('.equitylens-chart'), c => c.getAttribute('data-equitylens-drawn'))"
# Every chart has drawn again, for a column other than the one it was drawn for before.
_REDRAWN = """(before) => Array.from(document.querySelectorAll('.equitylens-chart')).every((chart, i) =>
  chart.hasAttribute('data-equitylens-drawn') && chart.getAttribute('data-equitylens-drawn') !== before[i]
  && chart.querySelector('svg[role=img][aria-label]') !== null)"""


def reflow(page: Any, viewport: dict[str, int], timeout_ms: int = 20_000) -> list[dict[str, Any]]:
    """Resize the window to ``viewport``; once every chart has redrawn for its new column, measure its text.

    If the charts do not all redraw in time, the result is one entry of 0 px saying so.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    before = page.evaluate(_DRAWN_FOR)
    page.set_viewport_size(viewport)
    try:
        page.wait_for_function(_REDRAWN, arg=before, timeout=timeout_ms, polling=50)
    except PlaywrightTimeoutError:
        return [{"chart": -1, "title": "(every chart)", "text": f"not redrawn for {viewport['width']} px", "px": 0}]
    return page.evaluate(MEASURE)  # type: ignore[no-any-return]


# A parameter bound to an input in a chart's Vega-Lite spec, as the page's HTML carries it.
_BOUND_INPUT = re.compile(r'"bind"\s*:\s*\{\s*"input"\s*:')


def bound_inputs(html_source: str) -> int:
    """How many chart parameters the page's specs bind to a form input (read from the HTML, not the page)."""
    return len(_BOUND_INPUT.findall(html_source))


# A chart's drawing as the sorted list of its SVG elements (each with its attributes, and
# its text if it is a leaf): Vega may re-order marks that leave and come back, which
# looks the same on screen.
_DRAWING = """(index) => Array.from(
  document.querySelectorAll('.equitylens-chart')[index].querySelector('svg').querySelectorAll('*'),
  e => e.children.length ? e.cloneNode(false).outerHTML : e.outerHTML
).sort().join('\\n')"""


def chart_state(page: Any, index: int) -> str:
    """Chart ``index``'s drawing, to tell whether it changed (order of elements aside)."""
    return page.evaluate(_DRAWING, index)  # type: ignore[no-any-return]


def poll(page: Any, read: Callable[[], T], done: Callable[[T], bool], timeout_ms: int = 5_000) -> T:
    """Read until ``done(value)`` or the timeout (Vega redraws after the event); return the last value.

    The caller asserts on the value, so a chart that never changes still fails, with its message.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    value = read()
    while not done(value) and time.monotonic() < deadline:
        page.wait_for_timeout(25)
        value = read()
    return value


def changed(page: Any, index: int, before: str) -> str:
    """Chart ``index``'s SVG once it differs from ``before`` (or as it is at the timeout)."""
    return poll(page, lambda: chart_state(page, index), lambda state: state != before)


def move_every_control(page: Any) -> tuple[int, int, list[str]]:
    """Move each bound control of each chart from the page's first state, then put it back.

    A select takes another option, a slider its minimum (its maximum if it starts there),
    a checkbox a click, a radio group another choice. Returns the controls found, the
    number moved, and a line for each move that left its chart as it was or whose undoing
    did not bring the chart back.
    """
    found, moved, problems = 0, 0, []

    def move(index: int, what: str, change: Callable[[], None], undo: Callable[[], None]) -> None:
        nonlocal moved
        before = chart_state(page, index)
        change()
        moved += 1
        if changed(page, index, before) == before:
            problems.append(f"chart {index}: {what} did not change the chart")
        undo()
        if poll(page, lambda: chart_state(page, index), lambda state: state == before) != before:
            problems.append(f"chart {index}: undoing {what} did not bring the chart back")

    for index in range(page.evaluate("document.querySelectorAll('.equitylens-chart').length")):
        chart = page.locator(".equitylens-chart").nth(index)
        found += chart.locator(".vega-bind").count()
        for select in chart.locator(".vega-bind select").all():
            current = select.input_value()
            other = next(o for o in select.locator("option").all_inner_texts() if o != current)
            move(
                index,
                f"select {current!r} -> {other!r}",
                lambda select=select, other=other: select.select_option(other),
                lambda select=select, current=current: select.select_option(current),
            )
        for slider in chart.locator(".vega-bind input[type=range]").all():
            current = slider.input_value()
            low, high = slider.get_attribute("min"), slider.get_attribute("max")
            target = str(low) if float(current) != float(str(low)) else str(high)

            def slide(value: str, slider: Any = slider) -> None:
                slider.fill(value)
                slider.dispatch_event("input")

            move(
                index,
                f"slider {current} -> {target}",
                lambda target=target, slide=slide: slide(target),
                lambda current=current, slide=slide: slide(current),
            )
        for box in chart.locator(".vega-bind input[type=checkbox]").all():
            move(index, f"checkbox {box.get_attribute('name')!r}", box.click, box.click)
        for group in chart.locator(".vega-bind").all():
            radios = group.locator("input[type=radio]").all()
            if not radios:
                continue
            checked = next(r for r in radios if r.is_checked())
            target = next(r for r in radios if not r.is_checked())
            move(index, f"radio -> {target.get_attribute('value')!r}", target.check, checked.check)
    return found, moved, problems
