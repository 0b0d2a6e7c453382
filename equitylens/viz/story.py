"""Stage 6 charts for the story map: the county's tile map with a year slider (alone, or as a figure with its
data table), and a trend chart.

Both draw the neighbourhood summaries of :mod:`equitylens.stages.storymap`, never person rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import altair as alt
import numpy as np
import pandas as pd

from equitylens.methods.validation import check_choice, check_table
from equitylens.stages.storymap import MEASURES
from equitylens.viz import charts

#: The measures that are shares of residents (shown as percentages).
PERCENT_MEASURES: Final[frozenset[str]] = frozenset(m for m in MEASURES if m.startswith("share_"))


def story_chart(
    frame: pd.DataFrame, *, measure: str = "share_black", bind: bool = True, year: int | None = None
) -> Any:
    """The county's tile map for one measure, with a year slider (a bound parameter).

    In the book the slider sits under the map and Vega redraws in the page; the data
    embedded are the neighbourhood summaries only (24 places x 4 years).
    """
    check_choice(measure, list(MEASURES), "measure")
    check_table(frame, ["year", "tile_row", "tile_col", "neighbourhood", "lending_grade", measure], "frame")
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
    fmt = ".0%" if measure in PERCENT_MEASURES else ".0f"
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


def story_figure(frame: pd.DataFrame, *, measure: str = "share_black", bind: bool = True) -> charts.Figure:
    """:func:`story_chart` with its data table: one row per neighbourhood, one column per year.

    The table's caption names the measure; shares show as percentages, as on the map.
    """
    chart = story_chart(frame, measure=measure, bind=bind)
    wide = (
        frame[["year", "neighbourhood", "lending_grade", measure]]
        .pivot(index=["neighbourhood", "lending_grade"], columns="year", values=measure)
        .reset_index()
    )
    years = [column for column in wide.columns if column not in ("neighbourhood", "lending_grade")]
    return charts.Figure(
        chart,
        wide,
        caption=f"{MEASURES[measure]}, by neighbourhood and year",
        percent=years if measure in PERCENT_MEASURES else [],
    )


def trend_chart(frame: pd.DataFrame, *, highlight: Sequence[str]) -> Any:
    """Lines of the Black share over time, one per neighbourhood, with ``highlight`` in colour."""
    check_table(frame, ["year", "neighbourhood", "share_black"], "frame")
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
