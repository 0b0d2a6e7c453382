"""Slide decks for the workgroup sessions: one self-contained HTML file and one PDF per session.

A deck is built from the session plan (``workshops/NN-name.md``) and the content data, never typed
by hand: the title slide, the goals and agenda, one slide per part of the facilitator script (the
stage framing with its Work in Action story from ``book/data/sites.yml``, the explorable's charts,
the card sort with its card numbers, the "what would you do?" scenario, the small-group prompts),
then the key points, the check-in survey and the take-back checklist. Each slide's speaker notes
are the facilitator script for that part.

The HTML works offline: Vega, Vega-Lite and Vega-Embed are inlined (the same bundle the book
serves, made by ``vl_convert``), so the charts stay interactive with no network. Keys: right arrow,
space or Page Down for the next slide; left arrow or Page Up to go back; N shows or hides the
speaker notes; Home and End jump to the first and last slide. The PDF (one 16:9 page per slide, no
notes) is printed by headless Chromium once the charts have drawn.

``make slides`` → ``_build/slides/NN-name.html`` and ``.pdf`` for every session, and
``_build/slides/workshop.html`` and ``.pdf`` for the custom session (``STAGES``, ``MINUTES``).
"""

from __future__ import annotations

import argparse
import functools
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import altair as alt
import pandas as pd

from equitylens.data import content, load, paths
from equitylens.explore import scenarios
from equitylens.explore import views as ex
from equitylens.kit import cards, checkin, printing, sheets, workshops
from equitylens.viz import charts

#: Slide labels; the plan and content data give every other word.
LABELS: Final[dict[str, str]] = {
    "work_in_action": "Work in Action",
    "why": "Why it centres equity",
    "cards": "Cards {first} to {last} of the deck",
    "prompts": "Questions for the room",
    "notes": "Speaker notes",
    "previous": "Previous slide",
    "next": "Next slide",
    "toggle": "Show or hide speaker notes (N)",
    "who": "Who is in the room",
    "help": "Arrows or space to move, N for notes",
}
OUT_DIR: Final[Path] = Path("_build/slides")
SLIDE_SIZE: Final = ("13.333in", "7.5in")  # 16:9
CARD_SORT: Final = "Card sort"
FRAME: Final = "Frame the stage"
EXPLORE: Final = "Explore"
OPEN: Final = "Open"
CLOSE: Final = "Close"
_MINUTES = re.compile(r"\s*\(\d+ minutes?[^)]*\)\s*$")
_ASK = re.compile(r"Ask:\s*\"([^\"]+)\"")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_SUB = re.compile(r"^### (.+?)\s*$", re.M)

# The interactive charts of the choices lab (book/labs/choices.ipynb), by the name of the lab's
# section that a plan's Explore script sends the room to in bold ("scroll to **Suppression**").
_DISAGGREGATION_OUTCOME: Final = ("placed", "Placed out of home")  # as in book/labs/choices.ipynb


@functools.cache
def _chart_spec(name: str) -> dict[str, Any]:
    builders: dict[str, Callable[[], Any]] = {
        "Suppression": lambda: ex.suppression_chart(scenarios.suppression(scenarios.service_counts(load.county()))),
        "Comparison": lambda: ex.comparison_chart(scenarios.comparison(load.county())),
        "Disaggregation": lambda: ex.disaggregation_chart(
            scenarios.disaggregation(load.child_welfare_youth(), outcome=_DISAGGREGATION_OUTCOME[0]),
            outcome_label=_DISAGGREGATION_OUTCOME[1],
        ),
    }
    spec: dict[str, Any] = builders[name]().to_dict()
    return spec


CHARTS: Final[tuple[str, ...]] = ("Disaggregation", "Suppression", "Comparison")


@dataclass(frozen=True)
class Slide:
    """One slide: its kind (an activity kind, or title, goals, agenda ...), heading, body and notes."""

    kind: str
    title: str
    body: str
    notes: str = ""


# --- Reading the plan ----------------------------------------------------------------------


