"""A seeded generator for one fictional county's integrated data system.

Every table is made from its own child of one ``numpy.random.SeedSequence``, so
the same seed always gives the same tables, and changing one table's code does
not shift the random draws of the others.

The county has patterns built in on purpose, so that the book has something to
teach. Each one is named here and in ``datasets/DATASHEET.md``:

* **Place and history.** Neighbourhoods carry a 1930s-style lending grade (A-D).
  Grade sets today's poverty; households of colour are steered towards C and D
  neighbourhoods (segregation) and carry a higher poverty risk in every grade.
* **Surveillance bias.** Need for support depends only on household poverty,
  the same for every group. Child-welfare reports, juvenile-justice referrals
  and the share of reports from mandated reporters rise with the density of
  mandated reporters, which is highest in D neighbourhoods. So contact rates
  differ between groups by more than need does.
* **School instability.** Children placed out of home change schools more often.
* **A decision-point disparity.** Among substantiated reports, Black and
  American Indian or Alaska Native children are placed out of home more often.
* **Simpson's paradox.** Chronic absence rises steeply with lending grade; within
  every grade Black students are chronically absent *less* often than White
  students, yet county-wide their rate is higher, because of where they live.
* **Data-quality defects by agency.** Each agency codes race its own way; child
  welfare, education and juvenile justice fold Middle Eastern or North African
  people into White, and benefits into "Other"; missing race is
  far more common in some agencies, the homelessness extract has an
  undocumented field (``hh_cd``), and identity records repeat people with name
  and birth-date variants.
* **SOGIE.** Only child welfare asks about sexual orientation and gender
  identity, only from ``groups.SOGIE_START`` and only for youth aged 10 or over.
* **Neighbourhood change.** ``neighbourhood_history`` gives each neighbourhood's
  residents by group and a median rent index for 1990, 2000, 2010 and 2020. Four
  once-redlined or "declining" neighbourhoods next to the centre gentrify after
  2010: rents jump and Black residents' share falls (displacement).
"""

from __future__ import annotations

import datetime as dt
from typing import Final, cast

import numpy as np
import pandas as pd

from equitylens.data import groups, names

DEFAULT_SEED: Final = 2020
DEFAULT_PEOPLE: Final = 200_000
AS_OF: Final = dt.date(2024, 6, 30)  # the date the county's extracts were drawn
WINDOW_START: Final = dt.date(2019, 1, 1)  # service records cover 2019-01-01 to AS_OF
MAX_AGE: Final = 24

TABLES: Final[tuple[str, ...]] = (
    "neighbourhoods",
    "people",
    "child_welfare",
    "education",
    "juvenile_justice",
    "homelessness",
    "benefits",
    "identity_records",
    "neighbourhood_history",  # appended last: the streams of the tables above keep their order
)

# Primary group keys, in the order of groups.RACE_FLAGS, plus "declined".
_GROUP_KEYS: Final = ("aian", "asian", "black", "hispanic", "mena", "nhpi", "white")
_PRIMARY_SHARE: Final = np.array([0.010, 0.060, 0.250, 0.200, 0.018, 0.004, 0.438])
_DECLINED_SHARE: Final = 0.020
# Chance that a person also selects a second group, and which one.
_SECOND_SELECTION: Final[dict[str, tuple[float, dict[str, float]]]] = {
    "aian": (0.35, {"white": 0.7, "black": 0.2, "hispanic": 0.1}),
    "asian": (0.07, {"white": 0.8, "hispanic": 0.2}),
    "black": (0.06, {"white": 0.6, "hispanic": 0.25, "aian": 0.15}),
    "hispanic": (0.16, {"white": 0.8, "black": 0.15, "aian": 0.05}),
    "mena": (0.15, {"white": 0.9, "black": 0.1}),
    "nhpi": (0.30, {"asian": 0.5, "white": 0.5}),
    "white": (0.03, {"black": 0.3, "aian": 0.3, "hispanic": 0.4}),
}

