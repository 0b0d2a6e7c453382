"""Stage 3, data access: how many people a release makes unique.

A release is *k-anonymous* when every combination of its quasi-identifiers
(fields that others can know, such as neighbourhood, age, race and gender) is
shared by at least k people (Sweeney 2002). People in smaller classes can be
picked out by anyone who knows those few facts about them, such as a neighbour.
The paper warns against releasing data by small geographies that local residents
could re-identify.

``equivalence_classes`` and ``uniqueness`` measure one choice of quasi-identifiers;
``risk_scenarios`` measures every choice at once (by group too), for the static
chart of ``risk_chart`` with bound controls.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Final

import altair as alt
import pandas as pd

from equitylens.methods import disaggregate
from equitylens.methods.policy import DEFAULT_POLICY
from equitylens.viz import charts

EVERYONE: Final = "Everyone"
# Levels of detail for the two graded quasi-identifiers: label -> column (None = not released).
GEOGRAPHY: Final[dict[str, str | None]] = {
    "None": None,
    "Lending grade (4 areas)": "lending_grade",
    "Neighbourhood (24 areas)": "neighbourhood_id",
}
AGE: Final[dict[str, str | None]] = {"None": None, "Age band": "age_band", "Single year of age": "age"}
# Thresholds offered in the chart, including the kit's small-cell rule (policy.DEFAULT_POLICY).
THRESHOLDS: Final[tuple[int, ...]] = tuple(sorted({2, 3, 5, DEFAULT_POLICY.k, 20}))


def _check(frame: pd.DataFrame, columns: Sequence[str], argument: str = "frame") -> None:
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise ValueError(f"{argument} must be a non-empty DataFrame")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{argument} has no column(s) {missing}; it has {list(frame.columns)}")


def equivalence_classes(frame: pd.DataFrame, *, quasi: Sequence[str]) -> pd.Series:
    """For each row, how many rows share its values of every ``quasi`` column.

    With no quasi-identifiers everyone is in one class. Missing values count as a
    value of their own (a blank is something a neighbour can know too).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"age": [10, 10, 11], "gender": ["a", "a", "b"]})
    >>> equivalence_classes(frame, quasi=["age", "gender"]).tolist()
    [2, 2, 1]
    """
    quasi = list(quasi)
    if len(set(quasi)) != len(quasi):
        raise ValueError(f"quasi lists a column more than once: {quasi}")
    _check(frame, quasi)
    if not quasi:
        return pd.Series(len(frame), index=frame.index, name="class_size")
    keys = frame[quasi].astype("string").fillna("<missing>")
    sizes = keys.groupby(quasi, dropna=False, observed=True)[quasi[0]].transform("size")
    return sizes.astype(int).rename("class_size")


def uniqueness(
    frame: pd.DataFrame, *, quasi: Sequence[str], k: int = DEFAULT_POLICY.k, by: str | None = None
) -> pd.DataFrame:
    """Share of people who are unique, and share in classes smaller than ``k``.

    Classes are always formed over the whole ``frame``; ``by`` (for example
    ``"race_ethnicity"``) only splits the result, so you can see who carries the
    risk. Returns ``group``, ``people``, ``unique``, ``share_unique``,
    ``under_k`` and ``share_under_k`` (the first row is everyone).
    """
    if not isinstance(k, int) or k < 2:
        raise ValueError(f"k must be a whole number of at least 2, got {k!r}")
    sizes = equivalence_classes(frame, quasi=quasi)
    table = pd.DataFrame({"unique": sizes == 1, "under_k": sizes < k})
    parts = [table.assign(group=EVERYONE)]
    if by is not None:
        _check(frame, [by])
        parts.append(table.assign(group=frame[by].astype("string").fillna("<missing>").to_numpy()))
    long = pd.concat(parts, ignore_index=True)
    out = long.groupby("group", sort=False).agg(
        people=("unique", "size"), unique=("unique", "sum"), under_k=("under_k", "sum")
    )
    out["share_unique"] = out["unique"] / out["people"]
    out["share_under_k"] = out["under_k"] / out["people"]
    out = out.reset_index()
    if by is not None and by == disaggregate.RACE_ETHNICITY:
        order = [EVERYONE, *disaggregate.RACE_ETHNICITY_ORDER]
        out["group"] = pd.Categorical(out["group"], categories=[g for g in order if g in set(out["group"])])
        out = out.sort_values("group").reset_index(drop=True)
        out["group"] = out["group"].astype(str)
    out[["unique", "under_k"]] = out[["unique", "under_k"]].astype(int)
    return out[["group", "people", "unique", "share_unique", "under_k", "share_under_k"]]


def risk_scenarios(
    frame: pd.DataFrame,
    *,
    thresholds: Sequence[int] = THRESHOLDS,
    by: str = disaggregate.RACE_ETHNICITY,
) -> pd.DataFrame:
    """Uniqueness for every combination of quasi-identifiers and every threshold.

    The combinations: geography (``GEOGRAPHY``), age (``AGE``), race and
    ethnicity released or not, gender released or not. Returns one row per
    combination, threshold and group: ``geography`` and ``age`` (level numbers
    0-2, for sliders), ``geography_label``, ``age_label``, ``race`` and ``gender``
    (booleans), ``k``, ``group``, ``people``, ``share_unique``, ``share_under_k``.
    Only shares and counts of people leave this function, never a row about a person.
    """
    if not thresholds or any(not isinstance(k, int) or k < 2 for k in thresholds):
        raise ValueError(f"thresholds must be whole numbers of at least 2, got {list(thresholds)}")
    needed = [c for c in (*GEOGRAPHY.values(), *AGE.values()) if c] + ["race_ethnicity", "gender", by]
    _check(frame, list(dict.fromkeys(needed)))
    parts = []
    for (g_index, (g_label, g_col)), (a_index, (a_label, a_col)), race, gender in itertools.product(
        enumerate(GEOGRAPHY.items()), enumerate(AGE.items()), (False, True), (False, True)
    ):
        quasi = [c for c in (g_col, a_col) if c] + (["race_ethnicity"] if race else []) + (["gender"] if gender else [])
        for k in thresholds:
            result = uniqueness(frame, quasi=quasi, k=k, by=by)
            result.insert(0, "k", k)
            result.insert(0, "gender", gender)
            result.insert(0, "race", race)
            result.insert(0, "age_label", a_label)
            result.insert(0, "geography_label", g_label)
            result.insert(0, "age", a_index)
            result.insert(0, "geography", g_index)
            parts.append(result)
    out = pd.concat(parts, ignore_index=True)
    return out.drop(columns=["unique", "under_k"])


def risk_chart(table: pd.DataFrame, *, population: str, bind: bool = True) -> Any:
    """Share of each group in classes smaller than k, for the chosen release.

    Parameters ``geography`` and ``age`` (sliders, 0-2), ``race`` and ``gender``
    (check boxes) and ``k`` (a menu) pick the release; Vega filters the
    precomputed table in the page.
    """
    charts._require(table, ["geography", "age", "race", "gender", "k", "group", "share_under_k"], "table")
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
