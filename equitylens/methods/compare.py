"""Comparing groups: an explicit reference, ratios and differences with intervals,
summary indices, and a headline sentence that always names the reference.

A disparity is always "compared with" something, and that choice changes the story.
There is deliberately **no default reference**: every function here makes the caller
choose one from ``REFERENCES`` and every output says which was used.

>>> import pandas as pd
>>> table = pd.DataFrame({"group": ["A", "B"], "numerator": [30, 10], "denominator": [100, 100]})
>>> disparities(table, group="group", reference="total")[["group", "reference_rate", "ratio"]]
  group  reference_rate  ratio
0     A             0.2    1.5
1     B             0.2    0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from equitylens.methods.validation import check_choice, check_confidence, require_columns
from equitylens.methods.validation import check_frame as _check_frame

__all__ = [
    "disparities",
    "headline",
    "summary_indices",
]

FloatArray = npt.NDArray[np.float64]
Favourable = Literal["low", "high"]
Reference = str | tuple[str, object]

REFERENCES: Final[dict[str, str]] = {
    "group": (
        '("group", name): one named group\'s rate. Choose it on purpose and say why. '
        "White is the habitual, silent default; comparing everyone with White centres "
        "whiteness as the norm (Hawn Nelson & Zanti 2020), so it is never chosen for you."
    ),
    "total": (
        '"total": the rate for the whole population. Each group is part of the total, so '
        "the two rates are correlated; intervals account for that (see disparities())."
    ),
    "best": (
        '"best": the most favourable group rate (Healthy People\'s "best group rate"), '
        "lowest or highest according to `favourable`; chosen among reliable rates when the "
        "table has a `reliable` column. Frames the gap as what is already achieved here."
    ),
    "others": (
        '"others": the combined rate of everyone not in the group (computed from counts, '
        "excluding the group itself), so each group has its own reference. Assumes groups "
        'do not overlap; do not use it with "alone or in combination" counts.'
    ),
    "target": (
        '("target", value): a fixed rate, such as a goal a community has set. It has no '
        "sampling error. Value is a proportion between 0 and 1 (exclusive of 0)."
    ),
}
REFERENCE_KINDS: Final[tuple[str, ...]] = tuple(REFERENCES)
FAVOURABLE: Final[tuple[str, ...]] = ("low", "high")
DEFAULT_CONFIDENCE: Final = 0.95

LABEL_GROUP: Final = "compared with {name}"
LABEL_TOTAL: Final = "compared with the total population"
LABEL_BEST: Final = "compared with the {which} group rate ({name}, {rate:.1%})"
LABEL_OTHERS: Final = "compared with all other groups combined"
LABEL_TARGET: Final = "compared with the target of {value:.1%}"

# --- Error messages ---------------------------------------------------------------------

_ERR_NEEDS_COUNTS: Final = (
    "rates_table needs columns {missing} (numerator and denominator per group, as from "
    "disaggregate.rates()); available columns: {allowed}"
)
_ERR_PROTECTED_INPUT: Final = (
    "rates_table column {argument!r} has missing values in {rows} row(s): it looks already "
    "protected (suppressed rows lose their counts), and a disparity needs every count. "
    "Compute disparities on the unprotected rates and protect last: "
    "publish.protect_rates(disparities(rates, ...)), or use equity.equity_table(...), "
    "which does both in the right order."
)
_ERR_COUNTS: Final = (
    "{argument} column must hold whole numbers >= 0 (denominators > 0) with no missing "
    "values, and numerator <= denominator"
)
_ERR_DUPLICATE_GROUPS: Final = (
    "group={value!r} has repeated values {repeated}; pass one row per group (filter or aggregate other columns first)"
)
_ERR_REFERENCE: Final = (
    "reference={value!r} is not a valid reference. There is no default: choose one of "
    '"total", "best", "others", ("group", name) or ("target", value between 0 and 1). '
    "See compare.REFERENCES."
)
_ERR_REFERENCE_GROUP: Final = (
    "reference=('group', {value!r}): {value!r} is not a value of {group!r}; available values: {allowed}"
)
_ERR_REFERENCE_TARGET: Final = "reference=('target', {value!r}): the target must be a number with 0 < target <= 1"
_ERR_OTHERS_ONE_GROUP: Final = 'reference="others" needs at least two groups'
_ERR_BEST_NONE: Final = 'reference="best": no group has a reliable rate to serve as the best group rate'
_ERR_INDEX_REFERENCE: Final = (
    'summary_indices needs one reference rate: reference="others" gives each group its '
    'own; use "total", "best", ("group", name) or ("target", value)'
)
_ERR_HEADLINE: Final = "disparities_frame must be the output of disparities(); missing column(s) {missing}"


@dataclass(frozen=True)
class _Reference:
    kind: str
    value: object = None


# --- Validation -------------------------------------------------------------------------


def _counts_of(table: pd.DataFrame, group: str) -> tuple[FloatArray, FloatArray]:
    require_columns(table, [group], "group")
    missing = [c for c in ("numerator", "denominator") if c not in table.columns]
    if missing:
        raise ValueError(_ERR_NEEDS_COUNTS.format(missing=missing, allowed=list(map(str, table.columns))))
    arrays: list[FloatArray] = []
    for column in ("numerator", "denominator"):
        series = table[column]
        if pd.api.types.is_numeric_dtype(series) and series.isna().any():
            raise ValueError(_ERR_PROTECTED_INPUT.format(argument=column, rows=int(series.isna().sum())))
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series) or series.isna().any():
            raise ValueError(_ERR_COUNTS.format(argument=column))
        values = series.to_numpy(dtype=np.float64)
        if (values < 0).any() or not np.array_equal(values, np.round(values)):
            raise ValueError(_ERR_COUNTS.format(argument=column))
        arrays.append(values)
    x, n = arrays
    if (n <= 0).any() or (x > n).any():
        raise ValueError(_ERR_COUNTS)
    repeated = table[group][table[group].duplicated()].unique().tolist()
    if repeated:
        raise ValueError(_ERR_DUPLICATE_GROUPS.format(value=group, repeated=repeated))
    return x, n


def _parse_reference(reference: object, values: Sequence[object], group: str) -> _Reference:
    if isinstance(reference, str):
        if reference in ("total", "best", "others"):
            return _Reference(reference)
        raise ValueError(_ERR_REFERENCE.format(value=reference))
    if isinstance(reference, (tuple, list)) and len(reference) == 2:
        kind, value = reference[0], reference[1]
        if kind == "group":
            if value not in values:
                raise ValueError(_ERR_REFERENCE_GROUP.format(value=value, group=group, allowed=list(values)))
            return _Reference("group", value)
        if kind == "target":
            ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
            if not ok or not 0.0 < float(value) <= 1.0:
                raise ValueError(_ERR_REFERENCE_TARGET.format(value=value))
            return _Reference("target", float(value))
    raise ValueError(_ERR_REFERENCE.format(value=reference))


# --- Interval arithmetic ----------------------------------------------------------------


def _independent(x1: FloatArray, n1: FloatArray, x0: FloatArray, n0: FloatArray, z: float) -> dict[str, FloatArray]:
    """Ratio (Katz log-Wald) and difference (Wald) for two independent proportions."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p0 = x1 / n1, x0 / n0
        ratio = np.where(p0 > 0, p1 / p0, np.nan)
        se_log = np.sqrt(1.0 / x1 - 1.0 / n1 + 1.0 / x0 - 1.0 / n0)
        ok = (x1 > 0) & (x0 > 0)
        lo = np.where(ok, ratio * np.exp(-z * se_log), np.nan)
        hi = np.where(ok, ratio * np.exp(z * se_log), np.nan)
        diff = p1 - p0
        se_diff = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    return {
        "reference_rate": p0,
        "ratio": ratio,
        "ratio_lower": lo,
        "ratio_upper": hi,
        "difference": diff,
        "difference_lower": diff - z * se_diff,
        "difference_upper": diff + z * se_diff,
    }