# Lending grades laid out on a 4 x 6 tile grid (row by row): the redlined core
# by the river on the west, the graded-A hills on the east.
_GRID_GRADES: Final = "DDCBAADDCBBADCCCBADCCBBB"
_GRID_COLUMNS: Final = 6
_POVERTY_BY_GRADE: Final = {"A": 0.06, "B": 0.12, "C": 0.22, "D": 0.36}
_REPORTERS_BY_GRADE: Final = {"A": 3.0, "B": 4.0, "C": 6.0, "D": 10.0}  # per 1,000 residents
# Relative chance of living in a neighbourhood of each grade (segregation).
_SEGREGATION: Final[dict[str, dict[str, float]]] = {
    "white": {"A": 2.2, "B": 1.5, "C": 0.8, "D": 0.35},
    "black": {"A": 0.25, "B": 0.5, "C": 1.0, "D": 2.3},
    "hispanic": {"A": 0.5, "B": 0.9, "C": 1.4, "D": 1.2},
    "asian": {"A": 1.6, "B": 1.2, "C": 0.9, "D": 0.6},
    "mena": {"A": 0.8, "B": 1.0, "C": 1.2, "D": 1.0},
    "aian": {"A": 0.6, "B": 0.8, "C": 1.0, "D": 1.2},
    "nhpi": {"A": 0.7, "B": 1.0, "C": 1.1, "D": 1.0},
    "declined": {"A": 1.0, "B": 1.0, "C": 1.0, "D": 1.0},
}
# Small groups cluster in a few neighbourhoods (grid positions), which is what
# makes their cells small once crossed with place.
_CLUSTERS: Final[dict[str, dict[int, float]]] = {
    "mena": {7: 5.0, 13: 4.0, 14: 3.0},
    "aian": {12: 6.0, 18: 5.0},
    "nhpi": {9: 7.0, 15: 5.0},
}
# Structural poverty gap: multiplier on the neighbourhood's poverty risk.
_POVERTY_MULTIPLIER: Final = {
    "aian": 1.5,
    "asian": 0.85,
    "black": 1.35,
    "hispanic": 1.25,
    "mena": 1.15,
    "nhpi": 1.3,
    "white": 0.75,
    "declined": 1.0,
}
_PLACEMENT_MULTIPLIER: Final = {"black": 1.35, "aian": 1.5}  # planted decision-point disparity
_ABSENCE_BY_GRADE: Final = {"A": 0.04, "B": 0.08, "C": 0.16, "D": 0.32}
_ABSENCE_MULTIPLIER: Final = {"black": 0.65}  # within-grade rate, relative to everyone else


def generate(*, seed: int = DEFAULT_SEED, people: int = DEFAULT_PEOPLE) -> dict[str, pd.DataFrame]:
    """Generate every table of the county.

    Parameters
    ----------
    seed:
        Any non-negative integer. The same seed gives identical tables.
    people:
        Number of young people (aged 0-24) in the county; at least 1,000.

    Returns
    -------
    dict
        One DataFrame per name in ``TABLES``, in that order.
    """
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(people, int | np.integer) or people < 1000:
        raise ValueError(f"people must be an integer of at least 1000, got {people!r}")
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(TABLES))]
    rng = dict(zip(TABLES, streams, strict=True))

    places = _neighbourhood_frame(rng["neighbourhoods"])
    persons = _people(rng["people"], places, int(people))
    places = _add_realised_figures(places, persons)
    child_welfare = _child_welfare(rng["child_welfare"], persons, places)
    placed = set(child_welfare.loc[child_welfare["placed"], "person_id"])
    tables = {
        "neighbourhoods": places,
        "people": persons.drop(columns=["_group", "_tradition"]).rename(columns={"_needs": "needs_support"}),
        "child_welfare": child_welfare,
        "education": _education(rng["education"], persons, places, placed),
        "juvenile_justice": _juvenile_justice(rng["juvenile_justice"], persons, places),
        "homelessness": _homelessness(rng["homelessness"], persons),
        "benefits": _benefits(rng["benefits"], persons),
    }
    tables["identity_records"] = _identity_records(rng["identity_records"], persons, tables)
    tables["neighbourhood_history"] = _neighbourhood_history(rng["neighbourhood_history"], places, persons)
    return {name: tables[name] for name in TABLES}


# --- neighbourhoods and people ------------------------------------------------------


def _neighbourhood_frame(rng: np.random.Generator) -> pd.DataFrame:
    grades = list(_GRID_GRADES)
    n = len(grades)
    density = np.array([_REPORTERS_BY_GRADE[g] for g in grades]) * rng.uniform(0.85, 1.15, n)
    return pd.DataFrame(
        {
            "neighbourhood_id": [f"N{i + 1:02d}" for i in range(n)],
            "name": list(names.NEIGHBOURHOOD_NAMES[:n]),
            "lending_grade": grades,
            "tile_row": np.arange(n) // _GRID_COLUMNS,
            "tile_col": np.arange(n) % _GRID_COLUMNS,
            "reporter_density": density.round(2),
            "size_weight": rng.uniform(0.7, 1.3, n),
        }
    )


