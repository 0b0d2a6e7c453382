"""Stage 3, data access: how many people a release makes unique.

A release is *k-anonymous* when every combination of its quasi-identifiers
(fields that others can know, such as neighbourhood, age, race and gender) is
shared by at least k people (Sweeney 2002). People in smaller classes can be
picked out by anyone who knows those few facts about them, such as a neighbour.
The paper warns against releasing data by small geographies that local residents
could re-identify.

``equivalence_classes`` and ``uniqueness`` measure one choice of quasi-identifiers;
``risk_scenarios`` measures every choice at once (by group too), for the static
chart with bound controls (``equitylens.viz.privacy.risk_chart``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final

import pandas as pd

from equitylens.methods import disaggregate
from equitylens.methods.policy import DEFAULT_POLICY
from equitylens.methods.validation import as_columns, check_table, check_whole_number, require_columns

__all__ = [
    "equivalence_classes",
    "risk_scenarios",
    "uniqueness",
]

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


def equivalence_classes(frame: pd.DataFrame, *, quasi: Sequence[str]) -> pd.Series:
    """For each row, how many rows share its values of every ``quasi`` column.

    With no quasi-identifiers everyone is in one class. Missing values count as a
    value of their own (a blank is something a neighbour can know too).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"age": [10, 10, 11], "gender": ["a", "a", "b"]})
    >>> equivalence_classes(frame, quasi=["age", "gender"]).tolist()
    [2, 2, 1]
    """
    quasi = as_columns(quasi, "quasi")
    check_table(frame, quasi, "frame")
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
    check_whole_number(k, "k", minimum=2)
    [table] = _shares(frame, equivalence_classes(frame, quasi=quasi), thresholds=(k,), by=by)
    return table


def _shares(frame: pd.DataFrame, sizes: pd.Series, *, thresholds: Sequence[int], by: str | None) -> list[pd.DataFrame]:
    """``uniqueness`` for each threshold, from each person's class size (which does not depend on it)."""
    flags = pd.DataFrame({"unique": sizes == 1, **{f"under_{k}": sizes < k for k in thresholds}})
    parts = [flags.assign(group=EVERYONE)]
    if by is not None:
        require_columns(frame, [by], "by")
        parts.append(flags.assign(group=frame[by].astype("string").fillna("<missing>").to_numpy()))
    long = pd.concat(parts, ignore_index=True)
    counts = (
        long.groupby("group", sort=False)
        .agg(
            people=("unique", "size"),
            unique=("unique", "sum"),
            **{f"under_{k}": (f"under_{k}", "sum") for k in thresholds},
        )
        .reset_index()
    )
    if by is not None and by == disaggregate.RACE_ETHNICITY:
        order = [EVERYONE, *disaggregate.RACE_ETHNICITY_ORDER]
        counts["group"] = pd.Categorical(counts["group"], categories=[g for g in order if g in set(counts["group"])])
        counts = counts.sort_values("group").reset_index(drop=True)
        counts["group"] = counts["group"].astype(str)
    tables = []
    for k in thresholds:
        out = counts[["group", "people", "unique", f"under_{k}"]].rename(columns={f"under_{k}": "under_k"})
        out[["unique", "under_k"]] = out[["unique", "under_k"]].astype(int)
        out["share_unique"] = out["unique"] / out["people"]
        out["share_under_k"] = out["under_k"] / out["people"]
        tables.append(out[["group", "people", "unique", "share_unique", "under_k", "share_under_k"]])
    return tables


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
    if not thresholds:
        raise ValueError("thresholds must list at least one whole number >= 2")
    for k in thresholds:
        check_whole_number(k, "thresholds", minimum=2)
    needed = [c for c in (*GEOGRAPHY.values(), *AGE.values()) if c] + ["race_ethnicity", "gender", by]
    check_table(frame, list(dict.fromkeys(needed)), "frame")
    parts = []
    for (g_index, (g_label, g_col)), (a_index, (a_label, a_col)), race, gender in itertools.product(
        enumerate(GEOGRAPHY.items()), enumerate(AGE.items()), (False, True), (False, True)
    ):
        quasi = [c for c in (g_col, a_col) if c] + (["race_ethnicity"] if race else []) + (["gender"] if gender else [])
        sizes = equivalence_classes(frame, quasi=quasi)
        for k, result in zip(thresholds, _shares(frame, sizes, thresholds=thresholds, by=by), strict=True):
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
