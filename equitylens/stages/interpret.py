"""Participatory interpretation: one finding read by several groups of people.

#ChangeFocusNYC had youth investigators shape its analytic plan. This module makes
that idea concrete on the synthetic county: the prompts live as data in
``book/data/interpretation.yml`` (a finding, and for each group of readers the
questions they ask and the analysis each question leads to), and
:func:`follow_up` runs the analyses a chosen set of readers asks for. Change who
is in the room and you change which questions get answered next.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd

from equitylens.data import content
from equitylens.data.content import DATA_DIR
from equitylens.methods import disaggregate
from equitylens.stages import publish

PROMPTS_FILE: Final = "interpretation.yml"
POPULATIONS: Final[dict[str, str]] = {
    "children": "Children under 18",
    "students": "Students aged 5-17",
    "reported": "Children with a child-welfare report",
}
_QUESTION_KEYS: Final = ("id", "question", "why", "population", "outcome", "by")


def load_prompts(path: Path | str | None = None) -> dict[str, Any]:
    """The finding and the readers' questions, checked.

    Raises ``ValueError`` naming the file and the problem when a reader or question is
    missing a key, a population is unknown, or an id repeats.
    """
    where = Path(path) if path is not None else DATA_DIR / PROMPTS_FILE
    data = content.read_yaml(where)
    if not isinstance(data, dict) or "finding" not in data or not data.get("readers"):
        raise ValueError(f"{where}: expected a 'finding' and a list of 'readers'")
    seen: set[str] = set()
    for reader in data["readers"]:
        for key in ("id", "name", "who", "questions"):
            if key not in reader:
                raise ValueError(f"{where}: reader {reader.get('id', '?')!r} has no {key!r}")
        if reader["id"] in seen:
            raise ValueError(f"{where}: reader id {reader['id']!r} appears twice")
        seen.add(reader["id"])
        for question in reader["questions"]:
            missing = [k for k in _QUESTION_KEYS if k not in question]
            if missing:
                raise ValueError(f"{where}: question {question.get('id', '?')!r} has no {missing}")
            if question["population"] not in POPULATIONS:
                raise ValueError(
                    f"{where}: question {question['id']!r} has population {question['population']!r}; "
                    f"choose one of {list(POPULATIONS)}"
                )
    return dict(data)


def readers(prompts: dict[str, Any] | None = None) -> list[str]:
    """Reader ids, in the file's order."""
    return [r["id"] for r in (prompts or load_prompts())["readers"]]


def questions(prompts: dict[str, Any] | None = None, *, who: Sequence[str] | None = None) -> pd.DataFrame:
    """The questions the chosen readers bring: ``reader``, ``question``, ``why``, ``analysis``.

    ``who`` lists reader ids (default: everyone). ``analysis`` says, in words, what the
    question sends the team to compute next.
    """
    prompts = prompts or load_prompts()
    chosen = _chosen(prompts, who)
    rows = []
    for reader in prompts["readers"]:
        if reader["id"] not in chosen:
            continue
        for q in reader["questions"]:
            rows.append(
                {
                    "reader": reader["name"],
                    "question": q["question"],
                    "why": q["why"],
                    "analysis": f"{q['outcome'].replace('_', ' ')} by {', '.join(q['by']).replace('_', ' ')} "
                    f"({POPULATIONS[q['population']].lower()})",
                }
            )
    return pd.DataFrame(rows, columns=["reader", "question", "why", "analysis"])


def _chosen(prompts: dict[str, Any], who: Sequence[str] | None) -> list[str]:
    known = [r["id"] for r in prompts["readers"]]
    if who is None:
        return known
    chosen = [who] if isinstance(who, str) else list(who)
    unknown = [w for w in chosen if w not in known]
    if unknown or not chosen:
        raise ValueError(f"who={chosen!r} names unknown reader(s) {unknown}; choose from {known}")
    return chosen


def population(county: pd.DataFrame, name: str) -> pd.DataFrame:
    """One of ``POPULATIONS`` from the county frame, with derived outcomes added.

    ``changed_school`` (students: moved school at least once this year) is derived here.
    """
    if name not in POPULATIONS:
        raise ValueError(f"population={name!r} is not known; choose one of {list(POPULATIONS)}")
    needed = ["age", "student", "cw_reported", "school_moves"]
    missing = [c for c in needed if c not in county.columns]
    if missing:
        raise ValueError(f"county has no column(s) {missing}; pass load.county()")
    if name == "children":
        frame = county[county["age"] < 18]
    elif name == "students":
        frame = county[county["student"]].assign(changed_school=lambda t: t["school_moves"].fillna(0) > 0)
    else:
        frame = county[(county["age"] < 18) & county["cw_reported"]]
    return frame.copy()


def follow_up(
    county: pd.DataFrame, prompts: dict[str, Any] | None = None, *, who: Sequence[str] | None = None
) -> pd.DataFrame:
    """Run the analyses the chosen readers' questions ask for.

    Returns one long table: ``reader``, ``question``, ``group`` (the cell's values
    joined with " · "), ``numerator``, ``denominator``, ``rate``, ``lower``, ``upper``
    and ``status``. Cells that would disclose a small count (policy.DEFAULT_POLICY) are suppressed
    (:func:`equitylens.stages.publish.protect_rates`).
    """
    prompts = prompts or load_prompts()
    chosen = _chosen(prompts, who)
    parts = []
    for reader in prompts["readers"]:
        if reader["id"] not in chosen:
            continue
        for q in reader["questions"]:
            frame = population(county, q["population"])
            table = disaggregate.rates(frame, by=list(q["by"]), outcome=q["outcome"])
            labels = table[list(q["by"])].astype(str)
            for column in q["by"]:
                if frame[column].dtype == bool:
                    labels[column] = table[column].map(
                        {True: f"{column.replace('_', ' ')}: yes", False: f"{column.replace('_', ' ')}: no"}
                    )
                elif column == "lending_grade":
                    labels[column] = "Grade " + labels[column]
            table = table.assign(reader=reader["name"], question=q["question"], group=labels.agg(" · ".join, axis=1))
            parts.append(table[["reader", "question", "group", "numerator", "denominator", "rate", "lower", "upper"]])
    return publish.protect_rates(pd.concat(parts, ignore_index=True))


def finding_table(county: pd.DataFrame, prompts: dict[str, Any] | None = None) -> pd.DataFrame:
    """The finding everyone reads first, as a protected rate table."""
    prompts = prompts or load_prompts()
    spec = prompts["finding"]
    frame = population(county, spec["population"])
    table = disaggregate.rates(frame, by=list(spec["by"]), outcome=spec["outcome"])
    return publish.protect_rates(table[[*spec["by"], "numerator", "denominator", "rate", "lower", "upper"]])
