"""Stage 4 tools: an "early warning" risk score, its fairness audit, and what people do with it.

The model is deliberately ordinary: a logistic regression on a handful of things an
agency could see, trained to predict a *substantiated* child-welfare report. That label
carries surveillance bias, because a report can only be substantiated if someone made
one, and reports follow mandated reporters. The synthetic county also knows
``needs_support``, the truth no agency has, so every audit here can be run twice: against
the label the model learned and against the need it claims to find.

The fairness numbers come from fairlearn's :class:`~fairlearn.metrics.MetricFrame`
(with its bootstrap intervals); this module only arranges them into tidy tables and
hides cells too small to publish.

>>> import pandas as pd
>>> scores = pd.DataFrame({"score": [0.9, 0.1, 0.5, 0.7]})
>>> flag(scores, share=0.5)["flagged"].tolist()
[True, False, False, True]
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import yaml
from fairlearn.metrics import MetricFrame, false_negative_rate, false_positive_rate, selection_rate
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from equitylens.data.content import DATA_DIR
from equitylens.methods.policy import DisclosurePolicy, as_policy
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
# fairlearn's bootstrap re-runs every metric on every resample; 50 resamples of the
# 20,000-child audit sample take about 20 seconds, which a notebook can afford. The
# 2.5% and 97.5% quantiles of 50 resamples are rough: read the intervals as a guide.
DEFAULT_BOOTSTRAPS: Final = 50
AUDIT_SIZE: Final = 20_000  # held-out children in the audit sample

METRICS: Final[dict[str, str]] = {
    "selection_rate": "Share flagged",
    "false_positive_rate": "False positive rate",
    "false_negative_rate": "False negative rate",
    "precision": "Precision",
}
# Which people each metric is a share of; a group whose denominator is below the
# suppression threshold has that metric hidden (see suppress.DEFAULT_THRESHOLD).
_DENOMINATORS: Final[dict[str, str]] = {
    "selection_rate": "people",
    "false_positive_rate": "negatives",
    "false_negative_rate": "positives",
    "precision": "flagged",
}

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

IMPACT_FILE: Final = "impact_statement.yml"
NOT_ANSWERED: Final = "_Not answered yet._"

ERR_SHARE: Final = "share={value!r} must be a number strictly between 0 and 1, e.g. 0.1 for the top tenth"
ERR_CHOICE: Final = "{argument}={value!r} is not allowed; choose one of {allowed}"
ERR_PROBABILITY: Final = "{argument}={value!r} must be a number from 0 to 1"


# --- checks -------------------------------------------------------------------------


def _check_share(share: float) -> float:
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
        raise ValueError(ERR_SHARE.format(value=share))
    return float(share)


def _check_probability(value: float, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(ERR_PROBABILITY.format(argument=argument, value=value))
    return float(value)


def _check_truth(truth: str) -> str:
    if truth not in TRUTHS:
        raise ValueError(ERR_CHOICE.format(argument="truth", value=truth, allowed=list(TRUTHS)))
    return truth


# --- the model ----------------------------------------------------------------------


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
    _check_share(train_share)
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
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise ValueError(f"size={size!r} must be a whole number >= 1, or None for every held-out child")
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
    share = _check_share(share)
    k = max(1, round(share * len(scores)))
    order = scores["score"].rank(method="first", ascending=False)
    out = scores.copy()
    out["flagged"] = (order <= k).to_numpy()
    out.attrs["cutoff"] = float(out.loc[out["flagged"], "score"].min())
    return out


# --- the audit ----------------------------------------------------------------------


def _metric_functions() -> dict[str, Any]:
    return {
        "selection_rate": selection_rate,
        "false_positive_rate": false_positive_rate,
        "false_negative_rate": false_negative_rate,
        "precision": functools.partial(precision_score, zero_division=np.nan),
    }


def _denominators(scores: pd.DataFrame, by: list[str], truth: str, flagged: str) -> pd.DataFrame:
    work = pd.DataFrame(
        {
            "people": 1,
            "positives": scores[truth].astype(bool).astype(int),
            "negatives": (~scores[truth].astype(bool)).astype(int),
            "flagged": scores[flagged].astype(bool).astype(int),
        }
    )
    for column in by:
        work[column] = scores[column].astype(str)
    return work.groupby(by, sort=False)[["people", "positives", "negatives", "flagged"]].sum().reset_index()


def _tidy(frame: pd.DataFrame, by: list[str], name: str) -> pd.DataFrame:
    """A MetricFrame result (rows: groups, columns: metrics) as a long table."""
    long = frame.reset_index().melt(id_vars=by, var_name="metric", value_name=name)
    for column in by:
        long[column] = long[column].astype(str)
    return long


def fairness_audit(
    scores: pd.DataFrame,
    *,
    truth: str = "label",
    by: str | Sequence[str] = "race_ethnicity",
    flagged: str = "flagged",
    n_boot: int = DEFAULT_BOOTSTRAPS,
    seed: int = DEFAULT_SEED,
    threshold: int | str | None = None,
    policy: DisclosurePolicy | None = None,
) -> pd.DataFrame:
    """Selection rate, false positive and negative rates and precision by group, from fairlearn.

    Parameters
    ----------
    scores
        Flagged scores (from :func:`flag`), with ``label``, ``need`` and the ``by`` columns.
    truth
        ``"label"`` audits against substantiated reports, the label the model learned;
        ``"need"`` against ``needs_support``, what families actually need.
    by
        One column or several (e.g. ``["race_ethnicity", "gender"]`` for race by gender).
    flagged
        The boolean column holding the decision.
    n_boot
        Bootstrap resamples for fairlearn's 95% intervals; 0 for no intervals.
    threshold
        Small-cell rule: a metric is hidden for a group when the people it is a share
        of (the group, its positives, its negatives, or its flagged) number fewer.
        Overrides the threshold of ``policy`` (default ``policy.DEFAULT_POLICY``).
    policy
        The disclosure policy; a metric whose denominator is small under it is hidden.

    Returns
    -------
    DataFrame
        One row per group and metric: the ``by`` columns, ``metric`` (a key of
        ``METRICS``), ``metric_label``, ``value``, ``lower``, ``upper`` (NaN without
        bootstrap), ``denominator`` (how many people the metric is a share of) and
        ``suppressed``. Suppressed rows have no numbers.
    """
    truth = _check_truth(truth)
    columns = [by] if isinstance(by, str) else list(by)
    _check(scores, [*columns, flagged, truth], "scores")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 0:
        raise ValueError(f"n_boot={n_boot!r} must be a whole number >= 0")
    rule = as_policy(policy, threshold)
    features = scores[columns].astype(str)
    options: dict[str, Any] = {}
    if n_boot:
        options = {"n_boot": n_boot, "ci_quantiles": [0.025, 0.975], "random_state": seed}
    with warnings.catch_warnings():
        # A group with no positives has no false negative rate in any resample; fairlearn
        # then warns about an all-NaN quantile. Those cells are suppressed below.
        warnings.simplefilter("ignore", RuntimeWarning)
        frame = MetricFrame(
            metrics=_metric_functions(),
            y_true=scores[truth].astype(bool).to_numpy(),
            y_pred=scores[flagged].astype(bool).to_numpy(),
            sensitive_features=features,
            **options,
        )
    table = _tidy(frame.by_group, columns, "value")
    if n_boot:
        lower, upper = frame.by_group_ci
        table = table.merge(_tidy(lower, columns, "lower"), on=[*columns, "metric"])
        table = table.merge(_tidy(upper, columns, "upper"), on=[*columns, "metric"])
    else:
        table["lower"] = np.nan
        table["upper"] = np.nan
    counts = _denominators(scores, columns, truth, flagged)
    table = table.merge(counts, on=columns, how="left")
    table["denominator"] = [int(row[_DENOMINATORS[row["metric"]]]) for _, row in table.iterrows()]
    # Every metric is a share: its numerator (value x denominator) is a count too, so a
    # metric is hidden when either count is small under the policy (one rule, not n < k).
    denominators = table["denominator"].to_numpy(dtype=float)
    numerators = np.round(table["value"].to_numpy(dtype=float) * denominators)
    table["suppressed"] = rule.small(np.nan_to_num(numerators, nan=0.0), denominators)
    numbers = ["value", "lower", "upper"]
    table[numbers] = table[numbers].astype(float)
    table.loc[table["suppressed"], numbers] = np.nan
    table.loc[table["suppressed"], "denominator"] = 0
    table["metric_label"] = table["metric"].map(METRICS)
    table = _order_groups(table, scores, columns)
    return table[[*columns, "metric", "metric_label", "value", "lower", "upper", "denominator", "suppressed"]]


def _order_groups(table: pd.DataFrame, scores: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Keep the kit's deliberate group order (categorical order), then metric order."""
    for column in columns:
        source = scores[column]
        if isinstance(source.dtype, pd.CategoricalDtype):
            order = [str(c) for c in source.cat.categories if str(c) in set(table[column])]
        else:
            order = list(dict.fromkeys(source.astype(str)))
        table[column] = pd.Categorical(table[column], categories=order, ordered=True)
    table["metric"] = pd.Categorical(table["metric"], categories=list(METRICS), ordered=True)
    table = table.sort_values([*columns, "metric"]).reset_index(drop=True)
    for column in [*columns, "metric"]:
        table[column] = table[column].astype(str)
    return table


