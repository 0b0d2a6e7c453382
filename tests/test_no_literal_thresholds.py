"""No literal disclosure threshold outside the one policy (issue 12, item 1).

Scans every module of the package (AST: the number 11, or a keyword such as
``threshold=``/``k=``/``min_count=`` given a number) and the code cells of every
notebook, and names the file and line of each hit.

Prose too: the Markdown cells of every notebook and every ``.md`` page under ``book/`` and
``workshops/`` must not type the threshold in digits or words ("under 11", "1 to 10",
"fewer than eleven", "k=11"...). Notebooks show it with ``{eval}`` facts from
``DEFAULT_POLICY``, Markdown pages with the ``{policy}`` role. The phrases are built from
the policy and its presets, so they follow a change of threshold.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from equitylens.methods.policy import DEFAULT_POLICY, THRESHOLD_PRESETS

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


def policy_fact_copies(source: str) -> list[tuple[int, str]]:
    """(line, call) for each ``facts.add(...)`` in Python ``source`` that copies a number off the policy.

    A preset built on the spot (``DisclosurePolicy(threshold="cms").largest_hidden``) is another
    agency's rule, which a page may state; the policy's own numbers are already facts.
    """
    hits = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add"
            and any(
                isinstance(argument, ast.Attribute)
                and isinstance(argument.value, ast.Name)
                and "POLICY" in argument.value.id.upper()
                for argument in node.args[1:]
            )
        ):
            hits.append((node.lineno, ast.unparse(node)))
    return hits


def test_no_notebook_copies_the_policy_into_its_facts() -> None:
    """``Facts()`` holds ``k`` and ``largest_hidden`` from the policy: a page that copies them under a
    name of its own could state a different rule from the one its tables were protected by."""
    found = []
    for path in sorted(ROOT.glob("book/**/*.ipynb")):
        if ".ipynb_checkpoints" in path.parts or "_build" in path.parts:
            continue
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "code":
                found += [
                    f"{path.relative_to(ROOT)} cell {index} line {line}: {call}"
                    for line, call in policy_fact_copies(_cell_source(cell))
                ]
    assert not found, "use facts['k'] and facts['largest_hidden'] (numbers.Facts has them):\n" + "\n".join(found)


def test_the_copy_scan_finds_a_copied_threshold() -> None:
    source = (
        'facts.add("threshold", DEFAULT_POLICY.k)\nfacts.add("gap", 0.2)\n'
        'facts.add("n", int((x < DEFAULT_POLICY.k).sum()))\n'
        'facts.add("top", my_policy.largest_hidden)\n'
    )
    assert policy_fact_copies(source) == [
        (1, "facts.add('threshold', DEFAULT_POLICY.k)"),
        (4, "facts.add('top', my_policy.largest_hidden)"),
    ]


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


# --- prose --------------------------------------------------------------------------------

PROSE_FOLDERS = ("book", "workshops")
# (path relative to the repository, the phrase as written) -> why it may stay. Keep it short;
# each entry must still match, so a stale one fails.
PROSE_ALLOWED: dict[tuple[str, str], str] = {
    ("book/data/agreements/sound.yml", "threshold: 11"): (
        "a field of the example agreement, the number its parties signed; the checker compares it with the policy"
    ),
}
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_WORDS += ("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_WORDS += ("twenty",)
_ = r"\s+"  # words may be split across lines


def _number(n: int) -> str:
    """``n`` in digits or (up to twenty) in words, as a regex (not part of a longer number)."""
    words = f"|{_WORDS[n]}" if 0 <= n < len(_WORDS) else ""
    return rf"(?:{n}{words})(?![\d%]|[.,]\d)"


def _phrases(k: int) -> list[str]:
    """Ways prose types the threshold ``k``, the smallest count a table may show."""
    top = _number(k)
    return [
        rf"\b(?:under|below|fewer{_}than|less{_}than|smaller{_}than|at{_}least|no{_}fewer{_}than){_}{top}",
        rf"\b{top}{_}(?:or|and){_}(?:more|over|above|larger|up)\b",
        rf"\b(?:threshold|cut-off|cutoff|minimum)(?:{_}of|{_}is|{_}was)?\s*[=:]?\s*{top}",
        rf"\b(?:groups?|counts?|cells?|classes?){_}of{_}{top}",
        rf"\b(?:k|min_count)\s*=\s*{top}",
        *_ranges(k),
    ]


def _ranges(k: int) -> list[str]:
    """The hidden range of a threshold ``k``: "1 to 10", "1-10", "10 or fewer"."""
    hidden = _number(k - 1)
    return [
        rf"\b(?:1|one)(?:{_}to{_}|{_}through{_}|\s*[-\u2013\u2014]\s*){hidden}",
        rf"\b{hidden}{_}or{_}fewer\b",
    ]


PROSE_PATTERN = re.compile(
    "|".join([*_phrases(DEFAULT_POLICY.k), *(r for p in THRESHOLD_PRESETS.values() for r in _ranges(p.threshold))]),
    re.IGNORECASE,
)


def typed_thresholds(text: str) -> list[tuple[int, str]]:
    """(line, phrase) for every place Markdown ``text`` types a threshold."""
    return [(text.count("\n", 0, m.start()) + 1, " ".join(m.group(0).split())) for m in PROSE_PATTERN.finditer(text)]


def prose_sources(root: Path = ROOT) -> list[Path]:
    """Every notebook, Markdown page and content YAML file (chapters, cards, plans) under ``PROSE_FOLDERS``."""
    suffixes = (".ipynb", ".md", ".yml", ".yaml")
    found = [p for folder in PROSE_FOLDERS for p in (root / folder).rglob("*") if p.suffix in suffixes]
    return sorted(p for p in found if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts)


def prose_hits(root: Path = ROOT) -> list[tuple[str, str, str]]:
    """(path, where, phrase) for each typed threshold in the Markdown of ``prose_sources``."""
    found = []
    for path in prose_sources(root):
        name = path.relative_to(root).as_posix()
        if path.suffix != ".ipynb":
            texts = [("", path.read_text(encoding="utf-8"))]
        else:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            texts = [
                (f" cell {i} ({c.get('id')})", "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
                for i, c in enumerate(cells)
                if c["cell_type"] == "markdown"
            ]
        for where, text in texts:
            found += [(name, f"{where} line {line}", phrase) for line, phrase in typed_thresholds(text)]
    return found


def test_no_prose_types_a_threshold() -> None:
    hits = [h for h in prose_hits() if (h[0], h[2]) not in PROSE_ALLOWED]
    assert not hits, (
        "the threshold typed in prose (notebooks: {eval}`facts[...]` from DEFAULT_POLICY; "
        "Markdown pages: {policy}`k` or {policy}`largest_hidden`):\n"
        + "\n".join(f"{name}{where}: {phrase!r}" for name, where, phrase in hits)
    )


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes of a module and its classes and functions."""
    owners = [
        tree,
        *(n for n in ast.walk(tree) if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))),
    ]
    return {
        id(owner.body[0].value)
        for owner in owners
        if owner.body and isinstance(owner.body[0], ast.Expr) and isinstance(owner.body[0].value, ast.Constant)
    }


