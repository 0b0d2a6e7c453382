"""Shared input checks: one wording for the errors every public function raises.

Each message names the argument and says what was expected, so a learner can fix
the call (or a live form can show it as it is).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "as_columns",
    "check_choice",
    "check_confidence",
    "check_counts",
    "check_frame",
    "check_probability",
    "check_table",
    "check_whole_number",
    "require_columns",
]

_ERR_NOT_FRAME: Final = "{argument} must be a pandas DataFrame, got {kind}"
_ERR_EMPTY: Final = "{argument} is empty; pass a table with at least one row"
_ERR_UNKNOWN_COLUMNS: Final = "{argument}: column(s) {missing} not found; available columns: {allowed}"
_ERR_DUPLICATE_COLUMNS: Final = "{argument} lists a column more than once: {value!r}"
# Old public names, kept only because methods/suppress.py (being rewritten elsewhere) still


def check_frame(frame: object, argument: str = "table") -> pd.DataFrame:
    """Return ``frame`` if it is a non-empty DataFrame; otherwise raise ValueError."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(_ERR_NOT_FRAME.format(argument=argument, kind=type(frame).__name__))
    if len(frame) == 0:
        raise ValueError(_ERR_EMPTY.format(argument=argument))
    return frame


def _has_column(frame: pd.DataFrame, column: object) -> bool:
    try:
        return column in frame.columns
    except TypeError:  # an unhashable "name", e.g. a list passed where one column was expected
        return False


def require_columns(frame: pd.DataFrame, columns: Sequence[object], argument: str) -> None:
    """Raise ValueError naming ``argument`` if any of ``columns`` is not in ``frame``.

    >>> require_columns(pd.DataFrame({"n": [1]}), ["n"], "count")
    >>> require_columns(pd.DataFrame({"n": [1]}), [["n"]], "outcome")
    Traceback (most recent call last):
    ValueError: outcome: column(s) [['n']] not found; available columns: ['n']
    """
    missing = [c for c in columns if not _has_column(frame, c)]
    if missing:
        raise ValueError(
            _ERR_UNKNOWN_COLUMNS.format(argument=argument, missing=missing, allowed=list(map(str, frame.columns)))
        )


def check_table(frame: object, columns: Sequence[str], argument: str = "table") -> pd.DataFrame:
    """``check_frame`` and ``require_columns`` in one call; returns the frame."""
    table = check_frame(frame, argument)
    require_columns(table, columns, argument)
    return table


_ERR_CHOICE: Final = "{argument}={value!r} is not allowed; choose one of {allowed}"
_ERR_CONFIDENCE: Final = "confidence={value!r} must be a number strictly between 0 and 1, e.g. 0.95"
_ERR_PROBABILITY: Final = "{argument}={value!r} must be a number from 0 to 1"
_ERR_SHARE: Final = "{argument}={value!r} must be a number strictly between 0 and 1"
_ERR_COUNTS: Final = "{argument}={value!r} must name a column of whole numbers >= 0 with no missing values"
_ERR_WHOLE: Final = "{argument}={value!r} must be a whole number >= {minimum}"


def check_choice(value: object, allowed: Sequence[object], argument: str) -> None:
    """Raise ValueError unless ``value`` is one of ``allowed``.

    >>> check_choice("wilson", ("wilson", "clopper-pearson"), "method")
    >>> check_choice("exact", ("wilson",), "method")
    Traceback (most recent call last):
    ValueError: method='exact' is not allowed; choose one of ['wilson']
    """
    if value not in allowed:
        raise ValueError(_ERR_CHOICE.format(argument=argument, value=value, allowed=list(allowed)))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def check_confidence(confidence: object) -> float:
    """Return ``confidence`` as a float strictly between 0 and 1, or raise ValueError.

    >>> check_confidence(0.95)
    0.95
    """
    if not _is_number(confidence) or not 0.0 < float(confidence) < 1.0:  # type: ignore[arg-type]
        raise ValueError(_ERR_CONFIDENCE.format(value=confidence))
    return float(confidence)  # type: ignore[arg-type]


def check_probability(value: object, argument: str, *, strict: bool = False) -> float:
    """Return ``value`` as a float in [0, 1] (in (0, 1) when ``strict``), or raise ValueError.

    >>> check_probability(0.1, "share", strict=True)
    0.1
    """
    if not _is_number(value):
        raise ValueError((_ERR_SHARE if strict else _ERR_PROBABILITY).format(argument=argument, value=value))
    number = float(value)  # type: ignore[arg-type]
    inside = 0.0 < number < 1.0 if strict else 0.0 <= number <= 1.0
    if not inside:
        raise ValueError((_ERR_SHARE if strict else _ERR_PROBABILITY).format(argument=argument, value=value))
    return number


def check_whole_number(value: object, argument: str, *, minimum: int = 0) -> int:
    """Return ``value`` as an int if it is a whole number >= ``minimum``, or raise ValueError.

    >>> check_whole_number(11, "threshold", minimum=1)
    11
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(_ERR_WHOLE.format(argument=argument, value=value, minimum=minimum))
    return int(value)


def check_counts(table: pd.DataFrame, column: str, argument: str = "count") -> npt.NDArray[np.int64]:
    """Return ``table[column]`` as int64 if it holds whole numbers >= 0 with none missing.

    >>> check_counts(pd.DataFrame({"n": [3, 0, 12]}), "n").tolist()
    [3, 0, 12]
    """
    require_columns(table, [column], argument)
    series = table[column]
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series) or series.isna().any():
        raise ValueError(_ERR_COUNTS.format(argument=argument, value=column))
    values = series.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all() or (values < 0).any() or not np.array_equal(values, np.round(values)):
        raise ValueError(_ERR_COUNTS.format(argument=argument, value=column))
    return values.astype(np.int64)


def as_columns(value: str | Sequence[str], argument: str) -> list[str]:
    """One column name or several, as a list with no repeats.

    >>> as_columns("race", "by")
    ['race']
    """
    columns = [value] if isinstance(value, str) else list(value)
    if len(set(columns)) != len(columns):
        raise ValueError(_ERR_DUPLICATE_COLUMNS.format(argument=argument, value=columns))
    return columns
