"""Stage 4: the fairness audit of a risk score, with fairlearn, and how it moves with the cut-off.

The numbers come from fairlearn's :class:`~fairlearn.metrics.MetricFrame`; its bootstrap
intervals are reproduced here from counts (same resamples, same quantiles), because
fairlearn re-runs every metric row by row on every resample. This module arranges the
numbers into tidy tables and hides cells too small to publish. Scores and flags come from
:mod:`equitylens.stages.risk_model`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from fairlearn.metrics import MetricFrame, false_negative_rate, false_positive_rate, selection_rate
from sklearn.metrics import precision_score

from equitylens.methods.policy import DisclosurePolicy, as_policy
from equitylens.methods.validation import check_choice, check_whole_number
from equitylens.methods.validation import check_table as _check
from equitylens.stages.risk_model import DEFAULT_SEED, TRUTHS, flag

# The 2.5% and 97.5% quantiles of 50 resamples are rough: read the intervals as a guide.
DEFAULT_BOOTSTRAPS: Final = 50
_CI_QUANTILES: Final = (0.025, 0.975)

METRICS: Final[dict[str, str]] = {
    "selection_rate": "Share flagged",
    "false_positive_rate": "False positive rate",
    "false_negative_rate": "False negative rate",
    "precision": "Precision",
}
# Which people each metric is a share of; a group whose denominator is below the
# suppression threshold has that metric hidden (see policy.DEFAULT_POLICY).
_DENOMINATORS: Final[dict[str, str]] = {
    "selection_rate": "people",
    "false_positive_rate": "negatives",
    "false_negative_rate": "positives",
    "precision": "flagged",
}


def _metric_functions() -> dict[str, Any]:
    return {
        "selection_rate": selection_rate,
        "false_positive_rate": false_positive_rate,
        "false_negative_rate": false_negative_rate,
        "precision": functools.partial(precision_score, zero_division=np.nan),
    }


def _denominators(scores: pd.DataFrame, by: list[str], truth: str, flagged: str) -> pd.DataFrame:
    work = pd.DataFrame(
        {
            "people": 1,
            "positives": scores[truth].astype(bool).astype(int),
            "negatives": (~scores[truth].astype(bool)).astype(int),
            "flagged": scores[flagged].astype(bool).astype(int),
        }
    )
    for column in by:
        work[column] = scores[column].astype(str)
    return work.groupby(by, sort=False)[["people", "positives", "negatives", "flagged"]].sum().reset_index()


def _rates(cells: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """The four ``METRICS`` from counts whose last axis is the cell truth x 2 + flagged.

    As fairlearn and scikit-learn compute them: a false positive (negative) rate with no
    negatives (positives) is 0, precision with nothing flagged is NaN; a group with no
    people (absent from a resample) is NaN throughout.
    """
    tn, fp, fn, tp = (cells[..., i].astype(np.float64) for i in range(4))
    people = tn + fp + fn + tp
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.stack(
            [
                (fp + tp) / people,
                np.divide(fp, fp + tn, out=np.zeros_like(fp), where=fp + tn > 0),
                np.divide(fn, fn + tp, out=np.zeros_like(fn), where=fn + tp > 0),
                tp / (tp + fp),
            ],
            axis=-1,
        )
    rates[people == 0] = np.nan
    return rates


def _bootstrap_intervals(cell: npt.NDArray[np.int64], n_groups: int, n_boot: int, seed: int) -> npt.NDArray[np.float64]:
    """fairlearn's bootstrap intervals for each group and metric, shape (2, groups, metrics).

    ``cell`` is each row's group x 4 + truth x 2 + flagged. MetricFrame draws one seed per
    resample from ``default_rng(seed)``, resamples the rows with ``DataFrame.sample(frac=1,
    replace=True, random_state=that seed)`` (which is ``RandomState(seed).choice``),
    recomputes the metrics per group and takes ``np.nanquantile`` across resamples. The
    same resamples are counted here instead of re-scored row by row.
    """
    seeds = np.random.default_rng(seed).integers(0, np.iinfo(np.uint32).max, size=n_boot, dtype=np.uint32)
    n = len(cell)
    counts = np.stack(
        [
            np.bincount(cell[np.random.RandomState(s).choice(n, size=n, replace=True)], minlength=4 * n_groups)
            for s in seeds
        ]
    )
    with warnings.catch_warnings():
        # A group with nothing flagged in any resample has no precision: an all-NaN quantile.
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanquantile(_rates(counts.reshape(n_boot, n_groups, 4)), _CI_QUANTILES, axis=0))


def _tidy(frame: pd.DataFrame, by: list[str], name: str) -> pd.DataFrame:
    """A MetricFrame result (rows: groups, columns: metrics) as a long table."""
    long = frame.reset_index().melt(id_vars=by, var_name="metric", value_name=name)
    for column in by:
        long[column] = long[column].astype(str)
    return long


def fairness_audit(
    scores: pd.DataFrame,
    *,
    truth: str = "label",
    by: str | Sequence[str] = "race_ethnicity",
    flagged: str = "flagged",
    n_boot: int = DEFAULT_BOOTSTRAPS,
    seed: int = DEFAULT_SEED,
    threshold: int | str | None = None,
    policy: DisclosurePolicy | None = None,
) -> pd.DataFrame:
    """Selection rate, false positive and negative rates and precision by group, from fairlearn.

    Parameters
    ----------
    scores
        Flagged scores (from :func:`flag`), with ``label``, ``need`` and the ``by`` columns.
    truth
        ``"label"`` audits against substantiated reports, the label the model learned;
        ``"need"`` against ``needs_support``, what families actually need.
    by
        One column or several (e.g. ``["race_ethnicity", "gender"]`` for race by gender).
    flagged
        The boolean column holding the decision.
    n_boot
        Bootstrap resamples for fairlearn's 95% intervals; 0 for no intervals.
    threshold
        Small-cell rule: a metric is hidden for a group when the people it is a share
        of (the group, its positives, its negatives, or its flagged) number fewer.
        Overrides the threshold of ``policy`` (default ``policy.DEFAULT_POLICY``).
    policy
        The disclosure policy; a metric whose numerator or denominator is small under it is hidden.

    Returns
    -------
    DataFrame
        One row per group and metric: the ``by`` columns, ``metric`` (a key of
        ``METRICS``), ``metric_label``, ``value``, ``lower``, ``upper`` (NaN without
        bootstrap), ``denominator`` (how many people the metric is a share of) and
        ``suppressed``. Suppressed rows have no numbers.
    """
    check_choice(truth, list(TRUTHS), "truth")
    columns = [by] if isinstance(by, str) else list(by)
    _check(scores, [*columns, flagged, truth], "scores")
    check_whole_number(n_boot, "n_boot", minimum=0)
    rule = as_policy(policy, threshold)
    # The metrics depend only on how many people fall in each (group, truth, flagged) cell,
    # so fairlearn scores the cells, weighted by their sizes, not the rows one by one.
    rows = pd.MultiIndex.from_frame(scores[columns].astype(str))
    groups = rows.unique()
    truths = scores[truth].astype(bool).to_numpy()
    flags = scores[flagged].astype(bool).to_numpy()
    cell = groups.get_indexer(rows).astype(np.int64) * 4 + truths * 2 + flags
    sizes = np.bincount(cell, minlength=4 * len(groups))
    present = np.flatnonzero(sizes)
    frame = MetricFrame(
        metrics=_metric_functions(),
        y_true=present % 4 >= 2,
        y_pred=present % 2 == 1,
        sensitive_features=groups[present // 4].to_frame(index=False),
        sample_params={name: {"sample_weight": sizes[present]} for name in METRICS},
    )
    table = _tidy(frame.by_group, columns, "value")
    if n_boot:
        lower, upper = _bootstrap_intervals(cell, len(groups), n_boot, seed)
        for name, bound in (("lower", lower), ("upper", upper)):
            wide = pd.DataFrame(bound, index=groups, columns=list(METRICS))
            table = table.merge(_tidy(wide, columns, name), on=[*columns, "metric"], how="left")
    else:
        table["lower"] = np.nan
        table["upper"] = np.nan
    counts = _denominators(scores, columns, truth, flagged)
    # fairlearn crosses several `by` columns in full; a combination with nobody in it has no row here
    table = table.merge(counts, on=columns, how="inner")
    table["denominator"] = [int(row[_DENOMINATORS[row["metric"]]]) for _, row in table.iterrows()]
    # Every metric is a share: its numerator (value x denominator) is a count too, so a
    # metric is hidden when either count is small under the policy (one rule, not n < k).
    denominators = table["denominator"].to_numpy(dtype=float)
    numerators = np.round(table["value"].to_numpy(dtype=float) * denominators)
    table["suppressed"] = rule.small(np.nan_to_num(numerators, nan=0.0), denominators)
    numbers = ["value", "lower", "upper"]
    table[numbers] = table[numbers].astype(float)
    table.loc[table["suppressed"], numbers] = np.nan
    table.loc[table["suppressed"], "denominator"] = 0
    table["metric_label"] = table["metric"].map(METRICS)
    table = _order_groups(table, scores, columns)
    return table[[*columns, "metric", "metric_label", "value", "lower", "upper", "denominator", "suppressed"]]


def _order_groups(table: pd.DataFrame, scores: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Keep the kit's deliberate group order (categorical order), then metric order."""
    for column in columns:
        source = scores[column]
        if isinstance(source.dtype, pd.CategoricalDtype):
            order = [str(c) for c in source.cat.categories if str(c) in set(table[column])]
        else:
            order = list(dict.fromkeys(source.astype(str)))
        table[column] = pd.Categorical(table[column], categories=order, ordered=True)
    table["metric"] = pd.Categorical(table["metric"], categories=list(METRICS), ordered=True)
    table = table.sort_values([*columns, "metric"]).reset_index(drop=True)
    for column in [*columns, "metric"]:
        table[column] = table[column].astype(str)
    return table


