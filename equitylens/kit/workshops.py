"""The facilitation kit: session plans, activities, and the session builder.

Everything a trainer needs lives once, as files in ``workshops/``:

``workshops/NN-name.md``
    One session plan each: YAML front matter (see :data:`PLAN_FIELDS`) and a Markdown body
    with the sections in :data:`PLAN_SECTIONS`. The agenda is a table whose minutes add up
    to the session length and whose last column names an activity id.
``workshops/activities.yml``
    Every activity with its usual length: the plans name them, and :func:`build_session`
    picks from them to fit a time budget.

The book renders the plans with the ``workshop-plan`` directive (see
:mod:`equitylens.book.directives`); the printed handouts come from :mod:`equitylens.kit.printing`,
a custom session's pack from :mod:`equitylens.kit.sessions` and the live session builder from
:mod:`equitylens.kit.forms`.

>>> agenda = build_session(stages=["analysis"], minutes=60)
>>> int(agenda["minutes"].sum())
60
>>> agenda["activity"].tolist()[:3]
['welcome', 'norms-review', 'analysis-frame']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from equitylens.data import content, paths

WORKSHOP_DIR: Final[Path] = paths.WORKSHOPS_DIR
ACTIVITIES_FILE: Final = "activities.yml"
PLAN_PATTERN: Final = "[0-9][0-9]-*.md"

#: Front-matter fields of a session plan and the type each must have.
PLAN_FIELDS: Final[dict[str, str]] = {
    "id": "text",
    "session": "int",
    "title": "text",
    "minutes": "int",
    "stage": "stage or null",
    "audience": "list",
    "goals": "list",
    "materials": "list",
    "prework": "list",
    "uses": "list",
}
#: Level-two headings every plan body has, in this order.
PLAN_SECTIONS: Final[tuple[str, ...]] = (
    "Agenda",
    "Facilitator script",
    "Activities",
    "Inclusion notes",
    "Check-in survey",
    "Key points",
    "Take back to work",
)
AGENDA_HEADER: Final[tuple[str, ...]] = ("Start", "Minutes", "Activity", "Kit id")
ACTIVITY_KINDS: Final[tuple[str, ...]] = (
    "opening",
    "norms",
    "frame",
    "explore",
    "cards",
    "scenario",
    "discussion",
    "deliberation",
    "break",
    "survey",
    "closing",
)
#: Within one stage the builder orders activities by kind like this.
STAGE_ORDER: Final[tuple[str, ...]] = ("frame", "explore", "cards", "scenario", "discussion")
#: A break is only offered in sessions at least this long (minutes).
BREAK_FROM: Final = 90
BUFFER_ID: Final = "buffer"
BUFFER_TITLE: Final = "Buffer: questions, or a longer talk where the room needs it"
SCENARIO_HEADING: Final = "What would you do?"

ERR_STAGES: Final = "stages={value!r} must name one or more stage ids from: {allowed}"
ERR_MINUTES: Final = "minutes={value!r} must be a whole number of minutes greater than 0"
ERR_TOO_SHORT: Final = (
    "minutes={value} is too short for stages {stages}: the required activities take {needed} minutes "
    "({detail}). Give at least {needed} minutes, or choose fewer stages."
)

_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
_HEADING = re.compile(r"^(#{2,3}) (.+?)\s*$", re.M)
_TIME = re.compile(r"^(\d+):(\d\d)$")


@dataclass(frozen=True)
class Plan:
    """One session plan: its file, front matter and body."""

    path: Path
    meta: dict[str, Any]
    body: str
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    @property
    def minutes(self) -> int:
        return int(self.meta["minutes"])

    @property
    def stage(self) -> str | None:
        stage = self.meta["stage"]
        return None if stage is None else str(stage)

    def section(self, name: str) -> str:
        """The text under one level-two heading (without the heading)."""
        if name not in self.sections:
            raise ValueError(f"section={name!r} not found in {self.path.name}; it has {list(self.sections)}")
        return self.sections[name]

    def subsection(self, prefix: str) -> str:
        """The first level-three block whose heading starts with ``prefix``, heading included."""
        for match in _HEADING.finditer(self.body):
            if match.group(1) == "###" and match.group(2).startswith(prefix):
                rest = self.body[match.end() :]
                following = _HEADING.search(rest)
                end = following.start() if following else len(rest)
                return (match.group(0) + rest[:end]).strip() + "\n"
        raise ValueError(f"prefix={prefix!r}: no level-three heading starts with it in {self.path.name}")


# --- Activities --------------------------------------------------------------------------


def load_activities(path: Path | str | None = None) -> pd.DataFrame:
    """Read and check ``workshops/activities.yml``; one row per activity, in file order."""
    file = Path(path) if path is not None else WORKSHOP_DIR / ACTIVITIES_FILE
    data = content.read_yaml(file)
    if not isinstance(data, dict) or not isinstance(data.get("activities"), list):
        raise ValueError(f"{file}: expected a mapping with a list under 'activities'")
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["activities"]):
        where = f"{file}: activities[{i}]"
        entry = content._require(raw, ("id", "title", "minutes", "kind", "stages", "required"), where)
        ident = str(content._text(entry["id"], f"{where}.id"))
        if ident in seen:
            raise ValueError(f"{where}: duplicate id {ident!r}")
        seen.add(ident)
        minutes = entry["minutes"]
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
            raise ValueError(f"{where}.minutes must be a whole number > 0, got {minutes!r}")
        if entry["kind"] not in ACTIVITY_KINDS:
            raise ValueError(f"{where}.kind must be one of {', '.join(ACTIVITY_KINDS)}, got {entry['kind']!r}")
        stages = entry["stages"]
        if not isinstance(stages, list):
            raise ValueError(f"{where}.stages must be a list (empty for any session)")
        for stage in stages:
            content._check_stage_id(stage, f"{where}.stages")
        if not isinstance(entry["required"], bool):
            raise ValueError(f"{where}.required must be true or false")
        uses = entry.get("uses", [])
        if not isinstance(uses, list):
            raise ValueError(f"{where}.uses must be a list of paths")
        rows.append(
            {
                "activity": ident,
                "title": str(content._text(entry["title"], f"{where}.title")),
                "minutes": minutes,
                "kind": entry["kind"],
                "stage": stages[0] if len(stages) == 1 else None,
                "required": entry["required"],
                "priority": int(entry.get("priority", 99)),
                "uses": [str(u) for u in uses],
            }
        )
    return pd.DataFrame(rows)


# --- Session plans -----------------------------------------------------------------------


def _split_sections(body: str) -> dict[str, str]:
    sections: dict[str, str] = {}
    matches = [m for m in _HEADING.finditer(body) if m.group(1) == "##"]
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        sections[match.group(2)] = body[match.end() : end].strip() + "\n"
    return sections


def _check_meta(meta: Any, where: str) -> dict[str, Any]:
    meta = content._require(meta, tuple(PLAN_FIELDS), where)
    unknown = sorted(set(meta) - set(PLAN_FIELDS))
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(PLAN_FIELDS)}")
    for name, kind in PLAN_FIELDS.items():
        value = meta[name]
        if kind == "text":
            content._text(value, f"{where}.{name}")
        elif kind == "int":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{where}.{name} must be a whole number >= 0, got {value!r}")
        elif kind == "stage or null":
            if value is not None:
                content._check_stage_id(value, f"{where}.{name}")
        elif kind == "list":
            if not isinstance(value, list) or not value:
                raise ValueError(f"{where}.{name} must be a non-empty list")
            for j, item in enumerate(value):
                content._text(item, f"{where}.{name}[{j}]")
    if meta["minutes"] <= 0:
        raise ValueError(f"{where}.minutes must be greater than 0")
    return dict(meta)


def load_plan(path: Path | str) -> Plan:
    """Read one session plan and check its front matter and sections."""
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"path={str(file)!r}: file not found")
    match = _FRONT.match(file.read_text(encoding="utf-8"))
    if not match:
        raise ValueError(f"{file}: a plan must start with YAML front matter between two '---' lines")
    meta = content.parse_yaml(match.group(1), f"{file}: front matter")
    meta = _check_meta(meta, str(file))
    body = match.group(2)
    sections = _split_sections(body)
    if tuple(sections) != PLAN_SECTIONS:
        raise ValueError(f"{file}: level-two headings must be {list(PLAN_SECTIONS)} in order; got {list(sections)}")
    return Plan(path=file, meta=meta, body=body, sections=sections)


def load_plans(folder: Path | str | None = None) -> list[Plan]:
    """Every plan in ``workshops/``, in session order."""
    base = Path(folder) if folder is not None else WORKSHOP_DIR
    plans = [load_plan(p) for p in sorted(base.glob(PLAN_PATTERN))]
    if not plans:
        raise ValueError(f"folder={str(base)!r} holds no session plans ({PLAN_PATTERN})")
    return sorted(plans, key=lambda p: int(p.meta["session"]))


def get_plan(plan_id: str, folder: Path | str | None = None) -> Plan:
    """One plan by its id (``orientation``, ``planning`` ... ``deliberation``)."""
    plans = load_plans(folder)
    for plan in plans:
        if plan.id == plan_id:
            return plan
    raise ValueError(f"plan_id={plan_id!r} is not a session; choose from {', '.join(p.id for p in plans)}")


def plan_for_stage(stage: str, folder: Path | str | None = None) -> Plan:
    """The plan of the session that covers one life-cycle stage."""
    content._check_stage_id(stage, "stage")
    for plan in load_plans(folder):
        if plan.stage == stage:
            return plan
    raise ValueError(f"stage={stage!r}: no session plan covers it")


def agenda(plan: Plan) -> pd.DataFrame:
    """A plan's agenda table as a DataFrame: start, minutes, title, activity id."""
    lines = [line.strip() for line in plan.section("Agenda").splitlines() if line.strip().startswith("|")]
    if len(lines) < 3:
        raise ValueError(f"{plan.path.name}: the Agenda section needs a table with at least one row")
    header = tuple(cell.strip() for cell in lines[0].strip("|").split("|"))
    if header != AGENDA_HEADER:
        raise ValueError(f"{plan.path.name}: agenda columns must be {list(AGENDA_HEADER)}, got {list(header)}")
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) != len(AGENDA_HEADER):
            raise ValueError(f"{plan.path.name}: agenda row {line!r} needs {len(AGENDA_HEADER)} cells")
        start, minutes, title, ident = cells
        time = _TIME.match(start)
        if not time or not minutes.isdigit():
            raise ValueError(f"{plan.path.name}: agenda row {line!r}: start must be H:MM and minutes a number")
        rows.append(
            {
                "start": int(time.group(1)) * 60 + int(time.group(2)),
                "minutes": int(minutes),
                "title": title,
                "activity": ident.strip("`"),
            }
        )
    return pd.DataFrame(rows)


