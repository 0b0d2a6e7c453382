"""Printable materials: the practice card deck and the session handouts, as PDF.

Both are generated, never kept by hand: the cards from ``book/data/practices.yml``, the
handouts from the session plans in ``workshops/``. Each is an HTML page with print CSS,
turned into a PDF by headless Chromium (Debian's ``/usr/bin/chromium``, driven by
playwright's ``page.pdf``).

The deck prints double-sided: each sheet of fronts is followed by its sheet of backs, with
the columns mirrored so that, flipped on the long edge, each back lands behind its front.

``make cards``     → ``_build/print/cards-letter.pdf`` and ``cards-a4.pdf``
``make handouts``  → ``_build/print/handouts/NN-name.pdf``, one per session
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import html
import math
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd
from markdown_it import MarkdownIt

from equitylens.data import content
from equitylens.kit import workshops

CHROMIUM: Final[Path] = Path("/usr/bin/chromium")
CHROMIUM_FLAGS: Final[tuple[str, ...]] = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
)
#: Paper sizes and the card size that fits three by three on each.
PAPERS: Final[dict[str, dict[str, str]]] = {
    "letter": {"width": "8.5in", "height": "11in", "card_w": "2.5in", "card_h": "3.5in"},
    "a4": {"width": "210mm", "height": "297mm", "card_w": "63mm", "card_h": "88mm"},
}
COLUMNS: Final = 3
ROWS: Final = 3
PER_SHEET: Final = COLUMNS * ROWS
SIDES: Final[dict[str, str]] = {"positive": "Positive practice", "problematic": "Problematic practice"}
WHY_LABELS: Final[dict[str, str]] = {"kit": " (the kit's note)", "paper": " (from the paper)"}
MISSING_CHROMIUM: Final = (
    "Chromium is needed to print PDFs and was not found at {path}. Install it with "
    "`apt-get install chromium` (the kit's .ci/run does), then run the command again."
)

_ROLE = re.compile(r"\{[a-z:]+\}`([^`<]*?)(?:\s*<[^>]*>)?`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")

_CARD_CSS: Final = """
@page {{ size: {width} {height}; margin: 0; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; color: #111; }}
.sheet {{ width: {width}; height: {height}; display: grid; align-content: center; justify-content: center;
  grid-template-columns: repeat(3, {card_w}); grid-auto-rows: {card_h}; page-break-after: always; }}
.sheet:last-child {{ page-break-after: auto; }}
.card {{ border: 1px dashed #888; padding: 0.18in; display: flex; flex-direction: column; overflow: hidden; }}
.card .num {{ font-size: 8pt; color: #444; }}
.card .text {{ font-size: 12pt; line-height: 1.3; margin-top: 0.1in; }}
.card .text ul {{ margin: 0.05in 0 0 0.15in; padding: 0; }}
.back .side {{ font-weight: bold; font-size: 11pt; padding: 0.04in 0.08in; border-radius: 3px; }}
.back .positive {{ background: #cde6f5; }}
.back .problematic {{ background: #fbe3c4; }}
.back .stage {{ font-size: 9pt; margin-top: 0.08in; }}
.back .why {{ font-size: 11pt; line-height: 1.3; margin-top: 0.08in; }}
.empty {{ border: none; }}
"""

_HANDOUT_CSS: Final = """
@page { size: letter; margin: 0.6in 0.7in; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.35; color: #111; }
h1 { font-size: 17pt; margin: 0 0 0.05in; }
h2 { font-size: 12.5pt; margin: 0.18in 0 0.05in; border-bottom: 1px solid #999; }
h3 { font-size: 11pt; margin: 0.12in 0 0.04in; }
.meta { font-size: 9.5pt; color: #333; margin: 0 0 0.1in; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border-bottom: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }
ul { margin: 0.03in 0 0.03in 0.2in; padding: 0; }
li { margin: 0.02in 0; }
.foot { font-size: 8.5pt; color: #444; margin-top: 0.15in; }
"""


# --- Cards -------------------------------------------------------------------------------


def cards(*, stages: Sequence[str] | None = None, path: Path | str | None = None) -> pd.DataFrame:
    """One row per practice card: number, stage, section, side, text and why.

    Each side of each row of the practice tables is a card; ``stages`` keeps only those stages.
    """
    chosen = list(content.STAGE_IDS) if stages is None else list(stages)
    for stage in chosen:
        content._check_stage_id(stage, "stages")
    rows: list[dict[str, Any]] = []
    practices = content.load_practices(path)
    for stage in practices["stages"]:
        if stage["id"] not in chosen:
            continue
        for section in stage["sections"]:
            for pair in section["pairs"]:
                for side in SIDES:
                    text = pair[side]
                    if not text:
                        continue
                    items = pair.get(f"{side}_items") or []
                    rows.append(
                        {
                            "stage": stage["id"],
                            "stage_title": stage["title"],
                            "section": section["title"] or "",
                            "side": side,
                            "text": " ".join(str(text).split()),
                            "items": [str(i) for i in items],
                            "why": " ".join(str(pair["why"]).split()),
                            "why_by": practices["why_by"],
                        }
                    )
    out = pd.DataFrame(rows)
    out.insert(0, "number", range(1, len(out) + 1))
    return out


def _front(card: dict[str, Any]) -> str:
    items = "".join(f"<li>{html.escape(i)}</li>" for i in card["items"])
    listed = f"<ul>{items}</ul>" if items else ""
    return (
        f'<div class="card front"><div class="num">Card {card["number"]}</div>'
        f'<div class="text">{html.escape(card["text"])}{listed}</div></div>'
    )


def _back(card: dict[str, Any]) -> str:
    stage = card["stage_title"] + (f" ({card['section'].lower()})" if card["section"] else "")
    return (
        f'<div class="card back"><div class="num">Card {card["number"]}</div>'
        f'<div class="side {card["side"]}">{SIDES[card["side"]]}</div>'
        f'<div class="stage">Stage: {html.escape(stage)}</div>'
        f'<div class="why"><strong>Why it matters{WHY_LABELS[card["why_by"]]}:</strong> '
        f"{html.escape(card['why'])}</div></div>"
    )


def cards_html(*, paper: str = "letter", stages: Sequence[str] | None = None) -> str:
    """The whole deck as one printable HTML page: fronts, then mirrored backs, sheet by sheet."""
    if paper not in PAPERS:
        raise ValueError(f"paper={paper!r} must be one of {', '.join(PAPERS)}")
    deck = workshops.records(cards(stages=stages))
    sheets: list[str] = []
    for first in range(0, len(deck), PER_SHEET):
        chunk = deck[first : first + PER_SHEET]
        slots: list[dict[str, Any] | None] = [*chunk, *([None] * (PER_SHEET - len(chunk)))]
        fronts = [_front(c) if c else '<div class="card empty"></div>' for c in slots]
        backs: list[str] = []
        for row in range(ROWS):
            line = slots[row * COLUMNS : (row + 1) * COLUMNS]
            backs += [_back(c) if c else '<div class="card empty"></div>' for c in reversed(line)]
        sheets.append('<section class="sheet">' + "".join(fronts) + "</section>")
        sheets.append('<section class="sheet">' + "".join(backs) + "</section>")
    css = _CARD_CSS.format(**PAPERS[paper])
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Equity Lens practice cards</title><style>{css}</style></head>"
        f"<body>{''.join(sheets)}</body></html>"
    )


def sheets_needed(count: int) -> int:
    """Pages in a deck of ``count`` cards: a front and a back page per sheet."""
    return 2 * math.ceil(count / PER_SHEET)


# --- Handouts ----------------------------------------------------------------------------


def _plain(markdown: str) -> str:
    """Drop MyST roles and links down to their text, for print."""
    return _LINK.sub(r"\1", _ROLE.sub(r"\1", markdown))


def markdown_html(markdown: str) -> str:
    """Markdown (with tables and ``- [ ]`` checklists) as HTML, for print."""
    text = _plain(markdown).replace("- [ ] ", "- \u2610 ")
    return str(MarkdownIt("commonmark").enable("table").render(text))


def handout_html(plan: workshops.Plan) -> str:
    """A one- or two-page handout for one session: goals, agenda, key points and checklist."""
    meta = plan.meta
    stage = content.get_stage(plan.stage)["title"] if plan.stage else "All stages"
    table = workshops.agenda(plan)
    rows = "".join(
        f"<tr><td>{workshops._clock(int(r['start']))}</td><td>{r['minutes']}</td>"
        f"<td>{html.escape(str(r['title']))}</td></tr>"
        for r in workshops.records(table)
    )
    goals = "".join(f"<li>{html.escape(g)}</li>" for g in meta["goals"])
    body = (
        f"<h1>Session {meta['session']}: {html.escape(plan.title)}</h1>"
        f'<p class="meta">{plan.minutes} minutes · Stage: {html.escape(stage)} · Equity Lens workgroup series</p>'
        f"<h2>Goals</h2><ul>{goals}</ul>"
        "<h2>Agenda</h2><table><thead><tr><th>Start</th><th>Minutes</th><th>Activity</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f"<h2>Key points</h2>{markdown_html(plan.section('Key points'))}"
        f"<h2>Take back to work</h2>{markdown_html(plan.section('Take back to work'))}"
        '<p class="foot">All data used in these sessions are synthetic: no real person is in them.</p>'
    )
    return _page(f"Session {meta['session']}: {plan.title}", body)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_HANDOUT_CSS}</style></head><body>{body}</body></html>"
    )


# --- PDF ---------------------------------------------------------------------------------


def chromium() -> Path:
    """Debian's Chromium, or a RuntimeError saying how to install it."""
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    if found:
        return Path(found)
    raise RuntimeError(MISSING_CHROMIUM.format(path=CHROMIUM))


def render_pdfs(jobs: Sequence[tuple[str, Path, str]]) -> list[Path]:
    """Print each ``(html, path, paper)`` to PDF with one headless Chromium."""
    for _, _, paper in jobs:
        if paper not in PAPERS:
            raise ValueError(f"paper={paper!r} must be one of {', '.join(PAPERS)}")
    browser_path = chromium()
    # Playwright's sync API refuses to run where an asyncio loop is already running
    # (a Jupyter kernel, or another Playwright session). Print from a worker thread then.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _print(jobs, browser_path)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(_print, jobs, browser_path).result()


def _print(jobs: Sequence[tuple[str, Path, str]], browser_path: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(browser_path), args=list(CHROMIUM_FLAGS))
        page = browser.new_page()
        for markup, path, _paper in jobs:
            page.set_content(markup, wait_until="load")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
            written.append(Path(path))
        browser.close()
    return written


def make_cards(out: Path | str, *, papers: Sequence[str] = ("letter", "a4")) -> list[Path]:
    """Write ``cards-<paper>.pdf`` for each paper size into ``out``."""
    folder = Path(out)
    return render_pdfs([(cards_html(paper=p), folder / f"cards-{p}.pdf", p) for p in papers])


def make_handouts(out: Path | str, *, folder: Path | str | None = None) -> list[Path]:
    """Write one handout PDF per session plan into ``out`` (named like the plan)."""
    target = Path(out)
    jobs = [(handout_html(p), target / f"{p.path.stem}.pdf", "letter") for p in workshops.load_plans(folder)]
    return render_pdfs(jobs)


def session_pack(markdown: str, *, stages: Sequence[str], out: Path | str) -> dict[str, Path]:
    """A custom session's handout (from its Markdown agenda) and the cards of its stages."""
    folder = Path(out)
    handout = _page("Equity Lens custom session", markdown_html(markdown))
    pdfs = render_pdfs(
        [
            (handout, folder / "handout.pdf", "letter"),
            (cards_html(paper="letter", stages=stages), folder / "cards-letter.pdf", "letter"),
        ]
    )
    return {"handout": pdfs[0], "cards": pdfs[1]}


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m equitylens.kit.printing cards|handouts [--out DIR]``."""
    parser = argparse.ArgumentParser(description="Print the practice cards or the session handouts to PDF.")
    parser.add_argument("what", choices=("cards", "handouts"))
    parser.add_argument("--out", default="_build/print")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        written = make_cards(args.out) if args.what == "cards" else make_handouts(Path(args.out) / "handouts")
    except RuntimeError as error:
        parser.exit(1, f"make {args.what}: {error}\n")
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
