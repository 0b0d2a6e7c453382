"""Check your own table: ``python -m equitylens protect table.csv --dims a,b --count n``.

Reads a count table (one row per cell), applies the disclosure policy with
complementary suppression (every margin is assumed published), and writes the
protected table and a Markdown audit report: which cells are hidden and why, the
range an attacker who knows every published cell and margin can prove for each, and
which groups lose cells. It never overwrites its input, nor an existing output unless
``--force``. A bad table gets one message naming the row and the fix, and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from equitylens.methods import attack, suppress
from equitylens.methods.policy import DEFAULT_POLICY, THRESHOLD_PRESETS, DisclosurePolicy

EXIT_OK: Final = 0
EXIT_BAD_INPUT: Final = 2
HIDDEN_MARK: Final = ""  # hidden cells are written as empty fields

WHY_PRIMARY: Final = "primary: the count is from 1 to {top}"
WHY_ZERO: Final = "primary: a zero, and the policy hides zeros"
WHY_COMPLEMENT: Final = "complementary: hidden so a primary cell cannot be worked out from the totals"


class TableError(ValueError):
    """A problem with the user's table, with the row and the fix in its message."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m equitylens protect",
        description="Protect a count table: hide small counts, and enough others that no total gives them back.",
    )
    parser.add_argument("table", help="CSV file, one row per cell: the dimension columns and a count column")
    parser.add_argument("--dims", required=True, help="comma-separated dimension columns (1 to 3), e.g. race,age_band")
    parser.add_argument("--count", default="n", help="the count column (default: n)")
    parser.add_argument(
        "--threshold",
        default=DEFAULT_POLICY.preset or str(DEFAULT_POLICY.k),
        help=f"smallest publishable count, or a preset: {', '.join(THRESHOLD_PRESETS)} (default: cms)",
    )
    parser.add_argument("--protection", type=int, default=None, help="narrowest range an attacker may be left with")
    parser.add_argument("--suppress-zeros", action="store_true", help="hide zero counts too")
    parser.add_argument("--out", required=True, help="where to write the protected CSV")
    parser.add_argument("--report", default=None, help="where to write the Markdown audit (default: OUT with .md)")
    parser.add_argument("--force", action="store_true", help="overwrite existing output files (never the input)")
    return parser


def _policy(threshold: str, protection: int | None, suppress_zeros: bool) -> DisclosurePolicy:
    value: int | str = int(threshold) if threshold.strip().isdigit() else threshold.strip()
    return DisclosurePolicy(threshold=value, protection=protection, suppress_zeros=suppress_zeros)


def _line(index: int) -> str:
    return f"row {index + 1} (line {index + 2} of the file)"


def read_table(path: Path, dims: list[str], count: str) -> pd.DataFrame:
    """Read and check the user's CSV; raise TableError naming the row and the fix."""
    if not path.is_file():
        raise TableError(f"{path}: file not found. Fix: give the path of a CSV file.")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise TableError(f"{path}: not a readable CSV ({error}). Fix: save it as comma-separated UTF-8.") from None
    if not dims or len(dims) > max(attack.ALLOWED_DIMS) or len(set(dims)) != len(dims):
        raise TableError(f"--dims {','.join(dims)!r}: name 1 to 3 different columns. Fix: e.g. --dims race,age_band.")
    missing = [c for c in [*dims, count] if c not in table.columns]
    if missing:
        raise TableError(
            f"{path}: no column(s) {missing}; the file has {list(table.columns)}. "
            "Fix: check --dims and --count against the header row."
        )
    if count in dims:
        raise TableError(f"--count {count!r} is also in --dims. Fix: the count column is not a dimension.")
    for column in dims:
        blank = np.flatnonzero(table[column].str.strip() == "")
        if len(blank):
            raise TableError(
                f"{_line(int(blank[0]))}: {column!r} is empty. Fix: label every cell (e.g. 'Not reported')."
            )
    raw = table[count].str.strip()
    numbers = pd.to_numeric(raw, errors="coerce")
    bad = np.flatnonzero(numbers.isna() | (numbers < 0) | (numbers != np.round(numbers)))
    if len(bad):
        i = int(bad[0])
        raise TableError(
            f"{_line(i)}: {count}={raw.iloc[i]!r} is not a whole number >= 0. "
            "Fix: counts must be whole numbers of people (no blanks, decimals, negatives or text)."
        )
    repeated = table[table.duplicated(subset=dims, keep=False)]
    if len(repeated):
        first = repeated.iloc[0]
        rows = [int(i) + 1 for i in repeated.index[(repeated[dims] == first[dims]).all(axis=1)]]
        cell = ", ".join(f"{d}={first[d]!r}" for d in dims)
        raise TableError(
            f"rows {rows} repeat the cell ({cell}). Fix: add them up into one row per cell, "
            "or add the dimension that tells them apart to --dims."
        )
    out = table[dims].copy()
    out[count] = numbers.astype(np.int64)
    return out


