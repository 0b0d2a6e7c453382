"""The live ipywidgets forms: stage forms in explore.forms, facilitators' forms in kit.forms."""

from __future__ import annotations

import ipywidgets as w
import numpy as np
import pandas as pd

from equitylens.data import groups
from equitylens.explore import forms
from equitylens.kit import forms as kit_forms
from equitylens.stages import fairness, planning


def _county(n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    labels = ["Black or African American", "White", "Asian"]
    return pd.DataFrame(
        {
            "race_ethnicity": pd.Categorical(rng.choice(labels, n), categories=list(groups.RACE_LABELS)),
            "cw_reported": rng.random(n) < 0.3,
        }
    )


def test_live_committee_redraws_when_a_seat_slider_moves():
    form = forms.live_committee(_county(), system="cw_reported", system_label="Children reported")
    sliders = [c for c in form.children if isinstance(c, w.IntSlider)]
    assert [s.description for s in sliders] == [role[:16] for role in planning.ROLES]
    view = form.children[-1]
    before = view.chart.to_dict()
    sliders[-1].value = 12
    assert view.chart.to_dict() != before
    for slider in sliders:
        slider.value = 0
    assert "at least one seat" in form.children[-2].value


def test_live_threshold_links_a_slider_to_the_percent_parameter():
    sweep = pd.DataFrame(
        [
            {"share": share, "cutoff": 0.5, "race_ethnicity": group, "metric": metric, "metric_label": label,
             "value": value, "denominator": 50, "suppressed": False}
            for share in (0.1, 0.2)
            for group, value in (("A", 0.1), ("B", 0.3))
            for metric, label in fairness.METRICS.items()
        ]
    )  # fmt: skip
    form = forms.live_threshold(sweep)
    assert isinstance(form, forms.Explorer)
    slider = form.controls["percent"]
    assert (slider.min, slider.max, slider.step) == (10, 20, 10)
    slider.value = 20
    assert form.chart.params.percent == 20


def test_live_threshold_shows_a_message_for_a_bad_table():
    form = forms.live_threshold(pd.DataFrame({"share": [0.1]}))
    assert isinstance(form, w.HTML) and "Cannot draw" in form.value


def test_session_builder_shows_the_agenda_or_why_it_cannot_fit():
    form = kit_forms.session_builder()
    boxes = [c for c in form.children if isinstance(c, w.Checkbox)]
    minutes = next(c for c in form.children if isinstance(c, w.IntSlider))
    output = form.children[-1]
    assert "<table>" in output.value
    minutes.value = 30
    for box in boxes:
        box.value = True
    assert "cannot be built" in output.value


def test_self_assessment_form_writes_an_action_plan():
    form = kit_forms.self_assessment(team="Team A")
    name, accordion, button, output = form.children
    assert name.value == "Team A" and len(accordion.children) == 6
    button.click()
    assert "Team A" in output.value
