"""Stage 1, planning: who sits at the table, and how far the table is from the data.

A planning committee decides what questions an integrated data system answers.
The paper lists "token representation" on planning committees as a problematic
practice, and committees that include community members with lived experience
as a positive one. ``committee_gap`` compares a committee's make-up with the
make-up of the people most represented in one system of the county, so that
tokenism becomes a number you can see. ``committee_scenarios`` does it for a few
invented committees at once, for the book's static chart
(``equitylens.viz.committee``); ``equitylens.explore.forms.live_committee`` is the
same comparison as a live form with seat sliders.

The engagement spectrum and the four questions of ``book/data/engagement.yml``
are read by ``load_engagement`` and turned into HTML by ``engagement_html``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from equitylens.data import content, groups
from equitylens.methods import disaggregate
from equitylens.methods.validation import check_choice

AGENCY: Final = "Agency staff"
RESEARCHERS: Final = "Researchers"
COMMUNITY: Final = "Community members with lived experience"
ROLES: Final[tuple[str, ...]] = (AGENCY, RESEARCHERS, COMMUNITY)
ENGAGEMENT_FILE: Final = "engagement.yml"
COMMITTEE: Final = "Committee"
SYSTEM: Final = "People in the system"

# An invented make-up for the professional seats, used by the presets and the live
# form. It follows the paper's note that the researchers who govern integrated data
# systems are mostly White; the exact shares are the kit's illustration, not data.
PROFESSIONAL_MIX: Final[dict[str, dict[str, float]]] = {
    AGENCY: {"White": 0.6, "Black or African American": 0.25, "Hispanic or Latino": 0.15},
    RESEARCHERS: {"White": 0.8, "Asian": 0.2},
}
# Invented committees of twelve: seats per role. Community seats mirror the people in
# the system, except in the token preset, where a single seat stands in for everyone.
PRESETS: Final[dict[str, dict[str, int]]] = {
    "Agency and university only": {AGENCY: 6, RESEARCHERS: 6, COMMUNITY: 0},
    "One community seat (token)": {AGENCY: 6, RESEARCHERS: 5, COMMUNITY: 1},
    "A third from the community": {AGENCY: 4, RESEARCHERS: 4, COMMUNITY: 4},
    "Half from the community": {AGENCY: 3, RESEARCHERS: 3, COMMUNITY: 6},
}


def _check_county(county: pd.DataFrame, system: str) -> None:
    if not isinstance(county, pd.DataFrame) or county.empty:
        raise ValueError("county must be a non-empty DataFrame, as from equitylens.data.load.county()")
    if "race_ethnicity" not in county.columns:
        raise ValueError("county has no race_ethnicity column; pass equitylens.data.load.county()")
    flags = [c for c in county.columns if county[c].dtype == bool]
    if system not in flags:
        raise ValueError(f"system={system!r} is not a yes/no column of county; choose one of {flags}")
    if not county[system].any():
        raise ValueError(f"system={system!r} has nobody in it")


def system_shares(county: pd.DataFrame, *, system: str = "cw_reported") -> pd.DataFrame:
    """Share of the people in one system (a yes/no column of the county) in each
    race and ethnicity group. Returns ``race_ethnicity``, ``people``, ``share``."""
    _check_county(county, system)
    inside = county[county[system]]
    counts = inside.groupby("race_ethnicity", observed=False).size().rename("people")
    order = [g for g in disaggregate.RACE_ETHNICITY_ORDER if g in counts.index]
    counts = counts.reindex(order, fill_value=0)
    frame = counts.reset_index()
    frame["share"] = frame["people"] / frame["people"].sum()
    return frame


def allocate(seats: int, shares: dict[str, float]) -> dict[str, int]:
    """Split ``seats`` whole seats in proportion to ``shares`` (largest remainder).

    >>> allocate(4, {"a": 0.5, "b": 0.3, "c": 0.2})
    {'a': 2, 'b': 1, 'c': 1}
    """
    if seats < 0:
        raise ValueError(f"seats must be 0 or more, got {seats}")
    total = sum(shares.values())
    if not shares or total <= 0:
        raise ValueError("shares must hold at least one positive value")
    keys = list(shares)
    exact = np.array([shares[k] / total * seats for k in keys])
    whole = np.floor(exact).astype(int)
    left = seats - int(whole.sum())
    # Ties go to the group listed first, so the result never depends on chance.
    order = sorted(range(len(keys)), key=lambda i: (-(exact[i] - whole[i]), i))
    for i in order[:left]:
        whole[i] += 1
    return {k: int(v) for k, v in zip(keys, whole, strict=True)}


def committee_from_seats(
    county: pd.DataFrame,
    *,
    agency: int,
    researchers: int,
    community: int,
    system: str = "cw_reported",
    token: bool = False,
) -> pd.DataFrame:
    """A committee table (``role``, ``race_ethnicity``, ``seats``) from seats per role.

    Professional seats follow ``PROFESSIONAL_MIX``. Community seats mirror the
    people in ``system``; with ``token=True`` they all go to the largest group of
    colour in the system instead, as when one person is asked to speak for everyone.
    """
    for name, value in (("agency", agency), ("researchers", researchers), ("community", community)):
        if not isinstance(value, int | np.integer) or value < 0:
            raise ValueError(f"{name} must be a whole number of seats, 0 or more; got {value!r}")
    if agency + researchers + community == 0:
        raise ValueError("the committee needs at least one seat")
    shares = system_shares(county, system=system)
    rows: list[dict[str, Any]] = []
    for role, seats in ((AGENCY, agency), (RESEARCHERS, researchers)):
        for group, n in allocate(int(seats), PROFESSIONAL_MIX[role]).items():
            rows.append({"role": role, "race_ethnicity": group, "seats": n})
    mirror = {str(g): float(s) for g, s in zip(shares["race_ethnicity"], shares["share"], strict=True) if s > 0}
    if token:
        of_colour = {g: s for g, s in mirror.items() if g not in ("White", groups.NOT_REPORTED)}
        mirror = {max(of_colour, key=lambda g: of_colour[g]): 1.0}
    for group, n in allocate(int(community), mirror).items():
        rows.append({"role": COMMUNITY, "race_ethnicity": group, "seats": n})
    frame = pd.DataFrame(rows)
    return frame[frame["seats"] > 0].reset_index(drop=True)


def committee_gap(committee: pd.DataFrame, county: pd.DataFrame, *, system: str = "cw_reported") -> pd.DataFrame:
    """Compare a committee's make-up with the people in one system, group by group.

    ``committee`` has one row per role and group: ``role`` (one of ``ROLES``),
    ``race_ethnicity`` and ``seats``. ``system`` is a yes/no column of ``county``
    (for example ``"cw_reported"``: children with a child-welfare report).

    Returns one row per race and ethnicity group, in the kit's group order:
    ``seats``, ``community_seats`` (seats held by community members with lived
    experience), ``committee_share``, ``system_people``, ``system_share`` and
    ``gap`` (committee share minus system share; negative means the group has
    fewer seats than its place in the data would give it).

    >>> import pandas as pd
    >>> county = pd.DataFrame({"race_ethnicity": ["White", "Asian", "Asian", "Asian"], "cw_reported": [True] * 4})
    >>> committee = pd.DataFrame({"role": [RESEARCHERS], "race_ethnicity": ["White"], "seats": [2]})
    >>> committee_gap(committee, county)[["race_ethnicity", "committee_share", "system_share", "gap"]]
      race_ethnicity  committee_share  system_share   gap
    0          Asian              0.0          0.75 -0.75
    1          White              1.0          0.25  0.75
    """
    _check_county(county, system)
    if not isinstance(committee, pd.DataFrame) or committee.empty:
        raise ValueError("committee must be a non-empty DataFrame with role, race_ethnicity and seats")
    missing = [c for c in ("role", "race_ethnicity", "seats") if c not in committee.columns]
    if missing:
        raise ValueError(f"committee has no column(s) {missing}; it needs role, race_ethnicity and seats")
    bad_roles = sorted(set(committee["role"]) - set(ROLES))
    if bad_roles:
        raise ValueError(f"committee role(s) {bad_roles} not allowed; choose from {list(ROLES)}")
    bad_groups = sorted(set(committee["race_ethnicity"].astype(str)) - set(disaggregate.RACE_ETHNICITY_ORDER))
    if bad_groups:
        allowed = list(disaggregate.RACE_ETHNICITY_ORDER)
        raise ValueError(f"committee race_ethnicity {bad_groups} not allowed; use {allowed}")
    seats = pd.to_numeric(committee["seats"], errors="coerce")
    if seats.isna().any() or (seats < 0).any() or seats.sum() == 0:
        raise ValueError("committee seats must be whole numbers, 0 or more, with at least one seat in all")
    table = committee.assign(seats=seats.astype(int), race_ethnicity=committee["race_ethnicity"].astype(str))
    all_seats = table.groupby("race_ethnicity")["seats"].sum()
    community = table[table["role"] == COMMUNITY].groupby("race_ethnicity")["seats"].sum()
    shares = system_shares(county, system=system).set_index("race_ethnicity")
    present = set(all_seats.index) | set(shares.index[shares["people"] > 0].astype(str))
    order = [g for g in disaggregate.RACE_ETHNICITY_ORDER if g in present]
    out = pd.DataFrame({"race_ethnicity": order})
    out["seats"] = out["race_ethnicity"].map(all_seats).fillna(0).astype(int)
    out["community_seats"] = out["race_ethnicity"].map(community).fillna(0).astype(int)
    out["committee_share"] = out["seats"] / out["seats"].sum()
    out["system_people"] = out["race_ethnicity"].map(shares["people"]).fillna(0).astype(int)
    out["system_share"] = out["system_people"] / out["system_people"].sum()
    out["gap"] = out["committee_share"] - out["system_share"]
    return out


def dissimilarity(gap: pd.DataFrame) -> float:
    """Share of seats that would have to change hands for the committee to look
    like the people in the system: half the sum of the absolute gaps (0 to 1)."""
    if "gap" not in gap.columns:
        raise ValueError("gap must be the table from committee_gap (it has no 'gap' column)")
    return float(gap["gap"].abs().sum() / 2)


def committee_scenarios(
    county: pd.DataFrame, *, system: str = "cw_reported", presets: dict[str, dict[str, int]] = PRESETS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every preset committee against the same system, for the static chart.

    Returns ``(bars, summary)``: ``bars`` has ``preset``, ``race_ethnicity``,
    ``who`` (``"Committee"`` or ``"People in the system"``) and ``share``;
    ``summary`` has one row per preset with ``seats``, ``community_seats``,
    ``community_share``, ``dissimilarity`` and a short ``text`` line for the chart.
    """
    if not presets:
        raise ValueError("presets must name at least one committee")
    bars, summary = [], []
    for name, seats in presets.items():
        unknown = sorted(set(seats) - set(ROLES))
        if unknown:
            raise ValueError(f"presets[{name!r}] has unknown role(s) {unknown}; choose from {list(ROLES)}")
        committee = committee_from_seats(
            county,
            agency=seats.get(AGENCY, 0),
            researchers=seats.get(RESEARCHERS, 0),
            community=seats.get(COMMUNITY, 0),
            system=system,
            token="token" in name.lower(),
        )
        gap = committee_gap(committee, county, system=system)
        for who, column in ((COMMITTEE, "committee_share"), (SYSTEM, "system_share")):
            bars.append(gap[["race_ethnicity"]].assign(preset=name, who=who, share=gap[column]))
        total = int(gap["seats"].sum())
        lived = int(gap["community_seats"].sum())
        index = dissimilarity(gap)
        summary.append(
            {
                "preset": name,
                "seats": total,
                "community_seats": lived,
                "community_share": lived / total,
                "dissimilarity": index,
                "text": f"Lived-experience seats: {lived} of {total}. Seats that must change hands: {index:.0%}.",
            }
        )
    table = pd.concat(bars, ignore_index=True)[["preset", "race_ethnicity", "who", "share"]]
    return table, pd.DataFrame(summary)