def _versus_total(x: FloatArray, n: FloatArray, z: float) -> dict[str, FloatArray]:
    """Ratio and difference of each group's rate to the total rate, which contains it.

    Write the total as a mix of the group and everyone else, p_T = w p + (1 - w) p_o
    with w = n / N and independent binomial p and p_o. Then p - p_T = (1 - w)(p - p_o)
    exactly, so the difference's Wald interval is (1 - w) times the group-vs-others one;
    the log ratio's variance comes from the delta method with gradient
    (1/p - w/p_T, -(1 - w)/p_T). This accounts for the overlap instead of pretending
    the group and the total are independent.
    """
    big_n, big_x = n.sum(), x.sum()
    p_total = big_x / big_n
    n_other, x_other = big_n - n, big_x - x
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        p_other = np.where(n_other > 0, x_other / n_other, 0.0)
        var_p = p * (1 - p) / n
        var_other = np.where(n_other > 0, p_other * (1 - p_other) / n_other, 0.0)
        w_group, w_other = n / big_n, n_other / big_n
        ratio = np.where(p_total > 0, p / p_total, np.nan)
        grad_group = 1.0 / p - w_group / p_total
        grad_other = -w_other / p_total
        se_log = np.sqrt(grad_group**2 * var_p + grad_other**2 * var_other)
        ok = (x > 0) & (p_total > 0)
        lo = np.where(ok, ratio * np.exp(-z * se_log), np.nan)
        hi = np.where(ok, ratio * np.exp(z * se_log), np.nan)
        diff = p - p_total
        se_diff = w_other * np.sqrt(var_p + var_other)
    return {
        "reference_rate": np.full_like(p, p_total),
        "ratio": ratio,
        "ratio_lower": lo,
        "ratio_upper": hi,
        "difference": diff,
        "difference_lower": diff - z * se_diff,
        "difference_upper": diff + z * se_diff,
    }


