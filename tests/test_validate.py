"""The shared input checks."""

from __future__ import annotations

import pandas as pd
import pytest

from equitylens.methods import validation


def test_check_frame_accepts_a_table_and_names_bad_ones():
    table = pd.DataFrame({"n": [1]})
    assert validation.check_frame(table) is table
    with pytest.raises(ValueError, match="counts must be a pandas DataFrame, got list"):
        validation.check_frame([1], "counts")
    with pytest.raises(ValueError, match="counts is empty"):
        validation.check_frame(pd.DataFrame(), "counts")


def test_require_columns_lists_what_is_missing_and_what_exists():
    with pytest.raises(ValueError, match=r"by: column\(s\) \['zzz'\] not found; available columns: \['n'\]"):
        validation.require_columns(pd.DataFrame({"n": [1]}), ["n", "zzz"], "by")
