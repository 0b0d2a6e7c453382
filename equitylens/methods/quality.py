"""Data-quality checks across the agencies' extracts.

The paper names five data integrity issues to identify, explain and document:
data that are inaccurate, undocumented, unavailable, incomplete or inconsistent.
These functions find the ones the synthetic county carries on purpose.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from equitylens.data import groups, schema
from equitylens.methods.validation import check_table

__all__ = [
    "coding_vs_self_report",
    "composition",
    "field_risk",
    "integrity_issues",
    "missing_race",
    "race_codes",
    "recorded_race",
    "undocumented_fields",
]

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
        raise ValueError(f"tables is missing {missing}; pass the dict from equitylens.data.load or synth.generate")
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
    check_table(frame, [of, within], "frame")
    if of == within:
        raise ValueError("of and within must be different columns")
    counts = frame.groupby([of, within], observed=True).size().rename("people").reset_index()
    counts["share"] = counts["people"] / counts.groupby(of, observed=True)["people"].transform("sum")
    return counts


# --- Stage 2: the five data integrity issues -----------------------------------------------

# Labels an agency's code can be read back into. Besides the 2024 groups, older forms leave
# two broad bins that cannot be split back out.
OTHER: Final = "Other (folded)"
ASIAN_PI: Final = "Asian or Pacific Islander (folded)"
UNKNOWN: Final = "Unknown"
RECORDED_ORDER: Final[tuple[str, ...]] = (*groups.RACE_LABELS, groups.MULTIRACIAL, ASIAN_PI, OTHER, UNKNOWN)

# One-question agencies: code -> label.
_ONE_QUESTION: Final[dict[str, dict[str, str]]] = {
    "juvenile_justice": {"B": "Black or African American", "W": "White", "O": OTHER},
    "benefits": {
        "Native American": "American Indian or Alaska Native",
        "Asian/PI": ASIAN_PI,
        "African American": "Black or African American",
        "Latino": "Hispanic or Latino",
        "Caucasian": "White",
        "Other": OTHER,
        "Multi": groups.MULTIRACIAL,
    },
}
# Two-question agencies: race code -> label (Hispanic origin read from the second field).
_TWO_QUESTION: Final[dict[str, dict[str, str]]] = {
    "child_welfare": {
        "I": "American Indian or Alaska Native",
        "A": "Asian",
        "B": "Black or African American",
        "P": "Native Hawaiian or Pacific Islander",
        "W": "White",
        "M": groups.MULTIRACIAL,
    },
    "education": {
        "American Indian or Alaska Native": "American Indian or Alaska Native",
        "Asian": "Asian",
        "Black or African American": "Black or African American",
        "Native Hawaiian or Other Pacific Islander": "Native Hawaiian or Pacific Islander",
        "White": "White",
        "Two or more races": groups.MULTIRACIAL,
    },
}
_HOMELESSNESS_NUMBERS: Final[dict[str, str]] = {
    "1": "American Indian or Alaska Native",
    "2": "Asian",
    "3": "Black or African American",
    "4": "Native Hawaiian or Pacific Islander",
    "5": "White",
    "6": "Hispanic or Latino",
    "7": "Middle Eastern or North African",
}
# How a record's recorded label compares with the person's own answer.
MATCH: Final = "Matches the person's own answer"
FOLDED: Final = "Folded into a broad bin"
DIFFERENT: Final = "Recorded as a different group"
MISSING: Final = "Missing"
VERDICTS: Final[tuple[str, ...]] = (MATCH, FOLDED, DIFFERENT, MISSING)
ISSUES: Final[tuple[str, ...]] = ("inaccurate", "undocumented", "unavailable", "incomplete", "inconsistent")


def recorded_race(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every agency record's race and ethnicity, read back into one common set of labels.

    Returns ``agency`` (the table name), ``person_id``, ``code`` (what the agency
    wrote, both fields joined with "/" where it asks two questions) and
    ``recorded`` (one of ``RECORDED_ORDER``). Under a two-question form, a
    Hispanic answer plus a race counts as multiracial and/or multiethnic, as the
    2024 combined question would count it.
    """
    _check_tables(tables, list(RACE_FIELDS))
    parts = []
    for agency in groups.AGENCIES:
        frame = tables[agency]
        if "person_id" not in frame.columns:
            raise ValueError(f"tables[{agency!r}] has no person_id column")
        field, unknown = RACE_FIELDS[agency]
        code = frame[field].astype("string").fillna("").str.strip()
        if agency in _ONE_QUESTION:
            recorded = code.map(_ONE_QUESTION[agency]).fillna(UNKNOWN)
        elif agency in _TWO_QUESTION:
            ethnicity_field, _ = ETHNICITY_FIELDS[agency]
            ethnicity = frame[ethnicity_field].astype("string").fillna("").str.strip()
            hispanic = ethnicity == _HISPANIC_YES[agency]
            race = code.map(_TWO_QUESTION[agency])
            recorded = race.where(~hispanic, race.notna().map({True: groups.MULTIRACIAL, False: "Hispanic or Latino"}))
            recorded = recorded.fillna(UNKNOWN)
            code = code + "/" + ethnicity
        else:
            single = code.map(_HOMELESSNESS_NUMBERS)
            several = code.str.contains(";", regex=False) & ~code.isin(list(unknown))
            recorded = single.where(~several, groups.MULTIRACIAL).fillna(UNKNOWN)
        parts.append(
            pd.DataFrame(
                {"agency": agency, "person_id": frame["person_id"].to_numpy(), "code": code, "recorded": recorded}
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["recorded"] = pd.Categorical(out["recorded"], categories=list(RECORDED_ORDER))
    return out


def _verdict(recorded: pd.Series, own: pd.Series) -> pd.Series:
    rec, mine = recorded.astype(str), own.astype(str)
    folded = rec.isin([OTHER, ASIAN_PI]) | ((rec == groups.MULTIRACIAL) & (mine == groups.NOT_REPORTED))
    verdict = np.where(
        rec == UNKNOWN,
        MISSING,
        np.where(rec == mine, MATCH, np.where(folded, FOLDED, DIFFERENT)),
    )
    return pd.Series(verdict, index=recorded.index, dtype="string")


def coding_vs_self_report(tables: dict[str, pd.DataFrame], people: pd.DataFrame) -> pd.DataFrame:
    """How each agency recorded each self-reported group.

    ``people`` is the person table with the seven race flags (the person's own
    answer under the 2024 standard; known only because the data are synthetic).
    Returns one row per agency, self-reported group and recorded label:
    ``agency`` (display name), ``self_report``, ``recorded``, ``verdict`` (one of
    ``VERDICTS``), ``records`` and ``share`` (of that agency's records for that group).
    """
    records = _with_self_report(tables, people)
    counts = (
        records.groupby(["agency", "self_report", "recorded", "verdict"], observed=True).size().rename("records")
    ).reset_index()
    counts["share"] = counts["records"] / counts.groupby(["agency", "self_report"], observed=True)["records"].transform(
        "sum"
    )
    counts["agency"] = counts["agency"].map(AGENCY_NAMES)
    counts["agency"] = pd.Categorical(counts["agency"], categories=[AGENCY_NAMES[a] for a in groups.AGENCIES])
    return counts.sort_values(["agency", "self_report", "recorded"]).reset_index(drop=True)


def _with_self_report(tables: dict[str, pd.DataFrame], people: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("person_id", *groups.RACE_FLAGS) if c not in people.columns]
    if missing:
        raise ValueError(f"people is missing {missing}; pass equitylens.data.load.table('people')")
    own = people[["person_id"]].assign(self_report=_own_label(people))
    records = recorded_race(tables).merge(own, on="person_id", how="left", validate="many_to_one")
    if records["self_report"].isna().any():
        raise ValueError("some agency records name a person_id that is not in people")
    records["verdict"] = _verdict(records["recorded"], records["self_report"])
    return records


def _own_label(people: pd.DataFrame) -> pd.Series:
    return groups.race_ethnicity_label(people)


def integrity_issues(tables: dict[str, pd.DataFrame], people: pd.DataFrame) -> pd.DataFrame:
    """The paper's five data integrity issues, agency by agency.

    * **inaccurate**: share of records with a known race that name a different
      group than the person's own answer (MENA written as White, say);
    * **undocumented**: fields in the agency's extract with no codebook;
    * **unavailable**: items the 2024 standard needs that the agency's form cannot
      give (a MENA category, Hispanic origin, which groups a multiracial person
      chose) or that it never asks (SOGIE);
    * **incomplete**: share of records with race missing;
    * **inconsistent**: share of the agency's people, also served elsewhere, whom
      another agency records as a different group.

    Returns ``agency``, ``issue`` (one of ``ISSUES``), ``value``, ``unit`` and
    ``detail``: five rows per agency.
    """
    records = _with_self_report(tables, people)
    undocumented = undocumented_fields()
    rows = []
    per_person = (
        records[records["recorded"].astype(str) != UNKNOWN]
        .drop_duplicates(["agency", "person_id"])[["agency", "person_id", "recorded"]]
        .astype({"recorded": str})
    )
    for agency in groups.AGENCIES:
        mine = records[records["agency"] == agency]
        known = mine[mine["verdict"] != MISSING]
        wrong = known[known["verdict"] == DIFFERENT]
        top = wrong.groupby(["self_report", "recorded"], observed=True).size().sort_values(ascending=False)
        examples = "; ".join(f"{own} as {rec}" for own, rec in top.index[:2])
        name = AGENCY_NAMES[agency]
        rows.append(
            {
                "agency": name,
                "issue": "inaccurate",
                "value": len(wrong) / len(known) if len(known) else 0.0,
                "unit": "share of records with a known race",
                "detail": f"most often: {examples}" if examples else "none found",
            }
        )
        fields = undocumented.loc[undocumented["table"] == agency, "field"].tolist()
        rows.append(
            {
                "agency": name,
                "issue": "undocumented",
                "value": float(len(fields)),
                "unit": "fields with no codebook",
                "detail": ", ".join(fields) or "none",
            }
        )
        gaps = _unavailable(agency, tables[agency])
        rows.append(
            {
                "agency": name,
                "issue": "unavailable",
                "value": float(len(gaps)),
                "unit": "items not collected (of 4)",
                "detail": "; ".join(gaps) or "none",
            }
        )
        rows.append(
            {
                "agency": name,
                "issue": "incomplete",
                "value": float((mine["verdict"] == MISSING).mean()),
                "unit": "share of records",
                "detail": f"field {RACE_FIELDS[agency][0]}",
            }
        )
        here = per_person[per_person["agency"] == agency]
        there = per_person[per_person["agency"] != agency]
        pairs = here.merge(there, on="person_id", suffixes=("", "_other"))
        disagree = pairs.assign(differs=pairs["recorded"] != pairs["recorded_other"]).groupby("person_id")["differs"]
        flags = disagree.any()
        rows.append(
            {
                "agency": name,
                "issue": "inconsistent",
                "value": float(flags.mean()) if len(flags) else 0.0,
                "unit": "share of people also in another agency",
                "detail": f"{len(flags):,} people also served elsewhere",
            }
        )
    return pd.DataFrame(rows, columns=["agency", "issue", "value", "unit", "detail"])


def _unavailable(agency: str, frame: pd.DataFrame) -> list[str]:
    gaps = []
    if not _has_mena(agency):
        gaps.append("no MENA category")
    if agency in ("juvenile_justice",):
        gaps.append("no separate Hispanic origin")
    if agency != "homelessness":
        gaps.append("cannot tell which groups a multiracial person chose")
    if "sexual_orientation" not in frame.columns:
        gaps.append("SOGIE not asked")
    return gaps


# --- Stage 2: data minimisation and metadata ------------------------------------------------

DIRECT: Final = "Direct identifier"
ELEVATED: Final = "Elevated risk if redisclosed"
QUASI: Final = "Quasi-identifier"
LOWER: Final = "Lower risk"
RISK_TIERS: Final[tuple[str, ...]] = (DIRECT, ELEVATED, QUASI, LOWER)
# Field name -> (tier, reason). Fields not listed are "Lower risk". The reasons follow the paper's
# HIV-status example: data whose release could bring stigma, violence, or legal or immigration harm.
FIELD_RISK: Final[dict[str, tuple[str, str]]] = {
    "first_name": (DIRECT, "names a person"),
    "last_name": (DIRECT, "names a person"),
    "birth_date": (QUASI, "with place and sex, often unique"),
    "age": (QUASI, "narrows a person down"),
    "age_band": (QUASI, "narrows a person down"),
    "gender": (QUASI, "narrows a person down; a nonbinary answer is rare and can out someone"),
    "neighbourhood_id": (QUASI, "small places are known to neighbours"),
    "sexual_orientation": (ELEVATED, "can out a young person to family, peers or staff"),
    "gender_identity": (ELEVATED, "can out a young person to family, peers or staff"),
    "substantiated": (ELEVATED, "a finding of maltreatment against a family"),
    "placed": (ELEVATED, "a child removed from home"),
    "investigated": (ELEVATED, "a family investigated by the state"),
    "reporter_type": (ELEVATED, "can point to who made a report"),
    "offense_category": (ELEVATED, "a youth's contact with the justice system"),
    "referral_date": (QUASI, "a date ties a record to an event others saw"),
    "report_date": (QUASI, "a date ties a record to an event others saw"),
    "household_poverty": (ELEVATED, "income status can bring stigma"),
    "needs_support": (ELEVATED, "a judgement about a family"),
    "project_type": (ELEVATED, "says a young person was homeless"),
    "program": (ELEVATED, "says a family receives public benefits"),
    "hh_cd": (ELEVATED, "nobody knows what it means, so nobody can judge its risk"),
}
_RACE_FIELD_NAMES: Final = frozenset(
    {*groups.RACE_FLAGS, "race_code", "hispanic_code", "race", "ethnicity", "race_cd", "race_text"}
)


def field_risk(tables: list[str] | None = None) -> pd.DataFrame:
    """Every field of the county's tables with a risk tier, to decide what not to collect.

    Returns ``table``, ``field``, ``tier`` (one of ``RISK_TIERS``) and ``reason``.
    Race and ethnicity fields are quasi-identifiers: needed for equity work, and
    risky in small groups and small places.
    """
    names = list(schema.SCHEMAS) if tables is None else list(tables)
    unknown = [t for t in names if t not in schema.SCHEMAS]
    if unknown:
        raise ValueError(f"unknown table(s) {unknown}; choose from {sorted(schema.SCHEMAS)}")
    rows = []
    for table in names:
        for field in schema.fields(table):
            name = field["name"]
            if name in FIELD_RISK:
                tier, reason = FIELD_RISK[name]
            elif name in _RACE_FIELD_NAMES:
                tier, reason = QUASI, "needed for equity work; identifying in small groups"
            else:
                tier, reason = LOWER, ""
            rows.append({"table": table, "field": name, "tier": tier, "reason": reason})
    frame = pd.DataFrame(rows)
    frame["tier"] = pd.Categorical(frame["tier"], categories=list(RISK_TIERS), ordered=True)
    return frame
