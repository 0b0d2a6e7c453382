"""Table Schemas (Frictionless) for every table of the synthetic county.

This module is the one description of the data: the writer puts it into
``datasets/datapackage.json``, the loader reads column types and category
orders from it, and the tests validate the files against it.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from equitylens.data import groups

Field = dict[str, Any]

_RACE_FLAG_FIELDS: Final[list[Field]] = [
    {
        "name": column,
        "type": "boolean",
        "description": f"Selected '{label}' on the combined race and ethnicity question (2024 OMB standard).",
        "constraints": {"required": True},
    }
    for column, label in groups.RACE_FLAGS.items()
]


def _id(name: str, description: str, pattern: str) -> Field:
    return {
        "name": name,
        "type": "string",
        "description": description,
        "constraints": {"required": True, "unique": True, "pattern": pattern},
    }


def _person_ref() -> Field:
    return {
        "name": "person_id",
        "type": "string",
        "description": "The county's linked person identifier (see people).",
        "constraints": {"required": True, "pattern": "P[0-9]{6}"},
    }


def _date(name: str, description: str) -> Field:
    return {
        "name": name,
        "type": "date",
        "description": description,
        "constraints": {"required": True},
    }


def _flag(name: str, description: str) -> Field:
    return {
        "name": name,
        "type": "boolean",
        "description": description,
        "constraints": {"required": True},
    }


def _enum(name: str, values: tuple[str, ...] | list[str], description: str, required: bool = True) -> Field:
    return {
        "name": name,
        "type": "string",
        "description": description,
        "constraints": {"required": required, "enum": list(values)},
    }


def _person_fk() -> dict[str, Any]:
    return {"fields": "person_id", "reference": {"resource": "people", "fields": "person_id"}}


SCHEMAS: Final[dict[str, dict[str, Any]]] = {
    "neighbourhoods": {
        "description": "The county's 24 neighbourhoods, their 1930s-style lending grade, and today's figures.",
        "schema": {
            "fields": [
                _id("neighbourhood_id", "Neighbourhood identifier.", "N[0-9]{2}"),
                {
                    "name": "name",
                    "type": "string",
                    "description": "Invented place name.",
                    "constraints": {"required": True},
                },
                _enum(
                    "lending_grade",
                    groups.LENDING_GRADES,
                    "Historical lending grade, A (best) to D (redlined).",
                ),
                {
                    "name": "tile_row",
                    "type": "integer",
                    "description": "Row on the county's tile map (0 = north).",
                    "constraints": {"minimum": 0},
                },
                {
                    "name": "tile_col",
                    "type": "integer",
                    "description": "Column on the tile map (0 = west, by the river).",
                    "constraints": {"minimum": 0},
                },
                {
                    "name": "reporter_density",
                    "type": "number",
                    "description": "Mandated reporters (schools, clinics, police, caseworkers) per 1,000 residents.",
                    "constraints": {"minimum": 0},
                },
                {
                    "name": "population",
                    "type": "integer",
                    "description": "Young people aged 0-24 living here.",
                    "constraints": {"minimum": 0},
                },
                {
                    "name": "poverty_rate",
                    "type": "number",
                    "description": "Share of young people in households below the poverty line.",
                    "constraints": {"minimum": 0, "maximum": 1},
                },
            ],
            "primaryKey": ["neighbourhood_id"],
        },
    },
    "people": {
        "description": "The master person index: one row per young person (0-24) in the county.",
        "schema": {
            "fields": [
                _id("person_id", "Linked person identifier.", "P[0-9]{6}"),
                {
                    "name": "first_name",
                    "type": "string",
                    "description": "Given name (invented).",
                    "constraints": {"required": True},
                },
                {
                    "name": "last_name",
                    "type": "string",
                    "description": "Family name or names (invented).",
                    "constraints": {"required": True},
                },
                _date("birth_date", "Date of birth."),
                {
                    "name": "age",
                    "type": "integer",
                    "description": "Age in whole years on 2024-06-30.",
                    "constraints": {"required": True, "minimum": 0, "maximum": 24},
                },
                _enum("age_band", groups.AGE_BANDS, "Age band used for reporting."),
                _enum("gender", groups.GENDERS, "Gender as recorded on the master index."),
                *_RACE_FLAG_FIELDS,
                {
                    "name": "neighbourhood_id",
                    "type": "string",
                    "description": "Neighbourhood of residence.",
                    "constraints": {"required": True},
                },
                _flag("household_poverty", "Household income below the federal poverty line."),
                _flag(
                    "needs_support",
                    "Ground truth no agency has: the family would benefit from support. Depends on "
                    "household poverty only, the same for every group. Known here only because the data are invented.",
                ),
            ],
            "primaryKey": ["person_id"],
            "foreignKeys": [
                {
                    "fields": "neighbourhood_id",
                    "reference": {"resource": "neighbourhoods", "fields": "neighbourhood_id"},
                }
            ],
        },
    },
    "child_welfare": {
        "description": "Child-welfare reports (hotline calls) about children under 18 on the report date, with investigation and placement.",
        "schema": {
            "fields": [
                _id("report_id", "Report identifier.", "CW[0-9]{6}"),
                _person_ref(),
                _date("report_date", "Date the report was received."),
                _enum(
                    "reporter_type",
                    ["Mandated reporter", "Community member"],
                    "Who made the report.",
                ),
                _flag("investigated", "The report was screened in and investigated."),
                _flag("substantiated", "The investigation substantiated the allegation."),
                _flag("placed", "The child was placed out of home after this report."),
                _enum(
                    "sexual_orientation",
                    groups.SEXUAL_ORIENTATIONS,
                    "SOGIE: sexual orientation, asked from 2021-07-01 of youth aged 10 or over.",
                ),
                _enum(
                    "gender_identity",
                    groups.GENDER_IDENTITIES,
                    "SOGIE: gender identity, asked from 2021-07-01 of youth aged 10 or over.",
                ),
                _enum(
                    "race_code",
                    ["I", "A", "B", "P", "W", "M", "U"],
                    "Agency race code: I AIAN, A Asian, B Black, P NHPI, W White, M more than one, U unknown. Middle Eastern or North African is coded W.",
                ),
                _enum(
                    "hispanic_code",
                    ["Y", "N", "U"],
                    "Agency Hispanic-origin code, asked separately: Y, N, U unknown.",
                ),
            ],
            "primaryKey": ["report_id"],
            "foreignKeys": [_person_fk()],
        },
    },
    "education": {
        "description": "One row per student aged 5-17 for the 2023-24 school year.",
        "schema": {
            "fields": [
                {
                    **_person_ref(),
                    "constraints": {"required": True, "unique": True, "pattern": "P[0-9]{6}"},
                },
                _enum("school_year", ["2023-24"], "School year."),
                {
                    "name": "school_moves",
                    "type": "integer",
                    "description": "Number of school changes during the year.",
                    "constraints": {"required": True, "minimum": 0},
                },
                _flag("chronically_absent", "Missed 10% or more of enrolled school days."),
                _enum(
                    "ethnicity",
                    ["Hispanic or Latino", "Not Hispanic or Latino"],
                    "Ethnicity, asked as a separate question (1997 standard); blank when missing.",
                    required=False,
                ),
                _enum(
                    "race",
                    [
                        "American Indian or Alaska Native",
                        "Asian",
                        "Black or African American",
                        "Native Hawaiian or Other Pacific Islander",
                        "White",
                        "Two or more races",
                    ],
                    "Race under the 1997 standard (no MENA category: MENA students are recorded as White); blank when missing, and often blank for students who gave only a Hispanic origin.",
                    required=False,
                ),
            ],
            "primaryKey": ["person_id"],
            "foreignKeys": [_person_fk()],
        },
    },
    "juvenile_justice": {
        "description": "Juvenile-justice referrals of youth aged 10-17 on the referral date.",
        "schema": {
            "fields": [
                _id("referral_id", "Referral identifier.", "JJ[0-9]{6}"),
                _person_ref(),
                _date("referral_date", "Date of referral."),
                _enum(
                    "offense_category",
                    ["Status offense", "Property", "Person", "Drug", "Public order"],
                    "Most serious alleged offense.",
                ),
                _enum(
                    "race",
                    ["B", "W", "O"],
                    "Agency race code: B Black, W White, O other. Blank when missing.",
                    required=False,
                ),
            ],
            "primaryKey": ["referral_id"],
            "foreignKeys": [_person_fk()],
        },
    },
    "homelessness": {
        "description": "Enrolments in homelessness services.",
        "schema": {
            "fields": [
                _id("enrollment_id", "Enrolment identifier.", "HS[0-9]{6}"),
                _person_ref(),
                _date("entry_date", "Project entry date."),
                _enum(
                    "project_type",
                    [
                        "Emergency shelter",
                        "Transitional housing",
                        "Rapid re-housing",
                        "Street outreach",
                    ],
                    "Type of project.",
                ),
                {
                    "name": "race_cd",
                    "type": "string",
                    "description": "Race codes joined with ';': 1 AIAN, 2 Asian, 3 Black, 4 NHPI, 5 White, 6 Hispanic, 7 MENA; 8 doesn't know, 9 prefers not to answer, 99 not collected.",
                    "constraints": {"required": True, "pattern": "(8|9|99|[1-7](;[1-7])*)"},
                },
                {
                    "name": "hh_cd",
                    "type": "integer",
                    "description": "Undocumented: the agency's extract includes this field with no codebook.",
                    "constraints": {"required": True, "enum": [1, 2, 3, 9]},
                },
            ],
            "primaryKey": ["enrollment_id"],
            "foreignKeys": [_person_fk()],
        },
    },
    "benefits": {
        "description": "Enrolment in public benefit programmes: one row per person and programme.",
        "schema": {
            "fields": [
                _person_ref(),
                _enum("program", ["Medicaid", "SNAP", "TANF"], "Programme."),
                _date("start_date", "Start of the current enrolment."),
                _enum(
                    "race_text",
                    [
                        "Native American",
                        "Asian/PI",
                        "African American",
                        "Latino",
                        "Other",
                        "Caucasian",
                        "Multi",
                        "Unknown",
                    ],
                    "Race as typed into the eligibility system's drop-down.",
                ),
            ],
            "primaryKey": ["person_id", "program"],
            "foreignKeys": [_person_fk()],
        },
    },
    "identity_records": {
        "description": "Identity records as each agency typed them, for record-linkage exercises. "
        "person_id is the ground truth that only a synthetic data set can give.",
        "schema": {
            "fields": [
                _id("record_id", "Identity record identifier.", "R[0-9]{7}"),
                _enum("agency", groups.AGENCIES, "Agency that holds the record."),
                {
                    "name": "first_name",
                    "type": "string",
                    "description": "Given name as recorded.",
                    "constraints": {"required": True},
                },
                {
                    "name": "last_name",
                    "type": "string",
                    "description": "Family name as recorded.",
                    "constraints": {"required": True},
                },
                {
                    "name": "birth_date",
                    "type": "date",
                    "description": "Date of birth as recorded.",
                    "constraints": {"required": True},
                },
                _person_ref(),
                {
                    "name": "variant",
                    "type": "string",
                    "description": "Ground truth: which recording variants were applied, joined with ';' "
                    "(none, compound_surname, transliteration, swapped_order, typo, birth_date_day_month).",
                    "constraints": {"required": True},
                },
            ],
            "primaryKey": ["record_id"],
            "foreignKeys": [_person_fk()],
        },
    },
    "neighbourhood_history": {
        "description": "Each neighbourhood in 1990, 2000, 2010 and 2020: residents by group and a median rent index. "
        "For the story map of neighbourhood change; invented, like everything here.",
        "schema": {
            "fields": [
                {
                    "name": "neighbourhood_id",
                    "type": "string",
                    "description": "Neighbourhood (see neighbourhoods).",
                    "constraints": {"required": True, "pattern": "N[0-9]{2}"},
                },
                {
                    "name": "year",
                    "type": "integer",
                    "description": "Census year the row describes.",
                    "constraints": {"required": True, "enum": [1990, 2000, 2010, 2020]},
                },
                {
                    "name": "residents",
                    "type": "integer",
                    "description": "Residents of all ages, rounded to the nearest 10.",
                    "constraints": {"required": True, "minimum": 0},
                },
                *[
                    {
                        "name": f"share_{key}",
                        "type": "number",
                        "description": f"Share of residents who are {label} (primary group; shares are rounded, so a row may not sum exactly to 1).",
                        "constraints": {"required": True, "minimum": 0, "maximum": 1},
                    }
                    for key, label in (
                        ("black", "Black or African American"),
                        ("white", "White"),
                        ("hispanic", "Hispanic or Latino"),
                        ("asian", "Asian"),
                        (
                            "other",
                            "American Indian or Alaska Native, Middle Eastern or North African, Native Hawaiian or Pacific Islander, or declined",
                        ),
                    )
                ],
                {
                    "name": "median_rent_index",
                    "type": "number",
                    "description": "Median rent, indexed so that the county median in 1990 is about 100.",
                    "constraints": {"required": True, "minimum": 0},
                },
            ],
            "primaryKey": ["neighbourhood_id", "year"],
            "foreignKeys": [
                {
                    "fields": "neighbourhood_id",
                    "reference": {"resource": "neighbourhoods", "fields": "neighbourhood_id"},
                }
            ],
        },
    },
}


def fields(table: str) -> list[Field]:
    """The schema fields of ``table``; raises ValueError for an unknown table."""
    if table not in SCHEMAS:
        raise ValueError(f"unknown table {table!r}; choose one of {sorted(SCHEMAS)}")
    result: list[Field] = SCHEMAS[table]["schema"]["fields"]
    return result


def field_table(table: str) -> pd.DataFrame:
    """A readable codebook for ``table``: one row per field with its type and meaning."""
    return pd.DataFrame(
        [{"field": f["name"], "type": f["type"], "meaning": f.get("description", "")} for f in fields(table)]
    )
