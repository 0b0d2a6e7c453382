"""The chart for the fourth explorable, noise instead of holes.

Like the other explorables (``equitylens.explore.views``), one builder serves two
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
from equitylens.methods.validation import check_table
from equitylens.viz import charts

ALL_SERVICES: Final = "All services"
COLUMNS: Final = ["epsilon", "mechanism", "post", "race_ethnicity", "service", "rel_error", "rank_changes"]
KIND_COLOURS: Final[dict[str, str]] = {"One service": charts.PALETTE[4], ALL_SERVICES: charts.PALETTE[0]}
_KEYS: Final = ["epsilon", "mechanism", "post"]
RATIO_LIMIT: Final = 4  # the ratio axis stops here; wider intervals run off the edge


def noise_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per choice: the noise's 95% reach, how many groups change rank in most releases,
    the group with the widest headline interval, and what suppression hides instead."""
    check_table(table, [*COLUMNS, "accuracy", "ratio_lower", "ratio_upper", "cells_hidden"], "table")
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


def noise_views(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
    """What the chart draws, with short labels and no true counts: one row per cell,
    one row per group, one summary line per choice, and the group order (largest
    relative error first). Mechanism and post-processing become their index
    (``m``, ``p``) in the order they first appear, to keep the page small."""
    check_table(table, [*COLUMNS, "cells_hidden"], "table")
    data = table.copy()
    data["group"] = data["race_ethnicity"].replace(groups.RACE_SHORT)
    data["m"] = data["mechanism"].map({v: i for i, v in enumerate(dict.fromkeys(data["mechanism"]))})
    data["p"] = data["post"].map({v: i for i, v in enumerate(dict.fromkeys(data["post"]))})
    numbers = ["rel_error", "rate_rel_error", "rank_changes", "headline", "ratio_lower", "ratio_upper"]
    data[numbers] = data[numbers].astype(float).round(4)  # enough for the page, and a smaller page
    keys = ["epsilon", "m", "p", "group"]
    whole = data[data["service"] == ALL_SERVICES].copy()
    order = whole.groupby("group", sort=False)["rel_error"].mean().sort_values(ascending=False).index.tolist()
    hidden = whole["cells_hidden"].fillna(0).astype(int)
    services = data.loc[data["service"] != ALL_SERVICES, "service"].nunique()
    whole["hidden_text"] = ["none hidden" if h == 0 else f"{h} of {services} hidden" for h in hidden]
    whole["cells_hidden"] = hidden
    group_rows = whole[[*keys, "published", "rel_error", *numbers[2:], "cells_hidden", "hidden_text"]]
    cells = data[data["service"] != ALL_SERVICES][[*keys, "service", "published", "rel_error", "rate_rel_error"]]
    notes = noise_summary(table)
    notes["text"] = notes.apply(_sentence, axis=1)
    notes["m"] = notes["mechanism"].map(dict(zip(data["mechanism"], data["m"], strict=False)))
    notes["p"] = notes["post"].map(dict(zip(data["post"], data["p"], strict=False)))
    return cells, group_rows, notes[["epsilon", "m", "p", "text"]], order


def _radio(
    name: str, options: list[Any], value: Any, label: str, *, bind: bool, labels: list[str] | None = None
) -> Any:
    """A chart parameter, bound to radio buttons in the page when ``bind`` is true."""
    if not bind:
        return alt.param(name=name, value=value)
    if labels:
        return alt.param(name=name, value=value, bind=alt.binding_radio(options=options, labels=labels, name=label))
    return alt.param(name=name, value=value, bind=alt.binding_radio(options=options, name=label))


def noise_chart(table: pd.DataFrame, *, bind: bool = True, headline: str = "CW report") -> Any:
    """The noise explorer: by group, relative error, rank changes, the headline
    disparity's 95% interval, and the cells suppression would hide instead.

    Parameters ``epsilon`` (the privacy budget), ``mechanism`` and ``post`` (the
    post-processing) pick the view; the default is epsilon = 1, discrete Laplace,
    negatives set to zero.
    """
    cells, group_rows, notes, order = noise_views(table)
    epsilons = sorted(float(e) for e in group_rows["epsilon"].unique())
    mechanisms = list(dict.fromkeys(table["mechanism"]))
    posts = list(dict.fromkeys(table["post"]))
    default_post = next((i for i, p in enumerate(posts) if "zero" in p.lower() and "adding" not in p.lower()), 0)
    epsilon = _radio("epsilon", epsilons, 1.0 if 1.0 in epsilons else epsilons[0], "Privacy budget ε: ", bind=bind)
    mechanism = _radio("mechanism", list(range(len(mechanisms))), 0, "Noise: ", bind=bind, labels=mechanisms)
    post = _radio("post", list(range(len(posts))), default_post, "Then: ", bind=bind, labels=posts)
    chosen = (alt.datum.epsilon == epsilon) & (alt.datum.m == mechanism) & (alt.datum.p == post)
    y = alt.Y("group:N", sort=order, title=None, scale=alt.Scale(domain=order))
    y_bare = alt.Y("group:N", sort=order, title=None, scale=alt.Scale(domain=order), axis=None)
    whole = alt.Chart(group_rows).transform_filter(chosen)
    step = alt.Step(26)
    x_error = alt.X(
        "shown:Q",
        title="Relative error of published counts",
        scale=alt.Scale(type="log", domain=[0.001, 10]),
        axis=alt.Axis(format="~%", values=[0.001, 0.01, 0.1, 1, 10]),
    )
    colour = alt.Color(
        "kind:N",
        title="Count",
        scale=alt.Scale(domain=list(KIND_COLOURS), range=list(KIND_COLOURS.values())),
        legend=alt.Legend(orient="bottom"),
    )

    def error_layer(data: pd.DataFrame, kind: str, size: int) -> Any:
        return (
            alt.Chart(data)
            .transform_filter(chosen)
            .transform_filter("isValid(datum.rel_error) && datum.rel_error > 0")
            .transform_calculate(shown="clamp(datum.rel_error, 0.001, 10)", kind=f"'{kind}'")
            .mark_point(filled=True, opacity=0.9, size=size)
            .encode(
                y=y,
                x=x_error,
                color=colour,
                tooltip=[
                    alt.Tooltip("group:N", title="Group"),
                    alt.Tooltip("service:N" if kind != ALL_SERVICES else "kind:N", title="Service"),
                    alt.Tooltip("published:Q", title="One noisy release", format=","),
                    alt.Tooltip("rel_error:Q", title="Mean relative error", format=".1%"),
                ],
            )
        )

    errors = alt.layer(error_layer(cells, "One service", 40), error_layer(group_rows, ALL_SERVICES, 110)).properties(
        width=200, height=step
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
            "moves, and how many of its cells suppression would hide instead."
        ),
        subtitle=[
            "Young people (0-24) in contact with five services; one release protects cells, totals and group sizes.",
            "Smaller epsilon: more privacy, more noise. Black ticks: the ratio without noise.",
        ],
    )
