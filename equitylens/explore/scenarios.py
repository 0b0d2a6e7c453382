"""One tidy table per explorable: a row for every combination of the choices.

The live widget (``equitylens.explore.forms``) and the static chart
(``equitylens.explore.views``) both read these tables, so they can never disagree.
The tables hold summaries only, and they obey the disclosure rule they teach:
a cell below the suppression threshold keeps its place but loses its numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from equitylens.data import groups
from equitylens.methods import attack, compare, disaggregate, equity, suppress
from equitylens.methods.policy import DEFAULT_POLICY, DisclosurePolicy, as_policy
from equitylens.methods.validation import check_table

RULE_LABELS: Final[dict[str, str]] = {
    "alone": "Alone, multiracial as its own group",
    "alone_or_in_combination": "Alone or in combination",
    "hispanic_any_race": "Hispanic of any race (older forms)",
}
STATUS_RELIABLE: Final = "Reliable"
STATUS_UNRELIABLE: Final = "Unreliable: few events or RSE over 30%"
STATUS_SUPPRESSED: Final = "Suppressed: fewer than the threshold"
STATUSES: Final[tuple[str, ...]] = (STATUS_RELIABLE, STATUS_UNRELIABLE, STATUS_SUPPRESSED)
ALL_GROUPS: Final = "Everyone"


def disaggregation(
    frame: pd.DataFrame,
    *,
    outcome: str,
    rules: Sequence[str] = disaggregate.COUNTING_RULES,
    ladder: Sequence[tuple[str, Sequence[str]]] = disaggregate.LADDER,
    threshold: int | None = None,
    policy: DisclosurePolicy | None = None,
) -> pd.DataFrame:
    """Rates for every counting rule and every level of the disaggregation ladder.

    Returns one row per cell: ``rule``, ``level``, ``level_index``,
    ``race_ethnicity`` (``"Everyone"`` at the county-total level), ``cell`` (the
    other dimensions' values joined with " · "), ``numerator``, ``denominator``,
    ``rate``, ``lower``, ``upper`` and ``status`` (one of ``STATUSES``). Cells that
    would be suppressed (``policy.small``: numerator 1 to threshold-1, or denominator
    under the threshold; default ``policy.DEFAULT_POLICY``, ``threshold`` overrides its
    threshold) keep only their labels and status: their numbers are removed.
    """
    check_table(frame, [outcome, *groups.RACE_FLAGS])
    disclosure = as_policy(policy, threshold)
    unknown = [r for r in rules if r not in disaggregate.COUNTING_RULES]
    if unknown or not rules:
        raise ValueError(f"rules {unknown or '[]'} not allowed; choose from {disaggregate.COUNTING_RULES}")
    parts = []
    for rule in rules:
        people = disaggregate.race_ethnicity(frame, rule=rule)  # type: ignore[arg-type]
        for index, (level, columns) in enumerate(ladder):
            table = disaggregate.rates(people, by=list(columns), outcome=outcome)
            others = [c for c in columns if c != disaggregate.RACE_ETHNICITY]
            table["race_ethnicity"] = (
                table[disaggregate.RACE_ETHNICITY].astype(str) if disaggregate.RACE_ETHNICITY in columns else ALL_GROUPS
            )
            table["cell"] = table[others].astype(str).agg(" · ".join, axis=1) if others else ""
            table["rule"] = RULE_LABELS[rule]
            table["level"] = level
            table["level_index"] = index
            parts.append(table[["rule", "level", "level_index", "race_ethnicity", "cell", *_NUMBERS, "reliable"]])
    result = pd.concat(parts, ignore_index=True)
    hidden = disclosure.small(result["numerator"], result["denominator"])
    result["status"] = np.where(
        hidden, STATUS_SUPPRESSED, np.where(result["reliable"], STATUS_RELIABLE, STATUS_UNRELIABLE)
    )
    result.loc[hidden, _NUMBERS] = np.nan
    return result.drop(columns="reliable")


_NUMBERS: Final = ["numerator", "denominator", "rate", "lower", "upper"]


def disaggregation_summary(scenarios: pd.DataFrame) -> pd.DataFrame:
    """Per rule and level: how many cells, how many unreliable or suppressed, and the
    widest gap between reliable rates (highest divided by lowest)."""
    check_table(scenarios, ["rule", "level", "status", "rate"], "scenarios")
    rows = []
    for (rule, level), part in scenarios.groupby(["rule", "level"], sort=False):
        reliable = part.loc[part["status"] == STATUS_RELIABLE, "rate"]
        positive = reliable[reliable > 0]
        rows.append(
            {
                "rule": rule,
                "level": level,
                "cells": len(part),
                "unreliable": int((part["status"] == STATUS_UNRELIABLE).sum()),
                "suppressed": int((part["status"] == STATUS_SUPPRESSED).sum()),
                "widest_gap": float(positive.max() / positive.min()) if len(positive) > 1 else np.nan,
            }
        )
    return pd.DataFrame(rows)


# --- 2. suppression --------------------------------------------------------------------

SERVICES: Final[dict[str, str]] = {
    "cw_reported": "CW report",
    "cw_placed": "Placement",
    "jj_referred": "JJ referral",
    "homeless_services": "Homelessness",
    "tanf": "TANF",
}
METHODS: Final[tuple[str, ...]] = (
    "No protection",
    "Primary suppression only",
    "Primary + complementary",
    "Rounding (1-7 shown as 4, else nearest 5)",
    "Collapse small groups",
)
CELL_PUBLISHED: Final = "Published"
CELL_RECOVERED: Final = "Hidden, but the attack recovers it"
CELL_NARROWED: Final = "Hidden, but the attack narrows it below the threshold"
CELL_PROTECTED: Final = "Hidden and protected"
CELL_ROUNDED: Final = "Rounded"
CELL_SMALL_SHOWN: Final = "Small count shown"
CELL_STATES: Final[tuple[str, ...]] = (
    CELL_PUBLISHED,
    CELL_SMALL_SHOWN,
    CELL_ROUNDED,
    CELL_PROTECTED,
    CELL_NARROWED,
    CELL_RECOVERED,
)
TOTAL: Final = "Total"


def service_counts(county: pd.DataFrame, *, services: dict[str, str] = SERVICES) -> pd.DataFrame:
    """Young people in contact with each service, by race and ethnicity (counted alone).

    A long table with ``race_ethnicity``, ``service`` and ``n``.
    """
    check_table(county, ["race_ethnicity", *services], "county")
    wide = county.groupby("race_ethnicity", observed=True)[list(services)].sum().rename(columns=services)
    long = wide.reset_index().melt(id_vars="race_ethnicity", var_name="service", value_name="n")
    long["service"] = pd.Categorical(long["service"], categories=list(services.values()), ordered=True)
    return long.sort_values(["race_ethnicity", "service"]).reset_index(drop=True)


def suppression(
    counts: pd.DataFrame,
    *,
    thresholds: Sequence[int] = tuple(range(5, 21)),
    rows: str = "race_ethnicity",
    columns: str = "service",
    count: str = "n",
) -> pd.DataFrame:
    """Every cell of a published table, for every threshold and every protection method.

    Row and column totals are always published. For hidden cells, ``lower`` and
    ``upper`` are what an attacker can prove from everything published (the LP audit
    of ``attack.intervals``). Returns ``threshold``, ``method``, the two dimension
    columns (totals labelled ``"Total"``), ``shown`` (the text a reader sees),
    ``state`` (one of ``CELL_STATES``), ``lower``, ``upper`` and ``combined`` (the
    groups folded together under "Collapse small groups").
    """
    check_table(counts, [rows, columns, count], "counts")
    if not thresholds or min(thresholds) < 1:
        raise ValueError(f"thresholds must be whole numbers of at least 1, got {list(thresholds)}")
    dims = [rows, columns]
    parts = [
        _with_totals(
            _label(counts, dims, count, shown=counts[count].astype(str), state=None), dims, count, None, "No protection"
        )
    ]
    rounded = suppress.round_hud(counts, count=count)
    parts.append(
        _with_totals(
            _label(counts, dims, count, shown=rounded["rounded"].astype(str), state=CELL_ROUNDED),
            dims,
            count,
            None,
            METHODS[3],
            rounded_totals=True,
        )
    )
    for k in thresholds:
        primary = suppress.primary(counts, count=count, threshold=k)
        parts.append(_attacked(primary, dims, count, k, METHODS[1]))
        parts.append(
            _attacked(suppress.complementary(counts, dims=dims, count=count, threshold=k), dims, count, k, METHODS[2])
        )
        parts.append(_collapsed(counts, dims, count, k))
    table = pd.concat(parts, ignore_index=True)
    table["combined"] = table["combined"].fillna("") if "combined" in table else ""
    return table[["threshold", "method", rows, columns, "shown", "state", "lower", "upper", "combined"]]


def _label(counts: pd.DataFrame, dims: list[str], count: str, *, shown: pd.Series, state: str | None) -> pd.DataFrame:
    out = counts[dims].astype(str).copy()
    out["value"] = counts[count].to_numpy()
    out["shown"] = shown.to_numpy()
    out["state"] = state
    out["lower"] = np.nan
    out["upper"] = np.nan
    return out


def _with_totals(
    cells: pd.DataFrame,
    dims: list[str],
    count: str,
    threshold: int | None,
    method: str,
    *,
    rounded_totals: bool = False,
) -> pd.DataFrame:
    """Add the always-published row and column totals and the grand total."""
    rows, columns = dims
    totals = []
    for keep, other in ((rows, columns), (columns, rows)):
        summed = cells.groupby(keep, sort=False)["value"].sum().reset_index()
        summed[other] = TOTAL
        totals.append(summed)
    totals.append(pd.DataFrame({rows: [TOTAL], columns: [TOTAL], "value": [cells["value"].sum()]}))
    margin = pd.concat(totals, ignore_index=True)
    values = margin["value"]
    if rounded_totals:
        values = suppress.round_hud(margin.rename(columns={"value": "n"}), count="n")["rounded"]
    margin["shown"] = values.astype(str).to_numpy()
    margin["state"] = CELL_PUBLISHED if not rounded_totals else CELL_ROUNDED
    out = pd.concat([cells, margin], ignore_index=True)
    out["state"] = out["state"].fillna(CELL_PUBLISHED)
    if threshold is None and method == "No protection":
        small = (out["value"] > 0) & (out["value"] < DEFAULT_POLICY.k) & (out[rows] != TOTAL) & (out[columns] != TOTAL)
        out.loc[small, "state"] = CELL_SMALL_SHOWN
    out["threshold"] = threshold
    out["method"] = method
    return out.drop(columns="value")


def _attacked(result: pd.DataFrame, dims: list[str], count: str, k: int, method: str) -> pd.DataFrame:
    cells = _label(result, dims, count, shown=result["published"].astype("string").fillna("hidden"), state=None)
    if result["suppressed"].any():
        found = attack.intervals(result, dims=dims, count=count, protection=k)
        hidden = result["suppressed"].to_numpy()
        cells.loc[hidden, "lower"] = found["lower"].to_numpy()
        cells.loc[hidden, "upper"] = found["upper"].to_numpy()
        cells.loc[hidden, "state"] = np.where(
            found["exact"], CELL_RECOVERED, np.where(found["at_risk"], CELL_NARROWED, CELL_PROTECTED)
        )
    return _with_totals(cells, dims, count, k, method)


def _collapsed(counts: pd.DataFrame, dims: list[str], count: str, k: int) -> pd.DataFrame:
    rows, _ = dims
    totals = counts.groupby(rows, observed=True)[count].min()
    small = [g for g in totals.index if 0 < totals[g] < k]
    if len(small) == 1:  # one group alone cannot be hidden by combining: add the next smallest
        others = counts.groupby(rows, observed=True)[count].sum().drop(small).sort_values()
        small.append(others.index[0])
    table = suppress.collapse(counts, dim=rows, groups=small, count=count) if small else counts.copy()
    cells = _label(table, dims, count, shown=table[count].astype(str), state=None)
    merged = suppress.primary(table, count=count, threshold=k)
    if merged["suppressed"].any():  # even combined, a cell can stay small: hide it and say so
        out = _attacked(merged, dims, count, k, METHODS[4])
    else:
        out = _with_totals(cells, dims, count, k, METHODS[4])
    out["combined"] = "; ".join(map(str, small))
    return out


def suppression_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per threshold and method: hidden cells, cells the attack recovers or narrows,
    and which groups lose cells from the published table (the equity cost)."""
    check_table(table, ["threshold", "method", "state", "race_ethnicity"], "table")
    rows = []
    hidden_states = {CELL_PROTECTED, CELL_NARROWED, CELL_RECOVERED}
    for (k, method), part in table.groupby(["threshold", "method"], sort=False, dropna=False):
        hidden = part[part["state"].isin(hidden_states)]
        losing = [g for g in dict.fromkeys(hidden["race_ethnicity"]) if g != TOTAL]
        combined = [g for g in str(part["combined"].iloc[0]).split("; ") if g]
        rows.append(
            {
                "threshold": k,
                "method": method,
                "hidden": len(hidden),
                "recovered": int((hidden["state"] == CELL_RECOVERED).sum()),
                "narrowed": int((hidden["state"] == CELL_NARROWED).sum()),
                "small_shown": int((part["state"] == CELL_SMALL_SHOWN).sum()),
                "groups_losing_cells": losing,
                "combined": combined,
            }
        )
    return pd.DataFrame(rows)


# --- 3. comparison ---------------------------------------------------------------------

OUTCOMES: Final[dict[str, tuple[str, str]]] = {
    # column: (label, who is counted)
    "cw_reported": ("Reported to child welfare", "children"),
    "cw_substantiated": ("Substantiated report", "children"),
    "jj_referred": ("Referred to juvenile justice", "children"),
    "chronically_absent": ("Chronically absent from school", "students"),
}
TARGET_CUT: Final = 0.25  # the community target used here: the county rate cut by a quarter
REFERENCE_CHOICES: Final[dict[str, str]] = {
    "white": "White children (the habitual default)",
    "total": "The total population",
    "best": "The best group rate",
    "others": "All other groups combined",
    "target": "A community target (county rate cut by a quarter)",
}
MEASURES: Final[dict[str, str]] = {"ratio": "Rate ratio", "difference": "Rate difference"}


def comparison(
    county: pd.DataFrame,
    *,
    outcomes: dict[str, tuple[str, str]] = OUTCOMES,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> pd.DataFrame:
    """Every group compared with every reference, for every outcome and both measures.

    Rates are for children under 18 (students aged 5-17 for school outcomes), race
    and ethnicity counted alone. Returns ``outcome``, ``reference``, ``measure``,
    ``race_ethnicity``, ``rate``, ``value``, ``lower``, ``upper``, ``rank``,
    ``is_reference``, ``reliable``, ``status``, ``reference_label``, ``headline`` and
    ``index_of_disparity``. The White reference is one choice among five and never
    the default.

    Each table is built by ``equity.equity_table`` and only its ``published`` view is
    kept: a group whose rate rests on a small count (under ``policy``), or that is
    hidden so such a count cannot come back from the total, keeps its label and
    ``status == STATUS_SUPPRESSED`` but loses every number; so does every comparison
    with a hidden reference. Ranks, headlines and the index of disparity use only the
    published groups.
    """
    check_table(county, ["age", "race_ethnicity", "student", *outcomes], "county")
    children = county[county["age"] < 18]
    parts = []
    for column, (label, who) in outcomes.items():
        population = children[children["student"]] if who == "students" else children
        counts = disaggregate.rates(population, by="race_ethnicity", outcome=column)
        total_rate = float(counts["numerator"].sum() / counts["denominator"].sum())
        references: dict[str, compare.Reference] = {
            "white": ("group", "White"),
            "total": "total",
            "best": "best",
            "others": "others",
            "target": ("target", round(total_rate * (1 - TARGET_CUT), 4)),
        }
        for key, reference in references.items():
            full = equity.equity_table(
                population, by="race_ethnicity", outcome=column, reference=reference, policy=policy, noun=who
            )
            result = equity.published(full, noun=who)
            hidden = result["status"] == equity.STATUS_SUPPRESSED
            disparity_index = np.nan  # undefined for "others": each group has its own reference
            compared = result[result["difference"].notna() & ~result["is_reference"]]
            reference_rate = compared["reference_rate"]
            if key != "others" and len(compared) and float(reference_rate.iloc[0]) > 0:
                disparity_index = float(compared["difference"].abs().mean() / reference_rate.iloc[0] * 100)
            for measure, prefix in (("ratio", "ratio"), ("difference", "difference")):
                frame = pd.DataFrame(
                    {
                        "outcome": label,
                        "reference": REFERENCE_CHOICES[key],
                        "measure": MEASURES[measure],
                        "race_ethnicity": result["race_ethnicity"].astype(str),
                        "rate": result["rate"],
                        "value": result[prefix],
                        "lower": result[f"{prefix}_lower"],
                        "upper": result[f"{prefix}_upper"],
                        "rank": result["rank"].astype("Float64"),
                        "is_reference": result["is_reference"],
                        "reliable": result["reliable"],
                        "status": np.where(hidden, STATUS_SUPPRESSED, STATUS_RELIABLE),
                        "reference_label": result["reference_label"],
                        "headline": result["headline"],
                        "index_of_disparity": disparity_index,
                    }
                )
                frame.loc[~hidden & ~result["reliable"].fillna(False).astype(bool), "status"] = STATUS_UNRELIABLE
                parts.append(frame)
    return pd.concat(parts, ignore_index=True)