def _people(rng: np.random.Generator, places: pd.DataFrame, n: int) -> pd.DataFrame:
    keys = np.array([*_GROUP_KEYS, "declined"])
    shares = np.append(_PRIMARY_SHARE, _DECLINED_SHARE)
    group = rng.choice(keys, size=n, p=shares / shares.sum())

    flags = {key: group == key for key in _GROUP_KEYS}
    u = rng.random(n)
    for key, (chance, seconds) in _SECOND_SELECTION.items():
        second = rng.choice(list(seconds), size=n, p=list(seconds.values()))
        adds = (group == key) & (u < chance)
        for other in seconds:
            flags[other] = flags[other] | (adds & (second == other))

    # Where people live: population weight x segregation x small-group clusters.
    grade_of_place = places["lending_grade"].to_numpy()
    neighbourhood = np.empty(n, dtype=object)
    for key in keys:
        weights = places["size_weight"].to_numpy() * np.array([_SEGREGATION[key][g] for g in grade_of_place])
        for position, factor in _CLUSTERS.get(key, {}).items():
            weights[position] *= factor
        members = group == key
        neighbourhood[members] = rng.choice(
            places["neighbourhood_id"].to_numpy(),
            size=int(members.sum()),
            p=weights / weights.sum(),
        )
    grade = pd.Series(neighbourhood).map(dict(zip(places["neighbourhood_id"], grade_of_place, strict=True)))

    days_old = rng.integers(0, int((MAX_AGE + 1) * 365.25), size=n)
    birth = np.datetime64(AS_OF.isoformat()) - days_old.astype("timedelta64[D]")
    age = (days_old / 365.25).astype(int)
    nonbinary = np.where(age < 10, 0.01, 0.03)
    v = rng.random(n)
    gender = np.where(
        v < nonbinary,
        groups.GENDERS[2],
        np.where(v < (1 + nonbinary) / 2, groups.GENDERS[0], groups.GENDERS[1]),
    )

    poverty_risk = grade.map(_POVERTY_BY_GRADE).to_numpy() * pd.Series(group).map(_POVERTY_MULTIPLIER).to_numpy()
    poverty = rng.random(n) < np.minimum(poverty_risk, 0.9)
    # Need for support depends on poverty alone: the same for every group.
    needs = rng.random(n) < np.where(poverty, 0.125, 0.025)

    tradition = _name_tradition(rng, group)
    first, last = _names(rng, tradition)
    frame = pd.DataFrame(
        {
            "person_id": [f"P{i:06d}" for i in range(1, n + 1)],
            "first_name": first,
            "last_name": last,
            "birth_date": pd.Series(birth).dt.strftime("%Y-%m-%d"),
            "age": age,
            "age_band": _age_band(age),
            "gender": gender,
        }
    )
    for key, column in zip(_GROUP_KEYS, groups.RACE_FLAGS, strict=True):
        frame[column] = flags[key]
    frame["neighbourhood_id"] = neighbourhood.astype(str)
    frame["household_poverty"] = poverty
    frame["_group"] = group
    frame["_tradition"] = tradition
    frame["_needs"] = needs  # published as needs_support: only synthetic data can know it
    return frame


def _age_band(age: np.ndarray) -> np.ndarray:
    edges = [5, 10, 15, 18]
    return np.array(groups.AGE_BANDS)[np.searchsorted(edges, age, side="right")]


