"""The facilitation kit: session plans, activities, builder, survey, self-assessment and print."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from equitylens.data import content
from equitylens.kit import checkin, selfassess, sessions, workshops
from tests.conftest import CHROMIUM, ROOT

PLANS = workshops.load_plans()
EXPECTED = ["00-orientation", *[f"{i:02d}-{s}" for i, s in enumerate(content.STAGE_IDS, start=1)], "07-deliberation"]


def test_the_series_has_every_session_in_order():
    assert [p.path.stem for p in PLANS] == EXPECTED
    assert [p.meta["session"] for p in PLANS] == list(range(len(EXPECTED)))


def test_every_stage_is_covered_by_exactly_one_session():
    stages = [p.stage for p in PLANS if p.stage]
    assert sorted(stages) == sorted(content.STAGE_IDS)
    assert PLANS[0].stage is None and PLANS[-1].stage is None


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.path.stem)
def test_front_matter_matches_the_schema(plan):
    assert set(plan.meta) == set(workshops.PLAN_FIELDS)
    assert plan.path.stem.endswith(plan.id)
    for name, kind in workshops.PLAN_FIELDS.items():
        value = plan.meta[name]
        if kind == "list":
            assert isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value), name
        elif kind == "int":
            assert isinstance(value, int) and value >= 0, name
        elif kind == "stage or null":
            assert value is None or value in content.STAGE_IDS
    assert 60 <= plan.minutes <= 360


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.path.stem)
def test_agenda_adds_up_and_names_known_activities(plan):
    table = workshops.check_agenda(plan)
    assert int(table["minutes"].sum()) == plan.minutes
    assert table["activity"].iloc[-1] == "close" and "checkin-survey" in set(table["activity"])
    if plan.stage:
        for kind in ("frame", "cards", "scenario"):
            assert f"{plan.stage}-{kind}" in set(table["activity"]), kind


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.path.stem)
def test_every_page_and_notebook_a_plan_names_exists(plan):
    paths = workshops.linked_paths(plan)
    assert paths
    for path in paths:
        assert path.startswith("book/"), path
        assert (ROOT / path).is_file(), f"{plan.path.name} names {path}, which does not exist"


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.path.stem)
def test_plan_body_has_the_activities_inclusion_notes_and_survey(plan):
    activities = plan.section("Activities")
    for heading in ("### Practice card sort", "### Small-group discussion", "### What would you do?"):
        assert heading in activities, heading
    notes = plan.section("Inclusion notes").lower()
    for word in ("language", "honorari", "room", "materials", "online"):
        assert word in notes, word
    survey = plan.section("Check-in survey")
    for statement in checkin.QUESTIONS.values():
        assert statement in survey, statement
    assert "- [ ]" in plan.section("Take back to work")


def test_activity_uses_exist_and_plans_use_activities():
    activities = workshops.load_activities()
    for uses in activities["uses"]:
        for path in uses:
            assert (ROOT / path).is_file(), path
    for stage in content.STAGE_IDS:
        assert set(activities[activities["stage"] == stage]["kind"]) >= {"frame", "cards", "scenario", "explore"}


def test_a_bad_plan_is_refused(tmp_path):
    text = PLANS[1].path.read_text(encoding="utf-8").replace("minutes: 120", "minutes: 125", 1)
    bad = tmp_path / "01-planning.md"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="add up to 120, but the session is 125"):
        workshops.check_agenda(workshops.load_plan(bad))
    bad.write_text(text.replace("goals:", "aims:", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="missing field"):
        workshops.load_plan(bad)


def test_plan_markdown_links_into_the_book():
    markdown = workshops.plan_markdown(workshops.get_plan("access"))
    assert markdown.startswith("# Session 3: ")
    assert "](/book/labs/choices.ipynb)" in markdown and "](../book/" not in markdown


@pytest.mark.parametrize(("stages", "minutes"), [(["analysis", "access"], 120), (["planning"], 60), ("reporting", 200)])
def test_builder_fits_the_budget_exactly(stages, minutes):
    session = workshops.build_session(stages=stages, minutes=minutes)
    assert int(session["minutes"].sum()) == minutes
    assert (session["start"] == session["minutes"].cumsum().shift(fill_value=0)).all()
    chosen = [stages] if isinstance(stages, str) else stages
    for stage in chosen:
        assert {f"{stage}-frame", f"{stage}-cards"} <= set(session["activity"])
    markdown = workshops.session_markdown(session)
    assert "| Start | Minutes | Activity | Kit id |" in markdown and "Take back to work" in markdown


def test_builder_refuses_a_budget_too_short():
    with pytest.raises(ValueError, match=r"minutes=60 is too short .* 115 minutes"):
        workshops.build_session(stages=["planning", "access", "analysis"], minutes=60)
    with pytest.raises(ValueError, match="stages="):
        workshops.build_session(stages=["budgeting"], minutes=120)
    with pytest.raises(ValueError, match="minutes="):
        workshops.build_session(stages=["analysis"], minutes=0)


def test_builder_writes_markdown_without_a_browser(tmp_path):
    written = sessions.write_session(stages="access", minutes=90, out=tmp_path, pdf=False)
    assert written["agenda"].read_text(encoding="utf-8").startswith("# Custom session: data access")


def test_survey_sample_is_byte_identical_for_a_seed_and_committed():
    first = checkin.to_csv_bytes(checkin.generate(seed=5))
    assert first == checkin.to_csv_bytes(checkin.generate(seed=5))
    assert first != checkin.to_csv_bytes(checkin.generate(seed=6))
    assert checkin.to_csv_bytes(checkin.generate()) == checkin.DATA_FILE.read_bytes()


def test_survey_summary_never_shows_a_small_or_recoverable_count():
    answers = checkin.load()
    for by in (["session"], ["role"], ["session", "role"], ["cohort", "session"]):
        table = checkin.summary(answers, by=by)
        for column in ("answered", "agree", "not_agree"):
            values = table[column].dropna()
            assert ((values == 0) | (values >= 11)).all(), (by, column)
        shown = table.dropna(subset=["answered"])
        # a total with exactly one hidden part would give that part away
        assert (shown["agree"].isna() == shown["not_agree"].isna()).all(), by
    with pytest.raises(ValueError, match="by="):
        checkin.summary(answers, by=["name"])


def test_selfassess_covers_every_practice_and_plans_by_gare():
    mapping = yaml.safe_load((ROOT / "workshops" / "selfassess.yml").read_text(encoding="utf-8"))
    for stage in content.load_practices()["stages"]:
        rows = sum(len(section["pairs"]) for section in stage["sections"])
        assert len(mapping[stage["id"]]) == rows, stage["id"]
    ratings = selfassess.example_ratings()
    assert ratings.equals(selfassess.example_ratings())
    plan = selfassess.action_plan(ratings, team="T")
    assert [line for line in plan.splitlines() if line.startswith("## ")][:3] == [
        "## Normalize",
        "## Operationalize",
        "## Organize",
    ]
    not_yet = ratings[ratings["rating"] == "Not yet"]
    for practice in not_yet["practice"]:
        assert practice in plan
    scores = selfassess.score(ratings)
    assert scores.groupby("stage", observed=True)["share"].sum().round(6).eq(1).all()
    with pytest.raises(ValueError, match="rating values"):
        selfassess.action_plan(pd.DataFrame({"stage": ["planning"], "item": [1], "rating": ["Great"]}))


# --- Printed materials (need Chromium) ----------------------------------------------------

browser = pytest.mark.browser


@pytest.fixture(scope="module")
def printing():
    if not CHROMIUM.exists():
        pytest.skip("PDF tests skipped: Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="PDF tests skipped: playwright missing")
    pypdf = pytest.importorskip("pypdf", reason="PDF tests skipped: pypdf missing")
    from equitylens.kit import printing

    return printing, pypdf


@browser
def test_cards_print_on_letter_and_a4(printing, tmp_path):
    module, pypdf = printing
    deck = module.cards()
    written = module.make_cards(tmp_path)
    assert [p.name for p in written] == ["cards-letter.pdf", "cards-a4.pdf"]
    expected_pages = module.sheets_needed(len(deck))
    sizes = []
    for path in written:
        reader = pypdf.PdfReader(path)
        assert len(reader.pages) == expected_pages
        front = " ".join(reader.pages[0].extract_text().split())
        back = " ".join(reader.pages[1].extract_text().split())
        assert "Card 1" in front and deck["text"].iloc[0][:30] in front and "from the paper, table 1" in front.lower()
        assert "Positive practice" in back and "Problematic practice" in back and "Planning" in back
        assert "kit's note" in back.lower()
        sizes.append(tuple(round(float(v)) for v in reader.pages[0].mediabox[2:]))
    assert sizes == [(612, 792), (595, 842)]


@browser
def test_handouts_are_one_or_two_pages_with_agenda_and_checklist(printing, tmp_path):
    module, pypdf = printing
    written = module.make_handouts(tmp_path)
    assert [p.stem for p in written] == EXPECTED
    for path, plan in zip(written, PLANS, strict=True):
        reader = pypdf.PdfReader(path)
        assert 1 <= len(reader.pages) <= 2, path.name
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        assert f"Session {plan.meta['session']}" in text
        for heading in ("Agenda", "Key points", "Take back to work"):
            assert heading in text
        assert workshops.agenda(plan)["title"].iloc[1] in text


@browser
def test_custom_session_pack(printing, tmp_path):
    module, pypdf = printing
    written = sessions.write_session(stages=["analysis", "access"], minutes=120, out=tmp_path)
    assert set(written) == {"agenda", "handout", "cards"}
    cards = pypdf.PdfReader(written["cards"])
    assert len(cards.pages) == module.sheets_needed(len(module.cards(stages=["analysis", "access"])))
    assert "attendance gap" in " ".join(p.extract_text() for p in pypdf.PdfReader(written["handout"]).pages)


def test_the_survey_promises_the_group_size_its_summary_keeps(monkeypatch):
    """The printed survey and its slide name the policy's threshold, in every edition; a new policy changes both."""
    from equitylens.kit import sheets, slides
    from equitylens.methods.policy import DEFAULT_POLICY, DisclosurePolicy

    assert f"groups of {DEFAULT_POLICY.k} or more" in sheets.survey_html()
    assert f"grupos de {DEFAULT_POLICY.k} personas o más" in sheets.survey_html(lang="es")
    monkeypatch.setattr(sheets, "DEFAULT_POLICY", DisclosurePolicy(threshold=DEFAULT_POLICY.k + 9))
    assert f"groups of {DEFAULT_POLICY.k + 9} or more" in slides.survey_slide().body
