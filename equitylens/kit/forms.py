"""Live ipywidgets forms for facilitators: build a session, rate a team's practice.

The forms of the book's stages (the explorables, the committee, the cut-off) are in
:mod:`equitylens.explore.forms`.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd
from markdown_it import MarkdownIt

from equitylens.data import content
from equitylens.kit import selfassess, workshops


def session_builder() -> w.VBox:
    """A live ipywidgets form: tick stages, set minutes, and see the custom agenda (or why it cannot fit)."""
    render = MarkdownIt("commonmark").enable("table").render
    boxes = {s: w.Checkbox(value=s == "analysis", description=content.get_stage(s)["title"]) for s in content.STAGE_IDS}
    minutes = w.IntSlider(value=120, min=30, max=360, step=5, description="Minutes")
    output = w.HTML()

    def update(_: Any = None) -> None:
        chosen = [s for s, box in boxes.items() if box.value]
        try:
            markdown = workshops.session_markdown(workshops.build_session(stages=chosen, minutes=minutes.value))
        except ValueError as error:
            markdown = f"**This session cannot be built.** {error}"
        output.value = render(markdown)

    for control in [*boxes.values(), minutes]:
        control.observe(update, names="value")
    update()
    return w.VBox([w.HTML("<strong>Build a session</strong>"), *boxes.values(), minutes, output])


def self_assessment(*, team: str = "Your team") -> w.VBox:
    """A live ipywidgets form: one dropdown per practice, a button, and the action plan below."""
    table = selfassess.items()
    pickers: dict[tuple[str, int], Any] = {}
    pages = []
    titles = []
    for stage, part in table.groupby("stage", sort=False):
        rows = []
        for row in workshops.records(part):
            picker = w.Dropdown(options=["", *selfassess.RATINGS], value="", layout=w.Layout(width="12rem"))
            pickers[(str(stage), int(row["item"]))] = picker
            rows.append(w.HBox([picker, w.HTML(f"<span>{row['practice']}</span>")]))
        pages.append(w.VBox(rows))
        titles.append(str(part["stage_title"].iloc[0]))
    accordion = w.Accordion(children=pages, titles=tuple(titles))
    name = w.Text(value=team, description="Team")
    button = w.Button(description="Make my action plan", button_style="primary")
    output = w.HTML()

    def make(_: Any) -> None:
        ratings = pd.DataFrame([{"stage": s, "item": i, "rating": p.value or None} for (s, i), p in pickers.items()])
        plan = selfassess.action_plan(ratings, team=name.value or team).replace("- [ ] ", "- \u2610 ")
        output.value = MarkdownIt("commonmark").render(plan)

    button.on_click(make)
    return w.VBox([name, accordion, button, output])
