"""Time complementary suppression on seeded tables; print a table. Never asserted in tests.

python benchmarks/suppression.py
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from equitylens.data import load  # noqa: E402
from equitylens.methods import suppress  # noqa: E402

SEED = 0
POISSON_MEAN = 12  # about a third of the cells are 1-10


def grid_table(values: np.ndarray) -> pd.DataFrame:
    """A tidy table (one row per cell) from an array of counts."""
    names = ["a", "b", "c"][: values.ndim]
    table = pd.DataFrame(list(itertools.product(*(range(s) for s in values.shape))), columns=names)
    table["n"] = values.reshape(-1).astype(np.int64)
    return table


def poisson_table(shape: tuple[int, ...], seed: int = SEED) -> pd.DataFrame:
    """Seeded Poisson(12) counts in a grid of ``shape``."""
    return grid_table(np.random.default_rng(seed).poisson(POISSON_MEAN, size=shape))


def county_table() -> pd.DataFrame:
    """The county's young people by race (9) x age band (5) x neighbourhood (24)."""
    dims = ["race_ethnicity", "age_band", "neighbourhood"]
    counts = load.county().groupby(dims, observed=False).size().rename("n").reset_index()
    return counts


def tables() -> dict[str, tuple[pd.DataFrame, list[str]]]:
    out: dict[str, tuple[pd.DataFrame, list[str]]] = {}
    for shape in [(40, 20), (6, 5, 8), (10, 8, 12), (25, 20, 20)]:
        table = poisson_table(shape)
        out["\u00d7".join(map(str, shape))] = (table, [c for c in table.columns if c != "n"])
    county = county_table()
    out["county race\u00d7age\u00d7nbhd"] = (county, ["race_ethnicity", "age_band", "neighbourhood"])
    return out


# Today's code before this change (commit 51f2dc1: scipy linprog, stacked LPs rebuilt for
# every audit), measured once on 2026-12-03 on the shared 2-core machine (load average 6-10,
# so wall times are inflated) with, for each table above,
#   start = time.perf_counter(); out = suppress.complementary(table, dims=dims, strict=strict)
# (threshold 11) run on a copy of suppress.py from 51f2dc1. Not re-run here: (seconds, hidden cells).
# 25x20x20 was not run: at that commit it scales far past 10x8x12 (52 s here, 340 s in issue 12).
REFERENCE_DATE = "2026-12-03"
REFERENCE: dict[str, tuple[float, int]] = {
    "40\u00d720": (8.19, 269),
    "6\u00d75\u00d78": (4.17, 90),
    "10\u00d78\u00d712": (52.01, 351),
    "county race\u00d7age\u00d7nbhd": (1816.0, 321),
}


def floor_seconds(table: pd.DataFrame, dims: list[str], repeat: int = 20) -> float:
    """Median time of a bare pandas groupby sum per dimension (the margins): the floor."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for column in dims:
            table.groupby(column, observed=True)["n"].sum()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    header = f"{'table':<26}{'cells':>7}{'primary':>9}{'new s':>8}{'cpu s':>8}{'hidden':>8}{'share':>8}"
    header += f"{'old s':>9}{'old share':>11}{'groupby s':>11}"
    print(header)
    for name, (table, dims) in tables().items():
        strict = not name.startswith("county")
        start, cpu = time.perf_counter(), time.process_time()
        out = suppress.complementary(table, dims=dims, strict=strict)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        info = out.attrs["suppression"]
        hidden = int(out["suppressed"].sum())
        old = REFERENCE.get(name)
        old_s = f"{old[0]:>9.1f}{old[1] / len(table):>11.3f}" if old else f"{'-':>9}{'-':>11}"
        line = f"{name:<26}{len(table):>7}{info['primary']:>9}{seconds:>8.2f}{cpu:>8.2f}{hidden:>8}"
        line += f"{hidden / len(table):>8.3f}"
        print(line + old_s + f"{floor_seconds(table, dims):>11.4f}", flush=True)
    print(f"old: the code before this change, measured {REFERENCE_DATE} on the shared machine (not re-run);")
    print("25x20x20 has no old figure: compare its share with 10x8x12 (same Poisson(12) density).")
    print("county: strict=False (a published margin is below 11, so strict mode refuses the table).")


if __name__ == "__main__":
    main()
