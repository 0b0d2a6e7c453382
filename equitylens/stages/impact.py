"""Stage 4: the Social Impact Statement, filled in from a template of the FAT/ML principles.

The template lives in ``book/data/impact_statement.yml``; :func:`impact_statement` fills it
with a team's answers and returns a Markdown document that says what is still open.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from equitylens.data import content

IMPACT_FILE: Final = "impact_statement.yml"
NOT_ANSWERED: Final = "_Not answered yet._"


def impact_template(path: Path | str | None = None) -> list[dict[str, Any]]:
    """The Social Impact Statement template: one entry per FAT/ML principle.

    Each principle has ``id``, ``name``, ``principle`` (what it asks, in plain words) and
    ``questions``: a list of ``{id, question, hint}``. Read from
    ``book/data/impact_statement.yml``.
    """
    where = Path(path) if path is not None else content.DATA_DIR / IMPACT_FILE
    data = content.read_yaml(where)
    principles = data.get("principles") if isinstance(data, dict) else None
    if not isinstance(principles, list) or not principles:
        raise ValueError(f"{where}: expected a 'principles' list")
    seen: set[str] = set()
    for entry in principles:
        for key in ("id", "name", "principle", "questions"):
            if key not in entry:
                raise ValueError(f"{where}: principle {entry.get('id', '?')!r} has no {key!r}")
        for question in entry["questions"]:
            qid = f"{entry['id']}.{question['id']}"
            if qid in seen:
                raise ValueError(f"{where}: question id {qid!r} appears twice")
            seen.add(qid)
    return list(principles)


def impact_questions(template: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """The template as a table: one row per question, with its ``key`` for answers."""
    rows = []
    for entry in template if template is not None else impact_template():
        for question in entry["questions"]:
            rows.append(
                {
                    "key": f"{entry['id']}.{question['id']}",
                    "principle": entry["name"],
                    "question": question["question"],
                    "hint": question.get("hint", ""),
                }
            )
    return pd.DataFrame(rows)


def impact_statement(
    answers: Mapping[str, str],
    *,
    system: str,
    owner: str = "",
    template: list[dict[str, Any]] | None = None,
    evidence: pd.DataFrame | None = None,
) -> str:
    """Fill the Social Impact Statement and return it as a Markdown document.

    Parameters
    ----------
    answers
        Answer text keyed by question key (``"principle.question"``, as in
        :func:`impact_questions`). Questions left out are marked as not answered and
        listed at the end, so a draft says what is still open.
    system
        The name of the algorithm or tool the statement is about.
    owner
        Who is responsible for the statement (a role, not a person's name, is fine).
    evidence
        An optional small summary table (e.g. from :func:`fairness_audit`) added as an
        appendix in Markdown. Never pass person rows.
    """
    if not isinstance(system, str) or not system.strip():
        raise ValueError("system must name the tool the statement is about")
    template = template if template is not None else impact_template()
    keys = impact_questions(template)["key"].tolist()
    unknown = [k for k in answers if k not in keys]
    if unknown:
        raise ValueError(f"answers has unknown key(s) {unknown}; allowed keys: {keys}")
    lines = [f"# Social Impact Statement: {system.strip()}", ""]
    if owner.strip():
        lines += [f"**Responsible for this statement:** {owner.strip()}", ""]
    lines += [
        "This statement follows the five principles for accountable algorithms of FAT/ML "
        "(Diakopoulos et al., 2017): responsibility, explainability, accuracy, auditability and fairness.",
        "",
    ]
    open_questions = []
    for entry in template:
        lines += [f"## {entry['name']}", "", f"*{entry['principle'].strip()}*", ""]
        for question in entry["questions"]:
            key = f"{entry['id']}.{question['id']}"
            answer = str(answers.get(key, "")).strip()
            if not answer:
                open_questions.append(f"- {entry['name']}: {question['question']}")
            lines += [f"**{question['question']}**", "", answer or NOT_ANSWERED, ""]
    if open_questions:
        lines += ["## Still open", "", *open_questions, ""]
    if evidence is not None:
        if len(evidence) > 200 or {"person_id", "first_name", "last_name"} & set(evidence.columns):
            raise ValueError("evidence must be a small summary table, not person rows")
        lines += ["## Appendix: audit evidence", "", _markdown_table(evidence), ""]
    return "\n".join(lines).rstrip() + "\n"


def _markdown_table(table: pd.DataFrame) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            return "" if np.isnan(value) else f"{value:.3f}"
        return "" if value is None or value is pd.NA else str(value).replace("|", "\\|")

    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in table.columns) + " |"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body])
