"""A use audit: check an access log against what each project was approved to do.

Approval is the start of social licence, not the end of it. The paper encourages social
licence for data access and use and inclusive, participatory governance (Hawn Nelson &
Zanti, 2020, Results); a log of every query, an audit against the approved purpose, and a
public report of uses are how a data holder shows that both still hold. This module
flags each query that goes beyond its project's approval (new fields, a new population,
a linkage to tables it was not approved for), sums the flags by project and by month,
and writes the public report.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from equitylens.methods.validation import check_table

LOG_COLUMNS: Final = ("query_id", "date", "project", "tables", "fields", "min_age", "max_age")
WAYS: Final[dict[str, str]] = {
    "new_fields": "fields it was not approved for",
    "new_tables": "a linkage to tables it was not approved for",
    "new_population": "people outside its approved ages",
}


def _split(value: object) -> set[str]:
    return {part for part in str(value).split("+") if part}


def flag_queries(log: pd.DataFrame, projects: dict[str, Any]) -> pd.DataFrame:
    """The log with one flag per way a query can go beyond its approval.

    Adds ``extra_fields`` and ``extra_tables`` (names joined with ``+``, "" if none),
    ``new_fields``, ``new_tables``, ``new_population`` (bool) and ``in_scope``.
    Raises ValueError for a query from a project that was never approved.
    """
    log = check_table(log, LOG_COLUMNS, "log")
    approved = {p["id"]: p for p in projects["projects"]}
    unknown = sorted(set(log["project"]) - set(approved))
    if unknown:
        raise ValueError(f"log has queries from project(s) {unknown} that were never approved")
    extra_fields, extra_tables, outside = [], [], []
    for row in log.itertuples(index=False):
        project = approved[row.project]
        extra_fields.append("+".join(sorted(_split(row.fields) - set(project["fields"]))))
        extra_tables.append("+".join(sorted(_split(row.tables) - set(project["tables"]))))
        young, old = project["ages"]
        outside.append(bool(row.min_age < young or row.max_age > old))
    out = log.copy()
    out["extra_fields"] = extra_fields
    out["extra_tables"] = extra_tables
    out["new_fields"] = out["extra_fields"] != ""
    out["new_tables"] = out["extra_tables"] != ""
    out["new_population"] = outside
    out["in_scope"] = ~(out["new_fields"] | out["new_tables"] | out["new_population"])
    return out


def summary(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per project: queries, share outside its approval, first such date, and how.

    Columns: ``project``, ``queries``, ``share_outside``, ``first_outside`` (NaT if
    never), ``new_fields``, ``new_tables`` (names seen beyond the approval),
    ``new_population`` (share of queries outside the approved ages).
    """
    flags = check_table(flags, ["project", "date", "in_scope", "extra_fields", "extra_tables", "new_population"])
    rows = []
    for project, part in flags.groupby("project", sort=True):
        out = part[~part["in_scope"]]
        rows.append(
            {
                "project": project,
                "queries": len(part),
                "share_outside": float((~part["in_scope"]).mean()),
                "first_outside": out["date"].min() if len(out) else pd.NaT,
                "new_fields": "+".join(sorted(set().union(*[_split(v) for v in part["extra_fields"]]))),
                "new_tables": "+".join(sorted(set().union(*[_split(v) for v in part["extra_tables"]]))),
                "new_population": float(part["new_population"].mean()),
            }
        )
    return pd.DataFrame(rows)


def drifting_projects(flags: pd.DataFrame) -> list[str]:
    """Projects with at least one query beyond their approval, sorted."""
    flags = check_table(flags, ["project", "in_scope"])
    return sorted(flags.loc[~flags["in_scope"], "project"].unique().tolist())


def monthly(flags: pd.DataFrame) -> pd.DataFrame:
    """Per project and month: ``queries`` and ``share_outside`` (for the drift chart)."""
    flags = check_table(flags, ["project", "date", "in_scope"])
    month = pd.to_datetime(flags["date"]).dt.to_period("M").dt.to_timestamp()
    grouped = flags.assign(month=month, outside=~flags["in_scope"]).groupby(["project", "month"], sort=True)
    out = grouped.agg(queries=("outside", "size"), share_outside=("outside", "mean")).reset_index()
    return out


def public_report_markdown(flags: pd.DataFrame, projects: dict[str, Any], *, period: str) -> str:
    """A plain public report of how the data were used: one section per approved project.

    Shares only, no counts of people. A project that went beyond its approval says how,
    and what happens next is left for the community review body to decide.
    """
    if not isinstance(period, str) or not period.strip():
        raise ValueError("period must name the time the report covers, e.g. 'July 2023 to June 2024'")
    table = summary(flags).set_index("project")
    lines = [f"# How the county's data were used: {period}", ""]
    lines += [
        "Every query by an approved project is logged. This report checks each one against what the "
        "project was approved to do. All projects and data here are synthetic.",
        "",
    ]
    for project in projects["projects"]:
        if project["id"] not in table.index:
            continue
        row = table.loc[project["id"]]
        lines += [
            f"## {project['name']} ({project['holder']})",
            "",
            f"Approved purpose: {project['purpose']}",
            "",
            f"- Queries in this period: {int(row['queries']):,}",
            f"- Share within the approval: {1 - row['share_outside']:.0%}",
        ]
        if row["share_outside"] > 0:
            ways = []
            if row["new_fields"]:
                ways.append(f"{WAYS['new_fields']} ({row['new_fields'].replace('+', ', ')})")
            if row["new_tables"]:
                ways.append(f"{WAYS['new_tables']} ({row['new_tables'].replace('+', ', ')})")
            if row["new_population"] > 0:
                ways.append(WAYS["new_population"])
            lines += [
                f"- From {row['first_outside']:%B %Y}, some queries used " + "; ".join(ways) + ".",
                "- The community review body will decide whether to pause the project, change its approval, or end it.",
            ]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