def script_parts(plan: workshops.Plan, section: str = "Facilitator script") -> dict[str, str]:
    """The level-three parts of one section of a plan: heading (without its minutes) → text."""
    text = plan.section(section)
    parts: dict[str, str] = {}
    matches = list(_SUB.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        parts[_MINUTES.sub("", match.group(1))] = text[match.end() : end].strip()
    return parts


def _part(parts: dict[str, str], prefix: str) -> tuple[str, str]:
    for heading, text in parts.items():
        if heading.startswith(prefix):
            return heading, text
    return "", ""


def questions(markdown: str) -> list[str]:
    """The questions a script tells the facilitator to ask (``Ask: "..."``), in order."""
    return [" ".join(q.split()) for q in _ASK.findall(markdown)]


def charts_named(markdown: str) -> list[str]:
    """The choices-lab charts a script sends the room to (bold section names)."""
    named = {" ".join(b.split()) for b in _BOLD.findall(markdown)}
    return [name for name in CHARTS if name in named]


# --- Slide bodies --------------------------------------------------------------------------


def _ul(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def _stage_title(plan: workshops.Plan) -> str:
    return content.get_stage(plan.stage)["title"] if plan.stage else sheets.LABELS["all_stages"]


def _chart(name: str) -> str:
    return f'<div class="chart">{charts.static_html(_chart_spec(name))}</div>'


def frame_slide(stage: str, heading: str, notes: str) -> Slide:
    """The stage in one paragraph, and its Work in Action site from ``sites.yml``."""
    info = content.get_stage(stage)
    site = next(s for s in content.load_sites() if s["stage"] == stage)
    body = (
        f'<p class="lead">{html.escape(" ".join(str(info["summary"]).split()))}</p>'
        f'<div class="story"><h3>{LABELS["work_in_action"]}: {html.escape(site["name"])} '
        f'<span class="place">({html.escape(site["place"])})</span></h3>'
        f"<p>{html.escape(' '.join(str(site['what_they_did']).split()))}</p>"
        f"<p><strong>{LABELS['why']}:</strong> {html.escape(' '.join(str(site['why_it_centers_equity']).split()))}</p>"
        "</div>"
    )
    return Slide("frame", f"{heading}: {info['title']}", body, notes)


def explore_slides(heading: str, notes: str) -> list[Slide]:
    """The explorable: its charts (interactive in HTML), one per slide, and the questions to ask."""
    asks = questions(notes)
    names = charts_named(notes)
    if not names:
        return [Slide("explore", heading, f"<h3>{LABELS['prompts']}</h3>{_ul(asks)}", notes)]
    slides = [Slide("explore", f"{heading} ({name})", _chart(name), notes) for name in names]
    if asks:
        slides.append(Slide("explore", heading, f"<h3>{LABELS['prompts']}</h3>{_ul(asks)}", notes))
    return slides


def activity_slides(plan: workshops.Plan, notes: str) -> list[Slide]:
    """The card sort (with its card numbers), the scenario and the small-group prompts."""
    activities = script_parts(plan, "Activities")
    slides: list[Slide] = []
    heading, text = _part(activities, "Practice card sort")
    if heading and plan.stage:
        deck = cards.deck(stages=[plan.stage])
        label = LABELS["cards"].format(first=int(deck["number"].min()), last=int(deck["number"].max()))
        body = f'<p class="lead">{html.escape(label)}</p>{_ul(questions(text))}'
        slides.append(Slide("cards", f"{heading}: {_stage_title(plan)}", body, f"{notes}\n\n{text}".strip()))
    heading, text = _part(activities, workshops.SCENARIO_HEADING)
    if heading:
        slides.append(Slide("scenario", heading, sheets.markdown_html(text), text))
    heading, text = _part(activities, "Small-group discussion")
    if heading:
        prompts = sheets.bullets("\n".join(line for line in text.splitlines() if line.startswith("- ")))
        intro = "\n".join(line for line in text.splitlines() if not line.startswith("- ")).strip()
        slides.append(Slide("discussion", heading, f"<h3>{LABELS['prompts']}</h3>{_ul(prompts)}", intro))
    return slides


def other_slide(heading: str, text: str) -> Slide:
    """A part of the script with no slide of its own: its questions, or its first paragraph."""
    asks = questions(text)
    lists = sheets.bullets("\n".join(line for line in text.splitlines() if line.startswith("- ")))
    if asks:
        body = f"<h3>{LABELS['prompts']}</h3>{_ul(asks)}"
    elif lists:
        body = _ul(lists)
    else:
        body = sheets.markdown_html(text.split("\n\n")[0])
    return Slide("discussion", heading, body, text)


def survey_slide() -> Slide:
    """The check-in survey's statements, from :data:`equitylens.kit.checkin.QUESTIONS`."""
    items = "".join(f"<li>{html.escape(q)}</li>" for q in checkin.QUESTIONS.values())
    scale = f"1 = {sheets.LABELS['disagree']} · 5 = {sheets.LABELS['agree']}"
    body = f"<ol>{items}</ol><p>{scale}</p><p>{html.escape(sheets.survey_intro())}</p>"
    return Slide("survey", sheets.LABELS["survey_title"], body)


def closing_slides(plan: workshops.Plan, notes: str) -> list[Slide]:
    """Key points, the check-in survey, and the take-back checklist (with the close's notes)."""
    return [
        Slide("closing", sheets.LABELS["key_points"], _ul(sheets.bullets(plan.section("Key points")))),
        survey_slide(),
        Slide("closing", sheets.LABELS["take_back"], _ul(sheets.bullets(plan.section("Take back to work"))), notes),
    ]


def _agenda_table(table: pd.DataFrame) -> str:
    rows = "".join(
        f"<tr><td>{workshops._clock(int(r['start']))}</td><td>{r['minutes']}</td><td>{html.escape(str(r['title']))}</td></tr>"
        for r in workshops.records(table)
    )
    head = "".join(f'<th scope="col">{sheets.LABELS[k]}</th>' for k in ("start", "minutes", "activity"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def stage_slides(plan: workshops.Plan) -> list[Slide]:
    """The slides of the middle of a session: one or more per part of the facilitator script."""
    slides: list[Slide] = []
    for heading, text in script_parts(plan).items():
        if heading.startswith((OPEN, CLOSE)):
            continue
        if heading.startswith(FRAME) and plan.stage:
            slides.append(frame_slide(plan.stage, heading, text))
        elif heading.startswith(EXPLORE):
            slides += explore_slides(heading, text)
        elif heading.startswith(CARD_SORT):
            slides += activity_slides(plan, text)
        else:
            slides.append(other_slide(heading, text))
    return slides


def plan_slides(plan: workshops.Plan) -> list[Slide]:
    """Every slide of one session, in order."""
    parts = script_parts(plan)
    meta = plan.meta
    title = sheets.LABELS["session"].format(session=meta["session"], title=plan.title)
    line = sheets.LABELS["meta"].format(minutes=plan.minutes, stage=_stage_title(plan))
    slides = [
        Slide("title", title, f'<p class="lead">{html.escape(line)}</p>', _part(parts, OPEN)[1]),
        Slide("goals", sheets.LABELS["goals"], _ul(meta["goals"]), f"{LABELS['who']}: " + "; ".join(meta["audience"])),
        Slide("agenda", sheets.LABELS["agenda"], _agenda_table(workshops.agenda(plan))),
    ]
    return slides + stage_slides(plan) + closing_slides(plan, _part(parts, CLOSE)[1])


def session_slides(session: pd.DataFrame, *, title: str | None = None) -> list[Slide]:
    """The slides of a custom session (from :func:`equitylens.kit.workshops.build_session`).

    Each chosen stage brings the slides of its own session plan for the activities the
    custom agenda kept (a dropped scenario drops its slide).
    """
    stages = [s for s in dict.fromkeys(session["stage"]) if isinstance(s, str)]
    kept = set(session["activity"])
    names = ", ".join(content.get_stage(s)["title"].lower() for s in stages)
    heading = title or f"Custom session: {names}"
    minutes = int(session["minutes"].sum())
    line = sheets.LABELS["meta"].format(minutes=minutes, stage=", ".join(content.get_stage(s)["title"] for s in stages))
    slides = [
        Slide("title", heading, f'<p class="lead">{html.escape(line)}</p>'),
        Slide("agenda", sheets.LABELS["agenda"], _agenda_table(session)),
    ]
    plans = [workshops.plan_for_stage(s) for s in stages]
    for stage, plan in zip(stages, plans, strict=True):
        for slide in stage_slides(plan):
            if f"{stage}-{slide.kind}" in kept:
                slides.append(slide)
    points = [p for plan in plans for p in sheets.bullets(plan.section("Key points"))]
    checks = [c for plan in plans for c in sheets.bullets(plan.section("Take back to work"))]
    close = _part(script_parts(plans[-1]), CLOSE)[1]
    return [
        *slides,
        Slide("closing", sheets.LABELS["key_points"], _ul(points)),
        survey_slide(),
        Slide("closing", sheets.LABELS["take_back"], _ul(checks), close),
    ]


# --- The deck ------------------------------------------------------------------------------

_CSS: Final = """
@page { size: %(w)s %(h)s; margin: 0; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%%; background: #222; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111; }
main { height: 100%%; display: flex; flex-direction: column; }
.slide { background: #fff; flex: 1; padding: 2.2rem 3rem 1rem; overflow: auto; border-top: 0.6rem solid %(colour)s; }
.slide[hidden] { display: none; }
.slide h1, .slide h2 { font-size: 2.3rem; margin: 0 0 1rem; }
.slide h3 { font-size: 1.5rem; margin: 1rem 0 0.5rem; }
.slide p, .slide li, .slide td, .slide th { font-size: 1.45rem; line-height: 1.4; }
.slide .lead { font-size: 1.7rem; }
.slide table { border-collapse: collapse; }
.slide td, .slide th { border-bottom: 1px solid #999; padding: 0.2rem 0.8rem; text-align: left; }
.story { border-left: 0.4rem solid %(colour)s; padding-left: 1rem; }
.story .place { font-weight: normal; }
.chart { overflow-x: auto; }
@media screen { .chart { zoom: 1.2; } }
.count { color: #fff; font-size: 1rem; }
aside.notes { background: #fffbe6; color: #111; border-top: 2px solid #333; padding: 0.6rem 3rem; max-height: 35%%;
  overflow: auto; font-size: 1.1rem; }
aside.notes[hidden] { display: none; }
nav { display: flex; gap: 0.5rem; align-items: center; padding: 0.3rem 1rem; background: #222; color: #fff; }
nav button { font-size: 1rem; padding: 0.3rem 0.8rem; }
nav .help { font-size: 1rem; margin-left: auto; }
@media print {
  html, body { background: #fff; height: auto; }
  nav, aside.notes { display: none !important; }
  .slide, .slide[hidden] { display: block !important; width: %(w)s; height: %(h)s; overflow: hidden;
    page-break-after: always; }
  .slide:last-of-type { page-break-after: auto; }
}
"""

_JS: Final = """
(function () {
  var slides = Array.prototype.slice.call(document.querySelectorAll("section.slide"));
  var notes = document.getElementById("notes");
  var count = document.getElementById("count");
  var current = 0;
  function show(i) {
    current = Math.max(0, Math.min(slides.length - 1, i));
    slides.forEach(function (s, j) { s.hidden = j !== current; });
    var template = slides[current].querySelector("template.slide-notes");
    notes.innerHTML = template ? template.innerHTML : "";
    count.textContent = (current + 1) + " / " + slides.length;
    if (location.hash !== "#" + (current + 1)) { history.replaceState(null, "", "#" + (current + 1)); }
  }
  document.addEventListener("keydown", function (e) {
    if (e.target && /INPUT|SELECT|TEXTAREA/.test(e.target.tagName)) { return; }
    if (["ArrowRight", "PageDown", " "].indexOf(e.key) >= 0) { show(current + 1); e.preventDefault(); }
    else if (["ArrowLeft", "PageUp"].indexOf(e.key) >= 0) { show(current - 1); e.preventDefault(); }
    else if (e.key === "Home") { show(0); } else if (e.key === "End") { show(slides.length - 1); }
    else if (e.key === "n" || e.key === "N") { notes.hidden = !notes.hidden; }
  });
  document.getElementById("prev").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("toggle").addEventListener("click", function () { notes.hidden = !notes.hidden; });
  window.equitylensDeck = { show: show, count: slides.length };
  show(parseInt((location.hash || "#1").slice(1), 10) - 1 || 0);
})();
"""


@functools.cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script (the book's bundle), for offline decks.

    Made by ``vl_convert`` for the Vega-Lite version Altair writes, wrapped in a scope of its own,
    and kept in ``_build/`` so that later builds reuse it.
    """
    import vl_convert

    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    cache = paths.BUILD_DIR / f".vega-bundle-{version}-vl-convert-{getattr(vl_convert, '__version__', '')}.js"
    if cache.is_file():
        return cache.read_text(encoding="utf-8")
    text: str = vl_convert.javascript_bundle(vl_version=version)  # type: ignore[call-arg]
    wrapped = "(function () {\n" + text + "\n})();\n"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(wrapped, encoding="utf-8")
    return wrapped


def deck_html(slides: Sequence[Slide], *, title: str, colour: str = charts.NEUTRAL) -> str:
    """A self-contained HTML deck: every slide, its notes, the deck's script and, if needed, Vega."""
    if not slides:
        raise ValueError("slides must hold at least one slide")
    sections = []
    for i, slide in enumerate(slides):
        level = "h1" if i == 0 else "h2"
        notes = sheets.markdown_html(slide.notes) if slide.notes else ""
        label = html.escape(slide.title, quote=True)
        sections.append(
            f'<section class="slide slide-{slide.kind}" tabindex="0" aria-label="{label}"'
            f"{' hidden' if i else ''}><{level}>{html.escape(slide.title)}</{level}>{slide.body}"
            f'<template class="slide-notes">{notes}</template></section>'
        )
    needs_vega = any("vegaEmbed" in s.body for s in slides)
    bundle = f"<script>{vega_bundle()}</script>" if needs_vega else ""
    css = _CSS % {"w": SLIDE_SIZE[0], "h": SLIDE_SIZE[1], "colour": colour}
    nav = (
        f'<nav aria-label="Slides"><button id="prev" type="button">{LABELS["previous"]}</button>'
        f'<button id="next" type="button">{LABELS["next"]}</button>'
        f'<button id="toggle" type="button">{LABELS["toggle"]}</button>'
        f'<span id="count" class="count" aria-live="polite"></span><span class="help">{LABELS["help"]}</span></nav>'
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
        f"<style>{css}</style>{bundle}</head><body><main>{''.join(sections)}"
        f'<aside id="notes" class="notes" aria-label="{LABELS["notes"]}" hidden></aside>{nav}</main>'
        f"<script>{_JS}</script></body></html>"
    )


def plan_deck(plan: workshops.Plan) -> str:
    """The deck of one session plan."""
    colour = cards.STAGE_COLOURS.get(plan.stage or "", charts.NEUTRAL)
    title = sheets.LABELS["session"].format(session=plan.meta["session"], title=plan.title)
    return deck_html(plan_slides(plan), title=title, colour=colour)


# --- Writing ---------------------------------------------------------------------------------


def _print(jobs: Sequence[tuple[Path, Path]], browser_path: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(browser_path), args=list(printing.CHROMIUM_FLAGS))
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        for source, target in jobs:
            page.goto(source.resolve().as_uri(), wait_until="load")
            page.wait_for_function(
                "document.querySelectorAll('.equitylens-chart').length === "
                "Object.keys(window.equitylensViews || {}).length",
                timeout=60_000,
            )
            page.pdf(path=str(target), width=SLIDE_SIZE[0], height=SLIDE_SIZE[1], print_background=True)
            written.append(target)
        browser.close()
    return written


def render_pdfs(decks: Sequence[Path]) -> list[Path]:
    """Print each HTML deck to a PDF beside it (one 16:9 page per slide)."""
    jobs = [(path, path.with_suffix(".pdf")) for path in decks]
    return printing.outside_event_loop(_print, jobs, printing.chromium())


def make_slides(
    out: Path | str = OUT_DIR,
    *,
    plans: Sequence[str] | None = None,
    stages: Sequence[str] | str | None = None,
    minutes: int | None = None,
    pdf: bool = True,
) -> list[Path]:
    """Write the decks (HTML, and PDF with ``pdf``) of the chosen plans, and of a custom session.

    ``plans`` names plan ids (default: every session). With ``stages`` and ``minutes`` a custom
    session is built as ``make workshop`` builds it and written as ``workshop.html``.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    chosen = workshops.load_plans() if plans is None else [workshops.get_plan(p) for p in plans]
    written: list[Path] = []
    for plan in chosen:
        path = folder / f"{plan.path.stem}.html"
        path.write_text(plan_deck(plan), encoding="utf-8")
        written.append(path)
    if stages is not None or minutes is not None:
        if stages is None or minutes is None:
            raise ValueError("stages and minutes go together: give both for a custom session, or neither")
        session = workshops.build_session(stages=stages, minutes=minutes)
        path = folder / "workshop.html"
        path.write_text(deck_html(session_slides(session), title="Equity Lens custom session"), encoding="utf-8")
        written.append(path)
    if pdf:
        written += render_pdfs(list(written))
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m equitylens.kit.slides [--out DIR] [--plan ID ...] [--stages S --minutes M] [--no-pdf]``."""
    parser = argparse.ArgumentParser(description="Write a slide deck (HTML and PDF) for each workgroup session.")
    parser.add_argument("--out", default=str(OUT_DIR))
    parser.add_argument("--plan", action="append", help="a plan id (repeat); default: every session")
    parser.add_argument("--stages", help="comma-separated stage ids for a custom session, e.g. analysis,access")
    parser.add_argument("--minutes", type=int, help="length of the custom session")
    parser.add_argument("--no-pdf", action="store_true", help="write the HTML decks only")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        written = make_slides(args.out, plans=args.plan, stages=args.stages, minutes=args.minutes, pdf=not args.no_pdf)
    except ValueError as error:
        parser.exit(2, f"make slides: {error}\n")
    except RuntimeError as error:
        parser.exit(1, f"make slides: {error}\n")
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
