"""A synthetic access log: every query that approved projects ran against the county's data.

Made in memory, never written to ``datasets/``. Seeded and deterministic: the same seed
and the same approvals give the same log, byte for byte (see :func:`to_csv_bytes`). One
project drifts from its approval part-way through the year, as set out in the
``simulation`` block of ``book/data/approved_projects.yml``; the use audit
(:mod:`equitylens.stages.use_audit`) has to find it from the log alone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from equitylens.data import content

PROJECTS_FILE: Final = "approved_projects.yml"
DEFAULT_SEED: Final = 2020
COLUMNS: Final = ["query_id", "date", "project", "analyst", "tables", "fields", "min_age", "max_age"]
_PROJECT_KEYS: Final = ("id", "name", "holder", "purpose", "tables", "fields", "ages", "queries_per_month", "analysts")


def load_projects(path: Path | str | None = None) -> dict[str, Any]:
    """The approved projects and the simulation settings, checked."""
    file = Path(path) if path is not None else content.DATA_DIR / PROJECTS_FILE
    data = content.read_yaml(file)
    if not isinstance(data, dict) or not isinstance(data.get("projects"), list) or not data["projects"]:
        raise ValueError(f"{file}: expected a non-empty 'projects' list")
    ids = []
    for i, project in enumerate(data["projects"]):
        if not isinstance(project, dict):
            raise ValueError(f"{file}: project {i} must be a mapping")
        missing = [k for k in _PROJECT_KEYS if k not in project]
        if missing:
            raise ValueError(f"{file}: project {i} is missing {missing}")
        young, old = project["ages"]
        if young > old:
            raise ValueError(f"{file}: project {project['id']!r} has ages {project['ages']} in the wrong order")
        ids.append(project["id"])
    if len(set(ids)) != len(ids):
        raise ValueError(f"{file}: project ids must be unique, got {ids}")
    sim = data.get("simulation")
    if not isinstance(sim, dict) or not {"start", "months", "drift"} <= set(sim):
        raise ValueError(f"{file}: 'simulation' needs start, months and drift")
    if sim["drift"]["project"] not in ids:
        raise ValueError(f"{file}: the drifting project {sim['drift']['project']!r} is not an approved project")
    return data


def _month_start(start: dt.date, month: int) -> dt.date:
    year, index = divmod(start.month - 1 + month, 12)
    return dt.date(start.year + year, index + 1, 1)


def generate(*, seed: int = DEFAULT_SEED, projects: dict[str, Any] | None = None) -> pd.DataFrame:
    """The access log: one row per query, in date order.

    Columns: ``query_id``, ``date``, ``project``, ``analyst``, ``tables`` and ``fields``
    (names joined with ``+``), ``min_age`` and ``max_age`` (the population queried).
    An in-scope query uses a non-empty subset of the project's fields and tables and an
    age range inside its approval.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number of at least 0, got {seed!r}")
    data = projects or load_projects()
    sim = data["simulation"]
    start = sim["start"] if isinstance(sim["start"], dt.date) else dt.date.fromisoformat(str(sim["start"]))
    months = int(sim["months"])
    if months < 1:
        raise ValueError(f"simulation months must be at least 1, got {months}")
    drift = sim["drift"]
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for month in range(months):
        first = _month_start(start, month)
        days = (_month_start(start, month + 1) - first).days
        for project in data["projects"]:
            n = int(rng.poisson(project["queries_per_month"]))
            drifting = project["id"] == drift["project"] and month >= int(drift["from_month"])
            # The drift grows: a quarter of the queries in its first month, more each month after.
            share_out = min(0.25 * (month - int(drift["from_month"]) + 1), 0.9) if drifting else 0.0
            for _ in range(n):
                k = int(rng.integers(1, len(project["fields"]) + 1))
                fields = sorted(rng.choice(project["fields"], size=k, replace=False).tolist())
                tables = list(project["tables"])
                young, old = project["ages"]
                low = int(rng.integers(young, old + 1))
                high = int(rng.integers(low, old + 1))
                if drifting and rng.random() < share_out:
                    # Each query out of scope goes beyond its approval in one or more ways.
                    ways = rng.random(3) < 0.5
                    ways[int(rng.integers(0, 3))] = True
                    if ways[0]:
                        fields = sorted({*fields, *drift["new_fields"]})
                    if ways[1]:
                        tables = [*tables, *drift["new_tables"]]
                    if ways[2]:
                        low, high = drift["new_ages"]
                rows.append(
                    {
                        "date": first + dt.timedelta(days=int(rng.integers(0, days))),
                        "project": project["id"],
                        "analyst": f"{project['id']}-{int(rng.integers(1, project['analysts'] + 1))}",
                        "tables": "+".join(sorted(tables)),
                        "fields": "+".join(fields),
                        "min_age": low,
                        "max_age": high,
                    }
                )
    log = pd.DataFrame(rows).sort_values(["date", "project", "analyst"], kind="stable").reset_index(drop=True)
    log.insert(0, "query_id", [f"Q{i:05d}" for i in range(1, len(log) + 1)])
    log["date"] = pd.to_datetime(log["date"])
    return log[COLUMNS]


def to_csv_bytes(log: pd.DataFrame) -> bytes:
    """The log as UTF-8 CSV bytes (for checking that a seed always gives the same log)."""
    return log.to_csv(index=False, lineterminator="\n").encode("utf-8")