def threshold_sweep(
    scores: pd.DataFrame,
    *,
    shares: Sequence[float] = tuple(np.round(np.arange(0.02, 0.31, 0.02), 2)),
    truth: str = "label",
    by: str = "race_ethnicity",
    threshold: int | str | None = None,
    policy: DisclosurePolicy | None = None,
) -> pd.DataFrame:
    """The fairness audit at every cut-off: one row per share flagged, group and metric.

    Each share's numbers come from its own fairlearn ``MetricFrame`` (no bootstrap).
    Columns: ``share`` (the share of children flagged), ``cutoff`` (the score it takes),
    ``by``, ``metric``, ``metric_label``, ``value``, ``denominator``, ``suppressed``.
    This is a summary table: it is what the book's slider filters.
    """
    _check(scores, ["score", by, _check_truth(truth)], "scores")
    if not len(shares):
        raise ValueError("shares must list at least one share to flag")
    parts = []
    for share in shares:
        flagged = flag(scores, share=float(share))
        audited = fairness_audit(flagged, truth=truth, by=by, n_boot=0, threshold=threshold, policy=policy)
        audited.insert(0, "cutoff", flagged.attrs["cutoff"])
        audited.insert(0, "share", round(float(share), 4))
        parts.append(audited.drop(columns=["lower", "upper"]))
    return pd.concat(parts, ignore_index=True)


