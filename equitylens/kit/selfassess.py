"""Self-assessment: a team rates its practice at each stage and gets an action plan.

The items are the positive practices in ``book/data/practices.yml``. Each is rated
"Not yet", "Working on it" or "Doing well". :func:`action_plan` turns the ratings into a
Markdown plan sorted by the three GARE words the workgroup used (normalize, operationalize,
organize); which word each practice serves is set in ``workshops/selfassess.yml``.

>>> ratings = example_ratings()
>>> sorted(ratings["rating"].unique())
['Doing well', 'Not yet', 'Working on it']
>>> plan = action_plan(ratings, team="Example team")
>>> plan.splitlines()[0]
'# Action plan: Example team'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from equitylens.data import content
from equitylens.kit import workshops

MAP_FILE: Final[Path] = workshops.WORKSHOP_DIR / "selfassess.yml"
RATINGS: Final[tuple[str, ...]] = ("Not yet", "Working on it", "Doing well")
EXAMPLE_SEED: Final = 8  # eight sessions in the series
#: How likely the example team is to give each rating, stage by stage (planning first).
EXAMPLE_WEIGHTS: Final[dict[str, tuple[float, float, float]]] = {
    "planning": (0.5, 0.4, 0.1),
    "collection": (0.2, 0.4, 0.4),
    "access": (0.1, 0.3, 0.6),
    "algorithms": (0.6, 0.3, 0.1),
    "analysis": (0.3, 0.5, 0.2),
    "reporting": (0.3, 0.4, 0.3),
}


def _gare_map(path: Path | str | None = None) -> dict[str, list[str]]:
    file = Path(path) if path is not None else MAP_FILE
    data = content.read_yaml(file)
    if not isinstance(data, dict) or set(data) != set(content.STAGE_IDS):
        raise ValueError(f"{file}: expected one list per stage: {', '.join(content.STAGE_IDS)}")
    for stage, words in data.items():
        if not isinstance(words, list) or any(w not in content.GARE_WORDS for w in words):
            raise ValueError(f"{file}: {stage} must list words from {', '.join(content.GARE_WORDS)}")
    return {str(k): [str(w) for w in v] for k, v in data.items()}


def items(*, practices: Path | str | None = None, mapping: Path | str | None = None) -> pd.DataFrame:
    """One row per positive practice: stage, item number, practice text and its GARE word."""
    words = _gare_map(mapping)
    rows: list[dict[str, Any]] = []
    for stage in content.load_practices(practices)["stages"]:
        pairs = [pair for section in stage["sections"] for pair in section["pairs"]]
        if len(words[stage["id"]]) != len(pairs):
            raise ValueError(
                f"mapping: {stage['id']} lists {len(words[stage['id']])} word(s) for {len(pairs)} practice row(s)"
            )
        for number, (pair, word) in enumerate(zip(pairs, words[stage["id"]], strict=True), start=1):
            if not pair["positive"]:
                continue
            extra = pair.get("positive_items") or []
            text = " ".join(str(pair["positive"]).split())
            if extra:
                text = f"{text} {', '.join(extra)}."
            rows.append(
                {"stage": stage["id"], "stage_title": stage["title"], "item": number, "practice": text, "gare": word}
            )
    return pd.DataFrame(rows)


def example_ratings(*, seed: int = EXAMPLE_SEED) -> pd.DataFrame:
    """A made-up team's ratings (seeded): strong on access, just starting on algorithms."""
    rng = np.random.default_rng(seed)
    table = items()
    table["rating"] = [RATINGS[int(rng.choice(len(RATINGS), p=EXAMPLE_WEIGHTS[stage]))] for stage in table["stage"]]
    return table


def check_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """Join ratings (stage, item, rating) onto the item list; ValueError on unknown items or labels."""
    if not isinstance(ratings, pd.DataFrame):
        raise ValueError(f"ratings must be a pandas DataFrame, got {type(ratings).__name__}")
    missing = [c for c in ("stage", "item", "rating") if c not in ratings.columns]
    if missing:
        raise ValueError(f"ratings has no column(s) {missing}; it needs stage, item and rating")
    bad = sorted(set(ratings["rating"].dropna()) - set(RATINGS))
    if bad:
        raise ValueError(f"ratings: rating values {bad} are not allowed; use {', '.join(RATINGS)} (or leave blank)")
    known = items()
    merged = known.merge(ratings[["stage", "item", "rating"]], on=["stage", "item"], how="right", indicator=True)
    unknown = merged[merged["_merge"] != "both"]
    if not unknown.empty:
        first = unknown.iloc[0]
        raise ValueError(f"ratings: no practice {first['item']!r} in stage {first['stage']!r}")
    return merged.drop(columns="_merge")


def score(ratings: pd.DataFrame) -> pd.DataFrame:
    """Per stage and rating: how many practices, and their share of the stage (tidy, long)."""
    rated = check_ratings(ratings).dropna(subset=["rating"])
    counts = (
        rated.assign(
            stage=pd.Categorical(rated["stage"], categories=content.STAGE_IDS),
            rating=pd.Categorical(rated["rating"], categories=RATINGS),
        )
        .groupby(["stage", "rating"], observed=False)
        .size()
        .rename("practices")
        .reset_index()
    )
    totals = counts.groupby("stage", observed=False)["practices"].transform("sum")
    counts["share"] = (counts["practices"] / totals.where(totals > 0)).astype(float)
    titles = {s["id"]: s["title"] for s in content.load_practices()["stages"]}
    counts.insert(1, "stage_title", counts["stage"].map(titles).astype(str))
    return counts[counts.groupby("stage", observed=False)["practices"].transform("sum") > 0].reset_index(drop=True)


def action_plan(ratings: pd.DataFrame, *, team: str = "Your team") -> str:
    """A Markdown action plan: for each GARE word, what to start and what to keep building."""
    rated = check_ratings(ratings)
    explanations = {g["word"]: " ".join(str(g["explanation"]).split()) for g in content.load_practices()["gare"]}
    done = int((rated["rating"] == RATINGS[2]).sum())
    lines = [
        f"# Action plan: {team}",
        "",
        f"{team} rated {int(rated['rating'].notna().sum())} practices. {done} are going well: keep them up, and "
        "teach them to others. The steps below are sorted by the three words the workgroup used to "
        "turn findings into action.",
    ]
    for word in content.GARE_WORDS:
        part = rated[rated["gare"] == word]
        lines += ["", f"## {word.capitalize()}", "", f"*{explanations[word]}*", ""]
        for rating, lead in ((RATINGS[0], "Start"), (RATINGS[1], "Keep building")):
            chosen = part[part["rating"] == rating]
            if chosen.empty:
                continue
            lines += [f"**{lead}** ({rating.lower()}):", ""]
            lines += [f"- [ ] {row.stage_title}: {row.practice}" for row in chosen.itertuples()]
            lines.append("")
        if part["rating"].isin(RATINGS[:2]).sum() == 0:
            lines += ["Nothing to add here: every practice is going well or was not rated.", ""]
    lines += [
        "",
        "## Next steps",
        "",
        "- [ ] Pick one step from each section and name who will lead it, and by when.",
        "- [ ] Share this plan with your community partners and ask what is missing.",
        "- [ ] Rate your practice again in six months.",
    ]
    return "\n".join(line.rstrip() for line in lines).replace("\n\n\n", "\n\n") + "\n"
