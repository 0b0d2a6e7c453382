"""The end-of-session check-in survey: synthetic sample answers and a protected summary.

Every session plan ends with the same four statements, rated from 1 (strongly disagree) to 5
(strongly agree), and an optional role. :func:`generate` makes a seeded, synthetic set of
answers (``datasets/checkin_survey.csv``; see ``datasets/CHECKIN.md``), byte-identical for a seed.
:func:`summary` counts who agreed, by session or role, and hides small counts with
:func:`equitylens.methods.suppress.complementary`: the kit keeps its own rules on its own evaluation data.

>>> answers = generate(seed=1)
>>> table = summary(answers, by=["session"])
>>> sorted(table["question"].unique())[:2]
['access', 'norms']
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from equitylens.data import paths
from equitylens.methods import suppress
from equitylens.methods.policy import DisclosurePolicy, as_policy

DATA_FILE: Final[Path] = paths.DATASETS_DIR / "checkin_survey.csv"
DEFAULT_SEED: Final = 2019  # the year the workgroup held its two public deliberations

#: The four statements, as printed in every plan's "Check-in survey" section.
QUESTIONS: Final[dict[str, str]] = {
    "voice": "I could say what I think in this session.",
    "norms": "The group kept to our norms.",
    "useful": "I learned something I can use in my work or my community.",
    "access": "I could take part fully (language, room, materials).",
}
ROLES: Final[tuple[str, ...]] = ("Agency staff", "Researcher", "Community member", "Other", "Not given")
SESSIONS: Final[tuple[int, ...]] = tuple(range(8))
AGREE_FROM: Final = 4  # 4 (agree) and 5 (strongly agree) count as agreeing
ANSWERS: Final[tuple[str, str]] = ("Agree", "Does not agree")
#: A workgroup like the paper's: 15-16 members in each of four series.
COHORTS: Final = 4
MEMBERS: Final[dict[str, int]] = {"Agency staff": 6, "Researcher": 4, "Community member": 5, "Other": 1}
ATTEND: Final = 0.88
RESPOND: Final = 0.9
ROLE_SKIPPED: Final = 0.08
ITEM_SKIPPED: Final = 0.03
COLUMNS: Final[tuple[str, ...]] = ("response_id", "cohort", "session", "role", *QUESTIONS)


def _mean_score(question: str, role: str, session: int) -> float:
    """The planted pattern: community members find the room harder to take part in at first."""
    base = {"voice": 3.9, "norms": 4.1, "useful": 3.8, "access": 4.0}[question]
    if role == "Community member" and question in ("voice", "access"):
        base -= 0.9 * max(0.0, 1 - session / 4)  # the gap closes by session 4
    if question == "useful":
        base += 0.05 * session
    return base


def generate(*, seed: int = DEFAULT_SEED, cohorts: int = COHORTS) -> pd.DataFrame:
    """Synthetic check-in answers: one row per returned survey (scores 1-5, missing when skipped)."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed={seed!r} must be a whole number >= 0")
    if not isinstance(cohorts, int) or isinstance(cohorts, bool) or cohorts < 1:
        raise ValueError(f"cohorts={cohorts!r} must be a whole number >= 1")
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    for cohort in range(1, cohorts + 1):
        members = [role for role, n in MEMBERS.items() for _ in range(n)]
        for session in SESSIONS:
            for role in members:
                if rng.random() > ATTEND or rng.random() > RESPOND:
                    continue
                row: dict[str, object] = {"cohort": cohort, "session": session}
                row["role"] = "Not given" if rng.random() < ROLE_SKIPPED else role
                for question in QUESTIONS:
                    score = int(np.clip(round(rng.normal(_mean_score(question, role, session), 0.9)), 1, 5))
                    row[question] = pd.NA if rng.random() < ITEM_SKIPPED else score
                rows.append(row)
    out = pd.DataFrame(rows)
    out.insert(0, "response_id", range(1, len(out) + 1))
    for question in QUESTIONS:
        out[question] = out[question].astype("Int64")
    out["role"] = pd.Categorical(out["role"], categories=ROLES)
    return out[list(COLUMNS)]