_SWEEP_COLUMNS: Final = frozenset({"share", "cutoff", "metric", "metric_label", "value", "denominator", "suppressed"})


def _group_column(sweep: pd.DataFrame) -> str:
    others = [str(c) for c in sweep.columns if c not in _SWEEP_COLUMNS]
    if len(others) != 1:
        raise ValueError(f"sweep must have exactly one group column besides {sorted(_SWEEP_COLUMNS)}; found {others}")
    return others[0]


def sweep_gaps(sweep: pd.DataFrame) -> pd.DataFrame:
    """Per share flagged and metric: the gap between the highest and lowest group.

    Suppressed groups are left out. ``highest`` and ``lowest`` name the groups. A gap of
    0 would mean every group is treated alike on that metric.
    """
    _check(sweep, ["share", "metric", "value"], "sweep")
    group = _group_column(sweep)
    rows = []
    shown = sweep.dropna(subset=["value"])
    for (share, metric), part in shown.groupby(["share", "metric"], sort=False):
        values = part["value"].to_numpy(dtype=float)
        top = part.iloc[int(np.argmax(values))]
        low = part.iloc[int(np.argmin(values))]
        rows.append(
            {
                "share": share,
                "metric": metric,
                "metric_label": METRICS.get(str(metric), str(metric)),
                "gap": float(top["value"] - low["value"]),
                "highest": top[group],
                "lowest": low[group],
            }
        )
    return pd.DataFrame(rows)


