"""Stage 1: committee make-up against the people in the data, and the engagement data file."""

from __future__ import annotations

import pandas as pd
import pytest

from equitylens.data import load
from equitylens.stages import planning
from equitylens.viz import committee


@pytest.fixture(scope="module")
def county():
    return load.county()


def tiny_county() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "race_ethnicity": ["Black or African American"] * 6 + ["White"] * 2 + ["Asian"] * 2,
            "cw_reported": [True] * 6 + [True, False] + [False, True],
        }
    )


def test_committee_gap_on_a_hand_built_example():
    committee = pd.DataFrame(
        {
            "role": [planning.RESEARCHERS, planning.AGENCY, planning.COMMUNITY],
            "race_ethnicity": ["White", "White", "Black or African American"],
            "seats": [2, 1, 1],
        }
    )
    gap = planning.committee_gap(committee, tiny_county()).set_index("race_ethnicity")
    # In the system: 6 Black, 1 White, 1 Asian (8 people). On the committee: 3 White, 1 Black (4 seats).
    assert gap.loc["White", "committee_share"] == pytest.approx(0.75)
    assert gap.loc["White", "system_share"] == pytest.approx(1 / 8)
    assert gap.loc["Black or African American", "gap"] == pytest.approx(0.25 - 6 / 8)
    assert gap.loc["Asian", "seats"] == 0
    assert gap.loc["Black or African American", "community_seats"] == 1
    assert gap["gap"].sum() == pytest.approx(0)
    assert planning.dissimilarity(gap.reset_index()) == pytest.approx(0.625)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"role": ["Mayor"]}, "role"),
        ({"race_ethnicity": ["Martian"]}, "race_ethnicity"),
        ({"seats": [-1]}, "seats"),
    ],
)
def test_committee_gap_rejects_bad_committees(change, message):
    committee = pd.DataFrame({"role": [planning.AGENCY], "race_ethnicity": ["White"], "seats": [1], **change})
    with pytest.raises(ValueError, match=message):
        planning.committee_gap(committee, tiny_county())


def test_committee_gap_rejects_a_system_that_is_not_a_flag():
    committee = pd.DataFrame({"role": [planning.AGENCY], "race_ethnicity": ["White"], "seats": [1]})
    with pytest.raises(ValueError, match="system="):
        planning.committee_gap(committee, tiny_county(), system="race_ethnicity")


def test_allocate_is_exact_and_deterministic():
    assert planning.allocate(12, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 4, "c": 4}
    assert sum(planning.allocate(7, {"a": 0.33, "b": 0.33, "c": 0.34}).values()) == 7
    with pytest.raises(ValueError, match="seats"):
        planning.allocate(-1, {"a": 1})


def test_more_community_seats_bring_the_committee_closer_to_the_system(county):
    _, summary = planning.committee_scenarios(county)
    index = summary.set_index("preset")["dissimilarity"]
    assert index["Agency and university only"] > index["One community seat (token)"]
    assert index["One community seat (token)"] > index["A third from the community"]
    assert (summary["seats"] == 12).all()


def test_token_seat_goes_to_one_group(county):
    committee = planning.committee_from_seats(county, agency=0, researchers=0, community=3, token=True)
    assert committee["race_ethnicity"].nunique() == 1


def test_committee_chart_embeds_only_the_small_table(county):
    bars, summary = planning.committee_scenarios(county)
    spec = committee.committee_chart(bars, summary, system_label="Children reported").to_dict()
    assert spec["params"][0]["bind"]["input"] == "radio"
    assert spec["description"]
    rows = sum(len(v) for v in spec["datasets"].values())
    assert rows == len(bars) + len(summary)


def test_engagement_data_has_six_levels_and_four_questions():
    data = planning.load_engagement()
    assert [level["level"] for level in data["spectrum"]] == [
        "Ignore",
        "Inform",
        "Consult",
        "Involve",
        "Collaborate",
        "Defer to",
    ]
    assert len(data["questions"]) == 4
    page = planning.engagement_html(data)
    assert page.count("<tr>") == 7 and page.count("<li>") == 4


def test_engagement_file_errors_name_the_problem(tmp_path):
    path = tmp_path / "engagement.yml"
    path.write_text('spectrum: [{level: Ignore}]\nquestions: [{question: "Is it legal?", ask: "Which laws?"}]\n')
    with pytest.raises(ValueError, match="missing"):
        planning.load_engagement(path)


def test_contact_by_place_rises_with_grade(county):
    table = planning.contact_by_place(county)
    reports = table[table["measure"].str.startswith("Child-welfare")].set_index("lending_grade")["rate"]
    assert reports["D"] > reports["A"]
    with pytest.raises(ValueError, match="by="):
        planning.contact_by_place(county, by="age")


def test_engagement_file_that_is_not_yaml(tmp_path):
    path = tmp_path / "engagement.yml"
    path.write_text("spectrum: [\n")
    with pytest.raises(ValueError, match="invalid YAML"):
        planning.load_engagement(path)