def threshold_sweep(
    scores: pd.DataFrame,
    *,
    shares: Sequence[float] = tuple(np.round(np.arange(0.02, 0.31, 0.02), 2)),
    truth: str = "label",
    by: str = "race_ethnicity",
    threshold: int | str | None = None,
    policy: DisclosurePolicy | None = None,
) -> pd.DataFrame:
    """The fairness audit at every cut-off: one row per share flagged, group and metric.

    Each share's numbers come from its own fairlearn ``MetricFrame`` (no bootstrap).
    Columns: ``share`` (the share of children flagged), ``cutoff`` (the score it takes),
    ``by``, ``metric``, ``metric_label``, ``value``, ``denominator``, ``suppressed``.
    This is a summary table: it is what the book's slider filters.
    """
    check_choice(truth, list(TRUTHS), "truth")
    _check(scores, ["score", by, truth], "scores")
    if not len(shares):
        raise ValueError("shares must list at least one share to flag")
    parts = []
    for share in shares:
        flagged = flag(scores, share=float(share))
        audited = fairness_audit(flagged, truth=truth, by=by, n_boot=0, threshold=threshold, policy=policy)
        audited.insert(0, "cutoff", flagged.attrs["cutoff"])
        audited.insert(0, "share", round(float(share), 4))
        parts.append(audited.drop(columns=["lower", "upper"]))
    return pd.concat(parts, ignore_index=True)