# --- people in the loop -------------------------------------------------------------


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
    skill = _check_probability(skill, "skill")
    deference = _check_probability(deference, "deference")
    reach = _check_probability(reach, "reach")
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


# --- the Social Impact Statement ----------------------------------------------------


def impact_template(path: Path | str | None = None) -> list[dict[str, Any]]:
    """The Social Impact Statement template: one entry per FAT/ML principle.

    Each principle has ``id``, ``name``, ``principle`` (what it asks, in plain words) and
    ``questions``: a list of ``{id, question, hint}``. Read from
    ``book/data/impact_statement.yml``.
    """
    where = Path(path) if path is not None else DATA_DIR / IMPACT_FILE
    data = yaml.safe_load(where.read_text(encoding="utf-8"))
    principles = data.get("principles") if isinstance(data, dict) else None
    if not isinstance(principles, list) or not principles:
        raise ValueError(f"{where}: expected a 'principles' list")
    seen: set[str] = set()
    for entry in principles:
        for key in ("id", "name", "principle", "questions"):
            if key not in entry:
                raise ValueError(f"{where}: principle {entry.get('id', '?')!r} has no {key!r}")
        for question in entry["questions"]:
            qid = f"{entry['id']}.{question['id']}"
            if qid in seen:
                raise ValueError(f"{where}: question id {qid!r} appears twice")
            seen.add(qid)
    return list(principles)


def impact_questions(template: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """The template as a table: one row per question, with its ``key`` for answers."""
    rows = []
    for entry in template if template is not None else impact_template():
        for question in entry["questions"]:
            rows.append(
                {
                    "key": f"{entry['id']}.{question['id']}",
                    "principle": entry["name"],
                    "question": question["question"],
                    "hint": question.get("hint", ""),
                }
            )
    return pd.DataFrame(rows)


def impact_statement(
    answers: Mapping[str, str],
    *,
    system: str,
    owner: str = "",
    template: list[dict[str, Any]] | None = None,
    evidence: pd.DataFrame | None = None,
) -> str:
    """Fill the Social Impact Statement and return it as a Markdown document.

    Parameters
    ----------
    answers
        Answer text keyed by question key (``"principle.question"``, as in
        :func:`impact_questions`). Questions left out are marked as not answered and
        listed at the end, so a draft says what is still open.
    system
        The name of the algorithm or tool the statement is about.
    owner
        Who is responsible for the statement (a role, not a person's name, is fine).
    evidence
        An optional small summary table (e.g. from :func:`fairness_audit`) added as an
        appendix in Markdown. Never pass person rows.
    """
    if not isinstance(system, str) or not system.strip():
        raise ValueError("system must name the tool the statement is about")
    template = template if template is not None else impact_template()
    keys = impact_questions(template)["key"].tolist()
    unknown = [k for k in answers if k not in keys]
    if unknown:
        raise ValueError(f"answers has unknown key(s) {unknown}; allowed keys: {keys}")
    lines = [f"# Social Impact Statement: {system.strip()}", ""]
    if owner.strip():
        lines += [f"**Responsible for this statement:** {owner.strip()}", ""]
    lines += [
        "This statement follows the five principles for accountable algorithms of FAT/ML "
        "(Diakopoulos et al., 2017): responsibility, explainability, accuracy, auditability and fairness.",
        "",
    ]
    open_questions = []
    for entry in template:
        lines += [f"## {entry['name']}", "", f"*{entry['principle'].strip()}*", ""]
        for question in entry["questions"]:
            key = f"{entry['id']}.{question['id']}"
            answer = str(answers.get(key, "")).strip()
            if not answer:
                open_questions.append(f"- {entry['name']}: {question['question']}")
            lines += [f"**{question['question']}**", "", answer or NOT_ANSWERED, ""]
    if open_questions:
        lines += ["## Still open", "", *open_questions, ""]
    if evidence is not None:
        if len(evidence) > 200 or {"person_id", "first_name", "last_name"} & set(evidence.columns):
            raise ValueError("evidence must be a small summary table, not person rows")
        lines += ["## Appendix: audit evidence", "", _markdown_table(evidence), ""]
    return "\n".join(lines).rstrip() + "\n"


def _markdown_table(table: pd.DataFrame) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            return "" if np.isnan(value) else f"{value:.3f}"
        return "" if value is None or value is pd.NA else str(value).replace("|", "\\|")

    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in table.columns) + " |"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body])


