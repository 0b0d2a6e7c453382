"""A data request review board: what the kit can measure about a request, and a decision log.

The paper's broad guidance (Hawn Nelson & Zanti, 2020, Results) encourages inclusive,
participatory governance, social licence and a developmental approach, and discourages
access to individual-level linked data, use of data for enforcement against residents,
predictive algorithms without accountability, and linkage with law enforcement. A board
that reviews requests has to decide; this module does not decide for it. It shows the
facts a board can check (the tier of the data, whether the request is individual-level or
linked, whether its purpose is enforcement, how exposed the people in the extract would be)
and which items of the paper's guidance the request touches. The board writes the decision
and its reasons; :func:`decision_log_markdown` turns them into a page a trainer can print.

Requests live in ``book/data/requests.yml``; tiers in ``book/data/access_tiers.yml``; the
four questions in ``book/data/engagement.yml``; the guidance in ``book/data/practices.yml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from equitylens.data import content, paths
from equitylens.methods import reidentify, suppress
from equitylens.methods.policy import DEFAULT_POLICY
from equitylens.methods.validation import check_choice, check_whole_number
from equitylens.stages import access, planning

REQUESTS_FILE: Final = "requests.yml"
KINDS: Final[tuple[str, ...]] = ("university", "police", "community group", "agency", "journalist", "nonprofit")
PURPOSE_KINDS: Final[tuple[str, ...]] = (
    "research",
    "service planning",
    "public information",
    "risk scoring",
    "enforcement",
)
LEVELS: Final[tuple[str, ...]] = ("individual", "aggregate")
DECISIONS: Final[tuple[str, ...]] = ("approve", "approve with conditions", "send back for changes", "decline")
#: Columns of the county table that a neighbour, a caseworker or an officer could know.
QUASI_IDENTIFIERS: Final[tuple[str, ...]] = (
    "birth_date",
    "age",
    "age_band",
    "gender",
    "race_ethnicity",
    "neighbourhood_id",
    "neighbourhood",
    "lending_grade",
)
#: Tables that come from the justice system (the paper discourages linkage with law enforcement).
JUSTICE_TABLES: Final[frozenset[str]] = frozenset({"juvenile_justice"})
THRESHOLD: Final = DEFAULT_POLICY.k
#: Short names for the uses the workgroup broadly discourages, for tables.
SHORT_LABELS: Final[dict[str, str]] = {
    "individual_linked": "person-level data",
    "enforcement": "enforcement",
    "algorithm": "predictive tool",
    "law_enforcement": "law enforcement link",
}
_FIELDS: Final = ("id", "requester", "kind", "title", "purpose", "purpose_kind", "tables", "level", "ages")


@dataclass(frozen=True)
class Request:
    """One data request, as the board receives it (see ``book/data/requests.yml``)."""

    id: str
    requester: str
    kind: str
    title: str
    purpose: str
    purpose_kind: str
    tables: tuple[str, ...]
    level: str
    ages: tuple[int, int]
    rows_with: str | None = None
    fields: tuple[str, ...] = ()
    by: tuple[str, ...] = ()
    outcome: str | None = None
    names: bool = False

    def __post_init__(self) -> None:
        where = f"request {self.id!r}"
        for name in ("id", "requester", "title", "purpose"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{where}: {name} must be non-empty text, got {value!r}")
        check_choice(self.kind, KINDS, f"{where}: kind")
        check_choice(self.purpose_kind, PURPOSE_KINDS, f"{where}: purpose_kind")
        check_choice(self.level, LEVELS, f"{where}: level")
        if not self.tables:
            raise ValueError(f"{where}: tables must name at least one table")
        if len(self.ages) != 2:
            raise ValueError(f"{where}: ages must be [youngest, oldest], got {self.ages!r}")
        young = check_whole_number(self.ages[0], f"{where}: youngest age")
        old = check_whole_number(self.ages[1], f"{where}: oldest age")
        if young > old:
            raise ValueError(f"{where}: youngest age {young} is above oldest age {old}")
        if self.level == "individual":
            if not self.fields:
                raise ValueError(f"{where}: an individual-level request must list its fields")
            if self.by or self.outcome:
                raise ValueError(f"{where}: an individual-level request takes fields, not by/outcome")
        else:
            if not self.by or not self.outcome:
                raise ValueError(f"{where}: an aggregate request needs by (one to three columns) and an outcome")
            if len(self.by) > 3:
                raise ValueError(f"{where}: by may name at most three columns, got {list(self.by)}")
            if self.fields:
                raise ValueError(f"{where}: an aggregate request takes by/outcome, not fields")

    @property
    def linked(self) -> bool:
        """True when person-level records from two or more agencies would be joined.

        ``people`` is the person table every extract starts from, so it does not count.
        """
        agencies = [t for t in self.tables if t not in ("people", "neighbourhoods")]
        return self.level == "individual" and len(agencies) >= 2


@dataclass(frozen=True)
class Decision:
    """What the board decided about one request, and why. The board writes it, not the kit."""

    request_id: str
    decision: str
    reasons: str
    decided_by: str
    conditions: tuple[str, ...] = ()
    answers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_choice(self.decision, DECISIONS, "decision")
        for name in ("request_id", "reasons", "decided_by"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"decision for {self.request_id!r}: {name} must be non-empty text")
        if self.decision == "approve with conditions" and not self.conditions:
            raise ValueError(f"decision for {self.request_id!r}: 'approve with conditions' needs conditions")


def _request(raw: Any, where: str) -> Request:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(raw).__name__}")
    missing = [name for name in _FIELDS if name not in raw]
    if missing:
        raise ValueError(f"{where}: missing field(s) {', '.join(missing)}")
    unknown = sorted(set(raw) - {*_FIELDS, "rows_with", "fields", "by", "outcome", "names"})
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}")
    return Request(
        id=str(raw["id"]),
        requester=raw["requester"],
        kind=raw["kind"],
        title=raw["title"],
        purpose=" ".join(str(raw["purpose"]).split()),
        purpose_kind=raw["purpose_kind"],
        tables=tuple(raw["tables"] or ()),
        level=raw["level"],
        ages=tuple(raw["ages"] or ()),
        rows_with=raw.get("rows_with"),
        fields=tuple(raw.get("fields") or ()),
        by=tuple(raw.get("by") or ()),
        outcome=raw.get("outcome"),
        names=bool(raw.get("names", False)),
    )


def load_requests(path: Path | str | None = None) -> list[Request]:
    """The board's requests, from ``book/data/requests.yml`` (ids must be unique)."""
    file = Path(path) if path is not None else content.DATA_DIR / REQUESTS_FILE
    data = content.read_yaml(file)
    if not isinstance(data, dict) or not isinstance(data.get("requests"), list) or not data["requests"]:
        raise ValueError(f"{file}: expected a non-empty 'requests' list")
    requests = [_request(raw, f"{file}: request {i}") for i, raw in enumerate(data["requests"])]
    ids = [r.id for r in requests]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{file}: request ids must be unique, got {ids}")
    return requests


