"""The fourth explorable: noise instead of holes.

One scenario table, computed once from the same county table as the suppression
explorable (``scenarios.service_counts``), for a grid of privacy budgets, both
noise mechanisms and three post-processing choices. For each choice it holds, by
group: the relative error of each published count and rate, how often the group's
rank changes, the interval of its headline disparity, and, beside it, what
suppression at the threshold does to the same group. The live form and the static
chart (``equitylens.viz.noise``) both read it.

Disclosure: the table never holds a true count. A cell whose true count is from 1 to
threshold - 1 shows only its noisy count (one illustrated release); its summaries over
many draws are left out, because they would point back to the true count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import ipywidgets as w
import numpy as np
import numpy.typing as npt
import pandas as pd

from equitylens.methods import noise, suppress
from equitylens.methods.policy import DEFAULT_THRESHOLD
from equitylens.methods.validation import check_counts, check_table, check_whole_number
from equitylens.viz import noise as noise_chart

EPSILONS: Final[tuple[float, ...]] = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
DRAWS: Final = 200
SEED: Final = 20200401  # Census Day 2020; any fixed number would do
HEADLINE_SERVICE: Final = "CW report"
ALL_SERVICES: Final = noise_chart.ALL_SERVICES
CELL_SHOWN: Final = "Shown"
CELL_HIDDEN: Final = "Hidden"

FloatArray = npt.NDArray[np.float64]


def group_sizes(county: pd.DataFrame) -> pd.Series:
    """People in the county by race and ethnicity (counted alone): the rates' denominators."""
    check_table(county, ["race_ethnicity"], "county")
    return county.groupby("race_ethnicity", observed=True).size().rename(index=str)


def _ranks(rates: FloatArray) -> npt.NDArray[np.int64]:
    """Rank of each group (axis -2) within each column, highest rate first."""
    order = np.argsort(-rates, axis=-2, kind="stable")
    return np.argsort(order, axis=-2, kind="stable")


