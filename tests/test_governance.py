"""Governance: the review board, the agreement checker, the access log and the use audit."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest
import yaml

from equitylens.data import access_log, content, load
from equitylens.stages import agreements, governance, use_audit


@pytest.fixture(scope="module")
def county():
    return load.county()


@pytest.fixture(scope="module")
def requests():
    return governance.load_requests()


@pytest.fixture(scope="module")
def reviews(requests, county):
    return [governance.review(r, county) for r in requests]


def by_id(requests, reviews):
    return {r.id: f for r, f in zip(requests, reviews, strict=True)}


# --- Review board -------------------------------------------------------------------------


def test_requests_file_has_eight_to_ten_varied_requests(requests):
    assert 8 <= len(requests) <= 10
    assert {r.kind for r in requests} >= {"university", "police", "community group", "agency", "journalist"}
    assert {r.level for r in requests} == {"individual", "aggregate"}


def test_facts_follow_the_request(requests, reviews):
    facts = by_id(requests, reviews)
    # Names or identity records make the data unavailable; counts are open once protected.
    assert facts["R2"]["tier"] == "Unavailable" and facts["R2"]["names"]
    assert facts["R3"]["tier"] == "Open" and not facts["R3"]["individual_level"]
    assert facts["R1"]["tier"] == "Restricted" and facts["R1"]["linked"] and facts["R1"]["justice_system"]
    assert facts["R2"]["enforcement"] and facts["R7"]["enforcement"]
    assert not any(facts[i]["enforcement"] for i in ("R1", "R3", "R4", "R5", "R6", "R8", "R9"))


def test_guidance_touched_matches_the_paper_lists(requests, reviews):
    practices = content.load_practices()
    discouraged = [" ".join(t.split()) for t in practices["discouraged"]]
    facts = by_id(requests, reviews)
    assert facts["R1"]["discouraged"] == [discouraged[0], discouraged[3]]
    assert facts["R2"]["discouraged"] == [discouraged[0], discouraged[1], discouraged[3]]
    assert facts["R4"]["discouraged"] == [discouraged[0], discouraged[2]]
    assert facts["R3"]["discouraged"] == [] and facts["R6"]["discouraged"] == []


def test_k_anonymity_matches_a_hand_count(requests, county):
    request = next(r for r in requests if r.id == "R9")
    facts = governance.review(request, county)
    extract = governance.extract(request, county)
    expected = extract.groupby(["age_band", "lending_grade"], observed=True).size()
    assert facts["k"] == int(expected[expected > 0].min())
    assert facts["people"] == len(extract)


def test_aggregate_request_counts_the_cells_to_hide(requests, county):
    request = next(r for r in requests if r.id == "R3")
    facts = governance.review(request, county)
    table = governance.extract(request, county)
    small = int(table["n"].between(1, 10).sum())
    assert facts["cells_primary"] == small
    hidden = facts["hidden_table"]
    assert int(hidden["suppressed"].sum()) == facts["cells_primary"] + facts["cells_complementary"]
    assert hidden.loc[~hidden["suppressed"], "published"].between(1, 10).sum() == 0


def test_safe_count_never_prints_one_to_ten():
    assert governance.safe_count(0) == "none"
    assert {governance.safe_count(n) for n in range(1, 11)} == {"fewer than 11"}
    assert governance.safe_count(11) == "11" and governance.safe_count(12345) == "12,345"


def test_decision_log_holds_facts_questions_and_decisions(requests, reviews):
    decisions = [
        governance.Decision(
            request_id="R2",
            decision="decline",
            reasons="A watch list is enforcement against families.",
            decided_by="the board, with two parent members",
            answers={"Is it legal?": "Not with names."},
        ),
        governance.Decision(
            request_id="R3",
            decision="approve with conditions",
            reasons="Residents asked for it.",
            decided_by="the board",
            conditions=("Hide small cells and their complements",),
        ),
    ]
    log = governance.decision_log_markdown(requests, reviews, decisions, board="Test board")
    assert log.startswith("# Test board: decision log")
    assert log.count("\n## ") == len(requests)
    assert log.count("### The four questions") == len(requests)
    assert "**Decline**, decided by the board, with two parent members." in log
    assert "1. **Is it legal?** Not with names." in log
    assert "- Hide small cells and their complements" in log
    assert log.count("Not decided yet.") == len(requests) - 2
    assert "Using data for enforcement or investigation actions against residents." in log
    # No count from 1 to 10 is printed as a number of people.
    assert not re.search(r": ([1-9]|10)\n", log)


def test_bad_requests_and_decisions_are_refused(requests, reviews, county):
    first = requests[0]
    with pytest.raises(ValueError, match="purpose_kind"):
        replace(first, purpose_kind="curiosity")
    with pytest.raises(ValueError, match="youngest age"):
        replace(first, ages=(18, 4))
    with pytest.raises(ValueError, match="must list its fields"):
        replace(first, fields=())
    with pytest.raises(ValueError, match="no column"):
        governance.extract(replace(first, fields=("shoe_size",)), county)
    with pytest.raises(ValueError, match="decision"):
        governance.Decision(request_id="R1", decision="maybe", reasons="x", decided_by="y")
    with pytest.raises(ValueError, match="needs conditions"):
        governance.Decision(request_id="R1", decision="approve with conditions", reasons="x", decided_by="y")
    with pytest.raises(ValueError, match="unknown request"):
        governance.decision_log_markdown(
            requests, reviews, [governance.Decision(request_id="R99", decision="decline", reasons="x", decided_by="y")]
        )
    with pytest.raises(ValueError, match="Request"):
        governance.review("R1", county)  # type: ignore[arg-type]


def test_requests_file_errors_name_the_problem(tmp_path):
    path = tmp_path / "requests.yml"
    path.write_text(yaml.safe_dump({"requests": [{"id": "X"}]}))
    with pytest.raises(ValueError, match="missing field"):
        governance.load_requests(path)


# --- Agreement checker --------------------------------------------------------------------

FLAWED = {
    ("permitted_uses", "contradicts"),
    ("prohibited_uses", "missing"),
    ("redisclosure", "contradicts"),
    ("small_cells", "contradicts"),
    ("linkage", "contradicts"),
    ("retention", "missing"),
    ("community_review", "missing"),
    ("breach_notice", "missing"),
    ("use_reporting", "missing"),
}


def test_sound_agreement_has_no_gaps():
    assert agreements.check(agreements.load_agreement("sound")).empty


def test_flawed_agreement_gaps_are_exactly_the_known_ones():
    found = agreements.check(agreements.load_agreement("flawed"))
    assert set(zip(found["clause"], found["problem"], strict=True)) == FLAWED
    assert found["relates_to"].str.len().gt(20).all()
    enforcement = found[found["clause"] == "permitted_uses"]
    assert enforcement["relates_to"].str.contains("enforcement or investigation").all()


def test_each_clause_is_checked_on_its_own():
    sound = agreements.load_agreement("sound")
    for clause in agreements.RULES:
        broken = {k: v for k, v in sound.items() if k != clause}
        found = agreements.check(broken)
        assert set(zip(found["clause"], found["problem"], strict=True)) == {(clause, "missing")}, clause


def test_the_blank_form_is_all_gaps_and_the_template_links_every_clause():
    template = agreements.load_template()
    found = agreements.check(template["blank"])
    assert set(found["problem"]) == {"missing"}
    assert len(set(found["clause"])) >= 9
    checklist = agreements.checklist_markdown(template)
    assert checklist.count("- [ ] ") == len(agreements.RULES)


def test_bad_agreements_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown clause"):
        agreements.check({"purpose": "x", "colour": "blue"})
    with pytest.raises(ValueError, match="kind must be"):
        agreements.check({"permitted_uses": [{"use": "x", "kind": "fun"}]})
    with pytest.raises(ValueError, match="prohibited_uses"):
        agreements.check({"prohibited_uses": ["jaywalking"]})
    with pytest.raises(ValueError, match="mapping"):
        agreements.check(["purpose"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="file not found"):
        agreements.load_agreement(tmp_path / "none.yml")


# --- Access log and use audit -------------------------------------------------------------


@pytest.fixture(scope="module")
def projects():
    return access_log.load_projects()


@pytest.fixture(scope="module")
def flags(projects):
    return use_audit.flag_queries(access_log.generate(projects=projects), projects)


def test_access_log_is_deterministic(projects):
    first = access_log.to_csv_bytes(access_log.generate(seed=7, projects=projects))
    assert first == access_log.to_csv_bytes(access_log.generate(seed=7, projects=projects))
    assert first != access_log.to_csv_bytes(access_log.generate(seed=8, projects=projects))


def test_use_audit_finds_the_drifting_project_and_no_other(flags, projects):
    assert use_audit.drifting_projects(flags) == [projects["simulation"]["drift"]["project"]]
    table = use_audit.summary(flags).set_index("project")
    drift = table.loc["school-stability"]
    assert drift["new_tables"] == "juvenile_justice"
    assert set(drift["new_fields"].split("+")) == {"jj_referred", "neighbourhood_id", "gender"}
    assert drift["new_population"] > 0
    assert drift["first_outside"] >= pd.Timestamp("2024-01-01")


def test_use_audit_finds_drift_for_any_seed(projects):
    for seed in (1, 2, 3):
        flagged = use_audit.flag_queries(access_log.generate(seed=seed, projects=projects), projects)
        assert use_audit.drifting_projects(flagged) == ["school-stability"]


def test_monthly_shares_and_public_report(flags, projects):
    months = use_audit.monthly(flags)
    assert months["queries"].min() >= 11
    before = months[(months["project"] == "school-stability") & (months["month"] < "2024-01-01")]
    assert (before["share_outside"] == 0).all()
    report = use_audit.public_report_markdown(flags, projects, period="July 2023 to June 2024")
    assert report.count("\n## ") == len(projects["projects"])
    assert report.count("community review body") == 1
    assert "juvenile_justice" in report


def test_use_audit_refuses_bad_input(projects):
    log = access_log.generate(projects=projects)
    with pytest.raises(ValueError, match="never approved"):
        use_audit.flag_queries(log.assign(project="ghost"), projects)
    with pytest.raises(ValueError, match="column"):
        use_audit.flag_queries(log.drop(columns="fields"), projects)
    with pytest.raises(ValueError, match="seed"):
        access_log.generate(seed=-1)
    with pytest.raises(ValueError, match="period"):
        use_audit.public_report_markdown(use_audit.flag_queries(log, projects), projects, period=" ")


# --- Workshop activity --------------------------------------------------------------------


def test_review_board_activity_is_in_the_plans_and_the_builder_picks_it():
    from equitylens.kit import workshops

    activities = workshops.load_activities().set_index("activity")
    assert "book/stages/access/review-board.ipynb" in activities.loc["access-review-board", "uses"]
    for plan_id in ("access", "deliberation"):
        table = workshops.check_agenda(workshops.get_plan(plan_id))
        assert "access-review-board" in set(table["activity"]), plan_id
    session = workshops.build_session(stages="access", minutes=120)
    assert "access-review-board" in set(session["activity"])
    assert int(session["minutes"].sum()) == 120


def test_decision_log_is_written_to_a_markdown_file(requests, reviews, tmp_path):
    log = governance.decision_log_markdown(requests, reviews)
    path = governance.write_decision_log(log, tmp_path / "log.md")
    assert path.read_text(encoding="utf-8") == log
    with pytest.raises(ValueError, match=r"\.md"):
        governance.write_decision_log(log, tmp_path / "log.txt")
    with pytest.raises(ValueError, match="empty"):
        governance.write_decision_log("  ", tmp_path / "log.md")
