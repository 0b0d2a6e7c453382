"""The practice card deck, designed for a card sort: one printable HTML page per paper size.

Every card is one side of one row of the paper's practice tables (``book/data/practices.yml``):

* **Front:** a band in the stage's colour with the stage's name in words, the practice in large
  type marked as the paper's (with its table number), and the card's number and the session whose
  card sort uses it.
* **Back:** the same band; positive or problematic (the paper's sorting) in large type with a mark
  that is not only colour (a tick or a cross, a solid or a striped edge); then the kit's own note on
  why it matters, labelled as the kit's, not the paper's.

Sheets hold three by three cards with cut marks in the margin. Each sheet of fronts is followed by
its sheet of backs with the columns mirrored, so that printed double-sided and flipped on the long
edge each back lands behind its front. Card numbers are the ones the session plans name
("cards 19 to 30"): the deck is numbered in the order of ``practices.yml``.

Words come from the content data and the session plans through :mod:`equitylens.kit.i18n`, so the
Spanish deck is the same deck.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any, Final

import pandas as pd

from equitylens.data import content
from equitylens.kit import i18n, workshops
from equitylens.viz import charts

#: Paper sizes and the card size that fits three by three on each.
PAPERS: Final[dict[str, dict[str, str]]] = {
    "letter": {"width": "8.5in", "height": "11in", "card_w": "2.5in", "card_h": "3.5in"},
    "a4": {"width": "210mm", "height": "297mm", "card_w": "63mm", "card_h": "88mm"},
}
COLUMNS: Final = 3
ROWS: Final = 3
PER_SHEET: Final = COLUMNS * ROWS
SIDES: Final[tuple[str, str]] = ("positive", "problematic")
#: One colour per stage, from the charts' colour-blind-safe (Okabe-Ito) palette, in stage order.
STAGE_COLOURS: Final[dict[str, str]] = dict(zip(content.STAGE_IDS, charts.PALETTE, strict=False))
#: The paper's practice tables are numbered in stage order (Table 1: planning ... Table 6: reporting).
TABLE_NUMBERS: Final[dict[str, int]] = {stage: i for i, stage in enumerate(content.STAGE_IDS, start=1)}

#: Every label the cards print, in English; the catalogs translate them.
LABELS: Final[dict[str, str]] = {
    "card": "Card",
    "session": "Session",
    "paper": "From the paper, Table {table}",
    "positive": "Positive practice",
    "problematic": "Problematic practice",
    "paper_sort": "The paper's sorting",
    "kit_note": "Kit's note",
    "kit_note_hint": "our words, not the paper's",
    "title": "Equity Lens practice cards",
    "draft": "Draft translation for review",
}
MARKS: Final[dict[str, str]] = {"positive": "\u2714", "problematic": "\u2716"}  # heavy tick, heavy cross

#: Shrinks the type of any card body that still overflows, down to :data:`SMALLEST_PT`, before printing.
SMALLEST_PT: Final = 10
_FIT: Final = """
document.querySelectorAll(".card .body").forEach(function (body) {
  var text = body.querySelector(".practice, .why");
  var size = parseFloat(getComputedStyle(text).fontSize) * 0.75;
  while (body.scrollHeight > body.clientHeight + 1 && size > %(smallest)s) {
    size -= 0.5;
    text.style.fontSize = size + "pt";
  }
});
"""

_CSS: Final = """
@page {{ size: {width} {height}; margin: 0; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111; }}
.sheet {{ position: relative; width: {width}; height: {height}; page-break-after: always; overflow: hidden; }}
.sheet:last-child {{ page-break-after: auto; }}
.grid {{ position: absolute; left: calc(({width} - 3 * {card_w}) / 2); top: calc(({height} - 3 * {card_h}) / 2);
  display: grid; grid-template-columns: repeat(3, {card_w}); grid-auto-rows: {card_h}; }}
