"""Printable sheets people hold: session handouts, the check-in survey and the self-assessment.

Each is an HTML page with print CSS (:mod:`equitylens.kit.printing` turns it into a PDF), built from
the one source of its words: the handouts from the session plans in ``workshops/``, the survey from
:data:`equitylens.kit.checkin.QUESTIONS`, the self-assessment from the positive practices in
``book/data/practices.yml``. Every string passes through :mod:`equitylens.kit.i18n`, so each sheet
prints in every language the kit has a catalog for.
"""

from __future__ import annotations

import html
import re
from typing import Final

from markdown_it import MarkdownIt

from equitylens.data import content
from equitylens.kit import cards, checkin, i18n, selfassess, workshops
from equitylens.methods.policy import DEFAULT_POLICY

#: Every label the sheets print, in English; the catalogs translate them.
LABELS: Final[dict[str, str]] = {
    "session": "Session {session}: {title}",
    "meta": "{minutes} minutes · Stage: {stage} · Equity Lens workgroup series",
    "all_stages": "All stages",
    "goals": "Goals",
    "agenda": "Agenda",
    "start": "Start",
    "minutes": "Minutes",
    "activity": "Activity",
    "key_points": "Key points",
    "take_back": "Take back to work",
    "synthetic": "All data used in these sessions are synthetic: no real person is in them.",
    "survey_title": "Check-in survey",
    "survey_intro": "This survey is anonymous. Answers are summarised only in groups of {k} or more.",
    "survey_scale": "Rate each line from 1 (strongly disagree) to 5 (strongly agree). Circle one number.",
    "survey_optional": "Then, if you want to:",
    "survey_role": "My role (tick one):",
    "survey_change": "One thing we should change next time:",
    "survey_session": "Session number: ____",
    "disagree": "Strongly disagree",
    "agree": "Strongly agree",
    "statement": "Statement",
    "self_title": "Self-assessment: how is your team doing?",
    "self_intro": (
        "Rate each positive practice for your own work. Tick one box per line. Then turn the ticks into an action "
        "plan with the self-assessment page of the book, or talk them through as a team."
    ),
    "practice": "Practice",
    "team": "Team: ______________________   Date: ____________",
    "draft": (
        "Draft translation for review by Spanish-speaking community members. Please tell the facilitator about "
        "any word that is unclear."
    ),
}
#: The roles a person can tick on the survey (``Not given`` is what a blank answer becomes).
SURVEY_ROLES: Final[tuple[str, ...]] = tuple(r for r in checkin.ROLES if r != "Not given")

_CSS: Final = """
@page { size: letter; margin: 0.6in 0.7in; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.35;
  color: #111; }
h1 { font-size: 17pt; margin: 0 0 0.05in; }
h2 { font-size: 12.5pt; margin: 0.18in 0 0.05in; border-bottom: 1px solid #999; }
h3 { font-size: 11pt; margin: 0.12in 0 0.04in; }
.meta { font-size: 9.5pt; color: #333; margin: 0 0 0.1in; }
.draft { border: 1.5pt dashed #333; padding: 0.05in 0.1in; font-size: 9.5pt; margin: 0 0 0.12in; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border-bottom: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
td.box, th.box { text-align: center; width: 0.55in; }
.scale { font-size: 11pt; } .scale td.box { font-size: 13pt; }
ul { margin: 0.03in 0 0.03in 0.2in; padding: 0; }
li { margin: 0.02in 0; }
.line { border-bottom: 1px solid #555; height: 0.35in; }
.stage { break-inside: avoid; }
.foot { font-size: 8.5pt; color: #444; margin-top: 0.15in; }
"""

