"""Stage 3 charts: who privacy-preserving linkage misses, and who a release can re-identify.

``linkage_chart`` draws :func:`equitylens.methods.linkage.threshold_table`;
``risk_chart`` draws :func:`equitylens.methods.reidentify.risk_scenarios`. Both bind
their controls to parameters, so Vega filters the precomputed table in the page.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from equitylens.methods.linkage import DEFAULT_THRESHOLD, FALSE, MISSED
from equitylens.methods.policy import DEFAULT_POLICY
from equitylens.methods.reidentify import EVERYONE
from equitylens.methods.validation import check_table
from equitylens.viz import charts


def linkage_chart(table: pd.DataFrame, *, bind: bool = True) -> Any:
    """Missed and false links by group at the threshold chosen with a slider."""
    check_table(table, ["threshold", "group", "measure", "share"], "table")
    values = sorted(table["threshold"].unique())
    default = DEFAULT_THRESHOLD if DEFAULT_THRESHOLD in values else values[len(values) // 2]
    step = round(values[1] - values[0], 4) if len(values) > 1 else 0.01
    if bind:
        binding = alt.binding_range(min=values[0], max=values[-1], step=step, name="Link threshold (Dice): ")
        threshold = alt.param(name="threshold", value=default, bind=binding)
    else:
        threshold = alt.param(name="threshold", value=default)
    order = list(dict.fromkeys(table["group"]))
    measures = [MISSED, FALSE]
    chart = (
        alt.Chart(table)
        .transform_filter(f"abs(datum.threshold - threshold) < {step / 2}")
        .mark_bar()
        .encode(
            y=alt.Y("group:N", sort=order, title=None),
            yOffset=alt.YOffset("measure:N", sort=measures),
            x=alt.X("share:Q", title="Share", axis=alt.Axis(format="%")),
            color=alt.Color(
                "measure:N",
                sort=measures,
                title=None,
                scale=alt.Scale(domain=measures, range=[charts.PALETTE[1], charts.PALETTE[0]]),
                legend=alt.Legend(orient="top", direction="vertical"),
            ),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("share:Q", format=".1%"),
                alt.Tooltip("threshold:Q", title="Threshold", format=".2f"),
            ],
        )
        .add_params(threshold)
        .properties(width=360, height=alt.Step(12))
    )
    return charts.finish(
        chart,
        title="Raise the threshold: fewer false links, more missed ones, not shared equally",
        description=(
            "Paired bars for each race and ethnicity group of the share of true matches missed and the share of links "
            "that are false, at the threshold chosen with the slider."
        ),
        subtitle=[
            "Child-welfare records linked to benefits records on encoded names and birth dates.",
            f"Groups with fewer than {DEFAULT_POLICY.k} true matches are not shown.",
        ],
    )


def risk_chart(table: pd.DataFrame, *, population: str, bind: bool = True) -> Any:
    """Share of each group in classes smaller than k, for the chosen release.

    Parameters ``geography`` and ``age`` (sliders, 0-2), ``race`` and ``gender``
    (check boxes) and ``k`` (a menu) pick the release; Vega filters the
    precomputed table in the page.
    """
    check_table(table, ["geography", "age", "race", "gender", "k", "group", "share_under_k"], "table")
    thresholds = sorted(int(k) for k in table["k"].unique())
    default_k = DEFAULT_POLICY.k if DEFAULT_POLICY.k in thresholds else thresholds[0]

    def param(name: str, value: Any, binding: Any) -> Any:
        return alt.param(name=name, value=value, bind=binding) if bind else alt.param(name=name, value=value)

    geography = param(
        "geography", 2, alt.binding_range(min=0, max=2, step=1, name="Geography (0 none, 1 grade, 2 neighbourhood): ")
    )
    age = param("age", 1, alt.binding_range(min=0, max=2, step=1, name="Age (0 none, 1 band, 2 single year): "))
    race = param("race", True, alt.binding_checkbox(name="Release race and ethnicity "))
    gender = param("gender", True, alt.binding_checkbox(name="Release gender "))
    k = param("k", default_k, alt.binding_select(options=thresholds, name="k (smallest safe class): "))
    chosen = (
        (alt.datum.geography == geography)
        & (alt.datum.age == age)
        & (alt.datum.race == race)
        & (alt.datum.gender == gender)
        & (alt.datum.k == k)
    )
    order = list(dict.fromkeys(table["group"]))
    data = table[["geography", "age", "race", "gender", "k", "group", "people", "share_unique", "share_under_k"]]
    base = alt.Chart(data).transform_filter(chosen)
    bars = base.mark_bar(color=charts.PALETTE[5]).encode(
        y=alt.Y("group:N", sort=order, title=None),
        x=alt.X(
            "share_under_k:Q",
            title="Share in a class smaller than k",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("people:Q", title="People", format=","),
            alt.Tooltip("share_under_k:Q", title="In a class under k", format=".1%"),
            alt.Tooltip("share_unique:Q", title="Unique", format=".1%"),
        ],
    )
    ticks = base.mark_tick(color="black", thickness=2, size=18).encode(
        y=alt.Y("group:N", sort=order), x="share_unique:Q"
    )
    panel = alt.layer(bars, ticks).properties(width=360, height=alt.Step(24))
    note = (
        base.transform_filter(alt.datum.group == EVERYONE)
        .transform_calculate(
            text="format(datum.share_unique, '.1%') + ' of everyone is unique; ' + "
            "format(datum.share_under_k, '.1%') + ' sit in a class smaller than ' + datum.k + '.'"
        )
        .mark_text(align="left", fontSize=13, fontWeight="bold")
        .encode(text="text:N", x=alt.value(0), y=alt.value(8))
        .properties(width=460, height=16)
    )
    chart = alt.vconcat(note, panel, spacing=6).add_params(geography, age, race, gender, k)
    return charts.finish(
        chart,
        title="Each field you release makes more people stand out",
        description=(
            f"Bar chart, for {population.lower()}, of the share of each race and ethnicity group in a class smaller "
            "than k under the chosen release; black ticks mark the share who are unique."
        ),
        subtitle=[
            f"{population}. Bars: share in a class smaller than k. Black ticks: share who are unique.",
            "A class is everyone who shares the released values.",
        ],
    )