.cut {{ position: absolute; background: #000; }}
.cut.v {{ width: 0.5pt; height: 0.18in; }}
.cut.h {{ height: 0.5pt; width: 0.18in; }}
.card {{ position: relative; border: 0.5pt solid #bbb; display: flex; flex-direction: column; overflow: hidden; }}
.band {{ padding: 0.06in 0.12in; font-weight: bold; font-size: 11pt; letter-spacing: 0.02em; }}
.body {{ flex: 1; min-height: 0; padding: 0.08in 0.14in 0.04in; display: flex; flex-direction: column;
  overflow: hidden; }}
.source {{ font-size: 8pt; color: #333; text-transform: uppercase; letter-spacing: 0.04em; }}
.practice {{ font-weight: bold; line-height: 1.22; margin-top: 0.06in; }}
.practice ul {{ margin: 0.04in 0 0 0.16in; padding: 0; font-weight: normal; }}
.size-l {{ font-size: 15pt; }} .size-m {{ font-size: 13pt; }} .size-s {{ font-size: 11.5pt; }}
.foot {{ display: flex; justify-content: space-between; font-size: 8pt; color: #222; padding: 0.04in 0.12in 0.07in;
  border-top: 0.5pt solid #ccc; }}
.foot .num {{ font-weight: bold; font-size: 9pt; white-space: nowrap; margin-right: 0.06in; }}
.verdict {{ font-size: 15pt; font-weight: bold; padding: 0.05in 0.08in; margin-top: 0.05in; border-radius: 3pt; }}
.verdict .mark {{ font-size: 17pt; margin-right: 0.05in; }}
.verdict.positive {{ border: 2.5pt solid #111; }}
.verdict.problematic {{ border: 2.5pt dashed #111; background: repeating-linear-gradient(135deg, #fff 0 5pt,
  #e6e6e6 5pt 7pt); }}
.note {{ margin-top: 0.1in; border-left: 3pt solid #555; padding: 0.03in 0 0.03in 0.08in; }}
.note .label {{ font-size: 8pt; text-transform: uppercase; letter-spacing: 0.04em; color: #333; }}
.note .label em {{ text-transform: none; letter-spacing: 0; }}
.note .why {{ font-size: 11.5pt; line-height: 1.25; margin-top: 0.03in; }}
.draft {{ font-size: 7pt; color: #333; font-style: italic; padding: 0 0.12in 0.03in; text-align: right; }}
.empty {{ border: none; }}
"""


def deck(*, stages: Sequence[str] | None = None, path: Any = None) -> pd.DataFrame:
    """One row per card: number, stage, stage title, section, side, text, items, why and session.

    Each side of each row of the practice tables is a card, numbered through the whole deck;
    ``stages`` keeps only those stages (their numbers stay the same).
    """
    chosen = list(content.STAGE_IDS) if stages is None else list(stages)
    for stage in chosen:
        content._check_stage_id(stage, "stages")
    rows: list[dict[str, Any]] = []
    for stage in content.load_practices(path)["stages"]:
        for section in stage["sections"]:
            for pair in section["pairs"]:
                for side in SIDES:
                    if not pair[side]:
                        continue
                    rows.append(
                        {
                            "stage": stage["id"],
                            "stage_title": stage["title"],
                            "section": section["title"] or "",
                            "side": side,
                            "text": i18n.normalise(pair[side]),
                            "items": [i18n.normalise(i) for i in pair.get(f"{side}_items") or []],
                            "why": i18n.normalise(pair["why"]),
                        }
                    )
    out = pd.DataFrame(rows)
    out.insert(0, "number", range(1, len(out) + 1))
    sessions = {s: workshops.plan_for_stage(s) for s in content.STAGE_IDS}
    out["session"] = [int(sessions[s].meta["session"]) for s in out["stage"]]
    return out[out["stage"].isin(chosen)].reset_index(drop=True)


def _ink(colour: str) -> str:
    """Black or white text, whichever has the higher contrast on ``colour``."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    channel = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    luminance = 0.2126 * channel[0] + 0.7152 * channel[1] + 0.0722 * channel[2]
    return "#000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#fff"


def _size(card: dict[str, Any], t: i18n.Translator) -> str:
    """A starting type size from the length of the words (the page's script shrinks what still overflows)."""
    length = len(t(card["text"])) + sum(max(len(t(i)), 24) for i in card["items"])
    return "size-l" if length <= 110 else "size-m" if length <= 180 else "size-s"


def _band(card: dict[str, Any], t: i18n.Translator) -> str:
    colour = STAGE_COLOURS[card["stage"]]
    name = t(card["stage_title"]) + (f" · {t(card['section'])}" if card["section"] else "")
    return f'<div class="band" style="background:{colour};color:{_ink(colour)}">{html.escape(name)}</div>'


def _foot(card: dict[str, Any], t: i18n.Translator) -> str:
    return (
        f'<div class="foot"><span class="num">{t(LABELS["card"])} {card["number"]}</span>'
        f"<span>{t(LABELS['session'])} {card['session']}</span></div>"
    )


def _draft(t: i18n.Translator) -> str:
    return f'<div class="draft">{html.escape(t(LABELS["draft"]))}</div>' if t.is_draft else ""


def front_html(card: dict[str, Any], t: i18n.Translator) -> str:
    """One card's front: stage band, the paper's practice in large type, number and session."""
    items = "".join(f"<li>{html.escape(t(i))}</li>" for i in card["items"])
    listed = f"<ul>{items}</ul>" if items else ""
    source = t(LABELS["paper"]).format(table=TABLE_NUMBERS[card["stage"]])
    return (
        f'<div class="card front">{_band(card, t)}<div class="body">'
        f'<div class="source">{html.escape(source)}</div>'
        f'<div class="practice {_size(card, t)}">{html.escape(t(card["text"]))}{listed}</div></div>'
        f"{_draft(t)}{_foot(card, t)}</div>"
    )


def back_html(card: dict[str, Any], t: i18n.Translator) -> str:
    """One card's back: stage band, positive or problematic (the paper's), then the kit's note."""
    side = card["side"]
    return (
        f'<div class="card back">{_band(card, t)}<div class="body">'
        f'<div class="source">{html.escape(t(LABELS["paper_sort"]))}</div>'
        f'<div class="verdict {side}"><span class="mark" aria-hidden="true">{MARKS[side]}</span>'
        f"{html.escape(t(LABELS[side]))}</div>"
        f'<div class="note"><div class="label">{html.escape(t(LABELS["kit_note"]))} · '
        f"<em>{html.escape(t(LABELS['kit_note_hint']))}</em></div>"
        f'<div class="why">{html.escape(t(card["why"]))}</div></div></div>'
        f"{_draft(t)}{_foot(card, t)}</div>"
    )


def _cut_marks(paper: str) -> str:
    """Short lines in the margin at every card edge, to cut along."""
    size = PAPERS[paper]
    left = f"(({size['width']} - 3 * {size['card_w']}) / 2)"
    top = f"(({size['height']} - 3 * {size['card_h']}) / 2)"
    marks: list[str] = []
    for i in range(COLUMNS + 1):
        x = f"calc({left} + {i} * {size['card_w']})"
        marks.append(f'<div class="cut v" style="left:{x};top:calc({top} - 0.22in)"></div>')
        marks.append(f'<div class="cut v" style="left:{x};top:calc({top} + 3 * {size["card_h"]} + 0.04in)"></div>')
    for j in range(ROWS + 1):
        y = f"calc({top} + {j} * {size['card_h']})"
        marks.append(f'<div class="cut h" style="top:{y};left:calc({left} - 0.22in)"></div>')
        marks.append(f'<div class="cut h" style="top:{y};left:calc({left} + 3 * {size["card_w"]} + 0.04in)"></div>')
    return "".join(marks)


def deck_html(*, paper: str = "letter", stages: Sequence[str] | None = None, lang: str = "en") -> str:
    """The deck as one printable HTML page: each sheet of fronts, then its sheet of mirrored backs."""
    if paper not in PAPERS:
        raise ValueError(f"paper={paper!r} must be one of {', '.join(PAPERS)}")
    t = i18n.translator(lang)
    cards = workshops.records(deck(stages=stages))
    marks = _cut_marks(paper)
    empty = '<div class="card empty"></div>'
    sheets: list[str] = []
    for first in range(0, len(cards), PER_SHEET):
        chunk = cards[first : first + PER_SHEET]
        slots: list[dict[str, Any] | None] = [*chunk, *([None] * (PER_SHEET - len(chunk)))]
        fronts = [front_html(c, t) if c else empty for c in slots]
        backs: list[str] = []
        for row in range(ROWS):
            line = slots[row * COLUMNS : (row + 1) * COLUMNS]
            backs += [back_html(c, t) if c else empty for c in reversed(line)]
        for side in (fronts, backs):
            sheets.append(f'<section class="sheet">{marks}<div class="grid">{"".join(side)}</div></section>')
    t.warn()
    css = _CSS.format(**PAPERS[paper])
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(t(LABELS['title']))}</title><style>{css}</style></head>"
        f"<body>{''.join(sheets)}<script>{_FIT % {'smallest': SMALLEST_PT}}</script></body></html>"
    )


def sheets_needed(count: int) -> int:
    """Pages in a deck of ``count`` cards: a front and a back page per sheet."""
    return 2 * math.ceil(count / PER_SHEET)


def messages() -> list[tuple[str, str]]:
    """Every English string the cards print, with where it comes from (for the catalogs)."""
    found: list[tuple[str, str]] = [(text, f"equitylens/kit/cards.py LABELS[{key}]") for key, text in LABELS.items()]
    for card in workshops.records(deck()):
        where = f"book/data/practices.yml {card['stage']}"
        found.append((card["stage_title"], where))
        if card["section"]:
            found.append((card["section"], where))
        found.append((card["text"], f"{where} card {card['number']}"))
        found += [(item, f"{where} card {card['number']}") for item in card["items"]]
        found.append((card["why"], f"{where} card {card['number']} (kit's note)"))
    return found
