"""Stage 4: an "early warning" risk score, trained the way an agency would train one.

The model is deliberately ordinary: a logistic regression on a handful of things an
agency could see, trained to predict a *substantiated* child-welfare report. That label
carries surveillance bias, because a report can only be substantiated if someone made
one, and reports follow mandated reporters. The synthetic county also knows
``needs_support``, the truth no agency has, so every audit of the model
(:mod:`equitylens.stages.fairness`) can be run twice: against the label the model learned
and against the need it claims to find.

>>> import pandas as pd
>>> scores = pd.DataFrame({"score": [0.9, 0.1, 0.5, 0.7]})
>>> flag(scores, share=0.5)["flagged"].tolist()
[True, False, False, True]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from equitylens.methods.validation import check_probability, check_whole_number
from equitylens.methods.validation import check_table as _check

LABEL: Final = "cw_substantiated"  # what an agency can train on: a substantiated report
NEED: Final = "needs_support"  # what no agency has: the family would benefit from support
TRUTHS: Final[dict[str, str]] = {
    "label": "Substantiated report (what the model learned)",
    "need": "Needs support (known only in synthetic data)",
}
# Things an agency could see about a child. Race is not among them; place is.
FEATURES: Final[dict[str, str]] = {
    "snap": "Household gets SNAP",
    "tanf": "Household gets TANF",
    "medicaid": "Child has Medicaid",
    "homeless_services": "Used homelessness services",
    "jj_referred": "Referred to juvenile justice",
    "school_moves": "School moves this year",
    "chronically_absent": "Chronically absent from school",
    "reporter_density": "Mandated reporters per 1,000 residents nearby",
    "neighbourhood_poverty_rate": "Poverty rate of the neighbourhood",
    "age": "Age in years",
}
DEFAULT_SEED: Final = 2020
TRAIN_SHARE: Final = 0.5
DEFAULT_SHARE: Final = 0.10  # flag the highest-scoring tenth of children
AUDIT_SIZE: Final = 20_000  # held-out children in the audit sample


def children(county: pd.DataFrame) -> pd.DataFrame:
    """Children under 18 with the model's features filled in (no school record counts as 0).

    Returns the person id, race and ethnicity, gender, the features in ``FEATURES``
    (as floats), the label ``cw_substantiated`` and ``needs_support``.
    """
    _check(county, ["person_id", "age", "race_ethnicity", "gender", LABEL, NEED, *FEATURES], "county")
    kids = county[county["age"] < 18]
    out = kids[["person_id", "race_ethnicity", "gender"]].copy()
    for column in FEATURES:
        out[column] = kids[column].astype("Float64").fillna(0).astype(float)
    out[LABEL] = kids[LABEL].astype(bool)
    out[NEED] = kids[NEED].astype(bool)
    return out.reset_index(drop=True)


def _split(frame: pd.DataFrame, seed: int, train_share: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.random(len(frame)) < train_share


def _fit(frame: pd.DataFrame, features: Sequence[str], seed: int, train_share: float) -> tuple[Pipeline, np.ndarray]:
    _check(frame, [*features, LABEL], "frame")
    if not features:
        raise ValueError("features must name at least one column")
    check_probability(train_share, "train_share", strict=True)
    train = _split(frame, seed, train_share)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(frame.loc[train, list(features)].to_numpy(dtype=float), frame.loc[train, LABEL].to_numpy(dtype=bool))
    return model, train


def risk_scores(
    frame: pd.DataFrame,
    *,
    features: Sequence[str] = tuple(FEATURES),
    seed: int = DEFAULT_SEED,
    train_share: float = TRAIN_SHARE,
    size: int | None = AUDIT_SIZE,
) -> pd.DataFrame:
    """Train the early-warning model on part of ``frame`` and score the rest.

    ``frame`` is the output of :func:`children`. A random ``train_share`` of children
    (drawn with ``seed``, so the split is the same every time) trains a standardised
    logistic regression to predict ``cw_substantiated``; the held-out children are
    scored. Returns one row per held-out child: ``person_id``, ``race_ethnicity``,
    ``gender``, ``label`` (substantiated), ``need`` (needs support) and ``score`` (the
    predicted chance of substantiation). ``size`` keeps a seeded random sample of that
    many held-out children (the audit sample; ``None`` keeps all). These are person
    rows: summarise them before you publish or chart anything.
    """
    if size is not None:
        check_whole_number(size, "size", minimum=1)
    model, train = _fit(frame, features, seed, train_share)
    held_out = frame.loc[~train]
    if size is not None and size < len(held_out):
        held_out = held_out.sample(n=size, random_state=seed).sort_index()
    scores = model.predict_proba(held_out[list(features)].to_numpy(dtype=float))[:, 1]
    out = held_out[["person_id", "race_ethnicity", "gender"]].copy()
    out["label"] = held_out[LABEL].to_numpy()
    out["need"] = held_out[NEED].to_numpy()
    out["score"] = scores
    return out.reset_index(drop=True)


def risk_weights(
    frame: pd.DataFrame,
    *,
    features: Sequence[str] = tuple(FEATURES),
    seed: int = DEFAULT_SEED,
    train_share: float = TRAIN_SHARE,
) -> pd.DataFrame:
    """What the model leans on: one row per feature with its standardised weight.

    A positive ``weight`` raises the score. Weights are per standard deviation of the
    feature, so they can be compared with each other. Sorted by size, largest first.
    """
    model, _ = _fit(frame, features, seed, train_share)
    weights = model[-1].coef_[0]
    table = pd.DataFrame(
        {
            "feature": list(features),
            "meaning": [FEATURES.get(f, f) for f in features],
            "weight": weights,
        }
    )
    return table.reindex(table["weight"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def flag(scores: pd.DataFrame, *, share: float = DEFAULT_SHARE) -> pd.DataFrame:
    """Flag the highest-scoring ``share`` of rows (ties broken by row order).

    Returns a copy of ``scores`` with a boolean ``flagged`` column and the cut-off
    score in ``attrs["cutoff"]``.
    """
    _check(scores, ["score"], "scores")
    share = check_probability(share, "share", strict=True)
    k = max(1, round(share * len(scores)))
    order = scores["score"].rank(method="first", ascending=False)
    out = scores.copy()
    out["flagged"] = (order <= k).to_numpy()
    out.attrs["cutoff"] = float(out.loc[out["flagged"], "score"].min())
    return out