def scenario_table(
    counts: pd.DataFrame,
    *,
    population: pd.Series,
    epsilons: Sequence[float] = EPSILONS,
    draws: int = DRAWS,
    seed: int = SEED,
    threshold: int = DEFAULT_THRESHOLD,
    headline: str = HEADLINE_SERVICE,
) -> pd.DataFrame:
    """Every group and service under every privacy budget, mechanism and post-processing.

    ``counts`` is ``scenarios.service_counts(county)``; ``population`` the group sizes.
    Returns one row per ``epsilon``, ``mechanism``, ``post``, ``race_ethnicity`` and
    ``service`` (plus an ``"All services"`` row per group) with: ``published`` (one
    illustrated noisy release), ``rel_error`` and ``rate_rel_error`` (mean over
    ``draws`` seeded releases; missing for cells under ``threshold``), ``rank_changes``
    (share of releases in which the group's rank by rate moves), the group's
    ``headline`` ratio to the county rate for ``headline`` with its 95% interval
    (``ratio_lower``, ``ratio_upper``), ``scale`` and ``accuracy`` (from OpenDP), and
    the suppression view: ``suppressed`` (cell hidden under primary + complementary
    suppression at ``threshold``) and ``cells_hidden`` per group.
    """
    check_table(counts, ["race_ethnicity", "service", "n"], "counts")
    check_counts(counts, "n", "counts")
    draws = check_whole_number(draws, "draws", minimum=20)
    seed = check_whole_number(seed, "seed")
    threshold = check_whole_number(threshold, "threshold", minimum=1)
    if not epsilons or any(isinstance(e, bool) or not isinstance(e, (int, float)) or e <= 0 for e in epsilons):
        raise ValueError(f"epsilons must be numbers greater than 0, got {list(epsilons)}")
    wide = counts.assign(race_ethnicity=counts["race_ethnicity"].astype(str), service=counts["service"].astype(str))
    wide = wide.pivot_table(index="race_ethnicity", columns="service", values="n", aggfunc="sum", sort=False)
    if headline not in wide.columns:
        raise ValueError(f"headline={headline!r} is not a service in counts; choose one of {list(wide.columns)}")
    missing = [g for g in wide.index if g not in population.index]
    if missing:
        raise ValueError(f"population has no size for group(s) {missing}")
    groups = [str(g) for g in wide.index]
    services = [str(s) for s in wide.columns]
    true = wide.to_numpy(dtype=np.int64)
    sizes = population.reindex(wide.index).to_numpy(dtype=np.float64)
    n_groups, n_services = true.shape
    small = (true > 0) & (true < threshold)
    defined = (true > 0) & ~small
    h = services.index(headline)
    true_rates = true / sizes[:, None]
    true_ranks = _ranks(true_rates)
    true_ratio = true_rates[:, h] / (true[:, h].sum() / sizes.sum())
    hidden = _suppressed(counts, threshold)
    hidden_cells = hidden.reindex(index=groups, columns=services).to_numpy(dtype=bool)

    parts = []
    for m, mechanism in enumerate(noise.MECHANISMS):
        for e, epsilon in enumerate(epsilons):
            scale = noise.scale_for(float(epsilon), mechanism=mechanism, contributions=2 * n_services + 1)
            spread = noise.accuracy(scale, mechanism=mechanism)
            rng = np.random.default_rng([seed, m, e])
            drawn = noise.sample((draws, n_groups * n_services + n_services + n_groups), scale=scale,
                                 mechanism=mechanism, rng=rng)  # fmt: skip
            cells = true + drawn[:, : n_groups * n_services].reshape(draws, n_groups, n_services)
            totals = true.sum(axis=0) + drawn[:, n_groups * n_services : n_groups * n_services + n_services]
            noisy_sizes = np.maximum(sizes + drawn[:, -n_groups:], 1.0)
            for post in noise.POST_PROCESSING:
                published = noise.post_process(cells, method=post, totals=totals)
                column_totals = totals if post == "none" else np.maximum(totals, 0)
                rates = published / noisy_sizes[:, :, None]
                error = np.abs(published - true)
                with np.errstate(divide="ignore", invalid="ignore"):
                    rel = np.where(defined, error.mean(axis=0) / true, np.nan)
                    rate_rel = np.where(defined, (np.abs(rates - true_rates) / true_rates).mean(axis=0), np.nan)
                group_rel = error.sum(axis=2).mean(axis=0) / np.maximum(true.sum(axis=1), 1)
                moved = (_ranks(rates) != true_ranks) & ~small
                rank_changes = moved.sum(axis=(0, 2)) / (draws * np.maximum((~small).sum(axis=1), 1))
                ratios = rates[:, :, h] / (column_totals[:, h] / noisy_sizes.sum(axis=1))[:, None]
                low, high = np.nanpercentile(ratios, [2.5, 97.5], axis=0)
                ratio_ok = ~small[:, h]
                frame = pd.DataFrame(
                    {
                        "race_ethnicity": np.repeat(groups, n_services),
                        "service": np.tile(services, n_groups),
                        "published": published[0].ravel(),
                        "rel_error": rel.ravel(),
                        "rate_published": rates[0].ravel(),
                        "rate_rel_error": rate_rel.ravel(),
                        "suppressed": hidden_cells.ravel(),
                    }
                )
                group_rows = pd.DataFrame(
                    {
                        "race_ethnicity": groups,
                        "service": ALL_SERVICES,
                        "published": published[0].sum(axis=1),
                        "rel_error": group_rel,
                        "rank_changes": rank_changes,
                        "headline": np.where(ratio_ok, true_ratio, np.nan),
                        "ratio_lower": np.where(ratio_ok, low, np.nan),
                        "ratio_upper": np.where(ratio_ok, high, np.nan),
                        "cells_hidden": hidden_cells.sum(axis=1),
                    }
                )
                block = pd.concat([frame, group_rows], ignore_index=True)
                block.insert(0, "post", noise.POST_PROCESSING[post])
                block.insert(0, "mechanism", noise.MECHANISMS[mechanism])
                block.insert(0, "epsilon", float(epsilon))
                block["scale"] = scale
                block["accuracy"] = spread
                parts.append(block)
    table = pd.concat(parts, ignore_index=True)
    table["suppressed"] = table["suppressed"].astype("boolean")
    table["cells_hidden"] = table["cells_hidden"].astype("Int64")
    return table


def _suppressed(counts: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Which cells primary + complementary suppression hides at ``threshold`` (groups x services):
    the same cells the suppression explorable hides under that method."""
    dims = ["race_ethnicity", "service"]
    cells = counts.assign(race_ethnicity=counts["race_ethnicity"].astype(str), service=counts["service"].astype(str))
    result = suppress.complementary(cells, dims=dims, count="n", threshold=threshold)
    return result.pivot(index="race_ethnicity", columns="service", values="suppressed")


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per choice: the noise's 95% reach, groups whose rank moves in most releases, the
    widest headline interval, and the cells and groups suppression empties instead."""
    return noise_chart.noise_summary(table)


def live_form(table: pd.DataFrame) -> w.Widget:
    """The noise explorer as a live form: privacy budget, mechanism and post-processing.

    Bad input shows a plain message instead of a traceback.
    """
    from equitylens.explore.forms import Explorer

    try:
        chart = noise_chart.noise_chart(table, bind=False)
        values = {p["name"]: p["value"] for p in chart.to_dict()["params"]}
        controls = {
            "epsilon": w.SelectionSlider(
                options=sorted(set(table["epsilon"])), value=values["epsilon"], description="Budget ε"
            ),
            "mechanism": w.RadioButtons(
                options=[(label, i) for i, label in enumerate(dict.fromkeys(table["mechanism"]))],
                value=values["mechanism"],
                description="Noise",
            ),
            "post": w.RadioButtons(
                options=[(label, i) for i, label in enumerate(dict.fromkeys(table["post"]))],
                value=values["post"],
                description="Then",
            ),
        }
        return Explorer(chart, controls, "Choices that change conclusions: noise instead of holes")
    except ValueError as error:
        return w.HTML(f'<p role="alert" style="color:#a00">Cannot draw this explorable: {error}</p>')
