"""Publishing analytic files: small-cell protection for rate tables, and a Frictionless data package.

The framework asks analysts to share clear documentation of the analysis along with the
analytic files, so that others can reproduce the results. Here that means: every table
a page shows is a summary table with its small cells removed, and the same tables can
be written out, with a schema, as a Frictionless data package that anyone can validate.

>>> import pandas as pd
>>> table = pd.DataFrame({"group": ["a", "b"], "numerator": [4, 40], "denominator": [100, 200], "rate": [0.04, 0.2]})
>>> protect_rates(table)[["group", "numerator", "rate", "status"]]
  group  numerator  rate      status
0     a       <NA>   NaN  suppressed
1     b         40   0.2   published
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from equitylens.methods import compare
from equitylens.methods.equity import (
    COMPARISON_COLUMNS,
    RATE_COLUMNS,
    STATUS_PUBLISHED,
    STATUS_SUPPRESSED,
    complement_rows,
)
from equitylens.methods.policy import DisclosurePolicy, as_policy
from equitylens.methods.validation import check_table as _check

# The columns a published table may hold counts in: each is checked against the policy.
COUNT_COLUMNS: Final[tuple[str, ...]] = ("numerator", "denominator", "n", "count", "people", "children")
ERR_ALREADY_PROTECTED: Final = (
    "{numerator!r} or {denominator!r} has missing values: the table looks already protected. "
    "Protect once, last, on the full table of counts."
)
PACKAGE_FILE: Final = "datapackage.json"
_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def protect_rates(
    table: pd.DataFrame,
    *,
    threshold: int | str | None = None,
    numerator: str = "numerator",
    denominator: str = "denominator",
    policy: DisclosurePolicy | None = None,
    complementary: bool | None = None,
) -> pd.DataFrame:
    """Blank the rows of a rate (or disparity) table that would disclose a small count.

    A row is suppressed when ``policy.small(numerator, denominator)``: its numerator is
    from 1 to ``threshold - 1``, or its denominator is below the threshold (default
    ``policy.DEFAULT_POLICY``; ``threshold``, if given, overrides the policy's). Its
    counts become missing (``Int64``), and every number derived from them NaN: the rate
    columns (``rate``, ``lower``, ``upper``, ``rse``) and, for the output of
    ``compare.disparities``, ``reference_rate``, the ratio and the difference with their
    intervals, and ``rank`` (published rows are ranked again among themselves). When a
    suppressed row is the reference, the comparison columns of *every* row are blanked
    (ratio times reference rate would give its rate back).

    ``complementary``: also hide enough other rows that no hidden numerator comes back
    by subtraction from a published total (``suppress.complementary`` on the
    numerators). Default: on for a disparity table compared with the total or with all
    other groups (such a table publishes the total), off otherwise. A ``status`` column
    says which rows were suppressed.
    """
    _check(table, [numerator, denominator], "table")
    rule = as_policy(policy, threshold)
    x = table[numerator].to_numpy(dtype=float)
    n = table[denominator].to_numpy(dtype=float)
    if np.isnan(x).any() or np.isnan(n).any():
        raise ValueError(ERR_ALREADY_PROTECTED.format(numerator=numerator, denominator=denominator))
    hidden = rule.small(x, n)
    status = np.where(hidden, STATUS_SUPPRESSED, STATUS_PUBLISHED).astype(object)
    labels = table["reference_label"].astype(str) if "reference_label" in table.columns else pd.Series([], dtype=str)
    totals_published = bool(labels.isin([compare.LABEL_TOTAL, compare.LABEL_OTHERS]).any())
    if (totals_published if complementary is None else complementary) and hidden.any() and len(table) > 1:
        extra = complement_rows(pd.DataFrame({"row": np.arange(len(x))}), x, n, hidden, rule)
        status[extra] = STATUS_SUPPRESSED  # the same word: naming complements would narrow the rest
        hidden |= extra
    out = table.copy()
    for column in (numerator, denominator):
        out[column] = out[column].astype("Int64").mask(hidden)
    derived = [c for c in (*RATE_COLUMNS, *COMPARISON_COLUMNS) if c in out.columns]
    for column in derived:
        out[column] = out[column].astype(float).mask(hidden)
    if "is_reference" in out.columns and (hidden & out["is_reference"].fillna(False).to_numpy(dtype=bool)).any():
        for column in [c for c in COMPARISON_COLUMNS if c in out.columns]:
            out[column] = np.nan
    if "rank" in out.columns:
        favourable = out["favourable"].iloc[0] if "favourable" in out.columns else "low"
        ranked = out["ratio"].where(~hidden) if "ratio" in out.columns else out["rank"].where(~hidden)
        if "is_reference" in out.columns:
            ranked = ranked.where(~out["is_reference"].fillna(False).astype(bool))
        out["rank"] = ranked.rank(method="min", ascending=favourable == "high").astype("Int64")
    out["status"] = status
    return out


def smallest_count(table: pd.DataFrame, *, counts: Sequence[str] = COUNT_COLUMNS) -> int | None:
    """The smallest non-zero count left in ``table``'s count columns (None if there is none)."""
    present = [c for c in counts if c in table.columns]
    values = pd.concat([table[c] for c in present], ignore_index=True) if present else pd.Series(dtype=float)
    values = pd.to_numeric(values, errors="coerce").dropna()
    values = values[values > 0]
    return int(values.min()) if len(values) else None


def small_cells(
    table: pd.DataFrame, *, policy: DisclosurePolicy | None = None, counts: Sequence[str] = COUNT_COLUMNS
) -> pd.DataFrame:
    """Every count a reader of ``table`` could see that the policy does not allow: a reviewer's check.

    A count column's value is small when ``policy.small_count`` says so; where a row shows
    both ``numerator`` and ``denominator``, the people without the outcome (their
    difference) are a count too. Returns ``row`` (the table's index), ``column`` and
    ``count``; an empty frame means nothing small is shown.
    """
    rule = as_policy(policy)
    found = []
    shown = {c: pd.to_numeric(table[c], errors="coerce") for c in counts if c in table.columns}
    if "numerator" in shown and "denominator" in shown:
        shown["denominator - numerator"] = shown["denominator"] - shown["numerator"]
    for column, values in shown.items():
        small = rule.small_count(values.to_numpy(dtype=float, na_value=np.nan))
        found.append(pd.DataFrame({"row": table.index[small], "column": column, "count": values[small].to_numpy()}))
    if not found:
        return pd.DataFrame({"row": [], "column": [], "count": []})
    return pd.concat(found, ignore_index=True).astype({"count": int})


def _field_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    return "string"


def table_schema(table: pd.DataFrame, *, descriptions: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A Frictionless Table Schema for ``table``, with optional field descriptions."""
    descriptions = descriptions or {}
    fields = []
    for column in table.columns:
        field: dict[str, Any] = {"name": str(column), "type": _field_type(table[column])}
        if str(column) in descriptions:
            field["description"] = descriptions[str(column)]
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def field_descriptions(policy: DisclosurePolicy | None = None) -> dict[str, str]:
    """What each column of a :func:`protect_rates` table means, with the rule that blanked it.

    >>> field_descriptions()["status"].startswith("published, or suppressed: Counts from 1 to")
    True
    """
    rule = as_policy(policy).rule()
    return {
        "numerator": "People with the outcome (blank if suppressed).",
        "denominator": "People in the group (blank if suppressed).",
        "rate": "numerator / denominator (blank if suppressed).",
        "lower": "Lower end of the 95% interval of the rate (blank if suppressed).",
        "upper": "Upper end of the 95% interval of the rate (blank if suppressed).",
        "status": f"{STATUS_PUBLISHED}, or {STATUS_SUPPRESSED}: {rule}",
    }


def data_package(
    tables: Mapping[str, pd.DataFrame],
    directory: Path | str,
    *,
    name: str,
    title: str,
    description: str,
    threshold: int | str | None = None,
    sources: Sequence[str] = (),
    descriptions: Mapping[str, Mapping[str, str]] | None = None,
    policy: DisclosurePolicy | None = None,
) -> Path:
    """Write published summary tables as a Frictionless data package and return its descriptor path.

    Every table must already be safe to publish: if :func:`small_cells` finds a count the
    policy does not allow (``policy``, default ``policy.DEFAULT_POLICY``; ``threshold``
    overrides its threshold) in any of ``COUNT_COLUMNS``, or as a denominator minus its
    numerator, this raises ``ValueError`` naming the table and the cell, so nothing small
    is ever written. Tables are written as CSV (missing values as empty cells) next to
    ``datapackage.json``, which records the threshold used, the rule in words and the
    ``sources``. Columns of :func:`protect_rates` get :func:`field_descriptions`;
    ``descriptions`` (per table, per column) adds to or replaces them.
    """
    if not tables:
        raise ValueError("tables is empty; pass at least one named summary table")
    if not _NAME.match(name):
        raise ValueError(f"name={name!r} must be lower-case letters, digits, '.', '_' or '-'")
    rule = as_policy(policy, threshold)
    standard = field_descriptions(rule)
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    resources = []
    for table_name, table in tables.items():
        if not _NAME.match(table_name):
            raise ValueError(f"table name {table_name!r} must be lower-case letters, digits, '.', '_' or '-'")
        _check(table, [], f"tables[{table_name!r}]")
        small = small_cells(table, policy=rule)
        if len(small):
            first = small.to_dict("records")[0]
            raise ValueError(
                f"tables[{table_name!r}] holds a count of {first['count']} ({first['column']}, row {first['row']!r}) "
                f"that the disclosure policy does not allow. {rule.rule()} "
                "Protect the table first (publish.protect_rates or suppress.primary)."
            )
        path = f"{table_name}.csv"
        table.to_csv(target / path, index=False, lineterminator="\n", na_rep="")
        resources.append(
            {
                "name": table_name,
                "path": path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(table, descriptions={**standard, **(descriptions or {}).get(table_name, {})}),
            }
        )
    descriptor = {
        "name": name,
        "title": title,
        "description": description,
        "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
        "sources": [{"title": s} for s in sources],
        "equitylens": {"suppression_threshold": rule.k, "rule": rule.rule()},
        "resources": resources,
    }
    out = target / PACKAGE_FILE
    out.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def read_package(path: Path | str) -> dict[str, pd.DataFrame]:
    """Read every resource of a package written by :func:`data_package` back into frames."""
    descriptor_path = Path(path)
    if descriptor_path.is_dir():
        descriptor_path = descriptor_path / PACKAGE_FILE
    if not descriptor_path.exists():
        raise ValueError(f"path={str(path)!r} has no {PACKAGE_FILE}")
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    return {
        r["name"]: pd.read_csv(descriptor_path.parent / r["path"], keep_default_na=False, na_values=[""])
        for r in descriptor["resources"]
    }