def _name_tradition(rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
    """Which name pool a person's names come from (used only to draw names)."""
    tradition = np.where(np.isin(group, ["declined", "white"]), "common", group)
    # Many Black, AIAN and NHPI youth carry names from the common pool too.
    mixed = np.isin(group, ["black", "aian", "nhpi"]) & (rng.random(len(group)) < 0.4)
    return np.where(mixed, "common", tradition)


def _pick(rng: np.random.Generator, pool: tuple[str, ...], size: int) -> np.ndarray:
    return np.array(pool, dtype=object)[rng.integers(0, len(pool), size=size)]


def _names(rng: np.random.Generator, tradition: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(tradition)
    first = np.empty(n, dtype=object)
    last = np.empty(n, dtype=object)
    for key in names.FIRST_NAMES:
        members = tradition == key
        count = int(members.sum())
        first[members] = _pick(rng, names.FIRST_NAMES[key], count)
        last[members] = _pick(rng, names.SURNAMES[key], count)
    # Two-part surnames (both family names kept), common in Hispanic naming.
    compound = (tradition == "hispanic") & (rng.random(n) < 0.55)
    second = _pick(rng, names.SURNAMES["hispanic"], n)
    last[compound] = last[compound] + " " + second[compound]
    return first, last


def _add_realised_figures(places: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    stats = persons.groupby("neighbourhood_id").agg(
        population=("person_id", "size"), poverty_rate=("household_poverty", "mean")
    )
    out = places.drop(columns=["size_weight"]).merge(stats, on="neighbourhood_id", how="left")
    out["population"] = out["population"].fillna(0).astype(int)
    out["poverty_rate"] = out["poverty_rate"].fillna(0).round(3)
    return out


# --- service systems ----------------------------------------------------------------


def _surveillance(persons: pd.DataFrame, places: pd.DataFrame) -> np.ndarray:
    density = persons["neighbourhood_id"].map(places.set_index("neighbourhood_id")["reporter_density"])
    return (density / places["reporter_density"].median()).to_numpy(dtype=float)


def _birth(rows: pd.DataFrame) -> np.ndarray:
    dates = pd.to_datetime(rows["birth_date"]).to_numpy()
    return cast(np.ndarray, dates.astype("datetime64[D]"))


def _window(rows: pd.DataFrame, *, from_age: float = 0, to_age: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each person's first and last possible record date: inside the extract window
    and, where ages are given, while they were from ``from_age`` up to (not including) ``to_age``."""
    birth = _birth(rows)
    start = np.maximum(np.datetime64(WINDOW_START.isoformat()), birth + int(from_age * 365.25))
    end = np.full(len(rows), np.datetime64(AS_OF.isoformat()))
    if to_age is not None:
        end = np.minimum(end, birth + int(to_age * 365.25) - 1)
    return start, end


def _dates(rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """A uniformly drawn date between ``start`` and ``end`` (inclusive) for each row."""
    span = (end - start).astype(int)
    offsets = (rng.random(len(start)) * (span + 1)).astype(int).astype("timedelta64[D]")
    return cast(np.ndarray, start + offsets)


def _open_window(persons: pd.DataFrame, *, from_age: float, to_age: float) -> np.ndarray:
    start, end = _window(persons, from_age=from_age, to_age=to_age)
    return end >= start


def _repeat(rng: np.random.Generator, ids: pd.Index, extra_rate: float) -> np.ndarray:
    """Positions of people repeated: everyone once, some several times."""
    counts = 1 + rng.poisson(extra_rate, size=len(ids))
    return np.repeat(np.arange(len(ids)), counts)


def _child_welfare(rng: np.random.Generator, persons: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    child = _open_window(persons, from_age=0, to_age=18)  # under 18 at some point in the window
    surveillance = _surveillance(persons, places) ** 0.8
    needs = persons["_needs"].to_numpy()
    base = np.where(needs, 0.30, 0.015) * np.where(persons["household_poverty"], 1.5, 1.0)
    reported = child & (rng.random(len(persons)) < np.minimum(base * surveillance, 0.95))
    who = persons[reported].reset_index(drop=True)
    rows = who.iloc[_repeat(rng, who.index, 0.3)].reset_index(drop=True)
    n = len(rows)

    report_date = _dates(rng, *_window(rows, to_age=18))
    density = rows["neighbourhood_id"].map(places.set_index("neighbourhood_id")["reporter_density"])
    mandated = rng.random(n) < np.minimum(0.45 + 0.04 * density.to_numpy(), 0.9)
    need = rows["_needs"].to_numpy()
    investigated = rng.random(n) < 0.55 + 0.15 * need
    substantiated = investigated & (rng.random(n) < np.where(need, 0.5, 0.07))
    place_mult = rows["_group"].map(_PLACEMENT_MULTIPLIER).fillna(1.0).to_numpy()
    placed = substantiated & (rng.random(n) < 0.22 * place_mult)

    age_at_report = ((report_date - _birth(rows)).astype(int) / 365.25).astype(int)
    asked = (report_date >= np.datetime64(groups.SOGIE_START)) & (age_at_report >= 10)
    orientation, identity = _sogie(rng, rows["person_id"], rows["gender"])

    frame = pd.DataFrame(
        {
            "report_id": [f"CW{i:06d}" for i in range(1, n + 1)],
            "person_id": rows["person_id"],
            "report_date": pd.Series(report_date).dt.strftime("%Y-%m-%d"),
            "reporter_type": np.where(mandated, "Mandated reporter", "Community member"),
            "investigated": investigated,
            "substantiated": substantiated,
            "placed": placed,
            "sexual_orientation": np.where(asked, orientation, "Not asked"),
            "gender_identity": np.where(asked, identity, "Not asked"),
        }
    )
    race_code, hispanic_code = _code_child_welfare(rng, rows)
    frame["race_code"] = race_code
    frame["hispanic_code"] = hispanic_code
    return frame.sort_values(["report_date", "report_id"], kind="stable").reset_index(drop=True)


def _sogie(rng: np.random.Generator, person_ids: pd.Series, gender: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each person's answers, drawn once so repeated reports agree."""
    unique = pd.Index(person_ids.unique())
    k = len(unique)
    orientation = rng.choice(groups.SEXUAL_ORIENTATIONS[:4], size=k, p=[0.76, 0.10, 0.05, 0.09])
    identity = rng.choice(groups.GENDER_IDENTITIES[:4], size=k, p=[0.88, 0.03, 0.03, 0.06])
    position = unique.get_indexer(person_ids)
    identity_per_row = identity[position]
    # A nonbinary gender answer and a "cisgender" identity do not go together.
    nonbinary = (gender == groups.GENDERS[2]).to_numpy()
    identity_per_row = np.where(
        nonbinary & (identity_per_row == "Cisgender"), groups.GENDER_IDENTITIES[2], identity_per_row
    )
    return orientation[position], identity_per_row


def _education(rng: np.random.Generator, persons: pd.DataFrame, places: pd.DataFrame, placed: set[str]) -> pd.DataFrame:
    students = persons[(persons["age"] >= 5) & (persons["age"] <= 17)].reset_index(drop=True)
    n = len(students)
    grade = students["neighbourhood_id"].map(places.set_index("neighbourhood_id")["lending_grade"])
    black = students["race_black"].to_numpy()
    absence = grade.map(_ABSENCE_BY_GRADE).to_numpy() * np.where(black, _ABSENCE_MULTIPLIER["black"], 1.0)
    was_placed = students["person_id"].isin(placed).to_numpy()
    moves_rate = 0.15 + 0.45 * students["household_poverty"].to_numpy() + 1.2 * was_placed
    frame = pd.DataFrame(
        {
            "person_id": students["person_id"],
            "school_year": "2023-24",
            "school_moves": rng.poisson(moves_rate),
            "chronically_absent": rng.random(n) < absence,
        }
    )
    race, ethnicity = _code_education(rng, students)
    frame["ethnicity"] = ethnicity
    frame["race"] = race
    return frame


def _juvenile_justice(rng: np.random.Generator, persons: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    eligible = _open_window(persons, from_age=10, to_age=18)
    risk = 0.012 * _surveillance(persons, places) * np.where(persons["household_poverty"], 1.6, 1.0)
    referred = eligible & (rng.random(len(persons)) < risk)
    who = persons[referred].reset_index(drop=True)
    rows = who.iloc[_repeat(rng, who.index, 0.4)].reset_index(drop=True)
    n = len(rows)
    frame = pd.DataFrame(
        {
            "referral_id": [f"JJ{i:06d}" for i in range(1, n + 1)],
            "person_id": rows["person_id"],
            "referral_date": pd.Series(_dates(rng, *_window(rows, from_age=10, to_age=18))).dt.strftime("%Y-%m-%d"),
            "offense_category": rng.choice(
                ["Status offense", "Property", "Person", "Drug", "Public order"],
                size=n,
                p=[0.25, 0.3, 0.2, 0.1, 0.15],
            ),
            "race": _code_juvenile_justice(rng, rows),
        }
    )
    return frame.sort_values(["referral_date", "referral_id"], kind="stable").reset_index(drop=True)


def _homelessness(rng: np.random.Generator, persons: pd.DataFrame) -> pd.DataFrame:
    risk = np.where(persons["household_poverty"], 0.038, 0.003)
    served = rng.random(len(persons)) < risk
    rows = persons[served].reset_index(drop=True)
    n = len(rows)
    frame = pd.DataFrame(
        {
            "enrollment_id": [f"HS{i:06d}" for i in range(1, n + 1)],
            "person_id": rows["person_id"],
            "entry_date": pd.Series(_dates(rng, *_window(rows))).dt.strftime("%Y-%m-%d"),
            "project_type": rng.choice(
                [
                    "Emergency shelter",
                    "Transitional housing",
                    "Rapid re-housing",
                    "Street outreach",
                ],
                size=n,
                p=[0.45, 0.2, 0.25, 0.1],
            ),
            "race_cd": _code_homelessness(rng, rows),
            # Undocumented on purpose: the agency never said what this field means.
            "hh_cd": rng.choice([1, 2, 3, 9], size=n, p=[0.5, 0.3, 0.15, 0.05]),
        }
    )
    return frame.sort_values(["entry_date", "enrollment_id"], kind="stable").reset_index(drop=True)


_PROGRAMS: Final = {"SNAP": (0.80, 0.04), "Medicaid": (0.90, 0.15), "TANF": (0.25, 0.002)}


def _benefits(rng: np.random.Generator, persons: pd.DataFrame) -> pd.DataFrame:
    poverty = persons["household_poverty"].to_numpy()
    parts = []
    for program, (in_poverty, otherwise) in _PROGRAMS.items():
        enrolled = rng.random(len(persons)) < np.where(poverty, in_poverty, otherwise)
        rows = persons[enrolled]
        parts.append(
            pd.DataFrame(
                {
                    "person_id": rows["person_id"].to_numpy(),
                    "program": program,
                    "start_date": pd.Series(_dates(rng, *_window(rows))).dt.strftime("%Y-%m-%d").to_numpy(),
                    "race_text": _code_benefits(rng, rows),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["person_id", "program"], kind="stable").reset_index(drop=True)


# --- how each agency writes race down -----------------------------------------------


def _selected(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The boolean matrix of selections (columns in RACE_FLAGS order) and its row sums."""
    matrix = rows[list(groups.RACE_FLAGS)].to_numpy(dtype=bool)
    return matrix, matrix.sum(axis=1)


def _single_code(rows: pd.DataFrame, codes: dict[str, str], multi: str, none: str) -> np.ndarray:
    """One code per row: the only selection, else ``multi`` (2+) or ``none`` (0)."""
    matrix, count = _selected(rows)
    keys = np.array([codes.get(k, none) for k in _GROUP_KEYS], dtype=object)
    first = keys[matrix.argmax(axis=1)]
    return np.where(count == 0, none, np.where(count > 1, multi, first))


def _code_child_welfare(rng: np.random.Generator, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    # Race and Hispanic origin asked separately; MENA recorded as White.
    without = rows.assign(race_hispanic=False)
    codes = {"aian": "I", "asian": "A", "black": "B", "mena": "W", "nhpi": "P", "white": "W"}
    race = _single_code(without, codes, multi="M", none="U")  # Hispanic-only answers leave race "U"
    hispanic = np.where(rows["race_hispanic"], "Y", "N")
    missing = rng.random(len(rows)) < 0.09
    return np.where(missing, "U", race), np.where(missing, "U", hispanic)


def _code_education(rng: np.random.Generator, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    without = rows.assign(race_hispanic=False)
    codes = {
        "aian": "American Indian or Alaska Native",
        "asian": "Asian",
        "black": "Black or African American",
        "mena": "White",
        "nhpi": "Native Hawaiian or Other Pacific Islander",
        "white": "White",
    }
    race = _single_code(without, codes, multi="Two or more races", none="")
    ethnicity = np.where(rows["race_hispanic"], "Hispanic or Latino", "Not Hispanic or Latino")
    missing = rng.random(len(rows)) < 0.02
    return np.where(missing, "", race), np.where(missing, "", ethnicity)


def _code_juvenile_justice(rng: np.random.Generator, rows: pd.DataFrame) -> np.ndarray:
    # A three-value code: Hispanic youth are split between "W" and "O" by whoever fills the form.
    codes = {"black": "B", "white": "W", "mena": "W"}
    race = _single_code(rows.assign(race_hispanic=False), codes, multi="O", none="O")
    hispanic = rows["race_hispanic"].to_numpy()
    race = np.where(
        hispanic & ~rows["race_black"].to_numpy(),
        np.where(rng.random(len(rows)) < 0.5, "W", "O"),
        race,
    )
    missing = rng.random(len(rows)) < 0.04
    return np.where(missing, "", race)


def _code_homelessness(rng: np.random.Generator, rows: pd.DataFrame) -> np.ndarray:
    # Numbered codes, several joined with ";"; 8, 9 and 99 mean unknown, refused, not collected.
    numbers = {
        "aian": "1",
        "asian": "2",
        "black": "3",
        "nhpi": "4",
        "white": "5",
        "hispanic": "6",
        "mena": "7",
    }
    matrix, count = _selected(rows)
    keys = [numbers[k] for k in _GROUP_KEYS]
    joined = np.array([";".join(k for k, on in zip(keys, row, strict=True) if on) for row in matrix], dtype=object)
    joined = np.where(count == 0, "9", joined)
    u = rng.random(len(rows))
    return np.where(u < 0.06, "8", np.where(u < 0.11, "9", np.where(u < 0.18, "99", joined)))


def _code_benefits(rng: np.random.Generator, rows: pd.DataFrame) -> np.ndarray:
    codes = {
        "aian": "Native American",
        "asian": "Asian/PI",
        "black": "African American",
        "hispanic": "Latino",
        "mena": "Other",
        "nhpi": "Asian/PI",
        "white": "Caucasian",
    }
    race = _single_code(rows, codes, multi="Multi", none="Unknown")
    missing = rng.random(len(rows)) < 0.12
    return np.where(missing, "Unknown", race)


# --- identity records for linkage ---------------------------------------------------

_SOURCE_TABLES: Final = {
    "child_welfare": "child_welfare",
    "education": "education",
    "juvenile_justice": "juvenile_justice",
    "homelessness": "homelessness",
    "benefits": "benefits",
}


def _identity_records(rng: np.random.Generator, persons: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One identity record per person per agency (some duplicated), as each agency typed it."""
    indexed = persons.set_index("person_id")
    parts = []
    for agency, table in _SOURCE_TABLES.items():
        ids = pd.Index(tables[table]["person_id"].unique()).sort_values()
        counts = 1 + (rng.random(len(ids)) < 0.04)  # duplicate registrations
        ids = ids.repeat(counts)
        people = indexed.loc[ids]
        first, last, birth, variant = _vary(rng, people)
        parts.append(
            pd.DataFrame(
                {
                    "agency": agency,
                    "first_name": first,
                    "last_name": last,
                    "birth_date": birth,
                    "person_id": ids.to_numpy(),
                    "variant": variant,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "record_id", [f"R{i:07d}" for i in range(1, len(frame) + 1)])
    return frame


def _vary(rng: np.random.Generator, people: pd.DataFrame) -> tuple[np.ndarray, ...]:
    n = len(people)
    first = people["first_name"].to_numpy(dtype=object).copy()
    last = people["last_name"].to_numpy(dtype=object).copy()
    birth = people["birth_date"].to_numpy(dtype=object).copy()
    tradition = people["_tradition"].to_numpy()
    variant = np.full(n, "", dtype=object)

    def mark(mask: np.ndarray, label: str) -> None:
        variant[mask] = np.where(variant[mask] == "", label, variant[mask] + ";" + label)

    # Compound surnames: an agency keeps one part, or hyphenates.
    compound = np.array([" " in s for s in last])
    u = rng.random(n)
    keep_first = compound & (u < 0.25)
    hyphen = compound & (u >= 0.25) & (u < 0.40)
    keep_second = compound & (u >= 0.40) & (u < 0.50)
    last[keep_first] = [s.split(" ")[0] for s in last[keep_first]]
    last[hyphen] = [s.replace(" ", "-") for s in last[hyphen]]
    last[keep_second] = [s.split(" ")[1] for s in last[keep_second]]
    mark(keep_first | hyphen | keep_second, "compound_surname")

    # Transliteration: another Latin spelling, or accents dropped.
    respelled = np.zeros(n, dtype=bool)
    for column in (first, last):
        has = np.array([any(part in names.TRANSLITERATIONS for part in s.split(" ")) for s in column])
        change = has & (rng.random(n) < 0.35)
        picks = rng.random(n)
        column[change] = [_respell(s, p) for s, p in zip(column[change], picks[change], strict=True)]
        respelled |= change
    mark(respelled, "transliteration")

    # Given and family names written in the other order.
    swap_chance = np.where(tradition == "asian", 0.10, 0.01)
    swap = rng.random(n) < swap_chance
    first[swap], last[swap] = last[swap], first[swap].copy()
    mark(swap, "swapped_order")

    # Keying errors: one letter of the surname dropped or doubled.
    typo = rng.random(n) < 0.03
    spots = rng.random(n)
    last[typo] = [_typo(s, p) for s, p in zip(last[typo], spots[typo], strict=True)]
    mark(typo, "typo")

    # Day and month swapped in the birth date (only where the result is a real date).
    day_le_12 = np.array([int(b[8:10]) <= 12 and b[5:7] != b[8:10] for b in birth])
    dob = day_le_12 & (rng.random(n) < 0.02)
    birth[dob] = [f"{b[:4]}-{b[8:10]}-{b[5:7]}" for b in birth[dob]]
    mark(dob, "birth_date_day_month")

    variant[variant == ""] = "none"
    return first, last, birth, variant


def _respell(name: str, pick: float) -> str:
    parts = name.split(" ")
    for i, part in enumerate(parts):
        options = names.TRANSLITERATIONS.get(part)
        if options:
            parts[i] = options[int(pick * len(options))]
            break
    return " ".join(parts)


def _typo(name: str, pick: float) -> str:
    if len(name) < 3:
        return name + name[-1]
    i = 1 + int(pick * (len(name) - 2))
    return name[:i] + name[i + 1 :] if pick < 0.5 else name[:i] + name[i] + name[i:]


# --- neighbourhood change over time (for the story map) -----------------------------

HISTORY_YEARS: Final[tuple[int, ...]] = (1990, 2000, 2010, 2020)
HISTORY_GROUPS: Final[tuple[str, ...]] = ("black", "white", "hispanic", "asian", "other")
# Neighbourhoods (grid positions) next to the centre that gentrify after 2010.
_GENTRIFYING: Final[tuple[int, ...]] = (1, 2, 7, 8)
# How much of the 1990-2020 change had happened by each year (most of it after 2010).
_CHANGE_DONE: Final = {1990: 0.0, 2000: 0.15, 2010: 0.4, 2020: 1.0}
_RENT_1990_BY_GRADE: Final = {"A": 140.0, "B": 115.0, "C": 90.0, "D": 70.0}  # county median 1990 ~ 100
_RESIDENTS_PER_YOUNG_PERSON: Final = 2.9  # all ages, per person aged 0-24


def _neighbourhood_history(rng: np.random.Generator, places: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """Residents by group and a median rent index per neighbourhood and decade.

    2020 shares are the neighbourhood's young people by primary group (so the history
    ends where the county is today); earlier decades are back-cast: gentrifying
    neighbourhoods had more Black and fewer White residents, and every share drifts a
    little. Rents start from the lending grade and rise each decade, much faster after
    2010 where the neighbourhood gentrifies.
    """
    other = {"aian", "mena", "nhpi", "declined"}
    primary = persons["_group"].map(lambda g: "other" if g in other else g)
    counts = pd.crosstab(persons["neighbourhood_id"], primary).reindex(
        index=places["neighbourhood_id"], columns=list(HISTORY_GROUPS), fill_value=0
    )
    now = counts.to_numpy(dtype=float) / np.maximum(counts.to_numpy().sum(axis=1, keepdims=True), 1)
    n = len(places)
    gentrifying = np.isin(np.arange(n), _GENTRIFYING)
    # 1990: in gentrifying places, 40% of today's White share was Black instead.
    moved = np.where(gentrifying, 0.4 * now[:, 1], 0.0)
    then = now.copy()
    then[:, 0] += moved
    then[:, 1] -= moved
    drift = rng.normal(0.0, 0.015, size=(n, len(HISTORY_GROUPS)))
    rent = np.array([_RENT_1990_BY_GRADE[g] for g in places["lending_grade"]]) * rng.uniform(0.9, 1.1, n)
    growth = rng.uniform(1.18, 1.32, size=(n, len(HISTORY_YEARS) - 1))
    growth[gentrifying, -1] *= 1.75  # 2010 -> 2020: the boom
    residents_now = places["population"].to_numpy(dtype=float) * _RESIDENTS_PER_YOUNG_PERSON
    rows = []
    for index, year in enumerate(HISTORY_YEARS):
        done = _CHANGE_DONE[year]
        shares = then + done * (now - then) + (1.0 - done) * drift
        shares = np.clip(shares, 0.0, None)
        shares = shares / shares.sum(axis=1, keepdims=True)
        level = rent * np.prod(growth[:, :index], axis=1)
        residents = residents_now * (0.8 + 0.2 * done) * np.where(gentrifying, 0.9 + 0.1 * done, 1.0)
        frame = pd.DataFrame(
            {
                "neighbourhood_id": places["neighbourhood_id"].to_numpy(),
                "year": year,
                "residents": np.round(residents, -1).astype(int),
            }
        )
        for column, key in enumerate(HISTORY_GROUPS):
            frame[f"share_{key}"] = shares[:, column].round(3)
        frame["median_rent_index"] = level.round(1)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True).sort_values(["neighbourhood_id", "year"]).reset_index(drop=True)