def _versus_target(x: FloatArray, n: FloatArray, target: float, z: float) -> dict[str, FloatArray]:
    """A fixed target has no sampling error: only the group's own variance counts."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        ratio = p / target
        se_log = np.sqrt(1.0 / x - 1.0 / n)
        ok = x > 0
        lo = np.where(ok, ratio * np.exp(-z * se_log), np.nan)
        hi = np.where(ok, ratio * np.exp(z * se_log), np.nan)
        diff = p - target
        se_diff = np.sqrt(p * (1 - p) / n)
    return {
        "reference_rate": np.full_like(p, target),
        "ratio": ratio,
        "ratio_lower": lo,
        "ratio_upper": hi,
        "difference": diff,
        "difference_lower": diff - z * se_diff,
        "difference_upper": diff + z * se_diff,
    }


def _best_index(table: pd.DataFrame, p: FloatArray, favourable: str) -> int:
    eligible = np.ones(len(p), dtype=bool)
    if "reliable" in table.columns:
        eligible = table["reliable"].fillna(False).to_numpy(dtype=bool)
        if not eligible.any():
            raise ValueError(_ERR_BEST_NONE)
    scores = np.where(eligible, p if favourable == "low" else -p, np.inf)
    return int(np.argmin(scores))


def _reference_index(
    table: pd.DataFrame,
    values: list[object],
    ref: _Reference,
    p: FloatArray,
    favourable: str,
) -> int:
    if ref.kind == "group":
        return values.index(ref.value)
    return _best_index(table, p, favourable)


# --- Public API -------------------------------------------------------------------------


def disparities(
    rates_table: pd.DataFrame,
    *,
    group: str,
    reference: Reference,
    favourable: Favourable = "low",
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Each group's rate compared with an explicitly chosen reference.

    Parameters
    ----------
    rates_table
        One row per group with ``numerator`` and ``denominator`` counts (the output of
        ``disaggregate.rates(..., by=group)``).
    group
        Column naming the groups.
    reference
        Required, no default (see ``REFERENCES``): ``"total"``, ``"best"``,
        ``"others"``, ``("group", name)`` or ``("target", value)``.
    favourable
        ``"low"`` when a lower rate is better (e.g. removals), ``"high"`` when higher is
        better (e.g. graduation). Decides the "best" group and the ranking.
    confidence
        Interval confidence level.

    Returns
    -------
    DataFrame
        Per group: ``group``, ``numerator``, ``denominator``, ``rate``,
        ``reference_rate``, ``reference_label`` (e.g. "compared with the total
        population"), ``ratio`` (rate / reference rate) with ``ratio_lower`` /
        ``ratio_upper``, ``difference`` (rate - reference rate) with
        ``difference_lower`` / ``difference_upper``, ``rank`` (1 = furthest from the
        reference in the unfavourable direction, by ratio; NA for the reference group
        itself), ``is_reference``, ``favourable`` (a column, so a merge or a CSV round
        trip keeps it), ``confidence``, and ``reliable`` / ``flag`` when the input has
        them.

    Notes
    -----
    Ratios use the log-Wald (Katz) interval and differences the Wald interval. For a
    named or "best" group and for "others" the two rates come from different people and
    are treated as independent binomials (the "best" group is picked from the data, so
    its interval is somewhat optimistic). For "total" the group is part of the total;
    see ``_versus_total`` for the delta-method treatment. A fixed target contributes no
    variance. Intervals are NaN when a rate is 0 (the log ratio is undefined) and the
    ratio is NaN when the reference rate is 0. The reference group's own row has ratio 1
    and difference 0 with no interval.
    """
    table = _check_frame(rates_table, "rates_table")
    x, n = _counts_of(table, group)
    check_choice(favourable, FAVOURABLE, "favourable")
    confidence = check_confidence(confidence)
    values = table[group].tolist()
    ref = _parse_reference(reference, values, group)
    z = float(special.ndtri(0.5 + confidence / 2.0))  # the normal quantile
    p = x / n
    is_reference = np.zeros(len(p), dtype=bool)

    if ref.kind in ("group", "best"):
        index = _reference_index(table, values, ref, p, favourable)
        is_reference[index] = True
        columns = _independent(x, n, np.full_like(x, x[index]), np.full_like(n, n[index]), z)
        if ref.kind == "group":
            label = LABEL_GROUP.format(name=values[index])
        else:
            which = "lowest" if favourable == "low" else "highest"
            label = LABEL_BEST.format(which=which, name=values[index], rate=p[index])
        for key in ("ratio_lower", "ratio_upper", "difference_lower", "difference_upper"):
            columns[key] = np.where(is_reference, np.nan, columns[key])
        columns["ratio"] = np.where(is_reference, 1.0, columns["ratio"])
        columns["difference"] = np.where(is_reference, 0.0, columns["difference"])
    elif ref.kind == "others":
        if len(p) < 2:
            raise ValueError(_ERR_OTHERS_ONE_GROUP)
        columns = _independent(x, n, x.sum() - x, n.sum() - n, z)
        label = LABEL_OTHERS
    elif ref.kind == "total":
        columns = _versus_total(x, n, z)
        label = LABEL_TOTAL
    else:
        target = float(ref.value)  # type: ignore[arg-type]
        columns = _versus_target(x, n, target, z)
        label = LABEL_TARGET.format(value=target)

    out = pd.DataFrame({group: table[group].to_numpy()})
    if isinstance(table[group].dtype, pd.CategoricalDtype):
        out[group] = out[group].astype(table[group].dtype)
    out["numerator"] = x.astype(np.int64)
    out["denominator"] = n.astype(np.int64)
    out["rate"] = p
    out["reference_rate"] = columns["reference_rate"]
    out["reference_label"] = label
    for key in (
        "ratio",
        "ratio_lower",
        "ratio_upper",
        "difference",
        "difference_lower",
        "difference_upper",
    ):
        out[key] = columns[key]
    score = out["ratio"].where(~is_reference)
    out["rank"] = score.rank(method="min", ascending=favourable == "high").astype("Int64")
    out["is_reference"] = is_reference
    out["favourable"] = favourable
    out["confidence"] = confidence
    for extra in ("reliable", "flag"):
        if extra in table.columns:
            out[extra] = table[extra].to_numpy()
    out.attrs["disparities"] = {
        "group": group,
        "reference": reference,
        "reference_label": label,
        "favourable": favourable,
        "confidence": confidence,
    }
    return out


