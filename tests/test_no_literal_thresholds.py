"""No literal disclosure threshold outside the one policy (issue 12, item 1).

Scans every module of the package (AST: the number 11, or a keyword such as
``threshold=``/``k=``/``min_count=`` given a number) and the code cells of every
notebook, and names the file and line of each hit.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from equitylens.methods.policy import DEFAULT_POLICY

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "equitylens"
POLICY_MODULE = PACKAGE / "methods" / "policy.py"
# The named presets are the policy's source table (policy.py reuses them, as asked, and
# does not copy them). They live in suppress.py, owned by another change; only these
# two assignments there are allowed a literal, nothing else in that file.
PRESET_TABLE = POLICY_MODULE
PRESET_NAMES = {"DEFAULT_THRESHOLD", "THRESHOLD_PRESETS"}
THRESHOLD_KEYWORDS = {"threshold", "k", "min_count", "min_people", "min_n", "min_cell"}
LITERAL = DEFAULT_POLICY.k


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _preset_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id in PRESET_NAMES for t in targets):
            end = node.end_lineno or node.lineno
            lines.update(range(node.lineno, end + 1))
    return lines


def literal_thresholds(source: str, *, allowed_lines: set[int] | None = None) -> list[tuple[int, str]]:
    """(line, what) for every literal threshold in Python ``source``."""
    tree = ast.parse(source)
    allowed = allowed_lines or set()
    hits: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if _is_number(node) and node.value == LITERAL:  # type: ignore[attr-defined]
            hits.append((node.lineno, f"the number {LITERAL}"))
        if isinstance(node, ast.keyword) and node.arg in THRESHOLD_KEYWORDS and _is_number(node.value):
            hits.append((node.lineno, f"{node.arg}={node.value.value!r}"))  # type: ignore[attr-defined]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = [*node.args.args, *node.args.kwonlyargs]
            defaults = [*node.args.defaults, *node.args.kw_defaults]
            named = zip(arguments[len(arguments) - len(defaults) :], defaults, strict=True)
            for argument, default in named:
                if argument.arg in THRESHOLD_KEYWORDS and default is not None and _is_number(default):
                    hits.append((default.lineno, f"default {argument.arg}={default.value!r}"))  # type: ignore[attr-defined]
    return sorted({h for h in hits if h[0] not in allowed})


def _cell_source(cell: dict[str, object]) -> str:
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    # IPython magics and shell lines are not Python: blank them, keep line numbers.
    return "\n".join("" if re.match(r"\s*[%!]", line) else line for line in text.splitlines())


def package_hits() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == POLICY_MODULE:
            continue
        source = path.read_text(encoding="utf-8")
        allowed = _preset_lines(ast.parse(source)) if path == PRESET_TABLE else set()
        for line, what in literal_thresholds(source, allowed_lines=allowed):
            found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    return found


def notebook_hits() -> list[str]:
    found = []
    for path in sorted(ROOT.glob("book/**/*.ipynb")):
        if ".ipynb_checkpoints" in path.parts or "_build" in path.parts:
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for index, cell in enumerate(cells):
            if cell["cell_type"] != "code":
                continue
            for line, what in literal_thresholds(_cell_source(cell)):
                found.append(f"{path.relative_to(ROOT)} cell {index} ({cell.get('id')}) line {line}: {what}")
    return found


def test_the_package_types_no_threshold() -> None:
    hits = package_hits()
    assert not hits, "literal thresholds (use policy.DEFAULT_POLICY or a policy argument):\n" + "\n".join(hits)


def test_no_notebook_types_a_threshold() -> None:
    hits = notebook_hits()
    assert not hits, "literal thresholds in notebook code (use policy.DEFAULT_POLICY):\n" + "\n".join(hits)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x = y < 11", [(1, "the number 11")]),
        ("f(t, threshold=5)", [(1, "threshold=5")]),
        ("f(t, k=20)", [(1, "k=20")]),
        ("def f(t, *, min_count=11):\n    pass", [(1, "default min_count=11"), (1, "the number 11")]),
        ("x = 12\nf(k=policy.k)\n# 11 in a comment\ns = 'under 11'", []),
    ],
)
def test_the_scanner_finds_literal_thresholds(source: str, expected: list[tuple[int, str]]) -> None:
    assert literal_thresholds(source) == sorted(expected)


def test_the_preset_exemption_covers_only_the_preset_table() -> None:
    source = "THRESHOLD_PRESETS = {'cms': P(threshold=11)}\nDEFAULT_THRESHOLD = 11\nx = n < 11\n"
    allowed = _preset_lines(ast.parse(source))
    assert literal_thresholds(source, allowed_lines=allowed) == [(3, "the number 11")]