_ROLE = re.compile(r"\{[a-z:]+\}`([^`<]*?)(?:\s*<[^>]*>)?`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_BULLET = re.compile(r"^- (?:\[ \] )?(.*)$")
BOX: Final = "\u2610"


def plain(markdown: str) -> str:
    """Drop MyST roles and links down to their text, for print."""
    return _LINK.sub(r"\1", _ROLE.sub(r"\1", markdown))


def markdown_html(markdown: str) -> str:
    """Markdown (with tables and ``- [ ]`` checklists) as HTML, for print."""
    text = plain(markdown).replace("- [ ] ", f"- {BOX} ")
    return str(MarkdownIt("commonmark").enable("table").render(text))


def bullets(markdown: str) -> list[str]:
    """The items of a Markdown bullet list (or checklist), each on one line."""
    items: list[str] = []
    for line in markdown.splitlines():
        match = _BULLET.match(line.strip()) if not line.startswith(" ") else None
        if match:
            items.append(match.group(1))
        elif line.strip() and items:
            items[-1] += " " + line.strip()
    return [i18n.normalise(plain(item)) for item in items]


def _stage_title(plan: workshops.Plan) -> str:
    return content.get_stage(plan.stage)["title"] if plan.stage else LABELS["all_stages"]


def _draft(t: i18n.Translator) -> str:
    return f'<p class="draft">{html.escape(t(LABELS["draft"]))}</p>' if t.is_draft else ""


def page(title: str, body: str, *, lang: str = "en") -> str:
    """A printable HTML page with the sheets' print CSS."""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>"
    )


def handout_html(plan: workshops.Plan, *, lang: str = "en") -> str:
    """A one- or two-page handout for one session: goals, agenda, key points and checklist."""
    t = i18n.translator(lang)
    meta = plan.meta
    e = html.escape
    rows = "".join(
        f"<tr><td>{workshops._clock(int(r['start']))}</td><td>{r['minutes']}</td><td>{e(t(str(r['title'])))}</td></tr>"
        for r in workshops.records(workshops.agenda(plan))
    )
    goals = "".join(f"<li>{e(t(g))}</li>" for g in meta["goals"])
    points = "".join(f"<li>{e(t(p))}</li>" for p in bullets(plan.section("Key points")))
    checks = "".join(f"<li>{BOX} {e(t(c))}</li>" for c in bullets(plan.section("Take back to work")))
    title = t(LABELS["session"]).format(session=meta["session"], title=t(plan.title))
    line = t(LABELS["meta"]).format(minutes=plan.minutes, stage=t(_stage_title(plan)))
    body = (
        f'<h1>{e(title)}</h1>{_draft(t)}<p class="meta">{e(line)}</p>'
        f"<h2>{e(t(LABELS['goals']))}</h2><ul>{goals}</ul>"
        f"<h2>{e(t(LABELS['agenda']))}</h2><table><thead><tr><th>{e(t(LABELS['start']))}</th>"
        f"<th>{e(t(LABELS['minutes']))}</th><th>{e(t(LABELS['activity']))}</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<h2>{e(t(LABELS['key_points']))}</h2><ul>{points}</ul>"
        f'<h2>{e(t(LABELS["take_back"]))}</h2><ul style="list-style:none;margin-left:0">{checks}</ul>'
        f'<p class="foot">{e(t(LABELS["synthetic"]))}</p>'
    )
    t.warn()
    return page(title, body, lang=lang)


def survey_intro(t: i18n.Translator | None = None) -> str:
    """The survey's promise of anonymity, with the group size ``checkin.summary`` keeps to (the policy's)."""
    text = t(LABELS["survey_intro"]) if t is not None else LABELS["survey_intro"]
    return text.format(**DEFAULT_POLICY.placeholders())


