"""Read the synthetic county into typed pandas frames.

Column types and category orders come from ``equitylens.data.schema``, so that every
notebook sees the same deliberate group order. Files are read once per folder
and cached; every call returns a fresh copy that the caller may change. The committed
county's person frame is also kept on disk between processes (``frame_cache``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from equitylens.data import frame_cache, groups, schema, writer

# The files the person frame is assembled from.
COUNTY_TABLES = (
    "people",
    "neighbourhoods",
    "child_welfare",
    "education",
    "juvenile_justice",
    "homelessness",
    "benefits",
)


def table(name: str, *, directory: Path | str | None = None) -> pd.DataFrame:
    """One table of the county with proper types.

    Dates become ``datetime64``, booleans ``bool``, enumerated strings ordered
    categoricals (in the order the schema lists them).

    >>> table("neighbourhoods").shape[1]
    8
    """
    return _read(name, str(directory or writer.DATASETS_DIR)).copy()


@lru_cache(maxsize=32)
def _read(name: str, directory: str) -> pd.DataFrame:
    fields = schema.fields(name)
    path = Path(directory) / writer.file_name(name)
    if not path.exists():
        raise ValueError(f"no file {path}; run `python -m equitylens.data.writer` to write the county")
    types = {f["name"]: ("string" if f["type"] in ("string", "date") else None) for f in fields}
    frame = pd.read_csv(path, dtype={k: v for k, v in types.items() if v}, keep_default_na=False)
    for field in fields:
        column, kind = field["name"], field["type"]
        enum = field.get("constraints", {}).get("enum")
        if kind == "date":
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
        elif kind == "boolean":
            frame[column] = frame[column].astype(bool)
        elif kind == "string" and enum is not None:
            frame[column] = frame[column].replace("", pd.NA).astype(pd.CategoricalDtype(enum, ordered=True))
    return frame


def county(*, directory: Path | str | None = None) -> pd.DataFrame:
    """The analysis-ready person frame: one row per young person.

    People, their neighbourhood's lending grade and figures, a default
    ``race_ethnicity`` label, and one column per service contact:
    ``cw_reported``, ``cw_investigated``, ``cw_substantiated``, ``cw_placed``
    (any report since 2019, made while the person was under 18), ``student``, ``chronically_absent``, ``school_moves``
    (students aged 5-17), ``jj_referred``, ``homeless_services``, ``snap``,
    ``medicaid`` and ``tanf``.
    """
    where = str(directory or writer.DATASETS_DIR)
    return _county(where).copy()


@lru_cache(maxsize=4)
def _county(directory: str) -> pd.DataFrame:
    """The person frame, assembled; the committed county's comes from ``frame_cache`` when it holds it."""
    if Path(directory).resolve() != Path(writer.DATASETS_DIR).resolve():
        return _assemble_county(directory)
    inputs = [Path(directory) / writer.file_name(name) for name in COUNTY_TABLES]
    return frame_cache.cached("county", inputs, lambda: _assemble_county(directory))


def _assemble_county(directory: str) -> pd.DataFrame:
    people = _read("people", directory)
    places = _read("neighbourhoods", directory)
    frame = people.drop(columns=["first_name", "last_name"]).merge(
        places[["neighbourhood_id", "name", "lending_grade", "reporter_density", "poverty_rate"]].rename(
            columns={"name": "neighbourhood", "poverty_rate": "neighbourhood_poverty_rate"}
        ),
        on="neighbourhood_id",
        how="left",
        validate="many_to_one",
    )
    frame.insert(list(frame.columns).index("race_white") + 1, "race_ethnicity", groups.race_ethnicity_label(frame))
    ids = frame["person_id"]

    welfare = _read("child_welfare", directory)
    for column, source in (
        ("cw_reported", None),
        ("cw_investigated", "investigated"),
        ("cw_substantiated", "substantiated"),
        ("cw_placed", "placed"),
    ):
        who = welfare["person_id"] if source is None else welfare.loc[welfare[source], "person_id"]
        frame[column] = ids.isin(who)

    school = _read("education", directory).set_index("person_id")
    frame["student"] = ids.isin(school.index)
    frame["chronically_absent"] = ids.map(school["chronically_absent"]).astype("boolean")
    frame["school_moves"] = ids.map(school["school_moves"]).astype("Int64")

    frame["jj_referred"] = ids.isin(_read("juvenile_justice", directory)["person_id"])
    frame["homeless_services"] = ids.isin(_read("homelessness", directory)["person_id"])
    benefits = _read("benefits", directory)
    for program in ("SNAP", "Medicaid", "TANF"):
        frame[program.lower()] = ids.isin(benefits.loc[benefits["program"] == program, "person_id"])
    return frame


def child_welfare_youth(*, directory: Path | str | None = None) -> pd.DataFrame:
    """Children with at least one child-welfare report, one row each, with the
    SOGIE answers from their most recent report (``"Not asked"`` if never asked)."""
    where = str(directory or writer.DATASETS_DIR)
    reports = _read("child_welfare", where).sort_values(["report_date", "report_id"])
    latest = reports.groupby("person_id", observed=True).tail(1)
    per_person = reports.groupby("person_id", observed=True).agg(
        reports=("report_id", "size"),
        substantiated=("substantiated", "any"),
        placed=("placed", "any"),
    )
    sogie = latest.set_index("person_id")[["sexual_orientation", "gender_identity"]]
    people = _county(where)
    frame = people[people["cw_reported"]].drop(columns=[c for c in people.columns if c.startswith("cw_")])
    frame = frame.join(per_person, on="person_id").join(sogie, on="person_id")
    return frame.reset_index(drop=True)
