"""One entry point from people to a publishable equity table (in the spirit of
fairlearn's ``MetricFrame``): counts, missing outcomes, rates, intervals, reliability and
disparities against a named reference, with the disclosure policy applied last.

>>> import pandas as pd
>>> sizes = {"A": (200, 40), "B": (200, 20), "C": (60, 3), "D": (300, 90)}
>>> people = pd.DataFrame(
...     [(g, i < x) for g, (n, x) in sizes.items() for i in range(n)], columns=["group", "y"]
... )
>>> full = equity_table(people, by="group", outcome="y", reference="total")
>>> published(full)[["group", "numerator", "rate", "ratio", "status"]]
  group  numerator  rate     ratio      status
0     A         40   0.2  0.993464   published
1     B       <NA>   NaN       NaN  suppressed
2     C       <NA>   NaN       NaN  suppressed
3     D         90   0.3  1.490196   published

Group C has 3 events, so its rate and ratio are hidden; because the total is published,
B is hidden too, or C's count would come back by subtraction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitylens.methods import compare, disaggregate, suppress
from equitylens.methods.policy import DEFAULT_POLICY, DisclosurePolicy, as_policy
from equitylens.methods.validation import as_columns, check_choice, check_confidence, check_frame, require_columns

BoolArray = npt.NDArray[np.bool_]

__all__ = ["complement_rows", "equity_table", "published"]

GROUP: Final = "group"
STRATUM: Final = "stratum"
ALL_STRATA: Final = "All"
MISSING_KEY: Final = "(missing)"
JOIN: Final = " \u00b7 "
# A group's missing outcomes are "material" when more than 1 in 20 of its people have
# none: enough to move a rate by several points if they differ from the rest.
MATERIAL_MISSING_SHARE: Final = 0.05

STATUS_PUBLISHED: Final = "published"
STATUS_SUPPRESSED: Final = "suppressed"

REASON_NUMERATOR: Final = "numerator from 1 to {top}"
REASON_DENOMINATOR: Final = "denominator under {k}"
REASON_ZERO: Final = "zero count (policy hides zeros)"
REASON_COMPLEMENT: Final = "hidden so a suppressed count cannot be worked out from the total"

WARN_ZERO_REFERENCE: Final = "reference rate is 0 ({label}): ratios are undefined; read the difference instead"
WARN_NO_REFERENCE: Final = "reference group {name!r} has nobody in this stratum"
WARN_MISSING: Final = "more than 1 in 20 people here have no recorded outcome and are not in the rate"

HEADLINE_HIDDEN_REFERENCE: Final = (
    "The reference rate ({label}) is hidden to protect small counts, so no comparison is shown."
)
HEADLINE_MISSING: Final = (
    " Some groups have many people with no recorded outcome ({groups}); they are left out of the rates."
)

COMPARISON_COLUMNS: Final[tuple[str, ...]] = (
    "reference_rate",
    "ratio",
    "ratio_lower",
    "ratio_upper",
    "difference",
    "difference_lower",
    "difference_upper",
)
RATE_COLUMNS: Final[tuple[str, ...]] = ("rate", "lower", "upper", "rse")

_ERR_OVERLAP: Final = "strata={strata!r} and by={by!r} share column(s) {both}; a column is either a group or a stratum"
_ERR_BY: Final = "by must name at least one column (the groups to compare)"
_ERR_TOO_MANY: Final = (
    "by and strata together name {count} columns; with published totals at most 3 can be protected "
    "together (suppress.complementary). Use fewer columns, or publish_totals=False if no total is published."
)
_ERR_COMPLEMENT: Final = (
    "the totals of this table cannot be published safely: {detail} Combine small groups "
    "(suppress.collapse), or pass publish_totals=False if no total, reference rate or "
    "'others' comparison is ever published."
)
_ERR_NOT_EQUITY: Final = "table must be the output of equity_table(); missing column(s) {missing}"


def complement_rows(
    keys: pd.DataFrame,
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    hidden: npt.ArrayLike,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> BoolArray:
    """Rows to hide besides ``hidden`` so that, with every total published, no hidden
    numerator, denominator or count without the outcome (denominator - numerator) can be
    narrowed below ``policy.protection`` by an attacker.

    ``keys`` holds one to three columns identifying each row (its cell in the table).
    ``suppress.complementary`` is run on the numerators, the denominators and the counts
    without the outcome; the union of the protected patterns with ``hidden`` is protected too (hiding more
    only widens what an attacker can prove).
    """
    dims = list(keys.columns)
    hide = np.asarray(hidden, dtype=bool)
    extra = np.zeros(len(keys), dtype=bool)
    x, n = np.asarray(numerator), np.asarray(denominator)
    for values in (x, n, n - x):
        if not policy.small_count(values).any():
            continue
        cells = keys.reset_index(drop=True).assign(_count=values.astype(np.int64))
        result = suppress.complementary(
            cells,
            dims=dims,
            count="_count",
            threshold=policy.threshold,
            protection=policy.width,
            suppress_zeros=policy.suppress_zeros,
        )
        extra |= result["suppressed"].to_numpy(dtype=bool) & ~hide
    return extra


def _labels(table: pd.DataFrame, columns: list[str], default: str) -> pd.Series:
    if not columns:
        return pd.Series(default, index=table.index, dtype=object)
    parts = [table[c].astype(object).where(table[c].notna(), MISSING_KEY).astype(str) for c in columns]
    out = parts[0]
    for part in parts[1:]:
        out = out + JOIN + part
    return out


def _reference(reference: compare.Reference, by: list[str]) -> compare.Reference:
    """A named group given as a tuple of ``by`` values becomes its joined label."""
    if isinstance(reference, (tuple, list)) and len(reference) == 2 and reference[0] == "group":
        value = reference[1]
        if isinstance(value, (tuple, list)) and len(value) == len(by):
            return ("group", JOIN.join(map(str, value)))
        return ("group", str(value))
    return reference


def equity_table(
    frame: pd.DataFrame,
    *,
    by: str | Sequence[str],
    outcome: str,
    reference: compare.Reference,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    strata: str | Sequence[str] | None = None,
    favourable: compare.Favourable = "low",
    confidence: float = disaggregate.DEFAULT_CONFIDENCE,
    method: disaggregate.IntervalMethod = "wilson",
    publish_totals: bool = True,
    noun: str = "people",
) -> pd.DataFrame:
    """Every group's rate and its disparity from a named reference, with every disclosure
    decision recorded as a column. Pass the result to :func:`published` to get what may
    be shown.

    Parameters
    ----------
    frame
        Person-level frame.
    by
        Column(s) whose combinations are the groups compared (joined in ``group``).
    outcome
        Boolean (or 0/1) column. People whose outcome is missing are counted in
        ``missing``, never silently dropped.
    reference
        Required, no default (see ``compare.REFERENCES``): ``"total"``, ``"best"``
        (among published, reliable groups), ``"others"``, ``("group", name)`` (name a
        label, or a tuple of ``by`` values) or ``("target", value)``.
    policy
        The disclosure and reliability rules (default ``policy.DEFAULT_POLICY``).
    strata
        Column(s) to compare within (e.g. neighbourhood): each stratum has its own
        reference and totals.
    favourable, confidence, method
        As in ``compare.disparities`` and ``disaggregate.rates``; ``favourable`` is
        also kept as a column.
    publish_totals
        True (default) when a total of the table is published (also implied by the
        "total" and "others" references): complementary suppression then hides enough
        further groups that no hidden count comes back by subtraction.
    noun
        Who is counted, for the headline ("children").

    Returns
    -------
    DataFrame
        One row per stratum and group: the strata and ``by`` columns, ``stratum``,
        ``group``, ``numerator``, ``denominator``, ``missing``, ``rate``, ``lower``,
        ``upper``, ``rse``, ``reliable``, ``flag``, ``reference_label``,
        ``reference_rate``, ``ratio`` and ``difference`` with their intervals, ``rank``,
        ``is_reference``, ``favourable``, ``confidence``, ``threshold``, and the
        disclosure decisions: ``suppressed`` (the row's own counts are small),
        ``complementary``, ``reference_suppressed`` (its comparison rests on a hidden
        reference), ``missing_small``, ``reason``, ``warning`` (e.g. a zero reference
        rate, named) and ``headline`` (from every row: not for publication).
    """
    frame = check_frame(frame, "frame")
    rule = as_policy(policy)
    by_columns = as_columns(by, "by")
    if not by_columns:
        raise ValueError(_ERR_BY)
    strata_columns = as_columns(strata, "strata") if strata is not None else []
    both = sorted(set(by_columns) & set(strata_columns))
    if both:
        raise ValueError(_ERR_OVERLAP.format(strata=strata_columns, by=by_columns, both=both))
    require_columns(frame, [*strata_columns, *by_columns], "by/strata")
    check_choice(favourable, compare.FAVOURABLE, "favourable")
    confidence = check_confidence(confidence)
    ref = _reference(reference, by_columns)

    table = disaggregate.rates(
        frame,
        by=[*strata_columns, *by_columns],
        outcome=outcome,
        method=method,
        confidence=confidence,
        min_numerator=rule.min_numerator,
        max_rse=rule.max_rse,
    )
    position = len(strata_columns) + len(by_columns)
    for name, columns, default in ((STRATUM, strata_columns, ALL_STRATA), (GROUP, by_columns, "")):
        labels = _labels(table, columns, default)
        if name in table.columns:  # a by/strata column of that name: keep it, as labels
            table[name] = labels
        else:
            table.insert(position, name, labels)
            position += 1
    x = table["numerator"].to_numpy(dtype=np.int64)
    n = table["denominator"].to_numpy(dtype=np.int64)
    small = rule.small(x, n)
    complement = np.zeros(len(table), dtype=bool)
    if publish_totals or ref in ("total", "others"):
        dims = [STRATUM, GROUP] if strata_columns else [GROUP]
        try:
            complement = complement_rows(table[dims], x, n, small, rule)
        except ValueError as error:
            raise ValueError(_ERR_COMPLEMENT.format(detail=str(error))) from None
    hidden = small | complement

    comparison = pd.DataFrame(index=table.index, columns=list(COMPARISON_COLUMNS), dtype=float)
    comparison["reference_label"] = ""
    comparison["rank"] = pd.array([pd.NA] * len(table), dtype="Int64")
    comparison["is_reference"] = False
    reference_hidden = np.zeros(len(table), dtype=bool)
    warnings = [""] * len(table)
    for _, rows in table.groupby(STRATUM, sort=False).groups.items():
        part = table.loc[rows]
        usable = part[part["denominator"] > 0]
        if usable.empty:
            continue
        selectable = usable.assign(reliable=usable["reliable"] & ~hidden[usable.index])
        if isinstance(ref, tuple) and ref[0] == "group" and ref[1] not in set(usable[GROUP]):
            for i in rows:
                warnings[i] = WARN_NO_REFERENCE.format(name=ref[1])
            continue
        result = compare.disparities(
            selectable[[GROUP, "numerator", "denominator", "reliable"]].reset_index(drop=True),
            group=GROUP,
            reference=ref,
            favourable=favourable,
            confidence=confidence,
        )
        result.index = usable.index
        for column in (*COMPARISON_COLUMNS, "reference_label", "rank", "is_reference"):
            comparison.loc[usable.index, column] = result[column].to_numpy()
        xs, ns = usable["numerator"].to_numpy(), usable["denominator"].to_numpy()
        if ref == "total":
            hide_ref = np.full(len(usable), bool(rule.small([xs.sum()], [ns.sum()])[0]))
        elif ref == "others":
            hide_ref = rule.small(xs.sum() - xs, ns.sum() - ns)
        elif isinstance(ref, tuple) and ref[0] == "target":
            hide_ref = np.zeros(len(usable), dtype=bool)
        else:
            which = result["is_reference"].to_numpy(dtype=bool)
            hide_ref = np.full(len(usable), bool(hidden[usable.index[which]].any()))
        reference_hidden[usable.index] = hide_ref
        zero = result["reference_rate"].to_numpy(dtype=float) == 0
        for i, flag in zip(usable.index, zero, strict=True):
            if flag:
                warnings[i] = WARN_ZERO_REFERENCE.format(label=result["reference_label"].iloc[0])

    out = table
    for column in (*COMPARISON_COLUMNS, "reference_label", "rank", "is_reference"):
        out[column] = comparison[column]
    out["rank"] = out["rank"].astype("Int64")
    out["is_reference"] = out["is_reference"].astype(bool)
    out["favourable"] = favourable
    out["confidence"] = confidence
    out["threshold"] = rule.threshold
    out["suppressed"] = small
    out["complementary"] = complement
    out["reference_suppressed"] = reference_hidden
    missing = out["missing"].to_numpy(dtype=np.int64)
    out["missing_small"] = rule.small_count(missing)
    out["reason"] = _reasons(x, n, complement, rule)
    people = n + missing
    with np.errstate(divide="ignore", invalid="ignore"):
        material = np.where(people > 0, missing / people, 0.0) > MATERIAL_MISSING_SHARE
    out["warning"] = [
        "; ".join(w for w in (warn, WARN_MISSING if m else "") if w) for warn, m in zip(warnings, material, strict=True)
    ]
    out["headline"] = _headlines(out, noun=noun)
    return out


def _reasons(x: np.ndarray, n: np.ndarray, complement: BoolArray, rule: DisclosurePolicy) -> list[str]:
    reasons = []
    for xi, ni, ci in zip(x.tolist(), n.tolist(), complement.tolist(), strict=True):
        parts = []
        if 0 < xi < rule.k:
            parts.append(REASON_NUMERATOR.format(top=rule.largest_hidden))
        if ni < rule.k:
            parts.append(REASON_DENOMINATOR.format(k=rule.k))
        if rule.suppress_zeros and xi == 0:
            parts.append(REASON_ZERO)
        if ci:
            parts.append(REASON_COMPLEMENT)
        reasons.append("; ".join(parts))
    return reasons


def _headlines(table: pd.DataFrame, *, noun: str, hidden_reference: BoolArray | None = None) -> list[str]:
    """One sentence per stratum from the rows given (published or not)."""
    sentences = pd.Series("", index=table.index, dtype=object)
    for _, rows in table.groupby(STRATUM, sort=False).groups.items():
        part = table.loc[rows]
        label = str(part["reference_label"].iloc[0])
        if hidden_reference is not None and hidden_reference[table.index.get_indexer(rows)].any():
            sentence = HEADLINE_HIDDEN_REFERENCE.format(label=label or "the chosen reference")
        elif not label:
            sentence = ""
        else:
            shown = part[part["ratio"].notna()]
            if shown.empty:
                sentence = f"{label[:1].upper()}{label[1:]}, no group's disparity can be published."
            else:
                sentence = compare.headline(
                    shown[[GROUP, *COMPARISON_COLUMNS, "reference_label", "rank", "confidence", "reliable", "flag"]],
                    noun=noun,
                    group=GROUP,
                    favourable=str(part["favourable"].iloc[0]),  # type: ignore[arg-type]
                )
        groups_missing = part.loc[part["warning"].str.contains(WARN_MISSING, regex=False), GROUP].tolist()
        if groups_missing and sentence:
            sentence += HEADLINE_MISSING.format(groups=", ".join(map(str, groups_missing)))
        sentences.loc[rows] = sentence
    return sentences.tolist()


def published(table: pd.DataFrame, *, noun: str = "people") -> pd.DataFrame:
    """What may be shown of an :func:`equity_table`: protection applied last, to every
    derived column.

    A hidden row (its own counts are small, or it is a complementary suppression) loses
    its counts, rate, interval, RSE, reliability flag, comparisons and rank. A row whose
    reference is hidden loses its comparisons (ratio times reference rate, or difference
    plus reference rate, would give the hidden rate back), and so does the reference
    rate itself. ``missing`` is blanked where it is small. Every hidden row has the same ``status``
    and no ``reason`` (knowing which are complements would narrow the others). Ranks are recomputed among
    the published comparisons only, and the headline is rebuilt from them. ``status``
    says what was hidden.
    """
    table = check_frame(table, "table")
    needed = ["suppressed", "complementary", "reference_suppressed", "missing_small", GROUP, STRATUM]
    absent = [c for c in needed if c not in table.columns]
    if absent:
        raise ValueError(_ERR_NOT_EQUITY.format(missing=absent))
    out = table.copy()
    own = out["suppressed"].to_numpy(dtype=bool)
    hide = own | out["complementary"].to_numpy(dtype=bool)
    no_reference = out["reference_suppressed"].to_numpy(dtype=bool)
    for column in ("numerator", "denominator"):
        out[column] = out[column].astype("Int64").mask(hide)
    out["missing"] = out["missing"].astype("Int64").mask(hide | out["missing_small"].to_numpy(dtype=bool))
    for column in RATE_COLUMNS:
        out[column] = out[column].astype(float).mask(hide)
    out["reliable"] = out["reliable"].astype("boolean").mask(hide)
    out["flag"] = out["flag"].astype(object).where(~hide, "")
    for column in COMPARISON_COLUMNS:
        out[column] = out[column].astype(float).mask(hide | no_reference)
    out["is_reference"] = out["is_reference"] & ~no_reference
    ranks = pd.Series(pd.NA, index=out.index, dtype="Int64")
    for _, rows in out.groupby(STRATUM, sort=False).groups.items():
        part = out.loc[rows]
        score = part["ratio"].where(~part["is_reference"])
        ascending = str(part["favourable"].iloc[0]) == "high"
        ranks.loc[rows] = score.rank(method="min", ascending=ascending).astype("Int64")
    out["rank"] = ranks
    # One status for every hidden row: saying which were complements would tell an
    # attacker those counts are not small, which narrows the hidden ones.
    out["status"] = np.where(hide, STATUS_SUPPRESSED, STATUS_PUBLISHED)
    out["headline"] = _headlines(out, noun=noun, hidden_reference=no_reference)
    return out.drop(columns=["suppressed", "complementary", "reference_suppressed", "missing_small", "reason"])
