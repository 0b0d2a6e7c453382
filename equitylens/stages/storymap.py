"""Stage 6 tools: a story map of neighbourhood change, and the county's published tables.

The story map follows the idea of Asheville's "Mapping Equity" story map: link racial
demographics over time to place. It reads the county's ``neighbourhood_history`` table
(residents by group and a rent index for 1990-2020) and says in words what changed; the
tile map with its year slider is drawn by :mod:`equitylens.viz.story`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pandas as pd

from equitylens.data import load
from equitylens.methods import disaggregate
from equitylens.methods.policy import DisclosurePolicy, as_policy
from equitylens.stages import publish

MEASURES: Final[dict[str, str]] = {
    "share_black": "Share of residents who are Black",
    "share_white": "Share of residents who are White",
    "share_hispanic": "Share of residents who are Hispanic or Latino",
    "median_rent_index": "Median rent (1990 county median = 100)",
}


def history(*, directory: Path | str | None = None) -> pd.DataFrame:
    """Neighbourhood history joined to each neighbourhood's name, grade and tile position.

    One row per neighbourhood and year, with ``rent_change`` (the rent index relative to
    the same neighbourhood in 1990) and ``black_change`` (the change in the Black share,
    in points, since 1990).
    """
    places = load.table("neighbourhoods", directory=directory).rename(columns={"name": "neighbourhood"})
    past = load.table("neighbourhood_history", directory=directory)
    frame = past.merge(
        places[["neighbourhood_id", "neighbourhood", "lending_grade", "tile_row", "tile_col"]],
        on="neighbourhood_id",
        how="left",
        validate="many_to_one",
    )
    first = frame[frame["year"] == frame["year"].min()].set_index("neighbourhood_id")
    frame["rent_change"] = frame["median_rent_index"] / frame["neighbourhood_id"].map(first["median_rent_index"])
    frame["black_change"] = frame["share_black"] - frame["neighbourhood_id"].map(first["share_black"])
    frame["lending_grade"] = frame["lending_grade"].astype(str)
    return frame


def changes(frame: pd.DataFrame, *, start: int = 1990, end: int = 2020, top: int = 4) -> pd.DataFrame:
    """The ``top`` neighbourhoods whose rent rose most from ``start`` to ``end``.

    Columns: ``neighbourhood``, ``lending_grade``, ``rent_start``, ``rent_end``,
    ``rent_ratio``, ``black_start``, ``black_end`` and ``white_start``, ``white_end``.
    """
    needed = ["year", "neighbourhood", "lending_grade", "median_rent_index", "share_black", "share_white"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {missing}; pass storymap.history()")
    years = set(frame["year"])
    for argument, year in (("start", start), ("end", end)):
        if year not in years:
            raise ValueError(f"{argument}={year!r} is not a year in the table; choose one of {sorted(years)}")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top={top!r} must be a whole number >= 1")
    keep = ["neighbourhood", "lending_grade", "median_rent_index", "share_black", "share_white"]
    a = frame.loc[frame["year"] == start, keep].set_index(["neighbourhood", "lending_grade"])
    b = frame.loc[frame["year"] == end, keep].set_index(["neighbourhood", "lending_grade"])
    out = pd.DataFrame(
        {
            "rent_start": a["median_rent_index"],
            "rent_end": b["median_rent_index"],
            "black_start": a["share_black"],
            "black_end": b["share_black"],
            "white_start": a["share_white"],
            "white_end": b["share_white"],
        }
    )
    out.insert(2, "rent_ratio", out["rent_end"] / out["rent_start"])
    return out.sort_values("rent_ratio", ascending=False).head(top).reset_index()


# --- the published tables of the reporting chapter ----------------------------------


def published_tables(
    county: pd.DataFrame, *, threshold: int | str | None = None, policy: DisclosurePolicy | None = None
) -> dict[str, pd.DataFrame]:
    """The summary tables the reporting chapter publishes, with small cells protected.

    ``reports_by_race`` (children reported to child welfare), ``absence_by_grade``
    (chronic absence by lending grade) and ``absence_by_race_and_grade``. Every count
    from 1 to ``threshold - 1`` is removed (:func:`equitylens.stages.publish.protect_rates`)
    under ``policy`` (default ``policy.DEFAULT_POLICY``; ``threshold`` overrides its threshold).
    """
    needed = ["age", "student", "race_ethnicity", "lending_grade", "cw_reported", "chronically_absent"]
    missing = [c for c in needed if c not in county.columns]
    if missing:
        raise ValueError(f"county has no column(s) {missing}; pass load.county()")
    children = county[county["age"] < 18]
    students = county[county["student"]]
    columns = ["numerator", "denominator", "rate", "lower", "upper"]
    specs = {
        "reports_by_race": (children, ["race_ethnicity"], "cw_reported"),
        "absence_by_grade": (students, ["lending_grade"], "chronically_absent"),
        "absence_by_race_and_grade": (students, ["lending_grade", "race_ethnicity"], "chronically_absent"),
    }
    tables = {}
    for name, (frame, by, outcome) in specs.items():
        rates = disaggregate.rates(frame, by=by, outcome=outcome)[[*by, *columns]]
        for column in by:
            rates[column] = rates[column].astype(str)
        tables[name] = publish.protect_rates(rates, policy=as_policy(policy, threshold))
    return tables