# Service contact measured against the people who could have it: (label, column, ages).
CONTACTS: Final[tuple[tuple[str, str, tuple[int, int]], ...]] = (
    ("Household poverty", "household_poverty", (0, 24)),
    ("Needs support (known only here)", "needs_support", (0, 24)),
    ("Child-welfare report (under 18)", "cw_reported", (0, 17)),
    ("Juvenile-justice referral (10-17)", "jj_referred", (10, 17)),
    ("Homelessness services", "homeless_services", (0, 24)),
    ("Benefit enrolments per person", "benefits", (0, 24)),
)
BENEFITS: Final[tuple[str, ...]] = ("snap", "medicaid", "tanf")


def contact_by_place(county: pd.DataFrame, *, by: str = "lending_grade") -> pd.DataFrame:
    """Poverty, need and service contact for each place, against the county as a whole.

    ``by`` is ``"lending_grade"`` or ``"neighbourhood_id"``. Returns one row per
    place and measure (``CONTACTS``): ``measure``, ``by`` value, ``numerator``,
    ``denominator``, ``rate`` (for benefits: enrolments per person), ``county_rate``
    and ``times_county`` (the rate divided by the county rate).
    """
    check_choice(by, ("lending_grade", "neighbourhood_id"), "by")
    needed = [by, "age", *BENEFITS, *(c for _, c, _ in CONTACTS if c != "benefits")]
    missing = [c for c in needed if c not in county.columns]
    if missing:
        raise ValueError(f"county has no column(s) {missing}; pass equitylens.data.load.county()")
    frame = county.assign(benefits=county[list(BENEFITS)].sum(axis=1))
    parts = []
    for label, column, (low, high) in CONTACTS:
        base = frame[frame["age"].between(low, high)]
        grouped = base.groupby(by, observed=True)[column].agg(["sum", "size"]).reset_index()
        grouped.columns = [by, "numerator", "denominator"]
        grouped["rate"] = grouped["numerator"] / grouped["denominator"]
        grouped["county_rate"] = base[column].sum() / len(base)
        grouped.insert(0, "measure", label)
        parts.append(grouped)
    out = pd.concat(parts, ignore_index=True)
    out["numerator"] = out["numerator"].astype(int)
    out["times_county"] = out["rate"] / out["county_rate"]
    return out


