"""Stage 1 chart: who sits at the planning table against who is in the data.

Draws the small tables of :func:`equitylens.stages.planning.committee_scenarios`.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from equitylens.methods import disaggregate
from equitylens.methods.validation import check_table
from equitylens.stages.planning import COMMITTEE, SYSTEM
from equitylens.viz import charts


def committee_chart(bars: pd.DataFrame, summary: pd.DataFrame, *, system_label: str, bind: bool = True) -> Any:
    """Committee share against system share by group, for the chosen preset.

    One parameter, ``preset``, picks the committee; with ``bind`` it is a set of
    radio buttons in the page, so Vega filters the small table with no kernel.
    """
    check_table(bars, ["preset", "race_ethnicity", "who", "share"], "bars")
    check_table(summary, ["preset", "text"], "summary")
    names = list(dict.fromkeys(bars["preset"]))
    default = names[1] if len(names) > 1 else names[0]
    if bind:
        preset = alt.param(name="preset", value=default, bind=alt.binding_radio(options=names, name="Committee: "))
    else:
        preset = alt.param(name="preset", value=default)
    chosen = alt.datum.preset == preset
    order = [g for g in disaggregate.RACE_ETHNICITY_ORDER if g in set(bars["race_ethnicity"])]
    who_order = [COMMITTEE, SYSTEM]
    bars_chart = (
        alt.Chart(bars)
        .transform_filter(chosen)
        .mark_bar()
        .encode(
            y=alt.Y("race_ethnicity:N", sort=order, title=None, scale=alt.Scale(domain=order)),
            yOffset=alt.YOffset("who:N", sort=who_order),
            x=alt.X("share:Q", title="Share", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "who:N",
                sort=who_order,
                title=None,
                scale=alt.Scale(domain=who_order, range=[charts.PALETTE[1], charts.PALETTE[0]]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("race_ethnicity:N", title="Group"),
                alt.Tooltip("who:N", title="Who"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
            ],
        )
        .properties(width=340, height=alt.Step(13))
    )
    note = (
        alt.Chart(summary)
        .transform_filter(chosen)
        .mark_text(align="left", fontSize=13, fontWeight="bold", limit=600)
        .encode(text="text:N", x=alt.value(0), y=alt.value(8))
        .properties(width=560, height=16)
    )
    chart = alt.vconcat(note, bars_chart, spacing=6).add_params(preset)
    return charts.finish(
        chart,
        title="Who is at the table, and who is in the data?",
        description=(
            "Paired bars for each race and ethnicity group: its share of the chosen committee's seats and its share "
            f"of {system_label.lower()}; a line above counts community seats."
        ),
        subtitle=[
            f"Committee seats against {system_label.lower()}, by race and ethnicity (counted alone).",
            "The committees are invented examples; the people in the system are the synthetic county's.",
        ],
    )
