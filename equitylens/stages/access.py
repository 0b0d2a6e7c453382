"""Stage 3, data access: the county's data sorted into open, restricted and unavailable.

The tiers and the reasons live in ``book/data/access_tiers.yml``. ``load_tiers``
reads and checks them (every unavailable item must give one of the paper's kinds
of reason), ``tiers_table`` returns them as a DataFrame, and ``tiers_html``
renders them for the book.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pandas as pd

from equitylens.data import content, schema
from equitylens.methods.policy import DEFAULT_POLICY
from equitylens.stages import planning

TIERS_FILE: Final = "access_tiers.yml"
TIERS: Final[tuple[str, ...]] = ("Open", "Restricted", "Unavailable")
# The paper's reasons why data may be unavailable: statute, legislation, data quality,
# not digitised, undue burden in preparation, or other stated concerns.
UNAVAILABLE_REASONS: Final[tuple[str, ...]] = (
    "statute",
    "legislation",
    "data quality",
    "not digitised",
    "undue burden",
    "other concern",
)


def load_tiers(path: Path | str | None = None) -> dict[str, Any]:
    """Read and check the access tiers file."""
    where = Path(path) if path else content.DATA_DIR / TIERS_FILE
    data = content.read_yaml(where)
    if not isinstance(data, dict) or not data.get("tiers") or not data.get("items"):
        raise ValueError(f"{where} must hold a 'tiers' list and an 'items' list")
    names = [t.get("tier") for t in data["tiers"]]
    if names != list(TIERS):
        raise ValueError(f"{where}: tiers must be {list(TIERS)} in that order, got {names}")
    for i, item in enumerate(data["items"]):
        missing = [k for k in ("item", "table", "tier", "reason_kind", "reason") if not item.get(k)]
        if missing:
            raise ValueError(f"{where}: item {i} is missing {missing}")
        if item["tier"] not in TIERS:
            raise ValueError(f"{where}: item {item['item']!r} has tier {item['tier']!r}; choose from {list(TIERS)}")
        if item["table"] not in schema.SCHEMAS:
            raise ValueError(f"{where}: item {item['item']!r} names unknown table {item['table']!r}")
        if item["tier"] == "Unavailable" and item["reason_kind"] not in UNAVAILABLE_REASONS:
            raise ValueError(
                f"{where}: unavailable item {item['item']!r} must give reason_kind from {list(UNAVAILABLE_REASONS)}"
            )
    return data


def tiers_table(data: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per item: ``tier``, ``item``, ``table``, ``reason_kind``, ``reason``, in tier order."""
    data = data or load_tiers()
    frame = pd.DataFrame(data["items"])[["tier", "item", "table", "reason_kind", "reason"]]
    # a reason may name the disclosure threshold as {k}: it comes from the policy, not the file
    frame["reason"] = [str(reason).strip().format(**DEFAULT_POLICY.placeholders()) for reason in frame["reason"]]
    frame["tier"] = pd.Categorical(frame["tier"], categories=list(TIERS), ordered=True)
    return frame.sort_values("tier", kind="stable").reset_index(drop=True)


def unclassified_tables(data: dict[str, Any] | None = None) -> list[str]:
    """County tables that no item covers: each needs a decision, even "unavailable"."""
    covered = set(tiers_table(data)["table"])
    return [t for t in schema.SCHEMAS if t not in covered]


def tiers_html(data: dict[str, Any] | None = None) -> str:
    """The tier definitions and the classified items as two HTML tables."""
    data = data or load_tiers()
    definitions = planning.records_html(
        data["tiers"], columns={"tier": "Tier", "meaning": "What it means"}, caption="The three access tiers"
    )
    rows = [{str(k): v for k, v in r.items()} for r in tiers_table(data).astype({"tier": str}).to_dict("records")]
    items = planning.records_html(
        rows,
        columns={"item": "Data", "tier": "Tier", "reason_kind": "Kind of reason", "reason": "Why"},
        caption="The county's data, tier by tier, with the reason for each",
    )
    return definitions + "\n" + items