def safe_count(n: int) -> str:
    """A count for print: 'none', 'fewer than 11' (1 to 10), or the number itself."""
    n = check_whole_number(n, "count")
    if n == 0:
        return "none"
    if n < THRESHOLD:
        return f"fewer than {THRESHOLD}"
    return f"{n:,}"


def data_tier(request: Request, tiers: dict[str, Any] | None = None) -> str:
    """The tier of the data asked for: Open, Restricted or Unavailable.

    Unavailable if the request asks for names, for a table whose every item is
    unavailable (the identity records), or for a field an unavailable item covers.
    Otherwise counts are Open once small cells are hidden (the "protected aggregate"
    item), and person-level records take the strictest tier their tables have.
    """
    data = tiers or access.load_tiers()
    items = data["items"]
    unknown = [t for t in request.tables if t not in {i["table"] for i in items}]
    if unknown:
        raise ValueError(f"request {request.id!r}: tables {unknown} have no access tier in access_tiers.yml")
    closed_tables = {
        t for t in {i["table"] for i in items} if all(i["tier"] == "Unavailable" for i in items if i["table"] == t)
    }
    closed_fields = {f for i in items if i["tier"] == "Unavailable" for f in i.get("fields", [])}
    asked = {*request.fields, *request.by, *([request.outcome] if request.outcome else [])}
    if request.names or closed_tables & set(request.tables) or closed_fields & asked:
        return "Unavailable"
    if request.level == "aggregate":
        protected = [i for i in items if i["reason_kind"] == "protected aggregate"]
        return str(protected[0]["tier"]) if protected else "Restricted"
    found = {i["tier"] for i in items if i["table"] in request.tables and i["tier"] != "Unavailable"}
    return "Restricted" if "Restricted" in found else "Open"


