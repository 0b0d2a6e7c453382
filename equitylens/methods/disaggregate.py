"""Disaggregation: race and ethnicity counting rules, rates with intervals, Simpson checks.

Everything here takes a pandas DataFrame and keyword-only options and returns a tidy
(long) DataFrame. The functions are written for any person-level frame with the kit's
column conventions (seven boolean ``race_*`` flags, categorical group columns, boolean
outcomes); nothing depends on the synthetic county.

>>> import pandas as pd
>>> people = pd.DataFrame({"gender": ["Girl or woman"] * 4, "reported": [True, False, False, True]})
>>> rates(people, by="gender", outcome="reported")[["gender", "numerator", "denominator", "rate"]]
          gender  numerator  denominator  rate
0  Girl or woman          2            4   0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special  # not scipy.stats: the same functions, without half a second of import

from equitylens.data import groups
from equitylens.methods.policy import MAX_RELIABLE_RSE, MIN_RELIABLE_NUMERATOR
from equitylens.methods.validation import (
    as_columns,
    check_choice,
    check_confidence,
    check_counts,
    check_whole_number,
)
from equitylens.methods.validation import check_frame as _check_frame
from equitylens.methods.validation import require_columns as _require_columns

__all__ = [
    "describe_simpson",
    "proportion_interval",
    "race_ethnicity",
    "rates",
    "rates_from_counts",
    "simpson_check",
]

FloatArray = npt.NDArray[np.float64]

# --- Rules and defaults -----------------------------------------------------------------

# The reliability rule (NCHS: 20 events, 30% RSE) lives in the one disclosure policy.
DEFAULT_CONFIDENCE: Final = 0.95

INTERVAL_METHODS: Final[tuple[str, ...]] = ("wilson", "clopper-pearson")
IntervalMethod = Literal["wilson", "clopper-pearson"]

COUNTING_RULES: Final[tuple[str, ...]] = ("alone", "alone_or_in_combination", "hispanic_any_race")
CountingRule = Literal["alone", "alone_or_in_combination", "hispanic_any_race"]

RACE_ETHNICITY: Final = "race_ethnicity"
# The display order of the groups (defined once, in equitylens.data.groups).
RACE_ETHNICITY_ORDER: Final = groups.RACE_ETHNICITY_ORDER
RACE_ETHNICITY_DTYPE: Final = groups.RACE_ETHNICITY_DTYPE

# The disaggregation ladder for the explorer: each level splits the one above it.
LADDER: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("County total", ()),
    ("Race and ethnicity", (RACE_ETHNICITY,)),
    ("Race \u00d7 gender", (RACE_ETHNICITY, "gender")),
    (
        "Race \u00d7 gender \u00d7 sexual orientation",
        (RACE_ETHNICITY, "gender", "sexual_orientation"),
    ),
    (
        "+ neighbourhood",
        (RACE_ETHNICITY, "gender", "sexual_orientation", "neighbourhood_id"),
    ),
)

SIMPSON_VERDICTS: Final[tuple[str, ...]] = ("every", "most", "some", "none")

# --- Flags (short reasons a rate is unreliable) -----------------------------------------

FLAG_SMALL_NUMERATOR: Final = "numerator under {min_numerator}"
FLAG_HIGH_RSE: Final = "RSE over {max_rse:.0%}"
FLAG_NO_EVENTS: Final = "no events (RSE undefined)"
FLAG_NO_PEOPLE: Final = "no people in cell"

# --- Error messages ---------------------------------------------------------------------

_ERR_MAX_RSE: Final = "max_rse={value!r} must be a number > 0, e.g. 0.30 for 30%"
_ERR_OUTCOME: Final = "outcome={value!r} must be a boolean (True/False) or 0/1 column; got dtype {dtype}"
_ERR_NUM_GT_DEN: Final = (
    "numerator={numerator!r} exceeds denominator={denominator!r} in {rows} row(s); "
    "a rate's numerator must be a subset of its denominator"
)
_ERR_BY_OUTCOME: Final = "by must not include the outcome column {value!r}"
_ERR_RACE_FLAGS: Final = "frame is missing race flag column(s) {missing}; race_ethnicity() needs all of {allowed}"
_ERR_COMPARE: Final = (
    "compare={value!r} must be a pair of two different values of {group!r}; available values: {allowed}"
)
_ERR_SIMPSON_RESULT: Final = "result must be the frame returned by simpson_check() (its attrs['simpson'] is missing)"


# --- Small validation helpers -----------------------------------------------------------


def _check_reliability(min_numerator: int, max_rse: float) -> None:
    check_whole_number(min_numerator, "min_numerator")
    if isinstance(max_rse, bool) or not isinstance(max_rse, (int, float)) or not np.isfinite(max_rse) or max_rse <= 0:
        raise ValueError(_ERR_MAX_RSE.format(value=max_rse))


# --- Race and ethnicity -----------------------------------------------------------------


def race_ethnicity(
    frame: pd.DataFrame,
    *,
    rule: CountingRule = "alone",
    include_not_reported: bool = True,
) -> pd.DataFrame:
    """Assign people to race and ethnicity groups under an explicit counting rule.

    The 2024 OMB standard lets a person select as many groups as apply, so any single
    "race" column is the result of a choice. This function makes the choice visible.

    Parameters
    ----------
    frame
        Person-level frame with the seven boolean flags in ``groups.RACE_FLAGS``
        (missing values count as not selected).
    rule
        One of ``COUNTING_RULES``:

        ``"alone"``
            A person with exactly one selection counts in that group; a person with two
            or more counts once, in ``groups.MULTIRACIAL``. Groups partition the people:
            they sum to the total. Hides which groups multiracial people belong to.
        ``"alone_or_in_combination"``
            A person counts in *every* group they selected (a Black and Hispanic or
            Latino person appears in both), so the groups sum to **more** than the
            total and must never be added up or shown as shares of a whole. There is no
            multiracial group: multiracial people are visible in each of their groups.
        ``"hispanic_any_race"``
            The older (1997-standard) tabulation many administrative systems still use:
            anyone who selected Hispanic or Latino counts there, whatever else they
            selected; everyone else is counted "alone" (one selection) or multiracial
            (two or more). A partition, but it folds, e.g., Black Hispanic people into
            Hispanic or Latino only.
    include_not_reported
        People with no selection (all flags False: not asked, declined, unknown) go to
        ``groups.NOT_REPORTED`` when True, or are dropped when False. Dropping them
        changes every denominator; say so when you do it.

    Returns
    -------
    DataFrame
        The input columns, one row per person per group they count in (one row per
        person except under ``"alone_or_in_combination"``), with a new categorical
        column ``race_ethnicity`` ordered ``RACE_LABELS``, ``MULTIRACIAL``,
        ``NOT_REPORTED`` (unordered: the order is for display, not a ranking). Any
        existing ``race_ethnicity`` column is replaced. The index is reset.

    Examples
    --------
    >>> import pandas as pd
    >>> from equitylens.data.groups import RACE_FLAGS
    >>> people = pd.DataFrame({flag: [False, False] for flag in RACE_FLAGS})
    >>> people.loc[0, ["race_black", "race_hispanic"]] = True
    >>> race_ethnicity(people, rule="alone")["race_ethnicity"].tolist()
    ['Multiracial and/or multiethnic', 'Not reported']
    >>> race_ethnicity(people, rule="alone_or_in_combination")["race_ethnicity"].tolist()
    ['Black or African American', 'Hispanic or Latino', 'Not reported']
    """
    frame = _check_frame(frame, "frame")
    check_choice(rule, COUNTING_RULES, "rule")
    flag_columns = list(groups.RACE_FLAGS)
    missing = [c for c in flag_columns if c not in frame.columns]
    if missing:
        raise ValueError(_ERR_RACE_FLAGS.format(missing=missing, allowed=flag_columns))

    flags = np.column_stack([frame[c].fillna(False).to_numpy(dtype=bool) for c in flag_columns])
    selections = flags.sum(axis=1)
    n_groups = len(RACE_ETHNICITY_ORDER)
    multiracial = n_groups - 2
    not_reported = n_groups - 1
    member = np.zeros((len(frame), n_groups), dtype=bool)

    if rule == "alone":
        member[:, :multiracial] = flags & (selections == 1)[:, None]
        member[:, multiracial] = selections >= 2
    elif rule == "alone_or_in_combination":
        member[:, :multiracial] = flags
    else:  # hispanic_any_race
        hispanic = flag_columns.index("race_hispanic")
        is_hispanic = flags[:, hispanic]
        others = flags.copy()
        others[:, hispanic] = False
        other_count = others.sum(axis=1)
        member[:, :multiracial] = others & (~is_hispanic & (other_count == 1))[:, None]
        member[:, hispanic] = is_hispanic
        member[:, multiracial] = ~is_hispanic & (other_count >= 2)
    if include_not_reported:
        member[:, not_reported] = selections == 0

    rows, codes = np.nonzero(member)  # row-major: people stay in their original order
    out = frame.iloc[rows].reset_index(drop=True)
    out[RACE_ETHNICITY] = pd.Categorical.from_codes(codes, dtype=RACE_ETHNICITY_DTYPE)
    return out


# --- Rates and intervals ----------------------------------------------------------------


def _z_value(confidence: float) -> float:
    return float(special.ndtri(0.5 + confidence / 2.0))  # the normal quantile


def _wilson(x: FloatArray, n: FloatArray, confidence: float) -> tuple[FloatArray, FloatArray]:
    z = _z_value(confidence)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        scale = 1.0 + z2 / n
        centre = (p + z2 / (2.0 * n)) / scale
        half = z * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / scale
    return centre - half, centre + half


def _clopper_pearson(x: FloatArray, n: FloatArray, confidence: float) -> tuple[FloatArray, FloatArray]:
    alpha = 1.0 - confidence
    valid = n > 0
    safe_x = np.where(valid, x, 0.0)
    safe_n = np.where(valid, n, 1.0)
    lower = special.betaincinv(np.maximum(safe_x, 1.0), safe_n - safe_x + 1.0, alpha / 2.0)  # beta quantiles
    upper = special.betaincinv(safe_x + 1.0, np.maximum(safe_n - safe_x, 1.0), 1.0 - alpha / 2.0)
    lower = np.where(safe_x == 0, 0.0, lower)
    upper = np.where(safe_x == safe_n, 1.0, upper)
    nan = np.full_like(x, np.nan)
    return np.where(valid, lower, nan), np.where(valid, upper, nan)


def proportion_interval(
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    *,
    method: IntervalMethod = "wilson",
    confidence: float = DEFAULT_CONFIDENCE,
) -> tuple[FloatArray, FloatArray]:
    """Vectorised confidence interval for proportions ``numerator / denominator``.

    ``"wilson"`` is the Wilson score interval (good coverage even for small counts);
    ``"clopper-pearson"`` is the exact (conservative) beta-quantile interval. Cells with
    a zero denominator get NaN. Bounds are clipped to [0, 1] and always contain the rate.

    >>> lower, upper = proportion_interval([81], [263])
    >>> round(float(lower[0]), 4), round(float(upper[0]), 4)
    (0.2553, 0.3662)
    """
    check_choice(method, INTERVAL_METHODS, "method")
    confidence = check_confidence(confidence)
    x = np.asarray(numerator, dtype=np.float64)
    n = np.asarray(denominator, dtype=np.float64)
    if method == "wilson":
        lower, upper = _wilson(x, n, confidence)
    else:
        lower, upper = _clopper_pearson(x, n, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
    # Guard against floating-point rounding at the edges: the interval always holds p.
    lower = np.where(x == 0, 0.0, np.minimum(np.clip(lower, 0.0, 1.0), p))
    upper = np.where(x == n, 1.0, np.maximum(np.clip(upper, 0.0, 1.0), p))
    empty = n == 0
    lower = np.where(empty, np.nan, lower)
    upper = np.where(empty, np.nan, upper)
    return lower.astype(np.float64), upper.astype(np.float64)


def _finish_rates(
    keys: pd.DataFrame,
    x: npt.NDArray[np.int64],
    n: npt.NDArray[np.int64],
    *,
    method: IntervalMethod,
    confidence: float,
    min_numerator: int,
    max_rse: float,
) -> pd.DataFrame:
    xf = x.astype(np.float64)
    nf = n.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = xf / nf
        rse = np.sqrt((1.0 - rate) / (nf * rate))
    rse = np.where(np.isfinite(rse), rse, np.nan)
    lower, upper = proportion_interval(xf, nf, method=method, confidence=confidence)

    small = x < min_numerator
    undefined = np.isnan(rse)
    high = ~undefined & (rse > max_rse)
    empty = n == 0
    reliable = ~(small | undefined | high)

    labels = np.array(
        [
            "",
            FLAG_SMALL_NUMERATOR.format(min_numerator=min_numerator),
            FLAG_HIGH_RSE.format(max_rse=max_rse),
            FLAG_NO_EVENTS,
        ],
        dtype=object,
    )
    code = small.astype(np.int64) + 2 * high + 4 * (undefined & ~empty)
    lookup = np.array(
        ["; ".join(str(labels[bit + 1]) for bit in range(3) if c & (1 << bit)) for c in range(8)],
        dtype=object,
    )
    flag = np.where(empty, FLAG_NO_PEOPLE, lookup[code])

    out = keys.reset_index(drop=True)
    out["numerator"] = x
    out["denominator"] = n
    out["rate"] = rate
    out["lower"] = lower
    out["upper"] = upper
    out["rse"] = rse
    out["reliable"] = reliable
    out["flag"] = pd.array(flag.astype(str), dtype="str")
    out.attrs["rates"] = {
        "method": method,
        "confidence": confidence,
        "min_numerator": min_numerator,
        "max_rse": max_rse,
    }
    return out


def rates_from_counts(
    counts: pd.DataFrame,
    *,
    by: str | Sequence[str],
    numerator: str = "numerator",
    denominator: str = "denominator",
    method: IntervalMethod = "wilson",
    confidence: float = DEFAULT_CONFIDENCE,
    min_numerator: int = MIN_RELIABLE_NUMERATOR,
    max_rse: float = MAX_RELIABLE_RSE,
) -> pd.DataFrame:
    """Rates, intervals and reliability flags from a pre-aggregated count table.

    Rows are summed within each cell of ``by`` first, so a table counted at a fine level
    (say race by gender by neighbourhood) can be rolled up to any coarser level cheaply;
    ``by=[]`` gives one total row. Everything after that one small groupby is vectorised
    numpy, which is what keeps the live widgets fast.

    Parameters
    ----------
    counts
        One row per cell (or finer), with count columns ``numerator`` and ``denominator``.
    by
        Column(s) identifying the cells to report. Categorical columns keep only the
        observed categories, in category order.
    numerator, denominator
        Names of the count columns (whole numbers >= 0, numerator <= denominator).
    method
        ``"wilson"`` (default) or ``"clopper-pearson"``; see :func:`proportion_interval`.
    confidence
        Interval confidence level, strictly between 0 and 1.
    min_numerator, max_rse
        Reliability rule: a rate is ``reliable`` only if its numerator is at least
        ``min_numerator`` and its relative standard error is at most ``max_rse``.

    Returns
    -------
    DataFrame
        ``by`` columns, then ``numerator``, ``denominator``, ``rate``, ``lower``,
        ``upper``, ``rse``, ``reliable`` and ``flag``. The RSE of a proportion is
        ``sqrt(p (1 - p) / n) / p``; it is NaN when p = 0 (no events: the RSE is
        undefined and the cell is unreliable) and 0 when p = 1. With the NCHS defaults
        the RSE rule never bites once the numerator is 20 or more (the binomial RSE is
        then at most 1/sqrt(20) = 22%), but it does if you lower ``min_numerator``.
        ``flag`` is a short reason ("numerator under 20", "RSE over 30%", both joined by
        "; ", or "" when reliable). Cells with a zero denominator have NaN rates and the
        flag "no people in cell".
    """
    counts = _check_frame(counts, "counts")
    by_columns = as_columns(by, "by")
    _require_columns(counts, by_columns, "by")
    _require_columns(counts, [numerator], "numerator")
    _require_columns(counts, [denominator], "denominator")
    check_choice(method, INTERVAL_METHODS, "method")
    confidence = check_confidence(confidence)
    _check_reliability(min_numerator, max_rse)
    x_all = check_counts(counts, numerator, "numerator")
    n_all = check_counts(counts, denominator, "denominator")
    bad = int((x_all > n_all).sum())
    if bad:
        raise ValueError(_ERR_NUM_GT_DEN.format(numerator=numerator, denominator=denominator, rows=bad))

    # A ``missing`` column (from rates()) is rolled up with the counts, so it stays visible.
    m_all = check_counts(counts, "missing", "missing") if "missing" in counts.columns else np.zeros_like(x_all)
    if by_columns:
        work = pd.DataFrame({"_x": x_all, "_n": n_all, "_m": m_all}, index=counts.index)
        for column in by_columns:
            work[column] = counts[column]
        summed = work.groupby(by_columns, observed=True, sort=True, dropna=False)[["_x", "_n", "_m"]].sum()
        keys = summed.index.to_frame(index=False)
        x = summed["_x"].to_numpy(dtype=np.int64)
        n = summed["_n"].to_numpy(dtype=np.int64)
        m = summed["_m"].to_numpy(dtype=np.int64)
    else:
        keys = pd.DataFrame(index=pd.RangeIndex(1))
        x = np.array([x_all.sum()], dtype=np.int64)
        n = np.array([n_all.sum()], dtype=np.int64)
        m = np.array([m_all.sum()], dtype=np.int64)
    out = _finish_rates(
        keys,
        x,
        n,
        method=method,
        confidence=confidence,
        min_numerator=int(min_numerator),
        max_rse=float(max_rse),
    )
    if "missing" in counts.columns:
        out.insert(list(out.columns).index("denominator") + 1, "missing", m)
    return out


def _outcome_series(frame: pd.DataFrame, outcome: str) -> pd.Series[Any]:
    series = frame[outcome]
    if pd.api.types.is_bool_dtype(series):
        return series
    if pd.api.types.is_numeric_dtype(series):
        values = series.dropna()
        if values.isin([0, 1]).all():
            return series
    raise ValueError(_ERR_OUTCOME.format(value=outcome, dtype=series.dtype))


def rates(
    frame: pd.DataFrame,
    *,
    by: str | Sequence[str],
    outcome: str,
    method: IntervalMethod = "wilson",
    confidence: float = DEFAULT_CONFIDENCE,
    min_numerator: int = MIN_RELIABLE_NUMERATOR,
    max_rse: float = MAX_RELIABLE_RSE,
) -> pd.DataFrame:
    """Outcome rates by group, with confidence intervals and reliability flags.

    Parameters
    ----------
    frame
        Person-level frame (one row per person, or per person per group after
        ``race_ethnicity(rule="alone_or_in_combination")``).
    by
        Column(s) to disaggregate by; ``[]`` gives one county-total row. Categorical
        columns keep only observed categories, in category order. People with a missing
        ``by`` value are kept, in a cell of their own (last), never silently dropped.
    outcome
        Boolean (or 0/1) column. Rows where it is missing are left out of both the
        numerator and the denominator, and counted in ``missing``.
    method, confidence, min_numerator, max_rse
        As in :func:`rates_from_counts`.

    Returns
    -------
    DataFrame
        One row per cell: ``by`` columns, ``numerator``, ``denominator``, ``missing``
        (people in the cell whose outcome is missing: not in the denominator),
        ``rate``, ``lower``, ``upper``, ``rse``, ``reliable``, ``flag``.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"grade": ["A", "A", "B", "B"], "absent": [1, 0, 1, 1]})
    >>> table = rates(people, by="grade", outcome="absent", min_numerator=1)
    >>> table[["grade", "rate", "reliable"]]
      grade  rate  reliable
    0     A   0.5     False
    1     B   1.0      True
    >>> table["flag"].tolist()
    ['RSE over 30%', '']
    """
    frame = _check_frame(frame, "frame")
    _require_columns(frame, [outcome], "outcome")
    by_columns = as_columns(by, "by")
    _require_columns(frame, by_columns, "by")
    if outcome in by_columns:
        raise ValueError(_ERR_BY_OUTCOME.format(value=outcome))
    check_choice(method, INTERVAL_METHODS, "method")
    confidence = check_confidence(confidence)
    _check_reliability(min_numerator, max_rse)
    values = _outcome_series(frame, outcome)

    if by_columns:
        grouped = values.groupby([frame[c] for c in by_columns], observed=True, sort=True, dropna=False)
        summary = grouped.agg(["sum", "count", "size"])
        keys = summary.index.to_frame(index=False)
        x = summary["sum"].to_numpy(dtype=np.int64)
        n = summary["count"].to_numpy(dtype=np.int64)
        missing = summary["size"].to_numpy(dtype=np.int64) - n
    else:
        keys = pd.DataFrame(index=pd.RangeIndex(1))
        x = np.array([int(values.sum())], dtype=np.int64)
        n = np.array([int(values.count())], dtype=np.int64)
        missing = np.array([len(values) - int(values.count())], dtype=np.int64)
    out = _finish_rates(
        keys,
        x,
        n,
        method=method,
        confidence=confidence,
        min_numerator=int(min_numerator),
        max_rse=float(max_rse),
    )
    out.insert(list(out.columns).index("denominator") + 1, "missing", missing)
    return out


# --- Simpson's paradox ------------------------------------------------------------------


def simpson_check(
    frame: pd.DataFrame,
    *,
    outcome: str,
    group: str,
    compare: tuple[object, object],
    stratum: str,
) -> pd.DataFrame:
    """Compare two groups overall and within strata, and detect a reversal.

    Parameters
    ----------
    frame
        Person-level frame.
    outcome
        Boolean (or 0/1) outcome column.
    group
        Column holding the groups, e.g. ``"race_ethnicity"``.
    compare
        ``(a, b)``: two different values of ``group``.
    stratum
        Column to look within, e.g. ``"lending_grade"``.

    Returns
    -------
    DataFrame
        Long table with columns ``scope`` (``"overall"`` or ``"within"``), ``stratum``'s
        column (missing on the overall rows), ``group``'s column, ``numerator``,
        ``denominator``, ``rate``, ``reverses`` (within rows: does a-vs-b point the other
        way from the overall comparison?) and ``verdict``: ``"every"`` (the direction
        reverses in every stratum where both groups are present: Simpson's paradox),
        ``"most"`` (in more than half of them), ``"some"`` (in at least one) or
        ``"none"`` (also when the overall rates are equal). Strata are counted, not
        weighted; strata missing either group are shown but not counted. ``attrs
        ["simpson"]`` holds the details :func:`describe_simpson` needs.
    """
    frame = _check_frame(frame, "frame")
    for argument, column in (("outcome", outcome), ("group", group), ("stratum", stratum)):
        _require_columns(frame, [column], argument)
    as_columns([outcome, group, stratum], "outcome/group/stratum")
    values = _outcome_series(frame, outcome)
    present = list(pd.unique(frame[group].dropna()))
    if (
        not isinstance(compare, (tuple, list))
        or len(compare) != 2
        or compare[0] == compare[1]
        or any(c not in present for c in compare)
    ):
        raise ValueError(_ERR_COMPARE.format(value=compare, group=group, allowed=present))
    a, b = compare[0], compare[1]

    keep = frame[group].isin([a, b]).to_numpy() & values.notna().to_numpy()
    work = pd.DataFrame(
        {
            stratum: frame[stratum].to_numpy()[keep],
            group: frame[group].astype(object).to_numpy()[keep],
            "_y": values.to_numpy()[keep].astype(np.int64),
        }
    )
    if isinstance(frame[stratum].dtype, pd.CategoricalDtype):
        work[stratum] = work[stratum].astype(frame[stratum].dtype)

    overall = work.groupby(group, sort=False)["_y"].agg(["sum", "count"])
    within = work.groupby([stratum, group], observed=True, sort=True)["_y"].agg(["sum", "count"])

    def rate_of(table: pd.DataFrame, key: object) -> tuple[int, int, float]:
        if key in table.index:
            row = table.loc[[key]]
            x, n = int(row["sum"].iloc[0]), int(row["count"].iloc[0])
            return x, n, x / n if n else float("nan")
        return 0, 0, float("nan")

    xa, na, ra = rate_of(overall, a)
    xb, nb, rb = rate_of(overall, b)
    sign = float(np.sign(ra - rb)) if na and nb else 0.0

    rows: list[dict[str, object]] = [
        {
            "scope": "overall",
            stratum: None,
            group: a,
            "numerator": xa,
            "denominator": na,
            "rate": ra,
            "reverses": pd.NA,
        },
        {
            "scope": "overall",
            stratum: None,
            group: b,
            "numerator": xb,
            "denominator": nb,
            "rate": rb,
            "reverses": pd.NA,
        },
    ]
    strata = within.index.get_level_values(0).unique()
    compared = 0
    reversed_strata: list[object] = []
    for level in strata:
        sa = rate_of(within, (level, a))
        sb = rate_of(within, (level, b))
        both = sa[1] > 0 and sb[1] > 0
        flips: object = pd.NA
        if both:
            compared += 1
            local = float(np.sign(sa[2] - sb[2]))
            flips = bool(sign != 0 and local == -sign)
            if flips:
                reversed_strata.append(level)
        for key, (x, n, r) in ((a, sa), (b, sb)):
            rows.append(
                {
                    "scope": "within",
                    stratum: level,
                    group: key,
                    "numerator": x,
                    "denominator": n,
                    "rate": r,
                    "reverses": flips,
                }
            )

    k = len(reversed_strata)
    if sign == 0 or k == 0:
        verdict = "none"
    elif k == compared:
        verdict = "every"
    elif k > compared / 2:
        verdict = "most"
    else:
        verdict = "some"

    out = pd.DataFrame(rows)
    out["reverses"] = out["reverses"].astype("boolean")
    out["numerator"] = out["numerator"].astype(np.int64)
    out["denominator"] = out["denominator"].astype(np.int64)
    if isinstance(frame[stratum].dtype, pd.CategoricalDtype):
        out[stratum] = out[stratum].astype(frame[stratum].dtype)
    out["verdict"] = verdict
    out.attrs["simpson"] = {
        "a": a,
        "b": b,
        "group": group,
        "stratum": stratum,
        "outcome": outcome,
        "rate_a": ra,
        "rate_b": rb,
        "strata_compared": compared,
        "strata_reversed": reversed_strata,
        "verdict": verdict,
    }
    return out


def _plural(noun: str, count: int) -> str:
    return noun if count == 1 else noun + "s"


def _join(items: Sequence[object]) -> str:
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def describe_simpson(result: pd.DataFrame, *, place: str = "the county", stratum_label: str | None = None) -> str:
    """One plain-language sentence explaining a :func:`simpson_check` result.

    ``stratum_label`` names one stratum in words (default: the column name with
    underscores as spaces, e.g. "lending grade").

    >>> import pandas as pd
    >>> cells = [("A", "X", 1, 20), ("A", "Y", 10, 100), ("D", "X", 40, 100), ("D", "Y", 5, 10)]
    >>> rows = [(g, s, i < x) for s, g, x, n in cells for i in range(n)]
    >>> people = pd.DataFrame(rows, columns=["group", "lending_grade", "y"])
    >>> result = simpson_check(people, outcome="y", group="group", compare=("X", "Y"),
    ...                        stratum="lending_grade")
    >>> print(describe_simpson(result))  # doctest: +NORMALIZE_WHITESPACE
    Across the county, the X group has a higher rate than the Y group (34.2% vs 13.6%),
    but within every lending grade the X group has the lower rate.
    """
    if not isinstance(result, pd.DataFrame) or "simpson" not in result.attrs:
        raise ValueError(_ERR_SIMPSON_RESULT)
    info = result.attrs["simpson"]
    a, b = info["a"], info["b"]
    ra, rb = info["rate_a"], info["rate_b"]
    label = stratum_label or str(info["stratum"]).replace("_", " ")
    compared = int(info["strata_compared"])
    flipped = list(info["strata_reversed"])
    k = len(flipped)

    if not (np.isfinite(ra) and np.isfinite(rb)):
        return f"Across {place}, the {a} and {b} groups cannot both be measured."
    if ra == rb:
        return (
            f"Across {place}, the {a} and {b} groups have the same rate ({ra:.1%}), so "
            "there is no overall direction to reverse."
        )
    higher, lower_word = ("higher", "lower") if ra > rb else ("lower", "higher")
    start = f"Across {place}, the {a} group has a {higher} rate than the {b} group ({ra:.1%} vs {rb:.1%})"
    verdict = info["verdict"]
    if verdict == "every":
        return f"{start}, but within every {label} the {a} group has the {lower_word} rate."
    if verdict == "most":
        return (
            f"{start}, but within {k} of {compared} {_plural(label, compared)} "
            f"({_join(flipped)}) the {a} group has the {lower_word} rate."
        )
    if verdict == "some":
        return (
            f"{start}; the direction reverses within {k} of {compared} "
            f"{_plural(label, compared)} ({_join(flipped)}) but holds in the rest."
        )
    return (
        f"{start}, and the {a} group's rate is not {lower_word} in any {label}, so the "
        "overall comparison holds: no Simpson's paradox here."
    )


# --- The disaggregation ladder ----------------------------------------------------------
