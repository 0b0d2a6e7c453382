"""Equity checks for exercises: small cells, named references, reliability flags.

Each check takes a learner's answer and either returns a small :class:`CheckResult` or
raises ``AssertionError`` with a message that teaches: what is wrong, why it matters for
the people in the data, and what to do about it. Otter-grader shows that message when a
test fails, so the checks drop straight into an assignment's ``# BEGIN TESTS`` block.

**How to mark hidden cells** (the convention :func:`check_published_table` reads):

* put NA / ``None`` in the count column of every cell you hide, **or**
* keep the true counts and add a boolean ``suppressed`` column (``True`` = hidden), as
  :func:`equitylens.methods.suppress.primary` and :func:`equitylens.methods.suppress.complementary` do.

>>> import pandas as pd
>>> table = pd.DataFrame({"group": ["a", "b", "c"], "n": [40, 25, 30]})
>>> check_published_table(table, dims=["group"], count="n").passed
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from equitylens.methods import attack
from equitylens.methods.policy import DEFAULT_THRESHOLD, resolve_threshold
from equitylens.methods.validation import check_frame, require_columns

SUPPRESSED_COLUMN: Final = "suppressed"
RELIABILITY_COLUMNS: Final[tuple[str, ...]] = ("reliable", "flag", "rse")
# Words that show a sentence names what a group is compared with.
REFERENCE_WORDS: Final = re.compile(
    r"\b(compared (with|to)|relative to|versus|vs\.?|than|reference|benchmark|target)\b",
    re.IGNORECASE,
)

MSG_SMALL_VISIBLE: Final = (
    "{n} cell(s) with a count from 1 to {top} can still be seen: {cells}. A count this small "
    "can point to a real person, so agencies hide it (threshold={threshold}). Fix: hide these "
    "cells — set their count to NA, or mark them suppressed=True — for example with "
    "suppress.primary(table, count=..., threshold={threshold})."
)
MSG_RECOVERABLE: Final = (
    "{n} hidden cell(s) can be worked out from the published totals: {cells}. Anyone can "
    "subtract the visible cells from a row or column total. Fix: hide at least one more cell "
    "in the same row and column (complementary suppression), for example with "
    "suppress.complementary(table, dims=..., count=...)."
)
MSG_NO_REFERENCE_TABLE: Final = (
    "This disparity table does not say what each group is compared with. A ratio means "
    "nothing until a reader knows the reference, and silently using White as the norm "
    "centres whiteness. Fix: build it with compare.disparities(..., reference=...) so it "
    "carries a reference_label column, and say why you chose that reference."
)
MSG_NO_REFERENCE_TEXT: Final = (
    "This sentence states a disparity but does not name what the group is compared with: "
    "{text!r}. Fix: add the reference, e.g. 'compared with the total population' or "
    "'compared with all other groups combined', and say why you chose it."
)
MSG_EMPTY_TEXT: Final = "The disparity statement is empty. Write one sentence that names the reference group."
MSG_NO_RELIABILITY: Final = (
    "This table splits people into groups but does not say how reliable each cell's figure "
    "is. Small groups give unstable rates, and readers may over-read them. Fix: add a "
    "'reliable' column (True/False) with a 'flag' giving the reason, or an 'rse' column — "
    "disaggregate.rates() adds all three."
)
MSG_RELIABILITY_MISSING: Final = (
    "The reliability column {column!r} is blank for {n} cell(s): {cells}. Every cell needs "
    "a verdict. Fix: fill it in for every row (disaggregate.rates() does)."
)

_ERR_RESULT: Final = "result_or_text must be a DataFrame from compare.disparities() or a str, got {kind}"


@dataclass(frozen=True)
class CheckResult:
    """What a passing check found: its name, a plain-language message and the cells."""

    check: str
    passed: bool
    message: str
    details: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        return f"{self.check}: {self.message}"


def _where(table: pd.DataFrame, dims: Sequence[str], limit: int = 3) -> str:
    labels = ["(" + ", ".join(f"{d}={row[d]!s}" for d in dims) + ")" for _, row in table.head(limit).iterrows()]
    more = f" and {len(table) - limit} more" if len(table) > limit else ""
    return "; ".join(labels) + more


def hidden_cells(table: pd.DataFrame, *, count: str) -> pd.Series:
    """Which cells a learner has hidden: NA in ``count`` or ``suppressed`` is True."""
    table = check_frame(table, "table")
    require_columns(table, [count], "count")
    hidden = table[count].isna()
    if SUPPRESSED_COLUMN in table.columns:
        hidden = hidden | table[SUPPRESSED_COLUMN].fillna(False).astype(bool)
    return hidden.astype(bool).rename("hidden")


def check_published_table(
    table: pd.DataFrame,
    *,
    dims: Sequence[str],
    count: str,
    threshold: int = DEFAULT_THRESHOLD,
    original: pd.DataFrame | None = None,
    original_count: str | None = None,
) -> CheckResult:
    """Check a table a learner means to publish: no small cell visible, none recoverable.

    Parameters
    ----------
    table
        One row per cell: the ``dims`` columns and ``count``. Hidden cells hold NA in
        ``count`` or ``True`` in a ``suppressed`` column (see the module docstring).
    dims
        The table's dimensions (one to three columns).
    count
        The column a reader would see.
    threshold
        Smallest count that may be shown (default 11, the CMS rule).
    original
        The true, unsuppressed table (same ``dims``), needed to test whether hidden cells
        can be worked out when they are blanked with NA. Not needed when ``table`` keeps
        its true counts beside a ``suppressed`` column.
    original_count
        The count column of ``original`` (default: ``count``).

    Raises
    ------
    AssertionError
        A visible count from 1 to ``threshold - 1``, or a hidden cell an attacker who
        knows every margin can narrow to fewer than ``threshold`` possible values.
    """
    table = check_frame(table, "table")
    columns = [dims] if isinstance(dims, str) else list(dims)
    require_columns(table, [*columns, count], "dims/count")
    k = resolve_threshold(threshold)
    hidden = hidden_cells(table, count=count)
    values = pd.to_numeric(table[count], errors="coerce")
    small = (~hidden) & (values >= 1) & (values < k)
    if small.any():
        cells = table.loc[small, [*columns, count]]
        where = ", ".join(f"{_where(cells.iloc[[i]], columns)} = {v}" for i, v in enumerate(cells[count].head(3)))
        where += f" and {len(cells) - 3} more" if len(cells) > 3 else ""
        raise AssertionError(MSG_SMALL_VISIBLE.format(n=int(small.sum()), top=k - 1, cells=where, threshold=k))

    truth = _true_counts(table, columns, count, hidden, original, original_count)
    if truth is None or not hidden.any():
        note = "no cell is hidden" if not hidden.any() else "recovery not tested: pass original= to test it"
        return CheckResult(
            "check_published_table",
            True,
            f"No count from 1 to {k - 1} is visible ({note}).",
            table.loc[hidden, columns].reset_index(drop=True),
        )
    work = table[columns].copy()
    work["n"] = truth
    work[SUPPRESSED_COLUMN] = hidden.to_numpy()
    found = attack.intervals(work, dims=columns, count="n", suppressed=SUPPRESSED_COLUMN, protection=k)
    risky = found[found["at_risk"]]
    if len(risky):
        ranges = [
            f"{_where(risky.iloc[[i]], columns)} can be narrowed to {lower}-{upper}"
            for i, (lower, upper) in enumerate(zip(risky["lower"].head(3), risky["upper"].head(3), strict=True))
        ]
        more = f" and {len(risky) - 3} more" if len(risky) > 3 else ""
        raise AssertionError(MSG_RECOVERABLE.format(n=len(risky), cells="; ".join(ranges) + more))
    return CheckResult(
        "check_published_table",
        True,
        f"No count from 1 to {k - 1} is visible, and none of the {int(hidden.sum())} hidden cell(s) "
        "can be worked out from the totals.",
        found,
    )


def _true_counts(
    table: pd.DataFrame,
    columns: list[str],
    count: str,
    hidden: pd.Series,
    original: pd.DataFrame | None,
    original_count: str | None,
) -> pd.Series | None:
    if original is not None:
        original = check_frame(original, "original")
        source = original_count or count
        require_columns(original, [*columns, source], "original")
        merged = table[columns].merge(original[[*columns, source]], on=columns, how="left", validate="one_to_one")
        if merged[source].isna().any():
            raise ValueError("original: some cells of table are missing from original; pass the full true table")
        return merged[source].astype("int64").set_axis(table.index)
    if SUPPRESSED_COLUMN in table.columns and not table[count].isna().any():
        return table[count].astype("int64")
    return None


def check_disparity_statement(result_or_text: pd.DataFrame | str) -> CheckResult:
    """Check that a disparity names its reference: a ``compare.disparities`` table or a sentence.

    >>> check_disparity_statement("Compared with the total population, the rate is 1.4 times as high.").passed
    True
    """
    if isinstance(result_or_text, pd.DataFrame):
        frame = result_or_text
        labels = frame["reference_label"].dropna().astype(str) if "reference_label" in frame.columns else None
        if labels is None or labels.str.strip().eq("").all():
            raise AssertionError(MSG_NO_REFERENCE_TABLE)
        label = labels.iloc[0]
        return CheckResult("check_disparity_statement", True, f"The table names its reference: {label}.")
    if isinstance(result_or_text, str):
        text = result_or_text.strip()
        if not text:
            raise AssertionError(MSG_EMPTY_TEXT)
        match = REFERENCE_WORDS.search(text)
        if match is None:
            raise AssertionError(MSG_NO_REFERENCE_TEXT.format(text=text))
        return CheckResult("check_disparity_statement", True, f"The sentence names a reference ({match.group(0)!r}).")
    raise ValueError(_ERR_RESULT.format(kind=type(result_or_text).__name__))


def check_reliability_reported(table: pd.DataFrame) -> CheckResult:
    """Check that every cell of a disaggregated table says how reliable it is.

    >>> t = pd.DataFrame({"group": ["a", "b"], "rate": [0.1, 0.2], "reliable": [True, False],
    ...                   "flag": ["", "numerator under 20"]})
    >>> check_reliability_reported(t).message
    '1 of 2 cell(s) flagged as unreliable; readers can see which.'
    """
    table = check_frame(table, "table")
    present = [c for c in RELIABILITY_COLUMNS if c in table.columns]
    if "reliable" not in present and "rse" not in present:
        raise AssertionError(MSG_NO_RELIABILITY)
    column = "reliable" if "reliable" in present else "rse"
    blank = table[column].isna()
    if column == "rse" and "reliable" not in present:
        blank = blank & ~table.get("flag", pd.Series("", index=table.index)).astype(bool)
    if blank.any():
        labels = [c for c in table.columns if c not in (*RELIABILITY_COLUMNS, "rate", "numerator", "denominator")][:2]
        raise AssertionError(
            MSG_RELIABILITY_MISSING.format(column=column, n=int(blank.sum()), cells=_where(table[blank], labels))
        )
    if column == "reliable":
        unreliable = int((~table["reliable"].astype(bool)).sum())
        message = f"{unreliable} of {len(table)} cell(s) flagged as unreliable; readers can see which."
    else:
        message = f"Every one of the {len(table)} cell(s) reports its relative standard error."
    return CheckResult("check_reliability_reported", True, message, table[present].reset_index(drop=True))