def extract(request: Request, county: pd.DataFrame) -> pd.DataFrame:
    """The rows and columns the request would receive, built from the county table.

    Individual level: one row per person with the requested ``fields``. Aggregate: one
    row per cell of ``by`` with ``n``, the number of people with the ``outcome`` (cells
    with nobody are kept as zeros).
    """
    columns = [*request.fields, *request.by, *([request.outcome] if request.outcome else [])]
    columns += [request.rows_with] if request.rows_with else []
    missing = sorted({c for c in columns if c not in county.columns})
    if missing:
        raise ValueError(f"request {request.id!r}: the county table has no column(s) {missing}")
    young, old = request.ages
    rows = county[county["age"].between(young, old)]
    if request.rows_with:
        rows = rows[rows[request.rows_with].astype(bool)]
    if rows.empty:
        raise ValueError(f"request {request.id!r}: nobody in the county fits the request")
    if request.level == "individual":
        return rows[list(request.fields)].reset_index(drop=True)
    assert request.outcome is not None
    flags = rows[request.outcome].astype(bool).astype(int)
    table = flags.groupby([rows[c] for c in request.by], observed=False).sum().rename("n").reset_index()
    for column in request.by:
        table[column] = table[column].astype(str)
    table["n"] = table["n"].astype(int)
    return table


def _guidance(practices: dict[str, Any]) -> dict[str, str]:
    discouraged = [" ".join(t.split()) for t in practices["discouraged"]]
    encouraged = [" ".join(t.split()) for t in practices["encouraged"]]
    return {
        "individual_linked": discouraged[0],
        "enforcement": discouraged[1],
        "algorithm": discouraged[2],
        "law_enforcement": discouraged[3],
        "governance": encouraged[0],
        "social_licence": encouraged[1],
        "developmental": encouraged[2],
    }


