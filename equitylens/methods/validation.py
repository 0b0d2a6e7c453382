"""Shared input checks: one wording for the errors every public function raises.

Each message names the argument and says what was expected, so a learner can fix
the call (or a live form can show it as it is).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd

ERR_NOT_FRAME: Final = "{argument} must be a pandas DataFrame, got {kind}"
ERR_EMPTY: Final = "{argument} is empty; pass a table with at least one row"
ERR_UNKNOWN_COLUMNS: Final = "{argument}: column(s) {missing} not found; available columns: {allowed}"
ERR_DUPLICATE_COLUMNS: Final = "{argument} lists a column more than once: {value!r}"


def check_frame(frame: object, argument: str = "table") -> pd.DataFrame:
    """Return ``frame`` if it is a non-empty DataFrame; otherwise raise ValueError."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(ERR_NOT_FRAME.format(argument=argument, kind=type(frame).__name__))
    if len(frame) == 0:
        raise ValueError(ERR_EMPTY.format(argument=argument))
    return frame


def require_columns(frame: pd.DataFrame, columns: Sequence[str], argument: str) -> None:
    """Raise ValueError naming ``argument`` if any of ``columns`` is not in ``frame``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            ERR_UNKNOWN_COLUMNS.format(argument=argument, missing=missing, allowed=list(map(str, frame.columns)))
        )


def check_table(frame: object, columns: Sequence[str], argument: str = "table") -> pd.DataFrame:
    """``check_frame`` and ``require_columns`` in one call; returns the frame."""
    table = check_frame(frame, argument)
    require_columns(table, columns, argument)
    return table
