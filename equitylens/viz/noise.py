"""The chart for the fourth explorable, noise instead of holes.

Like the other explorables (``equitylens.viz.explorables``), one builder serves two
uses: with ``bind=True`` its parameters get radio buttons in the page and Vega
filters the scenario table there; with ``bind=False`` the live form's ipywidgets
drive the same parameters. The scenario table comes from
``equitylens.explore.noise.scenario_table``; it holds no true counts.
"""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import pandas as pd

from equitylens.data import groups
from equitylens.viz import charts

ALL_SERVICES: Final = "All services"
COLUMNS: Final = ["epsilon", "mechanism", "post", "race_ethnicity", "service", "rel_error", "rank_changes"]
KIND_COLOURS: Final[dict[str, str]] = {"One service": charts.PALETTE[4], ALL_SERVICES: charts.PALETTE[0]}
_KEYS: Final = ["epsilon", "mechanism", "post"]
RATIO_LIMIT: Final = 4  # the ratio axis stops here; wider intervals run off the edge


def noise_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per choice: the noise's 95% reach, how many groups change rank in most releases,
    the group with the widest headline interval, and what suppression hides instead."""
    charts._require(table, [*COLUMNS, "accuracy", "ratio_lower", "ratio_upper", "cells_hidden"], "table")
    rows = []
    for (epsilon, mechanism, post), part in table.groupby(_KEYS, sort=False):
        group_rows = part[part["service"] == ALL_SERVICES]
        width = (group_rows["ratio_upper"] - group_rows["ratio_lower"]).astype(float)
        hidden = group_rows["cells_hidden"].fillna(0).astype(int)
        names = group_rows["race_ethnicity"].to_numpy()
        rows.append(
            {
                "epsilon": epsilon,
                "mechanism": mechanism,
                "post": post,
                "accuracy": float(part["accuracy"].iloc[0]),
                "groups_rank_unstable": int((group_rows["rank_changes"] > 0.5).sum()),
                "widest_interval_group": str(names[int(width.fillna(-1.0).to_numpy().argmax())]),
                "widest_interval": float(width.max()),
                "cells_hidden_by_suppression": int(hidden.sum()),
                "groups_losing_cells": [str(g) for g in group_rows.loc[hidden > 0, "race_ethnicity"]],
            }
        )
    return pd.DataFrame(rows)


def _sentence(row: pd.Series) -> str:
    lost = ", ".join(groups.RACE_SHORT.get(g, g) for g in row["groups_losing_cells"]) or "no group"
    return (
        f"Noise: every count is within ±{row['accuracy']:.0f} in 95% of releases. "
        f"{row['groups_rank_unstable']} groups change rank in most releases. "
        f"Suppression instead hides {row['cells_hidden_by_suppression']} cells, all from {lost}."
    )


def noise_views(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """What the chart draws: one row per group or cell (short labels, no true counts),
    one summary line per choice, and the group order (largest relative error first)."""
    charts._require(table, [*COLUMNS, "cells_hidden"], "table")
    data = table.copy()
    data["group"] = data["race_ethnicity"].replace(groups.RACE_SHORT)
    data["kind"] = data["service"].where(data["service"] == ALL_SERVICES, "One service")
    whole = data[data["service"] == ALL_SERVICES]
    order = whole.groupby("group", sort=False)["rel_error"].mean().sort_values(ascending=False).index.tolist()
    hidden = whole["cells_hidden"].fillna(0).astype(int)
    services = data.loc[data["service"] != ALL_SERVICES, "service"].nunique()
    data.loc[whole.index, "hidden_text"] = ["none hidden" if h == 0 else f"{h} of {services} hidden" for h in hidden]
    keep = [
        *_KEYS,
        "group",
        "service",
        "kind",
        "published",
        "rel_error",
        "rate_rel_error",
        "rank_changes",
        "headline",
        "ratio_lower",
        "ratio_upper",
        "cells_hidden",
        "hidden_text",
    ]
    data = data[[c for c in keep if c in data.columns]]
    notes = noise_summary(table)
    notes["text"] = notes.apply(_sentence, axis=1)
    return data, notes[[*_KEYS, "text"]], order


def _radio(name: str, options: list[Any], value: Any, label: str, *, bind: bool) -> Any:
    if not bind:
        return alt.param(name=name, value=value)
    return alt.param(name=name, value=value, bind=alt.binding_radio(options=options, name=label))


def noise_chart(table: pd.DataFrame, *, bind: bool = True, headline: str = "CW report") -> Any:
    """The noise explorer: by group, relative error, rank changes, the headline
    disparity's 95% interval, and the cells suppression would hide instead.

    Parameters ``epsilon`` (the privacy budget), ``mechanism`` and ``post`` (the
    post-processing) pick the view; the default is epsilon = 1, discrete Laplace,
    negatives set to zero.
    """
    data, notes, order = noise_views(table)
    epsilons = sorted(float(e) for e in data["epsilon"].unique())
    mechanisms = list(dict.fromkeys(data["mechanism"]))
    posts = list(dict.fromkeys(data["post"]))
    default_post = next((p for p in posts if "zero" in p.lower() and "adding" not in p.lower()), posts[0])
    epsilon = _radio("epsilon", epsilons, 1.0 if 1.0 in epsilons else epsilons[0], "Privacy budget ε: ", bind=bind)
    mechanism = _radio("mechanism", mechanisms, mechanisms[0], "Noise: ", bind=bind)
    post = _radio("post", posts, default_post, "Then: ", bind=bind)
    chosen = (alt.datum.epsilon == epsilon) & (alt.datum.mechanism == mechanism) & (alt.datum.post == post)
    y = alt.Y("group:N", sort=order, title=None, scale=alt.Scale(domain=order))
    y_bare = alt.Y("group:N", sort=order, title=None, scale=alt.Scale(domain=order), axis=None)
    base = alt.Chart(data).transform_filter(chosen)
    whole = base.transform_filter(alt.datum.service == ALL_SERVICES)
    step = alt.Step(26)

    errors = (
        base.transform_filter("isValid(datum.rel_error) && datum.rel_error > 0")
        .transform_calculate(shown="clamp(datum.rel_error, 0.001, 10)")
        .mark_point(filled=True, opacity=0.9)
        .encode(
            y=y,
            x=alt.X(
                "shown:Q",
                title="Relative error of published counts",
                scale=alt.Scale(type="log", domain=[0.001, 10]),
                axis=alt.Axis(format="~%", values=[0.001, 0.01, 0.1, 1, 10]),
            ),
            color=alt.Color(
                "kind:N",
                title="Count",
                scale=alt.Scale(domain=list(KIND_COLOURS), range=list(KIND_COLOURS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            size=alt.Size("kind:N", scale=alt.Scale(domain=list(KIND_COLOURS), range=[40, 110]), legend=None),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("service:N", title="Service"),
                alt.Tooltip("published:Q", title="One noisy release", format=","),
                alt.Tooltip("rel_error:Q", title="Mean relative error", format=".1%"),
                alt.Tooltip("rate_rel_error:Q", title="Rate's relative error", format=".1%"),
            ],
        )
        .properties(width=200, height=step)
    )
    interval = whole.mark_rule(color=charts.PALETTE[0], strokeWidth=3).encode(
        y=y_bare,
        x=alt.X(
            "ratio_lower:Q",
            title=f"{headline} rate ÷ county rate",
            scale=alt.Scale(domain=[0, RATIO_LIMIT], clamp=True),
        ),
        x2="ratio_upper:Q",
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("headline:Q", title="Without noise", format=".2f"),
            alt.Tooltip("ratio_lower:Q", title="95% of releases from", format=".2f"),
            alt.Tooltip("ratio_upper:Q", title="to", format=".2f"),
        ],
    )
    exact = whole.mark_tick(color="black", thickness=2, size=18).encode(y=y_bare, x="headline:Q")
    disparity = alt.layer(interval, exact).properties(width=170, height=step)
    ranks = (
        whole.mark_bar(color=charts.PALETTE[2])
        .encode(
            y=y_bare,
            x=alt.X(
                "rank_changes:Q",
                title="Releases where rank moves",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", values=[0, 0.5, 1]),
            ),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("rank_changes:Q", title="Releases where its rank moves", format=".0%"),
            ],
        )
        .properties(width=120, height=step)
    )
    suppressed = (
        whole.mark_text(align="left", fontSize=12, color="black")
        .encode(
            y=y_bare,
            text="hidden_text:N",
            x=alt.value(4),
        )
        .properties(width=90, height=step, title=alt.TitleParams("Suppression", fontSize=12, anchor="start"))
    )
    note = (
        alt.Chart(notes)
        .transform_filter(chosen)
        .mark_text(align="left", fontSize=13, fontWeight="bold", lineBreak="\n")
        .transform_calculate(wrapped=alt.expr.replace(alt.datum.text, alt.expr.regexp(r"(.{1,95})(\s|$)", "g"), "$1\n"))
        .encode(text="wrapped:N", x=alt.value(0), y=alt.value(0))
        .properties(width=640, height=36)
    )
    panels = alt.hconcat(errors, disparity, ranks, suppressed, spacing=10)
    chart = alt.vconcat(note, panels, spacing=8).add_params(epsilon, mechanism, post)
    return charts.finish(
        chart,
        title="Noise instead of holes: every group is published, the smallest with the most error",
        description=(
            "For each race and ethnicity group, from largest relative error to smallest: the relative error of its "
            "noisy counts, the 95% interval of its rate ratio to the county, the share of releases in which its rank "
            "moves, and how many of its cells suppression at 11 would hide instead."
        ),
        subtitle=[
            "Young people (0-24) in contact with five services; one release protects cells, totals and group sizes.",
            "Smaller epsilon: more privacy, more noise. Black ticks: the ratio without noise.",
        ],
    )
