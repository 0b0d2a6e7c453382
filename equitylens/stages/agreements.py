"""Check a data-sharing agreement against the paper's guidance.

An agreement is structured data (see ``book/data/agreements/template.yml``): purpose,
permitted and prohibited uses, re-disclosure, a small-cell rule, linkage rules,
retention and destruction, community review, breach notice, who may see what, and
logs and public reporting of uses. :func:`check` lists every clause that is missing
and every clause that contradicts the guidance of Hawn Nelson & Zanti (2020), with the
practice or guidance item each gap relates to (read from ``book/data/practices.yml``).
The check finds gaps; it does not make an agreement good. A community still has to agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pandas as pd

from equitylens.data import content
from equitylens.methods.policy import DEFAULT_POLICY
from equitylens.stages.governance import PURPOSE_KINDS

AGREEMENTS_DIR: Final[Path] = content.DATA_DIR / "agreements"
TEMPLATE_FILE: Final = "template.yml"
MISSING: Final = "missing"
CONTRADICTS: Final = "contradicts"
PROHIBITED_KINDS: Final[tuple[str, ...]] = (
    "enforcement",
    "re-identification",
    "sale",
    "linkage beyond approval",
    "risk scoring",
)
#: Uses a sound agreement must rule out by name.
MUST_PROHIBIT: Final[tuple[str, ...]] = ("enforcement", "re-identification")
LINK_METHODS: Final[tuple[str, ...]] = ("encoded", "names", "none")
FINDING_COLUMNS: Final = ["clause", "title", "problem", "detail", "relates_to"]


def load_template(path: Path | str | None = None) -> dict[str, Any]:
    """The clause list and the blank form, from ``book/data/agreements/template.yml``."""
    file = Path(path) if path is not None else AGREEMENTS_DIR / TEMPLATE_FILE
    data = content.read_yaml(file)
    if not isinstance(data, dict) or not isinstance(data.get("clauses"), list) or "blank" not in data:
        raise ValueError(f"{file}: expected 'clauses' (a list) and 'blank' (the form)")
    ids = []
    for i, clause in enumerate(data["clauses"]):
        if not isinstance(clause, dict) or any(not clause.get(k) for k in ("id", "title", "ask", "practice")):
            raise ValueError(f"{file}: clause {i} needs id, title, ask and practice")
        ids.append(clause["id"])
    if set(ids) != set(RULES) or len(ids) != len(RULES):
        raise ValueError(f"{file}: clauses must be exactly {sorted(RULES)}, got {ids}")
    if not isinstance(data["blank"], dict) or set(data["blank"]) != {"id", "title", "parties", *ids}:
        raise ValueError(f"{file}: the blank form must hold id, title, parties and one entry per clause")
    return data


def load_agreement(name_or_path: str | Path) -> dict[str, Any]:
    """An agreement by name (``sound``, ``flawed``) from ``book/data/agreements``, or by path."""
    file = Path(name_or_path)
    if not file.suffix:
        file = AGREEMENTS_DIR / f"{name_or_path}.yml"
    data = content.read_yaml(file)
    if not isinstance(data, dict):
        raise ValueError(f"{file}: an agreement must be a mapping of clauses")
    return data


def practice_text(ref: dict[str, Any], practices: dict[str, Any] | None = None) -> str:
    """The words of the practice or guidance item a clause points to (see the template)."""
    data = practices or content.load_practices()
    if not isinstance(ref, dict):
        raise ValueError(f"a practice reference must be a mapping, got {ref!r}")
    if "guidance" in ref:
        kind = ref["guidance"]
        if kind not in ("encouraged", "discouraged"):
            raise ValueError(f"guidance must be 'encouraged' or 'discouraged', got {kind!r}")
        items = data[kind]
        item = ref.get("item")
        if not isinstance(item, int) or not 1 <= item <= len(items):
            raise ValueError(f"{kind} item must be 1 to {len(items)}, got {item!r}")
        label = "The workgroup strongly encourages" if kind == "encouraged" else "The workgroup broadly discourages"
        return f"{label}: {' '.join(items[item - 1].split())}"
    stage = content.get_stage(ref.get("stage", ""), data)
    sections = [s for s in stage["sections"] if s["title"] == ref.get("section")]
    if not sections:
        raise ValueError(f"stage {stage['id']!r} has no section {ref.get('section')!r}")
    pairs = sections[0]["pairs"]
    row, side = ref.get("row"), ref.get("side")
    if not isinstance(row, int) or not 1 <= row <= len(pairs):
        raise ValueError(f"row must be 1 to {len(pairs)}, got {row!r}")
    if side not in ("positive", "problematic"):
        raise ValueError(f"side must be 'positive' or 'problematic', got {side!r}")
    text = pairs[row - 1][side]
    if not text:
        raise ValueError(f"{stage['id']} row {row} has no {side} practice")
    where = stage["title"] + (f", {ref['section'].lower()}" if ref.get("section") else "")
    return f"{where}, {side} practice: {' '.join(text.split())}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _purpose(a: dict[str, Any]) -> list[tuple[str, str]]:
    text = a.get("purpose")
    return [] if isinstance(text, str) and text.strip() else [(MISSING, "No purpose is stated.")]


def _permitted(a: dict[str, Any]) -> list[tuple[str, str]]:
    uses = a.get("permitted_uses") or []
    if not isinstance(uses, list) or not uses:
        return [(MISSING, "No permitted use is listed.")]
    out = []
    for use in uses:
        kind = use.get("kind") if isinstance(use, dict) else None
        if kind not in PURPOSE_KINDS:
            raise ValueError(f"permitted use {use!r}: kind must be one of {list(PURPOSE_KINDS)}")
        if kind == "enforcement":
            out.append((CONTRADICTS, f"It permits an enforcement use: {use.get('use', '').strip()}."))
    return out


def _prohibited(a: dict[str, Any]) -> list[tuple[str, str]]:
    kinds = a.get("prohibited_uses") or []
    unknown = [k for k in kinds if k not in PROHIBITED_KINDS]
    if unknown:
        raise ValueError(f"prohibited_uses {unknown} not known; choose from {list(PROHIBITED_KINDS)}")
    lacking = [k for k in MUST_PROHIBIT if k not in kinds]
    return [(MISSING, f"It does not rule out {' or '.join(lacking)}.")] if lacking else []


def _redisclosure(a: dict[str, Any]) -> list[tuple[str, str]]:
    rule = a.get("redisclosure")
    if not isinstance(rule, dict) or "allowed" not in rule:
        return [(MISSING, "It does not say whether the data may be passed on.")]
    if rule["allowed"]:
        to = ", ".join(rule.get("to") or []) or "anyone"
        return [(CONTRADICTS, f"It lets the recipient pass the data on (to {to}).")]
    return []


def _small_cells(a: dict[str, Any]) -> list[tuple[str, str]]:
    rule = a.get("small_cells")
    if not isinstance(rule, dict):
        return [(MISSING, "It sets no smallest publishable count.")]
    threshold = rule.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 2:
        return [(MISSING, "It sets no smallest publishable count.")]
    out = []
    if threshold < DEFAULT_POLICY.k:
        out.append(
            (
                CONTRADICTS,
                f"Its threshold of {threshold} is below the kit's rule of {DEFAULT_POLICY.k} (agencies' rules vary).",
            )
        )
    if not rule.get("protect_totals"):
        out.append((CONTRADICTS, "It does not require that published totals cannot give hidden cells away."))
    return out


def _linkage(a: dict[str, Any]) -> list[tuple[str, str]]:
    rule = a.get("linkage")
    if not isinstance(rule, dict) or "allowed" not in rule:
        return [(MISSING, "It does not say which records may be linked, or how.")]
    if not rule["allowed"]:
        return []
    method = rule.get("method")
    if method not in LINK_METHODS:
        raise ValueError(f"linkage method must be one of {list(LINK_METHODS)}, got {method!r}")
    out = []
    if method != "encoded":
        out.append((CONTRADICTS, "It links records on names, not on encoded identifiers."))
    if rule.get("law_enforcement"):
        out.append((CONTRADICTS, "It allows linkage with law enforcement records."))
    return out


def _retention(a: dict[str, Any]) -> list[tuple[str, str]]:
    rule = a.get("retention")
    months = rule.get("months") if isinstance(rule, dict) else None
    destruction = rule.get("destruction") if isinstance(rule, dict) else None
    if not isinstance(months, int) or isinstance(months, bool) or months < 1 or _blank(destruction):
        return [(MISSING, "It does not say how long the data are kept and how they are destroyed.")]
    return []


def _community(a: dict[str, Any]) -> list[tuple[str, str]]:
    rule = a.get("community_review")
    if not isinstance(rule, dict) or _blank(rule.get("body")):
        return [(MISSING, "No community body reviews the uses.")]
    if not rule.get("can_stop"):
        return [(CONTRADICTS, "The community body cannot stop a use, so its review is advice only.")]
    return []


def _breach(a: dict[str, Any]) -> list[tuple[str, str]]:
    rule = a.get("breach_notice")
    if not isinstance(rule, dict):
        return [(MISSING, "It sets no deadline for reporting a breach.")]
    days = rule.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        return [(MISSING, "It sets no deadline for reporting a breach.")]
    if not rule.get("tell_the_people"):
        return [(MISSING, "It does not say that the people affected by a breach are told.")]
    return []


def _access(a: dict[str, Any]) -> list[tuple[str, str]]:
    roles = a.get("access") or []
    if (
        not isinstance(roles, list)
        or not roles
        or not all(isinstance(r, dict) and r.get("role") and r.get("sees") for r in roles)
    ):
        return [(MISSING, "It does not list who may see what.")]
    return []


def _use_reporting(a: dict[str, Any]) -> list[tuple[str, str]]:
    rule = a.get("use_reporting")
    if not isinstance(rule, dict) or not rule.get("log") or _blank(rule.get("public_report")):
        return [(MISSING, "It keeps no log of queries, or publishes no report of how the data were used.")]
    return []


RULES: Final = {
    "purpose": _purpose,
    "permitted_uses": _permitted,
    "prohibited_uses": _prohibited,
    "redisclosure": _redisclosure,
    "small_cells": _small_cells,
    "linkage": _linkage,
    "retention": _retention,
    "community_review": _community,
    "breach_notice": _breach,
    "access": _access,
    "use_reporting": _use_reporting,
}


def check(
    agreement: dict[str, Any],
    *,
    template: dict[str, Any] | None = None,
    practices: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Every missing or contradicting clause of ``agreement``, in the template's order.

    Returns a DataFrame with ``clause``, ``title``, ``problem`` ("missing" or
    "contradicts"), ``detail`` and ``relates_to`` (the practice or guidance text).
    An empty result means no gap was found, not that the agreement is good.
    """
    if not isinstance(agreement, dict):
        raise ValueError(f"agreement must be a mapping of clauses, got {type(agreement).__name__}")
    tmpl = template or load_template()
    data = practices or content.load_practices()
    unknown = sorted(set(agreement) - set(tmpl["blank"]))
    if unknown:
        raise ValueError(f"agreement has unknown clause(s) {unknown}; the template has {sorted(tmpl['blank'])}")
    rows = []
    for clause in tmpl["clauses"]:
        for problem, detail in RULES[clause["id"]](agreement):
            rows.append(
                {
                    "clause": clause["id"],
                    "title": clause["title"],
                    "problem": problem,
                    "detail": detail,
                    "relates_to": practice_text(clause["practice"], data),
                }
            )
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def checklist_markdown(template: dict[str, Any] | None = None, practices: dict[str, Any] | None = None) -> str:
    """The template's clauses as a printable checklist, each with the practice it serves."""
    tmpl = template or load_template()
    data = practices or content.load_practices()
    lines = []
    for clause in tmpl["clauses"]:
        lines.append(f"- [ ] **{clause['title']}.** {clause['ask']} _({practice_text(clause['practice'], data)})_")
    return "\n".join(lines) + "\n"