def survey_html(*, lang: str = "en") -> str:
    """The check-in survey on one page: the four statements with a 1-5 scale, role and one change."""
    t = i18n.translator(lang)
    e = html.escape
    scale = "".join(f'<th class="box">{n}</th>' for n in range(1, 6))
    rows = "".join(
        f"<tr><td>{i}. {e(t(text))}</td>" + "".join(f'<td class="box">{n}</td>' for n in range(1, 6)) + "</tr>"
        for i, text in enumerate(checkin.QUESTIONS.values(), start=1)
    )
    roles = "".join(f"<li>{BOX} {e(t(role))}</li>" for role in SURVEY_ROLES)
    number = len(checkin.QUESTIONS)
    body = (
        f"<h1>{e(t(LABELS['survey_title']))}</h1>{_draft(t)}"
        f'<p class="meta">{e(t(LABELS["survey_session"]))}</p>'
        f"<p>{e(survey_intro(t))}</p><p><strong>{e(t(LABELS['survey_scale']))}</strong></p>"
        f'<table class="scale"><thead><tr><th>{e(t(LABELS["statement"]))}</th>{scale}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        f'<p class="meta">1 = {e(t(LABELS["disagree"]))} · 5 = {e(t(LABELS["agree"]))}</p>'
        f"<h2>{e(t(LABELS['survey_optional']))}</h2>"
        f'<p>{number + 1}. {e(t(LABELS["survey_role"]))}</p><ul style="list-style:none">{roles}</ul>'
        f'<p>{number + 2}. {e(t(LABELS["survey_change"]))}</p><div class="line"></div><div class="line"></div>'
    )
    t.warn()
    return page(t(LABELS["survey_title"]), body, lang=lang)


def selfassess_html(*, lang: str = "en") -> str:
    """The self-assessment as a paper form: every positive practice by stage, with one box per rating."""
    t = i18n.translator(lang)
    e = html.escape
    deck = cards.deck()
    positive = deck[deck["side"] == "positive"]
    heads = "".join(f'<th class="box">{e(t(r))}</th>' for r in selfassess.RATINGS)
    parts: list[str] = []
    for stage, rows in positive.groupby("stage", sort=False):
        boxes = "".join(f'<td class="box">{BOX}</td>' for _ in selfassess.RATINGS)
        lines = ""
        for row in workshops.records(rows):
            items: list[str] = list(row["items"])
            listed = f" {e(', '.join(t(i) for i in items))}." if items else ""
            lines += f"<tr><td>{e(t(str(row['text'])))}{listed}</td>{boxes}</tr>"
        colour = cards.STAGE_COLOURS[str(stage)]
        title = t(str(rows["stage_title"].iloc[0]))
        parts.append(
            f'<div class="stage"><h2 style="border-bottom:4pt solid {colour}">{e(title)}</h2>'
            f"<table><thead><tr><th>{e(t(LABELS['practice']))}</th>{heads}</tr></thead><tbody>{lines}</tbody></table></div>"
        )
    body = (
        f'<h1>{e(t(LABELS["self_title"]))}</h1>{_draft(t)}<p class="meta">{e(t(LABELS["team"]))}</p>'
        f"<p>{e(t(LABELS['self_intro']))}</p>{''.join(parts)}"
    )
    t.warn()
    return page(t(LABELS["self_title"]), body, lang=lang)


def messages() -> list[tuple[str, str]]:
    """Every English string the sheets print, with where it comes from (for the catalogs)."""
    found: list[tuple[str, str]] = [(text, f"equitylens/kit/sheets.py LABELS[{key}]") for key, text in LABELS.items()]
    for plan in workshops.load_plans():
        where = f"workshops/{plan.path.name}"
        found.append((plan.title, f"{where} title"))
        found.append((_stage_title(plan), where))
        found += [(goal, f"{where} goals") for goal in plan.meta["goals"]]
        found += [(str(row), f"{where} Agenda") for row in workshops.agenda(plan)["title"]]
        found += [(item, f"{where} Key points") for item in bullets(plan.section("Key points"))]
        found += [(item, f"{where} Take back to work") for item in bullets(plan.section("Take back to work"))]
    found += [(text, "equitylens/kit/checkin.py QUESTIONS") for text in checkin.QUESTIONS.values()]
    found += [(role, "equitylens/kit/checkin.py ROLES") for role in SURVEY_ROLES]
    found += [(rating, "equitylens/kit/selfassess.py RATINGS") for rating in selfassess.RATINGS]
    return found