def package_string_hits(package: Path = PACKAGE) -> list[str]:
    """Each text in the package's code (labels, messages, templates) that types the threshold.

    Docstrings may name the default to document it; text that reaches a reader comes from
    the policy (``DEFAULT_POLICY.placeholders()``), as prose does.
    """
    found = []
    for path in sorted(package.rglob("*.py")):
        if path == POLICY_MODULE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        documentation = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in documentation:
                found += [
                    f"{path.relative_to(package.parent)}:{node.lineno}: {phrase!r}"
                    for _, phrase in typed_thresholds(node.value)
                ]
    return found


def test_no_text_in_the_package_types_a_threshold() -> None:
    hits = package_string_hits()
    assert not hits, "the threshold typed in the package's text (format it from DEFAULT_POLICY):\n" + "\n".join(hits)


def test_the_package_text_scan_catches_a_label_but_not_a_docstring(tmp_path: Path) -> None:
    module = tmp_path / "labels.py"
    module.write_text(
        '"""Counts under 11 are hidden (documented)."""\n\n'
        'LABELS = {"intro": "Answers are summarised only in groups of 11 or more."}\n',
        encoding="utf-8",
    )
    assert [hit.rsplit(": ", 1)[1] for hit in package_string_hits(tmp_path)] == ["'groups of 11'"]


def test_prose_allow_list_is_short_and_current() -> None:
    assert len(PROSE_ALLOWED) <= 3, "the allow-list is for exceptions: rephrase the prose instead"
    found = {(name, phrase) for name, _, phrase in prose_hits()}
    stale = sorted(set(PROSE_ALLOWED) - found)
    assert not stale, f"allow-list entries that no longer match: {stale}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hide counts under 11.", [(1, "under 11")]),
        ("Counts from 1 to 10 are hidden.", [(1, "1 to 10")]),
        ("cells of 1-10 and 1\u201310 people", [(1, "1-10"), (1, "1\u201310")]),
        ("fewer than\neleven people", [(1, "fewer than eleven")]),
        ("groups of 11\nor more; 11 or more", [(1, "groups of 11"), (2, "11 or more")]),
        ("Line one.\nUse `uniqueness(t, k=11)` here.", [(2, "k=11")]),
        ("a threshold of 11, or 10 or fewer", [(1, "threshold of 11"), (1, "10 or fewer")]),
        ("CDC WONDER hides 9 or fewer, or 1 to 9.", [(1, "9 or fewer"), (1, "1 to 9")]),
        (
            'Under {eval}`facts["k"]`, 1 to {policy}`largest_hidden`; 5 of 11 groups; eleven numbers; '
            "ages 10-14; under 110; fewer than 11.5%; 1 to 100; under 20 events; 1-10%; a grade of 9 or less",
            [],
        ),
    ],
)
def test_the_prose_scanner_finds_typed_thresholds(text: str, expected: list[tuple[int, str]]) -> None:
    assert typed_thresholds(text) == expected


def test_the_prose_scan_catches_a_planted_threshold(tmp_path: Path) -> None:
    """A page and a notebook with the threshold typed in are both reported, with where."""
    clean = "The kit hides small counts (see {policy}`rule`).\n"
    (tmp_path / "book" / "stages").mkdir(parents=True)
    (tmp_path / "workshops").mkdir()
    (tmp_path / "book" / "page.md").write_text(clean + "\nHide any count under 11.\n", encoding="utf-8")
    (tmp_path / "workshops" / "00-plan.md").write_text(clean, encoding="utf-8")
    cells = [
        {"cell_type": "code", "id": "c1", "source": "x = 1  # 1 to 10 in code is the code scan's job", "metadata": {}},
        {"cell_type": "markdown", "id": "m1", "source": ["Counts from ", "1 to 10 are hidden."], "metadata": {}},
    ]
    (tmp_path / "book" / "stages" / "lesson.ipynb").write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert prose_hits(tmp_path) == [
        ("book/page.md", " line 3", "under 11"),
        ("book/stages/lesson.ipynb", " cell 1 (m1) line 1", "1 to 10"),
    ]