def check_margins(table: pd.DataFrame, dims: list[str], count: str, policy: DisclosurePolicy) -> None:
    """Margins are always published: a small one cannot be protected by hiding cells."""
    totals = suppress.margins(table, dims=dims, count=count)
    small = totals[policy.small_count(totals[count])]
    if len(small):
        row = small.iloc[0]
        kept = [d for d in dims if not pd.isna(row[d])]
        where = ", ".join(f"{d}={row[d]!r}" for d in kept) or "the grand total"
        raise TableError(
            f"the published total for {where} is {int(row[count])}, below the threshold of {policy.k}. "
            "Fix: combine that group with another (e.g. into 'Another race or ethnicity'), or drop a dimension."
        )


def protect(table: pd.DataFrame, dims: list[str], count: str, policy: DisclosurePolicy) -> pd.DataFrame:
    """Complementary suppression under ``policy``; TableError when it cannot be done."""
    check_margins(table, dims, count, policy)
    try:
        return suppress.complementary(
            table,
            dims=dims,
            count=count,
            threshold=policy.threshold,
            protection=policy.width,
            suppress_zeros=policy.suppress_zeros,
        )
    except ValueError as error:
        raise TableError(str(error)) from None


def report(
    result: pd.DataFrame, dims: list[str], count: str, policy: DisclosurePolicy, *, source: str, out: str
) -> str:
    """The Markdown audit: hidden cells, why, the attacker's range, groups losing cells."""
    hidden = result["suppressed"].to_numpy(dtype=bool)
    primary = result["reason"].str.startswith("count") | result["reason"].str.startswith("zero")
    lines = [
        f"# Disclosure audit for `{source}`",
        "",
        f"Protected table: `{out}`. Rule: {policy.rule()}",
        f"Threshold source: {policy.source()}",
        f"Protection: an attacker who knows every published cell and every total must be left with a range "
        f"of at least {policy.width} for each hidden cell.",
        "",
        f"- cells: {len(result)}",
        f"- hidden because small (primary): {int((hidden & primary).sum())}",
        f"- hidden to protect them (complementary): {int((hidden & ~primary).sum())}",
        "",
    ]
    if not hidden.any():
        lines.append("No cell needed hiding.")
        return "\n".join(lines) + "\n"
    ranges = attack.intervals(result, dims=dims, count=count, protection=policy.width)
    lines += ["## Hidden cells", "", "| " + " | ".join(dims) + " | why | attacker's range |"]
    lines.append("|" + "---|" * (len(dims) + 2))
    reasons = result.loc[hidden].reset_index(drop=True)
    for i, row in ranges.iterrows():
        why = WHY_COMPLEMENT if not bool(primary[hidden].iloc[int(str(i))]) else WHY_PRIMARY.format(top=policy.k - 1)
        if str(reasons.loc[int(str(i)), "reason"]).startswith("zero"):
            why = WHY_ZERO
        cells = " | ".join(str(row[d]) for d in dims)
        lines.append(f"| {cells} | {why} | {int(row['lower'])} to {int(row['upper'])} |")
    at_risk = int(ranges["at_risk"].sum())
    lines += [
        "",
        f"Cells an attacker can narrow below {policy.width}: {at_risk}"
        + (" (do not publish this table)." if at_risk else "."),
        "",
        "## Groups that lose cells",
        "",
        "Hiding is not neutral: these groups lose numbers from the published table.",
        "",
    ]
    for d in dims:
        lost = result.loc[hidden, d].astype(str).value_counts(sort=False)
        listed = ", ".join(f"{g} ({k} of {int((result[d].astype(str) == g).sum())})" for g, k in lost.items())
        lines.append(f"- **{d}**: {listed}")
    return "\n".join(lines) + "\n"


def run(argv: Sequence[str]) -> int:
    """Run the command; return the exit code."""
    args = _parser().parse_args(list(argv))
    source, target = Path(args.table), Path(args.out)
    notes = Path(args.report) if args.report else target.with_suffix(".md")
    dims = [d.strip() for d in str(args.dims).split(",") if d.strip()]
    try:
        policy = _policy(args.threshold, args.protection, args.suppress_zeros)
        for path in (target, notes):
            if source.exists() and path.resolve() == source.resolve():
                raise TableError(f"{path} is the input table. Fix: write the output to another file.")
            if path.exists() and not args.force:
                raise TableError(f"{path} already exists. Fix: choose another --out/--report, or add --force.")
        table = read_table(source, dims, args.count)
        result = protect(table, dims, args.count, policy)
    except (TableError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    safe = result[dims].copy()
    safe[args.count] = result["published"]
    target.parent.mkdir(parents=True, exist_ok=True)
    safe.to_csv(target, index=False, na_rep=HIDDEN_MARK, lineterminator="\n")
    notes.write_text(report(result, dims, args.count, policy, source=source.name, out=target.name), encoding="utf-8")
    hidden = int(result["suppressed"].sum())
    print(f"wrote {target} ({hidden} of {len(result)} cells hidden) and {notes}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point for ``python -m equitylens protect``."""
    sys.exit(run(sys.argv[1:] if argv is None else argv))