# --- charts -------------------------------------------------------------------------


def audit_chart(
    table: pd.DataFrame,
    *,
    group: str = "race_ethnicity",
    title: str,
    description: str,
    subtitle: str | Sequence[str] | None = None,
) -> Any:
    """One panel per metric: a dot per group with its bootstrap interval.

    ``table`` is :func:`fairness_audit` output for one ``by`` column (use a combined
    label column for race by gender). Suppressed rows are left out of the chart.
    """
    import altair as alt

    from equitylens.viz import charts

    charts._require(table, [group, "metric_label", "value", "lower", "upper"])
    shown = table.dropna(subset=["value"])[[group, "metric_label", "value", "lower", "upper"]]
    order = list(dict.fromkeys(table[group]))
    y = alt.Y(f"{group}:N", sort=order, title=None)
    base = alt.Chart().encode(y=y)
    dots = base.mark_circle(size=70, color=charts.NEUTRAL).encode(
        x=alt.X("value:Q", title="Share", axis=alt.Axis(format="%")),
        tooltip=[
            alt.Tooltip(f"{group}:N", title="Group"),
            alt.Tooltip("metric_label:N", title="Measure"),
            alt.Tooltip("value:Q", title="Value", format=".1%"),
            alt.Tooltip("lower:Q", title="95% interval from", format=".1%"),
            alt.Tooltip("upper:Q", title="95% interval to", format=".1%"),
        ],
    )
    whiskers = base.mark_rule(color="#000").encode(x="lower:Q", x2="upper:Q")
    chart = (
        alt.layer(dots, whiskers, data=shown)
        .properties(width=150, height=alt.Step(18))
        .facet(column=alt.Column("metric_label:N", sort=list(METRICS.values()), title=None))
        .resolve_scale(x="independent")
    )
    return charts.finish(chart, title=title, description=description, subtitle=subtitle)


