"""Data-quality checks across the agencies' extracts.

The paper names five data integrity issues to identify, explain and document:
data that are inaccurate, undocumented, unavailable, incomplete or inconsistent.
These functions find the ones the synthetic county carries on purpose.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from . import groups, schema

# Where each agency writes race (and Hispanic origin, where it is a separate
# question), and which values mean "we don't know".
RACE_FIELDS: Final[dict[str, tuple[str, frozenset[str]]]] = {
    "child_welfare": ("race_code", frozenset({"U"})),
    "education": ("race", frozenset()),
    "juvenile_justice": ("race", frozenset()),
    "homelessness": ("race_cd", frozenset({"8", "9", "99"})),
    "benefits": ("race_text", frozenset({"Unknown"})),
}
ETHNICITY_FIELDS: Final[dict[str, tuple[str, frozenset[str]]]] = {
    "child_welfare": ("hispanic_code", frozenset({"U"})),
    "education": ("ethnicity", frozenset()),
}
AGENCY_NAMES: Final[dict[str, str]] = {
    "child_welfare": "Child welfare",
    "education": "Education",
    "juvenile_justice": "Juvenile justice",
    "homelessness": "Homelessness services",
    "benefits": "Public benefits",
}


def _check_tables(tables: dict[str, pd.DataFrame], needed: list[str]) -> None:
    missing = [name for name in needed if name not in tables]
    if missing:
        raise ValueError(f"tables is missing {missing}; pass the dict from equitylens.load or synth.generate")
    empty = [name for name in needed if tables[name].empty]
    if empty:
        raise ValueError(f"tables {empty} are empty; there is nothing to check")


def missing_race(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Share of each agency's records whose race and ethnicity are both unknown.

    Where an agency asks Hispanic origin separately, a record with a blank race
    but a "Hispanic" answer counts as known.

    Returns one row per agency: ``agency``, ``field``, ``records``, ``missing``,
    ``share_missing`` (0-1), in the order of ``groups.AGENCIES``.
    """
    _check_tables(tables, list(RACE_FIELDS))
    rows = []
    for agency in groups.AGENCIES:
        field, unknown = RACE_FIELDS[agency]
        missing = _unknown(tables[agency][field], unknown)
        if agency in ETHNICITY_FIELDS:
            # Under a two-question form, a person who gave only a Hispanic origin is not missing.
            ethnicity, unknown_ethnicity = ETHNICITY_FIELDS[agency]
            missing &= _unknown(tables[agency][ethnicity], unknown_ethnicity) | (
                tables[agency][ethnicity].astype("string") != _HISPANIC_YES[agency]
            )
        rows.append(
            {
                "agency": AGENCY_NAMES[agency],
                "field": field,
                "records": len(missing),
                "missing": int(missing.sum()),
                "share_missing": float(missing.mean()),
            }
        )
    return pd.DataFrame(rows)


_HISPANIC_YES: Final = {"child_welfare": "Y", "education": "Hispanic or Latino"}


def _unknown(values: pd.Series, unknown: frozenset[str]) -> pd.Series:
    text = values.astype("string")
    return (text.isna() | (text.str.strip() == "") | text.isin(list(unknown))).fillna(True).astype(bool)


def race_codes(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """How many different race values each agency uses, and which.

    A sign of inconsistent data: the same person can be written five ways.
    """
    _check_tables(tables, list(RACE_FIELDS))
    rows = []
    for agency in groups.AGENCIES:
        field, _ = RACE_FIELDS[agency]
        values = tables[agency][field].astype("string").fillna("(blank)").replace("", "(blank)")
        distinct = sorted(values.unique())
        rows.append(
            {
                "agency": AGENCY_NAMES[agency],
                "field": field,
                "distinct_values": len(distinct),
                "examples": ", ".join(distinct[:8]) + (" ..." if len(distinct) > 8 else ""),
                "has_mena_category": _has_mena(agency),
            }
        )
    return pd.DataFrame(rows)


def _has_mena(agency: str) -> bool:
    field, _ = RACE_FIELDS[agency]
    description = next(f for f in schema.fields(agency) if f["name"] == field)["description"]
    return "MENA" in description and "recorded as White" not in description and "coded W" not in description


def undocumented_fields() -> pd.DataFrame:
    """Fields that arrive with no codebook, found from the schema descriptions."""
    rows = [
        {"table": table, "field": field["name"], "description": field["description"]}
        for table in schema.SCHEMAS
        for field in schema.fields(table)
        if field.get("description", "").lower().startswith("undocumented")
    ]
    return pd.DataFrame(rows, columns=["table", "field", "description"])


def composition(frame: pd.DataFrame, *, of: str, within: str) -> pd.DataFrame:
    """Share of each ``of`` group that falls in each ``within`` category.

    For example ``composition(people, of="race_ethnicity", within="lending_grade")``
    says where each group lives. Returns ``of``, ``within``, ``people`` and
    ``share`` (shares sum to 1 within each ``of`` group).
    """
    if frame.empty:
        raise ValueError("frame is empty; pass a table with at least one row")
    unknown = [c for c in (of, within) if c not in frame.columns]
    if unknown:
        raise ValueError(f"unknown column(s) {unknown}; frame has {list(frame.columns)}")
    if of == within:
        raise ValueError("of and within must be different columns")
    counts = frame.groupby([of, within], observed=True).size().rename("people").reset_index()
    counts["share"] = counts["people"] / counts.groupby(of, observed=True)["people"].transform("sum")
    return counts
