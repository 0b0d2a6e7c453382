"""Stage 6 tools: a story map of neighbourhood change, and the county's published tables.

The story map follows the idea of Asheville's "Mapping Equity" story map: link racial
demographics over time to place. It reads the county's ``neighbourhood_history`` table
(residents by group and a rent index for 1990-2020), draws it on the tile map with a
year slider that works in the static book, and says in words what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from equitylens.data import groups, load
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


def story_chart(
    frame: pd.DataFrame, *, measure: str = "share_black", bind: bool = True, year: int | None = None
) -> Any:
    """The county's tile map for one measure, with a year slider (a bound parameter).

    In the book the slider sits under the map and Vega redraws in the page; the data
    embedded are the neighbourhood summaries only (24 places x 4 years).
    """
    import altair as alt

    from equitylens.viz import charts

    if measure not in MEASURES:
        raise ValueError(f"measure={measure!r} is not allowed; choose one of {list(MEASURES)}")
    charts._require(frame, ["year", "tile_row", "tile_col", "neighbourhood", "lending_grade", measure], "frame")
    years = sorted(int(y) for y in frame["year"].unique())
    chosen = years[-1] if year is None else year
    if chosen not in years:
        raise ValueError(f"year={year!r} is not in the table; choose one of {years}")
    step = int(np.diff(years).min()) if len(years) > 1 else 1
    if bind:
        binding = alt.binding_range(min=years[0], max=years[-1], step=step, name="Year: ")
        param = alt.param(name="year", value=chosen, bind=binding)
    else:
        param = alt.param(name="year", value=chosen)
    percent = measure != "median_rent_index"
    fmt = ".0%" if percent else ".0f"
    data = frame[["year", "tile_row", "tile_col", "neighbourhood", "lending_grade", measure]]
    domain = [0.0, float(data[measure].max())]
    base = alt.Chart(data).transform_filter(alt.datum.year == param)
    tiles = base.mark_rect(stroke="white", strokeWidth=2).encode(
        x=alt.X("tile_col:O", axis=None),
        y=alt.Y("tile_row:O", axis=None),
        color=alt.Color(
            f"{measure}:Q",
            title=MEASURES[measure],
            scale=alt.Scale(scheme="blues", domain=domain),
            legend=alt.Legend(format=fmt, orient="bottom", gradientLength=240, titleLimit=400),
        ),
        tooltip=[
            alt.Tooltip("neighbourhood:N", title="Neighbourhood"),
            alt.Tooltip("lending_grade:N", title="Lending grade"),
            alt.Tooltip("year:O", title="Year"),
            alt.Tooltip(f"{measure}:Q", title=MEASURES[measure], format=fmt),
        ],
    )
    middle = float(np.mean(domain))
    labels = base.mark_text(fontSize=13, fontWeight="bold").encode(
        x=alt.X("tile_col:O", axis=None),
        y=alt.Y("tile_row:O", axis=None),
        text="lending_grade:N",
        color=alt.condition(alt.datum[measure] > middle, alt.value("white"), alt.value("black")),
    )
    chart = alt.layer(tiles, labels).add_params(param).properties(width=360, height=240)
    return charts.finish(
        chart,
        title=f"{MEASURES[measure]}, by neighbourhood: move the year",
        description=(
            f"Tile map of the county's 24 neighbourhoods, each labelled with its 1930s lending grade and shaded by "
            f"{MEASURES[measure].lower()}; a slider chooses the year, 1990 to 2020."
        ),
        subtitle=["Each tile is a neighbourhood; the river is on the west side.", "Use the slider under the map."],
    )


def trend_chart(frame: pd.DataFrame, *, highlight: Sequence[str]) -> Any:
    """Lines of the Black share over time, one per neighbourhood, with ``highlight`` in colour."""
    import altair as alt

    from equitylens.viz import charts

    charts._require(frame, ["year", "neighbourhood", "share_black"], "frame")
    data = frame[["year", "neighbourhood", "lending_grade", "share_black"]].assign(
        group=lambda t: np.where(t["neighbourhood"].isin(list(highlight)), "Rents rose most", "Other neighbourhoods")
    )
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share_black:Q", title="Share of residents who are Black", axis=alt.Axis(format="%")),
            detail="neighbourhood:N",
            color=alt.Color(
                "group:N",
                title=None,
                scale=alt.Scale(
                    domain=["Rents rose most", "Other neighbourhoods"], range=[charts.PALETTE[5], "#bbbbbb"]
                ),
                legend=alt.Legend(orient="top"),
            ),
            strokeDash=alt.StrokeDash(
                "group:N", scale=alt.Scale(domain=["Rents rose most", "Other neighbourhoods"], range=[[1, 0], [4, 3]])
            ),
            tooltip=[
                alt.Tooltip("neighbourhood:N", title="Neighbourhood"),
                alt.Tooltip("lending_grade:N", title="Lending grade"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("share_black:Q", title="Black share", format=".0%"),
            ],
        )
        .properties(width=420, height=240)
    )
    return charts.finish(
        chart,
        title="Where rents rose most, Black residents' share fell",
        description=(
            "Line chart of the share of residents who are Black in each neighbourhood from 1990 to 2020; the "
            "neighbourhoods where rents rose most are drawn in colour with solid lines, the others in grey dashes."
        ),
        subtitle="Each line is one neighbourhood.",
    )


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


def race_order() -> list[str]:
    """The kit's race and ethnicity order (for sorting published tables)."""
    return [*groups.RACE_LABELS, groups.MULTIRACIAL, groups.NOT_REPORTED]
