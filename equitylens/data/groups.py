"""Group labels used everywhere in the kit, spelled one way.

Race and ethnicity follow the 2024 revision of OMB Statistical Policy Directive
No. 15: one combined question, seven minimum categories, and as many selections
as a person wants. The order below is deliberate: it follows the order of the
2024 standard's question, so White is never placed first by default and no chart
ranks groups alphabetically.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

# Column name in the people table -> label from the 2024 OMB standard.
RACE_FLAGS: Final[dict[str, str]] = {
    "race_aian": "American Indian or Alaska Native",
    "race_asian": "Asian",
    "race_black": "Black or African American",
    "race_hispanic": "Hispanic or Latino",
    "race_mena": "Middle Eastern or North African",
    "race_nhpi": "Native Hawaiian or Pacific Islander",
    "race_white": "White",
}
RACE_LABELS: Final[tuple[str, ...]] = tuple(RACE_FLAGS.values())
MULTIRACIAL: Final = "Multiracial and/or multiethnic"
NOT_REPORTED: Final = "Not reported"

# Every group a race and ethnicity column can hold, in display order. This is the one
# definition of that order: tables, charts and the loader all use it.
RACE_ETHNICITY_ORDER: Final[tuple[str, ...]] = (*RACE_LABELS, MULTIRACIAL, NOT_REPORTED)
# Unordered on purpose: the category order is a deliberate display order, not a ranking.
RACE_ETHNICITY_DTYPE: Final = pd.CategoricalDtype(list(RACE_ETHNICITY_ORDER), ordered=False)

# Short labels for axes and cards; same order as RACE_LABELS.
RACE_SHORT: Final[dict[str, str]] = {
    "American Indian or Alaska Native": "AIAN",
    "Asian": "Asian",
    "Black or African American": "Black",
    "Hispanic or Latino": "Hispanic",
    "Middle Eastern or North African": "MENA",
    "Native Hawaiian or Pacific Islander": "NHPI",
    "White": "White",
    MULTIRACIAL: "Multiracial",
    NOT_REPORTED: "Not reported",
}

GENDERS: Final[tuple[str, ...]] = ("Girl or woman", "Boy or man", "Nonbinary or another gender")
AGE_BANDS: Final[tuple[str, ...]] = ("0-4", "5-9", "10-14", "15-17", "18-24")
LENDING_GRADES: Final[tuple[str, ...]] = ("A", "B", "C", "D")
LENDING_GRADE_LABELS: Final[dict[str, str]] = {
    "A": 'A ("best")',
    "B": 'B ("still desirable")',
    "C": 'C ("declining")',
    "D": 'D ("hazardous", redlined)',
}

# SOGIE answers as child welfare records them (collected only after SOGIE_START).
SEXUAL_ORIENTATIONS: Final[tuple[str, ...]] = (
    "Straight or heterosexual",
    "Lesbian, gay or bisexual",
    "Queer, questioning or another orientation",
    "Declined to answer",
    "Not asked",
)
GENDER_IDENTITIES: Final[tuple[str, ...]] = (
    "Cisgender",
    "Transgender",
    "Nonbinary or gender expansive",
    "Declined to answer",
    "Not asked",
)
SOGIE_START: Final = "2021-07-01"

AGENCIES: Final[tuple[str, ...]] = (
    "child_welfare",
    "education",
    "juvenile_justice",
    "homelessness",
    "benefits",
)


def race_ethnicity_label(people: pd.DataFrame) -> pd.Series:
    """One label per person: their single selection, "Multiracial and/or multiethnic"
    for two or more, "Not reported" for none. The full counting rules live in
    ``equitylens.methods.disaggregate``."""
    missing = [c for c in RACE_FLAGS if c not in people.columns]
    if missing:
        raise ValueError(f"people is missing race flag columns {missing}")
    flags = people[list(RACE_FLAGS)].to_numpy(dtype=bool)
    count = flags.sum(axis=1)
    single = np.array(RACE_LABELS, dtype=object)[flags.argmax(axis=1)]
    label = np.where(count == 0, NOT_REPORTED, np.where(count > 1, MULTIRACIAL, single))
    return pd.Series(
        pd.Categorical(label, dtype=RACE_ETHNICITY_DTYPE),
        index=people.index,
        name="race_ethnicity",
    )