def to_csv_bytes(responses: pd.DataFrame) -> bytes:
    """The answers as CSV bytes (LF line ends, empty for a skipped item)."""
    return responses.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write(path: Path | str = DATA_FILE, *, seed: int = DEFAULT_SEED) -> Path:
    """Write the synthetic answers to ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(to_csv_bytes(generate(seed=seed)))
    return target


def load(path: Path | str = DATA_FILE) -> pd.DataFrame:
    """Read the answers back with their types."""
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"path={str(file)!r}: file not found; run `python -m equitylens.kit.checkin`")
    frame = pd.read_csv(file, dtype={q: "Int64" for q in QUESTIONS})
    frame["role"] = pd.Categorical(frame["role"], categories=ROLES)
    return frame


def summary(
    responses: pd.DataFrame,
    *,
    by: Sequence[str] = ("session",),
    threshold: int | str | None = None,
    policy: DisclosurePolicy | None = None,
) -> pd.DataFrame:
    """Who agreed with each statement, by ``by``, with small counts hidden.

    The rule is ``policy`` (default ``policy.DEFAULT_POLICY``; ``threshold`` overrides its
    threshold). Groups with fewer than ``threshold`` answers are not shown at all. In the rest, counts of
    1 to ``threshold - 1`` are hidden, with complementary cells so that nobody can get them
    back from the totals. Returns one row per question and group: ``answered``, ``agree``,
    ``not_agree``, ``share_agree`` (missing where hidden) and ``status``.
    """
    by = list(by)
    if not by or len(by) > 2 or any(c not in ("session", "role", "cohort") for c in by):
        raise ValueError(f"by={by!r} must name one or two of: session, role, cohort")
    missing = [c for c in (*by, *QUESTIONS) if c not in responses.columns]
    if missing:
        raise ValueError(f"responses has no column(s) {missing}; pass the table generate() or load() returns")
    rule = as_policy(policy, threshold)
    k = rule.k
    parts: list[pd.DataFrame] = []
    for question in QUESTIONS:
        scored = responses.dropna(subset=[question])
        answer = np.where(scored[question] >= AGREE_FROM, ANSWERS[0], ANSWERS[1])
        counts = (
            scored.assign(answer=pd.Categorical(answer, categories=ANSWERS))
            .groupby([*by, "answer"], observed=False)
            .size()
            .rename("n")
            .reset_index()
        )
        counts = counts[counts[by].notna().all(axis=1)]
        answered = counts.groupby(by, observed=True)["n"].transform("sum")
        shown = counts[answered >= k]
        hidden_groups = counts[(answered < k) & (answered > 0)]
        rows: list[dict[str, object]] = []
        for key, group in shown.groupby(by, observed=True, sort=False):
            keys = key if isinstance(key, tuple) else (key,)
            cells = group[["answer", "n"]].assign(answer=group["answer"].astype(str))
            # Each group publishes its total, so a lone hidden answer could be recovered by
            # subtraction: complementary suppression along the answer hides its partner too.
            protected = suppress.complementary(
                cells,
                dims=["answer"],
                count="n",
                threshold=k,
                protection=rule.width,
                suppress_zeros=rule.suppress_zeros,
            )
            published = dict(zip(protected["answer"], protected["published"], strict=True))
            rows.append(
                {
                    **{c: str(v) for c, v in zip(by, keys, strict=True)},
                    "answered": int(group["n"].sum()),
                    "agree": published[ANSWERS[0]],
                    "not_agree": published[ANSWERS[1]],
                }
            )
        wide = pd.DataFrame(rows, columns=[*by, "answered", "agree", "not_agree"])
        wide["status"] = np.where(wide["agree"].isna(), "Hidden to protect small counts", "Shown")
        few = hidden_groups.groupby(by, observed=True)["n"].sum().reset_index()[by]
        for column in by:
            few[column] = few[column].astype(str)
        for column in ("answered", "agree", "not_agree"):
            few[column] = pd.array([pd.NA] * len(few), dtype="Int64")
        few["status"] = f"Fewer than {k} answers"
        merged = pd.concat([wide, few], ignore_index=True) if not few.empty else wide
        parts.append(merged.assign(question=question))
    out = pd.concat(parts, ignore_index=True)
    for column in ("answered", "agree", "not_agree"):
        out[column] = out[column].astype("Int64")
    out["share_agree"] = (out["agree"] / out["answered"]).astype("Float64")
    out["statement"] = out["question"].map(QUESTIONS)
    order = [*by, "question", "statement", "answered", "agree", "not_agree", "share_agree", "status"]
    sort = [c if c != "session" else "session_order" for c in by]
    out = out.assign(session_order=pd.to_numeric(out["session"], errors="coerce")) if "session" in by else out
    return out.sort_values([*sort, "question"]).reset_index(drop=True)[order]


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m equitylens.kit.checkin [--seed N] [--out PATH]``: write the sample answers."""
    parser = argparse.ArgumentParser(description="Write the synthetic check-in survey answers.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", default=str(DATA_FILE))
    args = parser.parse_args(list(argv) if argv is not None else None)
    print(f"wrote {write(args.out, seed=args.seed)}")


if __name__ == "__main__":
    main()