def review(
    request: Request,
    county: pd.DataFrame,
    *,
    tiers: dict[str, Any] | None = None,
    practices: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The measurable facts about one request, and the paper's guidance it touches.

    Returns a dict: ``id``, ``tier``, ``individual_level``, ``linked``, ``enforcement``,
    ``justice_system``, ``names``, ``people`` (rows in an individual extract), ``k``
    (the smallest group of look-alike people, individual level), ``share_unique`` and
    ``share_under_k``, ``cells`` / ``cells_primary`` / ``cells_complementary`` /
    ``cells_unprotected`` (hidden cells the published totals would still give away, so the
    table must be coarser) / ``share_hidden`` / ``hidden_table`` (aggregate),
    ``groups_mostly_hidden`` (groups of the last ``by`` column, usually race and
    ethnicity, that lose more than half their cells), and
    ``discouraged`` / ``encouraged``: the items of the paper's guidance that apply
    (``discouraged_keys`` names them, see :data:`SHORT_LABELS`).
    """
    if not isinstance(request, Request):
        raise ValueError(f"request must be a Request, got {type(request).__name__}")
    guide = _guidance(practices or content.load_practices())
    table = extract(request, county)
    facts: dict[str, Any] = {
        "id": request.id,
        "tier": data_tier(request, tiers),
        "individual_level": request.level == "individual",
        "linked": request.linked,
        "enforcement": request.purpose_kind == "enforcement" or request.kind == "police",
        "justice_system": request.kind == "police" or bool(JUSTICE_TABLES & set(request.tables)),
        "names": request.names,
    }
    if request.level == "individual":
        quasi = [c for c in request.fields if c in QUASI_IDENTIFIERS]
        sizes = reidentify.equivalence_classes(table, quasi=quasi)
        risk = reidentify.uniqueness(table, quasi=quasi, k=THRESHOLD).iloc[0]
        facts.update(
            people=len(table),
            quasi=quasi,
            k=int(sizes.min()),
            share_unique=float(risk["share_unique"]),
            share_under_k=float(risk["share_under_k"]),
        )
    else:
        hidden = suppress.complementary(table, dims=list(request.by), count="n", threshold=THRESHOLD, strict=False)
        reasons = hidden["reason"].astype(str)
        is_primary = hidden["suppressed"] & (reasons != "complementary")
        group = request.by[-1]
        share_by_group = hidden.groupby(group, observed=True)["suppressed"].mean()
        facts.update(
            cells=len(hidden),
            cells_primary=int(is_primary.sum()),
            cells_complementary=int((reasons == "complementary").sum()),
            cells_unprotected=int(hidden.attrs["suppression"]["unprotected"]),
            share_hidden=float(hidden["suppressed"].mean()),
            groups_mostly_hidden=sorted(share_by_group[share_by_group > 0.5].index.astype(str)),
            hidden_table=hidden,
        )
    keys: list[str] = []
    if facts["individual_level"]:
        keys.append("individual_linked")
    if facts["enforcement"]:
        keys.append("enforcement")
    if request.purpose_kind == "risk scoring":
        keys.append("algorithm")
    if facts["justice_system"] and (facts["linked"] or request.kind == "police"):
        keys.append("law_enforcement")
    facts["discouraged_keys"] = keys
    facts["discouraged"] = [guide[key] for key in keys]
    facts["encouraged"] = [guide["governance"], guide["social_licence"], guide["developmental"]]
    return facts


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def facts_table(requests: Sequence[Request], reviews: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per request: the facts a board can check, in words (no count from 1 to 10)."""
    if len(requests) != len(reviews):
        raise ValueError(f"got {len(requests)} requests but {len(reviews)} reviews")
    rows = []
    for request, facts in zip(requests, reviews, strict=True):
        if facts["id"] != request.id:
            raise ValueError(f"review {facts['id']!r} does not belong to request {request.id!r}")
        if facts["individual_level"]:
            exposure = (
                f"{facts['share_under_k']:.0%} in a look-alike group smaller than {THRESHOLD}; "
                f"smallest group: {safe_count(facts['k'])}"
            )
        else:
            exposure = f"{facts['share_hidden']:.0%} of cells must be hidden"
            if facts["cells_unprotected"]:
                exposure += "; some cannot be protected at this level of detail"
        rows.append(
            {
                "request": request.id,
                "asked by": request.requester,
                "what": request.title,
                "tier": facts["tier"],
                "person level": _yes(facts["individual_level"]),
                "linked": _yes(facts["linked"]),
                "enforcement": _yes(facts["enforcement"]),
                "justice system": _yes(facts["justice_system"]),
                "exposure": exposure,
                "discouraged uses touched": "; ".join(SHORT_LABELS[k] for k in facts["discouraged_keys"]) or "none",
            }
        )
    return pd.DataFrame(rows)


def _fact_lines(request: Request, facts: dict[str, Any]) -> list[str]:
    lines = [
        f"- Tier of the data asked for: **{facts['tier']}**",
        f"- One row per person: {_yes(facts['individual_level'])}; linked across agencies: {_yes(facts['linked'])}",
        f"- Asks for names: {_yes(facts['names'])}",
        f"- Purpose is enforcement or investigation: {_yes(facts['enforcement'])}",
        f"- Involves the justice system: {_yes(facts['justice_system'])}",
    ]
    if facts["individual_level"]:
        lines += [
            f"- People in the extract: {safe_count(facts['people'])}",
            f"- Fields a neighbour could know: {', '.join(facts['quasi']) or 'none'}",
            f"- Smallest group of people who look alike on those fields: {safe_count(facts['k'])}",
            f"- Share of people who are the only one like them: {facts['share_unique']:.0%}",
            f"- Share in a look-alike group smaller than {THRESHOLD}: {facts['share_under_k']:.0%}",
        ]
    else:
        mostly = ", ".join(facts["groups_mostly_hidden"]) or "none"
        lines += [
            f"- Cells in the table: {safe_count(facts['cells'])}",
            f"- Cells hidden because they hold 1 to {THRESHOLD - 1} people: {safe_count(facts['cells_primary'])}",
            f"- More cells hidden so totals cannot give them away: {safe_count(facts['cells_complementary'])}",
            f"- Share of cells hidden: {facts['share_hidden']:.0%}",
            f"- Hidden cells the totals would still give away: {safe_count(facts['cells_unprotected'])}"
            + (" (the table must be made coarser before release)" if facts["cells_unprotected"] else ""),
            f"- Groups that lose more than half their cells: {mostly}",
        ]
    return lines


def decision_log_markdown(
    requests: Sequence[Request],
    reviews: Sequence[dict[str, Any]],
    decisions: Sequence[Decision] = (),
    *,
    board: str = "Data request review board",
    engagement: dict[str, Any] | None = None,
) -> str:
    """The board's decision log as Markdown, one section per request, ready to print.

    Each section gives the request, the facts, the paper's guidance it touches, the four
    questions (with the board's answers where it gave them), and the decision with its
    reasons. A request with no decision is marked "Not decided yet".
    """
    if not requests:
        raise ValueError("requests is empty: there is nothing to log")
    if len(requests) != len(reviews):
        raise ValueError(f"got {len(requests)} requests but {len(reviews)} reviews")
    known = {r.id for r in requests}
    by_id: dict[str, Decision] = {}
    for decision in decisions:
        if decision.request_id not in known:
            raise ValueError(f"decision names unknown request {decision.request_id!r}; known: {sorted(known)}")
        if decision.request_id in by_id:
            raise ValueError(f"two decisions for request {decision.request_id!r}")
        by_id[decision.request_id] = decision
    questions = [q["question"].strip() for q in (engagement or planning.load_engagement())["questions"]]
    lines = [
        f"# {board}: decision log",
        "",
        "All requests and data are synthetic. The kit shows facts and the paper's guidance; the board decides.",
        "",
    ]
    for request, facts in zip(requests, reviews, strict=True):
        if facts["id"] != request.id:
            raise ValueError(f"review {facts['id']!r} does not belong to request {request.id!r}")
        lines += [
            f"## {request.id}. {request.title}",
            "",
            f"**Asked by:** {request.requester}  ",
            f"**Purpose, in their words:** {request.purpose}",
            "",
            "### What the kit can measure",
            "",
            *_fact_lines(request, facts),
            "",
            "### What the paper says",
            "",
        ]
        if facts["discouraged"]:
            lines += ["The workgroup broadly discourages:", ""]
            lines += [f"- {text}" for text in facts["discouraged"]]
        else:
            lines.append("The request touches none of the uses the workgroup broadly discourages.")
        lines += ["", "The workgroup strongly encourages:", "", *[f"- {text}" for text in facts["encouraged"]], ""]
        chosen = by_id.get(request.id)
        answers = dict(chosen.answers) if chosen else {}
        lines += ["### The four questions", ""]
        for i, question in enumerate(questions, start=1):
            lines.append(f"{i}. **{question}** {answers.get(question, '_____')}")
        lines += ["", "### Decision", ""]
        if chosen is None:
            lines += ["Not decided yet.", ""]
            continue
        lines += [f"**{chosen.decision.capitalize()}**, decided by {chosen.decided_by}.", "", chosen.reasons]
        if chosen.conditions:
            lines += ["", "Conditions:", *[f"- {c}" for c in chosen.conditions]]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_decision_log(log: str, out: Path | str | None = None) -> Path:
    """Write a decision log (from :func:`decision_log_markdown`) to a Markdown file to print.

    Default: ``_build/governance/decision-log.md`` in the repository. Returns the path.
    """
    if not isinstance(log, str) or not log.strip():
        raise ValueError("log is empty: make it with decision_log_markdown first")
    target = Path(out) if out is not None else paths.BUILD_DIR / "governance" / "decision-log.md"
    if target.suffix != ".md":
        raise ValueError(f"out must be a .md file, got {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(log, encoding="utf-8")
    return target
