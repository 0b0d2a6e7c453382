"""The equity checks: they pass good answers and fail bad ones with a teaching message."""

from __future__ import annotations

import pandas as pd
import pytest

from equitylens.kit import grading, rubrics
from equitylens.methods import compare, suppress

DIMS = ["group", "place"]


@pytest.fixture
def counts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["a", "a", "a", "b", "b", "b", "c", "c", "c"],
            "place": ["x", "y", "z"] * 3,
            "n": [4, 40, 52, 33, 61, 28, 45, 30, 70],
        }
    )


def test_visible_small_cell_fails_with_teaching_message(counts):
    with pytest.raises(AssertionError, match=r"1 cell\(s\) with a count from 1 to 10.*group=a, place=x.*= 4.*Fix"):
        grading.check_published_table(counts, dims=DIMS, count="n")


def test_primary_only_is_recoverable(counts):
    hidden = suppress.primary(counts, count="n")
    with pytest.raises(AssertionError, match=r"worked out from the published totals.*4-4.*complementary"):
        grading.check_published_table(hidden, dims=DIMS, count="n")


def test_na_convention_needs_original_to_test_recovery(counts):
    blanked = suppress.primary(counts, count="n")[[*DIMS, "published"]]
    result = grading.check_published_table(blanked, dims=DIMS, count="published")
    assert result.passed and "pass original=" in result.message
    with pytest.raises(AssertionError, match="worked out"):
        grading.check_published_table(blanked, dims=DIMS, count="published", original=counts, original_count="n")


def test_complementary_passes(counts):
    safe = suppress.complementary(counts, dims=DIMS, count="n")
    result = grading.check_published_table(safe, dims=DIMS, count="n")
    assert result.passed
    assert not result.details["at_risk"].any()
    blanked = safe[[*DIMS, "published"]]
    result = grading.check_published_table(blanked, dims=DIMS, count="published", original=counts, original_count="n")
    assert result.passed


def test_zero_is_publishable():
    table = pd.DataFrame({"group": ["a", "b"], "n": [0, 30]})
    assert grading.check_published_table(table, dims=["group"], count="n").passed


def test_published_table_bad_arguments(counts):
    with pytest.raises(ValueError, match="table must be a pandas DataFrame"):
        grading.check_published_table([1, 2], dims=DIMS, count="n")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dims/count"):
        grading.check_published_table(counts, dims=DIMS, count="people")


def test_disparity_table_and_text():
    rates = pd.DataFrame({"group": ["A", "B"], "numerator": [30, 10], "denominator": [100, 100]})
    frame = compare.disparities(rates, group="group", reference="total")
    assert "total population" in grading.check_disparity_statement(frame).message
    with pytest.raises(AssertionError, match="does not say what each group is compared with"):
        grading.check_disparity_statement(frame.drop(columns="reference_label"))
    assert grading.check_disparity_statement(compare.headline(frame)).passed
    with pytest.raises(AssertionError, match="does not name what the group is compared with"):
        grading.check_disparity_statement("Group A has a rate 1.5 times as high.")
    with pytest.raises(AssertionError, match="empty"):
        grading.check_disparity_statement("  ")
    with pytest.raises(ValueError, match="result_or_text"):
        grading.check_disparity_statement(3)  # type: ignore[arg-type]


def test_reliability_reported():
    good = pd.DataFrame({"group": ["a", "b"], "rate": [0.1, 0.2], "reliable": [True, False], "flag": ["", "small"]})
    assert grading.check_reliability_reported(good).message.startswith("1 of 2")
    assert grading.check_reliability_reported(good[["group", "rate"]].assign(rse=[0.1, 0.5])).passed
    with pytest.raises(AssertionError, match="does not say how reliable"):
        grading.check_reliability_reported(good[["group", "rate"]])
    with pytest.raises(AssertionError, match="blank for 1 cell"):
        grading.check_reliability_reported(good.assign(reliable=pd.array([True, None], dtype="boolean")))


def test_rubrics_are_valid_and_render():
    loaded = rubrics.load_rubrics()
    assert len(loaded) >= 6
    for rubric_id, rubric in loaded.items():
        assert len(rubric["criteria"]) == 3
        table = rubrics.rubric_table(rubric_id)
        assert list(table["level"].unique()) == list(rubrics.LEVELS)
        assert rubrics.max_points(rubric_id) == 6
        assert "| Criterion |" in rubrics.rubric_markdown(rubric_id)
        assert '<th scope="row">' in rubrics.show(rubric_id)._repr_html_()
    with pytest.raises(ValueError, match="rubric_id='nope'"):
        rubrics.rubric_table("nope")