def _sweep_data(sweep: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    _check(sweep, ["share", "metric_label", "value"], "sweep")
    group = _group_column(sweep)
    points = sweep.dropna(subset=["value"]).assign(percent=lambda t: (t["share"] * 100).round().astype(int))
    points = points[["percent", group, "metric_label", "value"]].rename(columns={group: "group"})
    gaps = sweep_gaps(sweep).assign(percent=lambda t: (t["share"] * 100).round().astype(int))
    return points, gaps[["percent", "metric_label", "gap", "highest", "lowest"]]


def threshold_chart(sweep: pd.DataFrame, *, bind: bool = True, value: int = 10) -> Any:
    """The threshold slider: move the cut-off and watch every error-rate gap move.

    Top: the gap between the highest and lowest group on each measure, for every
    share flagged, with a rule at the chosen share. Bottom: each group's value on each
    measure at the chosen share. One parameter, ``percent`` (share of children flagged,
    in per cent), is bound to a slider in the page or driven by the live form.
    """
    import altair as alt

    from equitylens.viz import charts

    points, gaps = _sweep_data(sweep)
    percents = sorted(points["percent"].unique())
    if value not in percents:
        value = int(percents[len(percents) // 2])
    step = int(np.diff(percents).min()) if len(percents) > 1 else 1
    if bind:
        binding = alt.binding_range(
            min=int(percents[0]), max=int(percents[-1]), step=step, name="Share of children flagged (%): "
        )
        percent = alt.param(name="percent", value=value, bind=binding)
    else:
        percent = alt.param(name="percent", value=value)
    metric_order = list(METRICS.values())
    colour = alt.Color("metric_label:N", sort=metric_order, title=None, legend=alt.Legend(orient="top", columns=2))
    lines = (
        alt.Chart(gaps)
        .mark_line(point=True)
        .encode(
            x=alt.X("percent:Q", title="Share of children flagged (%)"),
            y=alt.Y("gap:Q", title="Gap, highest minus lowest group", axis=alt.Axis(format="%")),
            color=colour,
            strokeDash=alt.StrokeDash("metric_label:N", sort=metric_order, legend=None),
            tooltip=[
                alt.Tooltip("percent:Q", title="Flagged (%)"),
                alt.Tooltip("metric_label:N", title="Measure"),
                alt.Tooltip("gap:Q", title="Gap", format=".1%"),
                alt.Tooltip("highest:N", title="Highest"),
                alt.Tooltip("lowest:N", title="Lowest"),
            ],
        )
    )
    rule = (
        alt.Chart(gaps)
        .mark_rule(color="#000", strokeDash=[4, 3])
        .encode(x="p:Q")
        .transform_calculate(p=percent.name)
        .transform_aggregate(p="max(p)")
    )
    top = alt.layer(lines, rule).properties(width=520, height=200)
    order = list(dict.fromkeys(points["group"]))
    bottom = (
        alt.Chart(points)
        .transform_filter(alt.datum.percent == percent)
        .mark_circle(size=70)
        .encode(
            x=alt.X("value:Q", title="Share", axis=alt.Axis(format="%")),
            y=alt.Y("group:N", sort=order, title=None),
            color=alt.Color("metric_label:N", sort=metric_order, legend=None),
            column=alt.Column("metric_label:N", sort=metric_order, title=None),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("metric_label:N", title="Measure"),
                alt.Tooltip("value:Q", title="Value", format=".1%"),
            ],
        )
        .properties(width=120, height=alt.Step(16))
        .resolve_scale(x="independent")
    )
    chart = alt.vconcat(top, bottom, spacing=16).add_params(percent)
    return charts.finish(
        chart,
        title="Move the cut-off: the gaps move, and they never all close",
        description=(
            "Line chart of the gap between the highest and lowest group on four measures (share flagged, false "
            "positive rate, false negative rate, precision) for each share of children flagged, above dot plots of "
            "each group's value on each measure at the chosen share."
        ),
        subtitle=[
            "Held-out children in the audit sample. Groups too small to publish are left out.",
            "Use the slider under the chart to change the share of children flagged.",
        ],
    )


def live_threshold(sweep: pd.DataFrame) -> Any:
    """The threshold chart as a live form (ipywidgets slider), for Jupyter."""
    import ipywidgets as w

    from equitylens.explore import forms

    def build() -> Any:
        chart = threshold_chart(sweep, bind=False)
        points, _ = _sweep_data(sweep)
        percents = sorted(int(p) for p in points["percent"].unique())
        step = int(np.diff(percents).min()) if len(percents) > 1 else 1
        value = next(p["value"] for p in chart.to_dict()["params"] if p["name"] == "percent")
        slider = w.IntSlider(value=value, min=percents[0], max=percents[-1], step=step, description="Flagged (%)")
        return forms.Explorer(chart, {"percent": slider}, "Move the cut-off")

    return forms._guarded(build)