_SWEEP_COLUMNS: Final = frozenset({"share", "cutoff", "metric", "metric_label", "value", "denominator", "suppressed"})


def group_column(sweep: pd.DataFrame) -> str:
    """The one column of a threshold sweep that names the groups."""
    others = [str(c) for c in sweep.columns if c not in _SWEEP_COLUMNS]
    if len(others) != 1:
        raise ValueError(f"sweep must have exactly one group column besides {sorted(_SWEEP_COLUMNS)}; found {others}")
    return others[0]


def sweep_gaps(sweep: pd.DataFrame) -> pd.DataFrame:
    """Per share flagged and metric: the gap between the highest and lowest group.

    Suppressed groups are left out. ``highest`` and ``lowest`` name the groups. A gap of
    0 would mean every group is treated alike on that metric.
    """
    _check(sweep, ["share", "metric", "value"], "sweep")
    group = group_column(sweep)
    rows = []
    shown = sweep.dropna(subset=["value"])
    for (share, metric), part in shown.groupby(["share", "metric"], sort=False):
        values = part["value"].to_numpy(dtype=float)
        top = part.iloc[int(np.argmax(values))]
        low = part.iloc[int(np.argmin(values))]
        rows.append(
            {
                "share": share,
                "metric": metric,
                "metric_label": METRICS.get(str(metric), str(metric)),
                "gap": float(top["value"] - low["value"]),
                "highest": top[group],
                "lowest": low[group],
            }
        )
    return pd.DataFrame(rows)
