"""Stage 6: the neighbourhood history table, the story map and the reporting texts."""

from __future__ import annotations

import pandas as pd
import pytest

from equitylens.data import synth
from equitylens.stages import messages, storymap
from equitylens.viz import story


@pytest.fixture(scope="module")
def past() -> pd.DataFrame:
    return storymap.history()


def test_history_covers_every_neighbourhood_and_year(past):
    assert len(past) == 24 * len(synth.HISTORY_YEARS)
    shares = past[[f"share_{g}" for g in synth.HISTORY_GROUPS]].sum(axis=1)
    assert shares.between(0.99, 1.01).all()
    assert (past.loc[past["year"] == 1990, "rent_change"] == 1).all()


def test_gentrifying_neighbourhoods_lose_black_residents_as_rents_jump(past):
    top = storymap.changes(past, top=4)
    assert set(top["lending_grade"]) <= {"C", "D"}
    assert (top["black_end"] < top["black_start"]).all()
    assert (top["white_end"] > top["white_start"]).all()
    others = past[(past["year"] == 2020) & ~past["neighbourhood"].isin(top["neighbourhood"])]
    assert top["rent_ratio"].min() > others["rent_change"].max()


def test_generator_history_is_deterministic_and_independent():
    first = synth.generate(seed=3, people=2_000)
    second = synth.generate(seed=3, people=2_000)
    pd.testing.assert_frame_equal(first["neighbourhood_history"], second["neighbourhood_history"])
    assert list(first) == list(synth.TABLES) and synth.TABLES[-1] == "neighbourhood_history"


def test_story_chart_has_a_year_slider_and_summaries_only(past):
    spec = story.story_chart(past, measure="median_rent_index").to_dict()
    assert spec["title"]["text"] and spec["description"]
    param = next(p for p in spec["params"] if p["name"] == "year")
    assert param["bind"]["input"] == "range" and param["value"] == 2020
    rows = [r for values in spec["datasets"].values() for r in values]
    assert len(rows) == len(past) and "person_id" not in rows[0]
    assert "bind" not in story.story_chart(past, bind=False).to_dict()["params"][0]


def test_story_figure_pairs_the_map_with_a_table_by_year(past):
    shares = story.story_figure(past, measure="share_black", bind=False)
    years = sorted(int(y) for y in past["year"].unique())
    assert shares.caption == "Share of residents who are Black, by neighbourhood and year"
    assert list(shares.percent) == years, "shares read as percentages, as on the map"
    assert shares.table_html.count("</tr>") == past["neighbourhood"].nunique() + 1, "a header and one row per place"
    rent = story.story_figure(past, measure="median_rent_index")
    assert rent.caption.startswith("Median rent") and rent.percent == ()


def test_story_chart_and_changes_name_bad_arguments(past):
    with pytest.raises(ValueError, match="measure"):
        story.story_chart(past, measure="income")
    with pytest.raises(ValueError, match="year"):
        story.story_chart(past, year=1995)
    with pytest.raises(ValueError, match="start"):
        storymap.changes(past, start=1980)
    with pytest.raises(ValueError, match="top"):
        storymap.changes(past, top=0)


def test_trend_chart(past):
    spec = story.trend_chart(past, highlight=["Bellmont"]).to_dict()
    assert spec["title"]["text"] and spec["description"]


def test_messages_fill_and_grade():
    texts = messages.load_messages()
    values = {"absent_a": 0.04, "absent_d": 0.25}
    dense = messages.fill(texts["dense"], values)
    plain = messages.fill(texts["plain"], values)
    assert "25%" in plain and "{" not in dense
    table = messages.graded({"dense": dense, "plain": plain})
    grades = table.set_index("version")["grade"]
    assert grades["dense"] > 16 > 9 > grades["plain"]
    for audience in texts["audiences"]:
        messages.fill(audience["text"], values)
    with pytest.raises(ValueError, match="absent_d"):
        messages.fill(texts["plain"], {"absent_a": 0.1})
    with pytest.raises(ValueError, match="texts"):
        messages.graded({})