def summary_indices(
    rates_table: pd.DataFrame,
    *,
    group: str,
    reference: Reference,
    favourable: Favourable = "low",
) -> pd.DataFrame:
    """Two one-number summaries of how far apart the groups are.

    ``index_of_disparity`` (Pearcy & Keppel 2002): the mean absolute difference between
    each group's rate and the reference rate, as a percentage of the reference rate.
    The mean is over the groups compared, leaving out the reference group itself when
    the reference is a group ("best" or ``("group", name)``). Unweighted: every group
    counts equally, however small. Pearcy and Keppel suggest expressing outcomes as
    adverse events (use 1 - rate for favourable-high outcomes) before comparing indices.

    ``between_group_variance`` (Harper & Lynch 2005): the population-weighted variance
    of group rates around the total rate, sum of (n_j / N) (rate_j - total)^2. It does
    not depend on the reference, weights big groups more, and is in squared rate units.

    Returns
    -------
    DataFrame
        Columns ``measure``, ``value``, ``description``.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"g": ["a", "b", "c"], "numerator": [10, 20, 30],
    ...                   "denominator": [100, 100, 100]})
    >>> summary_indices(t, group="g", reference="total").loc[0, "value"]
    np.float64(33.33333333333333)
    """
    table = _check_frame(rates_table, "rates_table")
    x, n = _counts_of(table, group)
    check_choice(favourable, FAVOURABLE, "favourable")
    values = table[group].tolist()
    ref = _parse_reference(reference, values, group)
    p = x / n
    compared = np.ones(len(p), dtype=bool)
    if ref.kind == "others":
        raise ValueError(_ERR_INDEX_REFERENCE)
    if ref.kind == "total":
        reference_rate = float(x.sum() / n.sum())
        label = LABEL_TOTAL
    elif ref.kind == "target":
        reference_rate = float(ref.value)  # type: ignore[arg-type]
        label = LABEL_TARGET.format(value=reference_rate)
    else:
        index = _reference_index(table, values, ref, p, favourable)
        reference_rate = float(p[index])
        compared[index] = False
        if ref.kind == "group":
            label = LABEL_GROUP.format(name=values[index])
        else:
            which = "lowest" if favourable == "low" else "highest"
            label = LABEL_BEST.format(which=which, name=values[index], rate=reference_rate)

    if compared.any() and reference_rate > 0:
        index_value = float(np.mean(np.abs(p[compared] - reference_rate)) / reference_rate * 100)
    else:
        index_value = float("nan")
    total = x.sum() / n.sum()
    bgv = float(np.sum(n / n.sum() * (p - total) ** 2))
    return pd.DataFrame(
        {
            "measure": ["index_of_disparity", "between_group_variance"],
            "value": [index_value, bgv],
            "description": [
                (
                    f"Pearcy-Keppel index of disparity, {label}: the average group differs "
                    f"from the reference rate by {index_value:.1f}% of it "
                    f"({int(compared.sum())} groups, unweighted)."
                ),
                (
                    "Harper-Lynch between-group variance: population-weighted variance of "
                    f"group rates around the total rate ({total:.1%}), in squared rate "
                    "units; independent of the reference."
                ),
            ],
        }
    )