def check_agenda(plan: Plan, activities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check that a plan's agenda adds up, starts on time and names known activities."""
    table = agenda(plan)
    total = int(table["minutes"].sum())
    if total != plan.minutes:
        raise ValueError(f"{plan.path.name}: agenda minutes add up to {total}, but the session is {plan.minutes}")
    expected = table["minutes"].cumsum().shift(fill_value=0)
    wrong = table[table["start"] != expected]
    if not wrong.empty:
        row = wrong.iloc[0]
        raise ValueError(
            f"{plan.path.name}: {row['title']!r} starts at {_clock(int(row['start']))}, "
            f"expected {_clock(int(expected[wrong.index[0]]))}"
        )
    known = set((activities if activities is not None else load_activities())["activity"])
    unknown = sorted(set(table["activity"]) - known)
    if unknown:
        raise ValueError(f"{plan.path.name}: unknown activity id(s) {unknown}; see workshops/{ACTIVITIES_FILE}")
    return table


LINK: Final = re.compile(r"\]\((\.\./book/[^)#\s]+)(#[^)]*)?\)")


def linked_paths(plan: Plan) -> list[str]:
    """Every book path a plan names: its ``uses`` plus the links in its body (from the repository root)."""
    paths = [str(u) for u in plan.meta["uses"]]
    paths += [m.group(1).removeprefix("../") for m in LINK.finditer(plan.body)]
    return list(dict.fromkeys(paths))


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as plain dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


# --- Rendering for the book --------------------------------------------------------------


def _doc_link(path: str) -> str:
    """A MyST link from any book page to ``path`` (repository-relative)."""
    return f"[{Path(path).stem.replace('-', ' ')}](/{path})"


def plan_markdown(plan: Plan) -> str:
    """The plan as a book page: a title, a scannable summary, then the plan's own body."""
    meta = plan.meta
    stage = content.get_stage(plan.stage)["title"] if plan.stage else "All stages"
    bullet = "\n".join
    summary = [
        f"# Session {meta['session']}: {plan.title}",
        "",
        "```{admonition} At a glance",
        ":class: tip",
        f"**Length:** {plan.minutes} minutes. **Stage:** {stage}.",
        "",
        "**Who is in the room:** " + "; ".join(meta["audience"]) + ".",
        "```",
        "",
        "**Goals**",
        "",
        bullet(f"- {g}" for g in meta["goals"]),
        "",
        "**Materials**",
        "",
        bullet(f"- {m}" for m in meta["materials"]),
        "",
        "**Before the session**",
        "",
        bullet(f"- {p}" for p in meta["prework"]),
        "",
        "**Pages you will open:** " + ", ".join(_doc_link(u) for u in meta["uses"]) + ".",
        "",
        f"*This page is rendered from `workshops/{plan.path.name}`. Edit that file, not this page.*",
        "",
    ]
    body = LINK.sub(lambda m: f"](/{m.group(1).removeprefix('../')}{m.group(2) or ''})", plan.body)
    return "\n".join(summary) + "\n" + body.strip() + "\n"


def series_markdown(folder: Path | str | None = None) -> str:
    """A table of the whole series: session, title, stage and length, linked to each page."""
    rows = ["| Session | Title | Stage | Minutes |", "| --- | --- | --- | --- |"]
    for plan in load_plans(folder):
        stage = content.get_stage(plan.stage)["title"] if plan.stage else "All stages"
        page = f"/book/facilitators/sessions/{plan.path.stem}.md"
        rows.append(f"| {plan.meta['session']} | [{plan.title}]({page}) | {stage} | {plan.minutes} |")
    return "\n".join(rows) + "\n"


# --- The session builder -----------------------------------------------------------------


def check_stages(stages: Sequence[str] | str) -> list[str]:
    """The chosen stage ids as a list (a comma-separated string is split), or ValueError."""
    if isinstance(stages, str):
        stages = [s.strip() for s in stages.split(",") if s.strip()]
    chosen = list(dict.fromkeys(stages))
    if not chosen or any(s not in content.STAGE_IDS for s in chosen):
        raise ValueError(ERR_STAGES.format(value=list(stages), allowed=", ".join(content.STAGE_IDS)))
    return chosen


def build_session(*, stages: Sequence[str] | str, minutes: int) -> pd.DataFrame:
    """Pick activities for the chosen stages that fit in ``minutes``.

    Required activities (welcome, norms, each stage's framing and card sort, the check-in
    survey and the close) always go in; optional ones are added by priority (each stage's
    scenario first, then its explorable, then its small-group talk, then a break) while
    they fit. Leftover minutes become a buffer, so the agenda adds up to ``minutes``.

    Returns one row per agenda item: ``order``, ``start`` (minutes from the start),
    ``minutes``, ``activity``, ``title``, ``kind`` and ``stage``. Raises ``ValueError``
    when the budget cannot hold the required activities.
    """
    chosen = check_stages(stages)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise ValueError(ERR_MINUTES.format(value=minutes))
    table = load_activities()
    general = table[table["stage"].isna()].set_index("activity")
    staged = table[table["stage"].isin(chosen)]
    required = staged[staged["required"]]
    fixed = ["welcome", "norms-review", "checkin-survey", "close"]
    needed = int(general.loc[fixed, "minutes"].sum() + required["minutes"].sum())
    if needed > minutes:
        detail = ", ".join(f"{a} {int(m)}" for a, m in general.loc[fixed, "minutes"].items())
        detail += "".join(f", {r.activity} {r.minutes}" for r in required.itertuples())
        raise ValueError(ERR_TOO_SHORT.format(value=minutes, stages=", ".join(chosen), needed=needed, detail=detail))
    picked = set(required["activity"])
    left = minutes - needed
    optional = staged[~staged["required"]].assign(rank=lambda t: t["stage"].map(chosen.index))
    for row in records(optional.sort_values(["priority", "rank"])):
        if int(row["minutes"]) <= left:
            picked.add(str(row["activity"]))
            left -= int(row["minutes"])
    break_minutes = int(general["minutes"].to_dict()["break"])
    with_break = minutes >= BREAK_FROM and break_minutes <= left
    if with_break:
        left -= break_minutes

    def item(ident: str, source: pd.DataFrame) -> dict[str, Any]:
        row = {str(k): v for k, v in source.loc[ident].to_dict().items()}
        return {"activity": ident, "title": row["title"], "minutes": int(row["minutes"]), "kind": row["kind"]}

    rows: list[dict[str, Any]] = [
        {**item("welcome", general), "stage": None},
        {**item("norms-review", general), "stage": None},
    ]
    by_id = staged.set_index("activity")
    for number, stage in enumerate(chosen):
        for kind in STAGE_ORDER:
            for ident in staged[(staged["stage"] == stage) & (staged["kind"] == kind)]["activity"]:
                if ident in picked:
                    rows.append({**item(ident, by_id), "stage": stage})
        if with_break and number == (len(chosen) - 1) // 2:
            rows.append({**item("break", general), "stage": None})
    if left:
        buffer = {"activity": BUFFER_ID, "title": BUFFER_TITLE, "minutes": left, "kind": "discussion"}
        rows.append({**buffer, "stage": None})
    rows += [{**item("checkin-survey", general), "stage": None}, {**item("close", general), "stage": None}]
    out = pd.DataFrame(rows)
    out.insert(0, "order", range(1, len(out) + 1))
    out.insert(1, "start", out["minutes"].cumsum().shift(fill_value=0).astype(int))
    return out


def session_markdown(session: pd.DataFrame, *, title: str | None = None) -> str:
    """A custom agenda (from :func:`build_session`) as Markdown, with each stage's scenario and checklist."""
    for column in ("start", "minutes", "title", "activity", "stage"):
        if column not in session.columns:
            raise ValueError(f"session has no column {column!r}; pass the table build_session() returns")
    stages = [s for s in dict.fromkeys(session["stage"]) if isinstance(s, str)]
    names = ", ".join(content.get_stage(s)["title"].lower() for s in stages)
    total = int(session["minutes"].sum())
    lines = [f"# {title or 'Custom session: ' + names}", "", f"A {total}-minute session built by the Equity Lens kit."]
    lines.append("")
    lines += ["## Agenda", "", "| " + " | ".join(AGENDA_HEADER) + " |", "| --- | --- | --- | --- |"]
    for row in records(session):
        lines.append(f"| {_clock(int(row['start']))} | {row['minutes']} | {row['title']} | `{row['activity']}` |")
    for stage in stages:
        plan = plan_for_stage(stage)
        lines += ["", f"## {content.get_stage(stage)['title']}", ""]
        lines += [f"Full plan: `workshops/{plan.path.name}` (session {plan.meta['session']}).", ""]
        if f"{stage}-scenario" in set(session["activity"]):
            lines += [plan.subsection(SCENARIO_HEADING).replace("### ", "### ", 1), ""]
        lines += ["### Key points", "", plan.section("Key points").strip(), ""]
        lines += ["### Take back to work", "", plan.section("Take back to work").strip()]
    return "\n".join(lines).rstrip() + "\n"
