"""Stage 6: the same finding written for different readers, graded for readability.

The texts live as data in ``book/data/messages.yml``; numbers in them are placeholders
filled from the county (:func:`fill`), and ``{k}`` from the disclosure policy, so a text
never carries a number typed by hand.
:func:`graded` adds each text's Flesch-Kincaid grade from :mod:`equitylens.methods.readability`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd

from equitylens.data import content
from equitylens.data.content import DATA_DIR
from equitylens.methods import readability
from equitylens.methods.policy import DEFAULT_POLICY

MESSAGES_FILE: Final = "messages.yml"


def load_messages(path: Path | str | None = None) -> dict[str, Any]:
    """The reporting chapter's texts: ``dense``, ``plain``, ``audiences``, ``framing`` and ``uses``."""
    where = Path(path) if path is not None else DATA_DIR / MESSAGES_FILE
    data = content.read_yaml(where)
    needed = ("dense", "plain", "audiences", "framing", "uses")
    missing = [k for k in needed if not isinstance(data, dict) or k not in data]
    if missing:
        raise ValueError(f"{where}: missing section(s) {missing}")
    return dict(data)


def fill(text: str, values: Mapping[str, float]) -> str:
    """Fill the ``{name:format}`` placeholders of ``text`` from ``values`` and the policy's ``placeholders()``.

    >>> fill("{x:.0%} of students", {"x": 0.254})
    '25% of students'
    >>> fill("counts under {k} are hidden", {}) == f"counts under {DEFAULT_POLICY.k} are hidden"
    True
    """
    try:
        return " ".join(text.format(**{**DEFAULT_POLICY.placeholders(), **values}).split())
    except KeyError as error:
        raise ValueError(f"values has no {error.args[0]!r}, which the text needs; it has {sorted(values)}") from None


def graded(texts: Mapping[str, str]) -> pd.DataFrame:
    """One row per text: ``version``, ``words``, ``sentences``, ``grade`` (Flesch-Kincaid)."""
    if not texts:
        raise ValueError("texts is empty; pass at least one named text")
    rows = []
    for name, text in texts.items():
        rows.append(
            {
                "version": name,
                "words": len(text.split()),
                "sentences": len(readability.sentences(text)),
                "grade": round(readability.grade(text), 1),
            }
        )
    return pd.DataFrame(rows)
