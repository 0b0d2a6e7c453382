"""Printable materials: the practice card deck and the session handouts, as PDF.

Both are generated, never kept by hand: the cards from ``book/data/practices.yml``, the
handouts from the session plans in ``workshops/``. Each is an HTML page with print CSS,
turned into a PDF by headless Chromium (Debian's ``/usr/bin/chromium``, driven by
playwright's ``page.pdf``).

The deck prints double-sided: each sheet of fronts is followed by its sheet of backs, with
the columns mirrored so that, flipped on the long edge, each back lands behind its front.

``make cards``     → ``_build/print/cards-letter.pdf`` and ``cards-a4.pdf``
``make handouts``  → ``_build/print/handouts/NN-name.pdf``, one per session, with
``checkin-survey.pdf`` and ``self-assessment.pdf`` beside them in ``_build/print/``
``LANG=es``        → the same files in ``_build/print/es/`` (see :mod:`equitylens.kit.i18n`)
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

import pandas as pd

from equitylens.kit import cards as deck
from equitylens.kit import i18n, sheets, workshops

T = TypeVar("T")

CHROMIUM: Final[Path] = Path("/usr/bin/chromium")
CHROMIUM_FLAGS: Final[tuple[str, ...]] = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
)
#: Paper sizes the cards print on (see :mod:`equitylens.kit.cards` for the design).
PAPERS: Final[dict[str, dict[str, str]]] = deck.PAPERS
MISSING_CHROMIUM: Final = (
    "Chromium is needed to print PDFs and was not found at {path}. Install it with "
    "`apt-get install chromium` (the kit's .ci/run does), then run the command again."
)


# --- Cards and sheets (designed in equitylens.kit.cards and equitylens.kit.sheets) ------


def cards(*, stages: Sequence[str] | None = None, path: Path | str | None = None) -> pd.DataFrame:
    """One row per practice card (see :func:`equitylens.kit.cards.deck`)."""
    return deck.deck(stages=stages, path=path)


def cards_html(*, paper: str = "letter", stages: Sequence[str] | None = None, lang: str = "en") -> str:
    """The whole deck as one printable HTML page: fronts, then mirrored backs, sheet by sheet."""
    return deck.deck_html(paper=paper, stages=stages, lang=lang)


sheets_needed = deck.sheets_needed
markdown_html = sheets.markdown_html


def handout_html(plan: workshops.Plan, *, lang: str = "en") -> str:
    """A one- or two-page handout for one session: goals, agenda, key points and checklist."""
    return sheets.handout_html(plan, lang=lang)


def _page(title: str, body: str) -> str:
    return sheets.page(title, body)


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
    return outside_event_loop(_print, jobs, chromium())


def outside_event_loop(function: Callable[..., T], *args: Any) -> T:
    """Call ``function(*args)``; from a worker thread when an asyncio loop is running here.

    Playwright's sync API refuses to run where a loop is already running (a Jupyter
    kernel, or another Playwright session).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(function, *args).result()


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


def edition_folder(out: Path | str, lang: str = "en") -> Path:
    """Where one language's materials go: ``out`` for English, ``out/<lang>`` for the others."""
    i18n.check_language(lang)
    return Path(out) if lang == i18n.SOURCE_LANGUAGE else Path(out) / lang


def make_cards(out: Path | str, *, papers: Sequence[str] = ("letter", "a4"), lang: str = "en") -> list[Path]:
    """Write ``cards-<paper>.pdf`` for each paper size into ``out``, in language ``lang``."""
    folder = Path(out)
    return render_pdfs([(cards_html(paper=p, lang=lang), folder / f"cards-{p}.pdf", p) for p in papers])


def make_handouts(out: Path | str, *, folder: Path | str | None = None, lang: str = "en") -> list[Path]:
    """Write one handout PDF per session plan into ``out`` (named like the plan), in language ``lang``."""
    target = Path(out)
    jobs = [(handout_html(p, lang=lang), target / f"{p.path.stem}.pdf", "letter") for p in workshops.load_plans(folder)]
    return render_pdfs(jobs)


def make_forms(out: Path | str, *, lang: str = "en") -> list[Path]:
    """Write the check-in survey and the self-assessment as PDFs into ``out``, in language ``lang``."""
    target = Path(out)
    return render_pdfs(
        [
            (sheets.survey_html(lang=lang), target / "checkin-survey.pdf", "letter"),
            (sheets.selfassess_html(lang=lang), target / "self-assessment.pdf", "letter"),
        ]
    )


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
    """``python -m equitylens.kit.printing cards|handouts [--out DIR] [--lang es]``."""
    parser = argparse.ArgumentParser(description="Print the practice cards or the session handouts to PDF.")
    parser.add_argument("what", choices=("cards", "handouts"))
    parser.add_argument("--out", default="_build/print")
    parser.add_argument("--lang", default=i18n.SOURCE_LANGUAGE, choices=tuple(i18n.LANGUAGES))
    args = parser.parse_args(list(argv) if argv is not None else None)
    folder = edition_folder(args.out, args.lang)
    try:
        if args.what == "cards":
            written = make_cards(folder, lang=args.lang)
        else:
            written = make_handouts(folder / "handouts", lang=args.lang) + make_forms(folder, lang=args.lang)
    except RuntimeError as error:
        parser.exit(1, f"make {args.what}: {error}\n")
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
