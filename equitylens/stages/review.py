"""Stage 4: people in the loop. A practitioner reviews the flags, and the use decides what a flag means.

:func:`review` simulates a practitioner who can override the tool (human-led use, or a
rubber stamp); :func:`flag_outcomes` counts what flags mean for families, judged against
need; :func:`uses` sets the same flags under the two uses the framework contrasts.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from equitylens.methods.policy import DisclosurePolicy, as_policy
from equitylens.methods.validation import check_probability
from equitylens.methods.validation import check_table as _check
from equitylens.stages.risk_model import DEFAULT_SEED

USES: Final[dict[str, dict[str, str]]] = {
    "services": {
        "label": "To offer services and supports",
        "correct_flag": "A family that needs help is offered it, and may say yes.",
        "false_flag": "A family that did not need help gets an offer it can turn down; a visit may still feel like "
        "being watched.",
        "missed": "A family that needs help is not offered it by this route.",
    },
    "surveillance": {
        "label": "To watch, investigate or punish",
        "correct_flag": "A family that needs help gets an investigation, not help; it may stop asking for help.",
        "false_flag": "A family that did not need help is investigated; the visit creates a record, which raises "
        "its next risk score.",
        "missed": "A family that needs help is not seen at all.",
    },
}
OUTCOMES: Final[dict[str, str]] = {
    "correct_flag": "Flagged, and needs support",
    "false_flag": "Flagged, but does not need support",
    "missed": "Needs support, not flagged",
}


def review(
    scores: pd.DataFrame,
    *,
    skill: float = 0.8,
    deference: float = 0.0,
    reach: float = 0.0,
    flagged: str = "flagged",
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Simulate a practitioner who can override the flag (human-led use).

    For each flagged child, the practitioner judges whether the family needs support
    and is right with probability ``skill``; they lift the flag when they judge no need,
    unless they defer to the tool (probability ``deference``: automation bias). For each
    child *not* flagged who needs support, the practitioner knows the family and adds a
    flag with probability ``reach``. Returns a copy with ``reviewed`` (the decision
    after review) and ``override`` (``"kept"``, ``"lifted"``, ``"added"`` or ``""``).
    """
    _check(scores, [flagged, "need"], "scores")
    skill = check_probability(skill, "skill")
    deference = check_probability(deference, "deference")
    reach = check_probability(reach, "reach")
    rng = np.random.default_rng(seed)
    n = len(scores)
    need = scores["need"].to_numpy(dtype=bool)
    was = scores[flagged].to_numpy(dtype=bool)
    judged_need = np.where(rng.random(n) < skill, need, ~need)
    defers = rng.random(n) < deference
    keep = was & (judged_need | defers)
    add = ~was & need & (rng.random(n) < reach)
    out = scores.copy()
    out["reviewed"] = keep | add
    out["override"] = np.select([keep, was & ~keep, add], ["kept", "lifted", "added"], default="")
    return out


def flag_outcomes(
    scores: pd.DataFrame,
    *,
    flagged: str = "flagged",
    by: str = "race_ethnicity",
    threshold: int | str | None = None,
    policy: DisclosurePolicy | None = None,
) -> pd.DataFrame:
    """What a flag means for families, judged against need: counts per 1,000 children.

    One row per group and outcome (``OUTCOMES``: correct flags, false flags, missed
    families), with ``children`` in the group, ``count`` and ``per_1000``. Counts from 1
    to ``threshold - 1`` (and groups smaller than the threshold) are suppressed, under
    ``policy`` (default ``policy.DEFAULT_POLICY``; ``threshold`` overrides its threshold).
    """
    _check(scores, [flagged, "need", by], "scores")
    rule = as_policy(policy, threshold)
    was = scores[flagged].astype(bool)
    need = scores["need"].astype(bool)
    work = pd.DataFrame(
        {
            by: scores[by],
            "children": 1,
            "correct_flag": (was & need).astype(int),
            "false_flag": (was & ~need).astype(int),
            "missed": (~was & need).astype(int),
        }
    )
    wide = work.groupby(by, observed=True, sort=True).sum().reset_index()
    long = wide.melt(id_vars=[by, "children"], var_name="outcome", value_name="count")
    long["outcome_label"] = long["outcome"].map(OUTCOMES)
    long["per_1000"] = 1000 * long["count"] / long["children"]
    small = rule.small(long["count"].to_numpy(), long["children"].to_numpy())
    long["suppressed"] = small
    long["count"] = long["count"].astype("Int64").mask(small)
    long["per_1000"] = long["per_1000"].mask(small)
    position = {key: i for i, key in enumerate(OUTCOMES)}
    group_position = {str(g): i for i, g in enumerate(wide[by])}
    long[by] = long[by].astype(str)
    long = long.assign(_g=long[by].map(group_position), _o=long["outcome"].map(position))
    long = long.sort_values(["_g", "_o"]).drop(columns=["_g", "_o"]).reset_index(drop=True)
    return long[[by, "children", "outcome", "outcome_label", "count", "per_1000", "suppressed"]]


def uses(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The same flags under the two uses the framework contrasts: a row per use and outcome.

    Takes :func:`flag_outcomes` and adds, for each use in ``USES``, what each outcome
    means for a family. The counts do not change between uses; what happens to the
    families does.
    """
    _check(outcomes, ["outcome", "count"], "outcomes")
    parts = []
    for text in USES.values():
        part = outcomes.copy()
        part.insert(0, "use", text["label"])
        part["what_happens"] = part["outcome"].map(text)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
