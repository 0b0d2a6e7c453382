"""``python -m equitylens protect``: good and bad tables, run as a user would (subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from equitylens.methods import attack
from equitylens.methods.policy import DEFAULT_POLICY

ROOT = Path(__file__).resolve().parents[1]
K = DEFAULT_POLICY.k

# End to end (the CLI runs as a subprocess, as a user runs it): in `make test`, not `make check`.
pytestmark = pytest.mark.slow


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "equitylens", "protect", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def table() -> pd.DataFrame:
    counts = {
        ("A", "young"): 40,
        ("A", "old"): 35,
        ("B", "young"): 3,
        ("B", "old"): 30,
        ("C", "young"): 25,
        ("C", "old"): 44,
    }
    return pd.DataFrame([(r, a, n) for (r, a), n in counts.items()], columns=["race", "age_band", "n"])


def write(tmp_path: Path, frame: pd.DataFrame, name: str = "t.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_good_table_is_protected_and_audited(tmp_path: Path) -> None:
    source = write(tmp_path, table())
    before = source.read_bytes()
    done = run(
        "t.csv", "--dims", "race,age_band", "--count", "n", "--threshold", "cms", "--out", "safe.csv", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert source.read_bytes() == before
    safe = pd.read_csv(tmp_path / "safe.csv")
    shown = safe["n"].dropna()
    assert not ((shown > 0) & (shown < K)).any()
    assert safe["n"].isna().sum() >= 4  # 2-D: a small cell needs at least three partners
    # Independent check: the attacker's LP over what was written proves no hidden cell narrower than K.
    check = table().assign(suppressed=safe["n"].isna().to_numpy())
    ranges = attack.intervals(check, dims=["race", "age_band"], count="n", protection=K)
    assert not ranges["at_risk"].any()
    report = (tmp_path / "safe.md").read_text(encoding="utf-8")
    assert "primary" in report and "complementary" in report
    assert "attacker's range" in report and "Groups that lose cells" in report
    assert "| B | young | primary" in report


def test_never_overwrites_input_or_output_without_force(tmp_path: Path) -> None:
    write(tmp_path, table())
    same = run("t.csv", "--dims", "race,age_band", "--out", "t.csv", cwd=tmp_path)
    assert same.returncode == 2 and "input table" in same.stderr
    (tmp_path / "safe.csv").write_text("keep me", encoding="utf-8")
    again = run("t.csv", "--dims", "race,age_band", "--out", "safe.csv", cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr
    assert (tmp_path / "safe.csv").read_text(encoding="utf-8") == "keep me"
    forced = run("t.csv", "--dims", "race,age_band", "--out", "safe.csv", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr


@pytest.mark.parametrize(
    ("change", "dims", "expected"),
    [
        (lambda t: t.assign(n=t["n"].astype(object).where(t.index != 2, "three")), "race,age_band", "row 3"),
        (lambda t: t.assign(n=t["n"].where(t.index != 4, -5)), "race,age_band", "row 5"),
        (lambda t: t.assign(n=t["n"].astype(float).where(t.index != 1, 2.5)), "race,age_band", "whole number"),
        (lambda t: pd.concat([t, t.iloc[[0]]], ignore_index=True), "race,age_band", "repeat the cell"),
        (lambda t: t, "race,sex", "no column(s) ['sex']"),
        (lambda t: t.assign(n=t["n"].where(~t["race"].eq("B"), 2)), "race,age_band", "published total"),
    ],
    ids=["text count", "negative", "decimal", "repeated cell", "missing column", "small margin"],
)
def test_bad_tables_get_one_clear_message(tmp_path: Path, change, dims: str, expected: str) -> None:
    write(tmp_path, change(table()))
    done = run("t.csv", "--dims", dims, "--out", "safe.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert expected in done.stderr and "Fix:" in done.stderr
    assert not (tmp_path / "safe.csv").exists()


def test_unknown_command_exits_2(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "equitylens", "nope"], capture_output=True, text=True, env=env)
    assert done.returncode == 2 and "protect" in done.stderr