def _number(value: float) -> str:
    return f"{value:.1f}" if abs(value) >= 1 else f"{value:.2f}"


def headline(
    disparities_frame: pd.DataFrame,
    *,
    noun: str = "people",
    group: str | None = None,
    favourable: Favourable | None = None,
) -> str:
    """The plain-language "largest disparity" sentence, always naming the reference.

    ``group`` and ``favourable`` default to the frame's ``favourable`` column (then its
    ``attrs``, then the first column and "low"), so a merged or re-read frame keeps its
    direction.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["A", "B"], "numerator": [60, 20],
    ...                   "denominator": [200, 200]})
    >>> print(headline(disparities(t, group="group", reference="total"), noun="youth"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Compared with the total population, A youth have the largest disparity: 1.5 times
    the rate (95% CI 1.3 to 1.7), a difference of 10.0 percentage points.
    """
    frame = _check_frame(disparities_frame, "disparities_frame")
    required = [
        "reference_label",
        "ratio",
        "ratio_lower",
        "ratio_upper",
        "rank",
        "confidence",
        "difference",
    ]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(_ERR_HEADLINE.format(missing=missing))
    info = frame.attrs.get("disparities", {})
    if group is None:
        group = str(info.get("group", frame.columns[0]))
    if favourable is None:
        column = frame["favourable"].dropna().unique().tolist() if "favourable" in frame.columns else []
        favourable = column[0] if len(column) == 1 else info.get("favourable", "low")
    check_choice(str(favourable), FAVOURABLE, "favourable")
    label = str(frame["reference_label"].iloc[0])
    opening = label[:1].upper() + label[1:]
    ranked = frame[frame["rank"].notna()].sort_values("rank", kind="stable")
    if ranked.empty:
        return f"{opening}, no group's disparity ratio can be computed."
    top = ranked.iloc[0]
    name = top[group]
    ratio = float(top["ratio"])
    confidence = float(top["confidence"])
    if np.isfinite(top["ratio_lower"]) and np.isfinite(top["ratio_upper"]):
        interval = (
            f" ({confidence:.0%} CI {_number(float(top['ratio_lower']))} to {_number(float(top['ratio_upper']))})"
        )
    else:
        interval = " (no interval: a rate of zero)"
    points = float(top["difference"]) * 100
    worse = ratio > 1 if favourable == "low" else ratio < 1
    if worse:
        text = (
            f"{opening}, {name} {noun} have the largest disparity: {_number(ratio)} times "
            f"the rate{interval}, a difference of {abs(points):.1f} percentage points."
        )
    else:
        direction = "higher" if favourable == "low" else "lower"
        text = (
            f"{opening}, no group has a {direction} rate; the closest are {name} {noun}, "
            f"at {_number(ratio)} times the rate{interval}."
        )
    if "reliable" in frame.columns and not bool(top["reliable"]):
        flag = f" ({top['flag']})" if "flag" in frame.columns and top["flag"] else ""
        text += f" This rate is unreliable{flag}; treat it with caution."
    return text