def load_engagement(path: Path | str | None = None) -> dict[str, Any]:
    """The engagement spectrum and the four questions, from ``book/data/engagement.yml``."""
    where = Path(path) if path else content.DATA_DIR / ENGAGEMENT_FILE
    data = content.read_yaml(where)
    if not isinstance(data, dict) or not data.get("spectrum") or not data.get("questions"):
        raise ValueError(f"{where} must hold a 'spectrum' list and a 'questions' list")
    for i, level in enumerate(data["spectrum"]):
        missing = [k for k in ("level", "what_it_means", "at_the_planning_table") if not level.get(k)]
        if missing:
            raise ValueError(f"{where}: spectrum item {i} is missing {missing}")
    for i, question in enumerate(data["questions"]):
        if not question.get("question") or not question.get("ask"):
            raise ValueError(f"{where}: question {i} needs 'question' and 'ask'")
    return data


def records_html(rows: Sequence[dict[str, Any]], *, columns: dict[str, str], caption: str) -> str:
    """A small accessible HTML table from a list of records (for content kept as data).

    ``columns`` maps each record key to its column header; the first column is
    written in bold as the row header.
    """
    if not rows:
        raise ValueError("rows is empty: there is nothing to show")
    if not columns:
        raise ValueError("columns must name at least one field")
    head = "".join(f'<th scope="col">{html.escape(label)}</th>' for label in columns.values())
    body = []
    for row in rows:
        missing = [k for k in columns if k not in row]
        if missing:
            raise ValueError(f"a row is missing {missing}: {row}")
        keys = list(columns)
        cells = [f'<th scope="row">{html.escape(str(row[keys[0]]).strip())}</th>']
        cells += [f"<td>{html.escape(str(row[k]).strip())}</td>" for k in keys[1:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="equitylens-table"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def engagement_html(data: dict[str, Any] | None = None) -> str:
    """The engagement spectrum as an HTML table and the four questions as a numbered list."""
    data = data or load_engagement()
    table = records_html(
        data["spectrum"],
        columns={"level": "Level", "what_it_means": "What it means", "at_the_planning_table": "At the planning table"},
        caption="The engagement spectrum, from ignoring the community to deferring to it",
    )
    items = "".join(
        f"<li><strong>{html.escape(q['question'].strip())}</strong> {html.escape(q['ask'].strip())}</li>"
        for q in data["questions"]
    )
    return f'{table}\n<p>Four questions to ask of every plan:</p>\n<ol class="equitylens-questions">{items}</ol>'
