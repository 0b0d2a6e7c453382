"""Numbers in prose come from one source: `{eval}` roles on facts, results stored in the notebook."""

from __future__ import annotations

import ast
import copy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from equitylens.book import numbers
from equitylens.book.eval_role import plain_text, results_in_order
from tests.conftest import ROOT
from tests.test_notebooks import notebooks

HIDDEN = {"remove-cell", "remove_cell", "remove-input", "remove_input", "hide-input", "hide-cell"}
PLUMBING = ("glue(", "Facts(", "facts.add(", "from myst_nb")
# A small notebook the staleness guard re-runs (nbval does not compare Markdown metadata).
SMALL_NOTEBOOK = "book/facilitators/builder.ipynb"


@pytest.fixture(params=notebooks())
def notebook(request):
    return request.param, nbformat.read(ROOT / request.param, as_version=4)


def test_every_eval_has_a_stored_result(notebook):
    name, nb = notebook
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        stored = numbers.stored_results(cell.metadata)
        for expression in numbers.expressions(cell.source):
            assert stored.get(expression) is not None, (
                f"{name} cell {index}: no stored result for {{eval}}`{expression}`; "
                "run `python -m equitylens.book.notebooks execute` on it"
            )


def test_prose_uses_eval_not_glue(notebook):
    name, nb = notebook
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert "{glue" not in cell.source, f"{name}: use {{eval}}`facts[...]` instead of a glue role"


def test_no_visible_cell_shows_plumbing(notebook):
    name, nb = notebook
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or HIDDEN & set(cell.metadata.get("tags", [])):
            continue
        shown = [part for part in PLUMBING if part in cell.source]
        assert not shown, f"{name} cell {index}: {shown[0]} is plumbing: move it to a cell tagged remove-cell"


# Layout plumbing a shown cell may not pass or call: a chart's table takes its caption and its
# percentage columns from the chart (charts.Figure), and display options live in a hidden cell.
LAYOUT_KEYWORDS = frozenset({"caption", "percent"})
LAYOUT_CALLS = frozenset({"set_option", "option_context"})


def layout_plumbing(source: str) -> list[tuple[int, str]]:
    """(line, what) for each layout keyword or display-option call in Python ``source``."""
    text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in LAYOUT_CALLS:
            found.append((node.lineno, f"{name}(...)"))
        found += [(k.value.lineno, f"{k.arg}=") for k in node.keywords if k.arg in LAYOUT_KEYWORDS]
    return sorted(found)


def test_no_visible_cell_passes_layout_plumbing(notebook):
    name, nb = notebook
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or HIDDEN & set(cell.metadata.get("tags", [])):
            continue
        shown = layout_plumbing(cell.source)
        assert not shown, (
            f"{name} cell {index} ({cell.get('id')}): {', '.join(f'{w} (line {n})' for n, w in shown)} is layout "
            "plumbing: charts.Figure(chart, table) takes the caption and percentages from the chart; when the table "
            "needs its own, show the figure from a cell tagged remove-input (display options: remove-cell)"
        )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('charts.Figure(chart, table, caption="Rates", percent=["rate"])', [(1, "caption="), (1, "percent=")]),
        ("x = 1\ncharts.Figure(\n    chart,\n    table,\n    percent=cols,\n)", [(5, "percent=")]),
        ('import pandas as pd\npd.set_option("display.max_colwidth", None)', [(2, "set_option(...)")]),
        ('%matplotlib inline\ncharts.Figure(chart, table)\nprint("caption=")', []),
    ],
)
def test_layout_plumbing_is_found(source, expected):
    assert layout_plumbing(source) == expected


def test_a_visible_caption_fails_the_check():
    """The check fails on a shown cell that captions its table, and passes once the cell is hidden."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('charts.Figure(chart, table, caption="Rates")')
    nb.cells = [cell]
    with pytest.raises(AssertionError, match="caption= \\(line 1\\) is layout plumbing"):
        test_no_visible_cell_passes_layout_plumbing(("planted.ipynb", nb))
    cell.metadata["tags"] = ["remove-input"]
    test_no_visible_cell_passes_layout_plumbing(("planted.ipynb", nb))


@pytest.mark.slow
def test_re_running_a_notebook_reproduces_its_stored_results():
    from equitylens.book import notebooks as runner

    source = ROOT / SMALL_NOTEBOOK
    committed = nbformat.read(source, as_version=4)
    fresh = runner.evaluate(copy.deepcopy(committed), source.parent)
    stored = [cell.metadata.get("user_expressions") for cell in committed.cells if cell.cell_type == "markdown"]
    again = [cell.metadata.get("user_expressions") for cell in fresh.cells if cell.cell_type == "markdown"]
    assert any(stored), f"{SMALL_NOTEBOOK} has no {{eval}} to check"
    assert again == stored, f"{SMALL_NOTEBOOK}: stored {{eval}} results are stale; re-execute it"


# --- the helper ------------------------------------------------------------------------------


def test_facts_format_like_glue():
    facts = numbers.Facts()
    facts.add("share", 0.1234)
    facts.add("count", 12345)
    facts.add("who", "Black residents")
    assert facts["share:.1%"] == "12.3%"
    assert facts["count:,"] == "12,345"
    assert facts["count:.0f"] == "12345"
    assert facts["who"] == "Black residents"
    assert repr(facts["who"]) == "Black residents", "the kernel's text/plain must have no quotes"
    facts.add("count", 5)
    assert facts["count"] == "5"
    assert sorted(facts) == ["count", "k", "largest_hidden", "share", "who"]


def test_every_page_states_the_policy_it_was_protected_by():
    """The policy's numbers are facts from the start, cannot be replaced, and follow another policy."""
    from equitylens.methods.policy import DEFAULT_POLICY, DisclosurePolicy

    facts = numbers.Facts()
    assert (facts["k"], facts["largest_hidden"]) == (str(DEFAULT_POLICY.k), str(DEFAULT_POLICY.largest_hidden))
    for name in ("k", "largest_hidden"):
        with pytest.raises(ValueError, match="comes from the disclosure policy"):
            facts.add(name, 5)
    stricter = numbers.Facts(policy=DisclosurePolicy(threshold=DEFAULT_POLICY.k + 9))
    assert stricter["k"] == str(DEFAULT_POLICY.k + 9)
    with pytest.raises(ValueError, match="DisclosurePolicy"):
        numbers.Facts(policy=11)  # type: ignore[arg-type]


def test_facts_refuse_bad_names_keys_and_specs():
    facts = numbers.Facts()
    for bad in ("", "a:b", 3):
        with pytest.raises(ValueError, match="name"):
            facts.add(bad, 1)  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="no fact named 'missing'"):
        facts["missing"]
    facts.add("word", "text")
    with pytest.raises(ValueError, match="spec"):
        facts["word:.1f"]


def test_expressions_and_stored_results():
    text = 'A {eval}`facts["a:.1%"]`, {eval}`1 + 1` and again {eval}`facts["a:.1%"]`.'
    assert numbers.expressions(text) == ['facts["a:.1%"]', "1 + 1"]
    metadata = {
        "user_expressions": [
            {"expression": "x", "result": {"status": "ok", "data": {"text/plain": "42"}}},
            {"expression": "y", "result": {"status": "error", "ename": "NameError"}},
        ]
    }
    assert numbers.stored_results(metadata) == {"x": "42", "y": None}
    with pytest.raises(ValueError, match="str"):
        numbers.expressions(None)  # type: ignore[arg-type]


def test_book_role_takes_results_in_page_order_and_strips_quotes():
    nb = nbformat.v4.new_notebook()
    first = nbformat.v4.new_markdown_cell("Now {eval}`n`.")
    first.metadata["user_expressions"] = [{"expression": "n", "result": {"status": "ok", "data": {"text/plain": "1"}}}]
    removed = nbformat.v4.new_markdown_cell("Hidden {eval}`n`.")
    removed.metadata["tags"] = ["remove-cell"]
    later = nbformat.v4.new_markdown_cell("Later {eval}`n` and {eval}`m`.")
    later.metadata["user_expressions"] = [{"expression": "n", "result": {"status": "ok", "data": {"text/plain": "2"}}}]
    nb.cells = [first, removed, later]
    queues = results_in_order(nb)
    assert list(queues["n"]) == ["1", "2"]
    assert list(queues["m"]) == [None], "a missing result must reach the role (which warns)"
    assert plain_text("'it'") == "it"
    assert plain_text('"it\'s"') == "it's"
    assert plain_text("12.3%") == "12.3%"


def _sphinx_project(tmp_path, stored: bool):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    code = nbformat.v4.new_code_cell('facts = {"n": "2,345"}')
    text = nbformat.v4.new_markdown_cell('# Page\n\nThere are {eval}`facts["n"]` people.')
    if stored:
        text.metadata["user_expressions"] = [
            {"expression": 'facts["n"]', "result": {"status": "ok", "data": {"text/plain": "'2,345'"}}}
        ]
    nb.cells = [code, text]
    nbformat.write(nb, tmp_path / "index.ipynb")
    (tmp_path / "conf.py").write_text(
        'extensions = ["myst_nb", "equitylens.book.eval_role"]\nnb_execution_mode = "off"\n', encoding="utf-8"
    )


def sphinx_build(folder: Path) -> subprocess.CompletedProcess[str]:
    """Build the Sphinx project in ``folder`` into ``folder/_build``, warnings as errors."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(folder), str(folder / "_build")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


@pytest.mark.slow
@pytest.mark.parametrize("stored", [True, False])
def test_book_role_renders_stored_results_and_fails_without_one(tmp_path, stored):
    _sphinx_project(tmp_path, stored)
    build = sphinx_build(tmp_path)
    if stored:
        assert build.returncode == 0, build.stderr
        page = (tmp_path / "_build" / "index.html").read_text(encoding="utf-8")
        assert '<span class="pasted-text">2,345</span> people' in page
    else:
        assert build.returncode != 0
        assert 'no stored result for {eval}`facts["n"]`' in build.stderr


# --- {policy}: the disclosure policy's numbers in Markdown pages ----------------------------


def test_policy_role_text_comes_from_the_policy():
    from equitylens.book.policy_role import FIELDS, policy_text
    from equitylens.methods.policy import DEFAULT_POLICY, THRESHOLD_PRESETS, DisclosurePolicy

    assert policy_text("k") == str(DEFAULT_POLICY.k)
    assert policy_text("largest_hidden") == str(DEFAULT_POLICY.largest_hidden)
    assert policy_text("rule") == DEFAULT_POLICY.rule()
    for name, preset in THRESHOLD_PRESETS.items():
        assert policy_text(f"{name}.k") == str(preset.threshold)
        assert policy_text(f"{name}.source") == preset.source
    strict = DisclosurePolicy(threshold=20)
    assert policy_text(" k ", strict) == "20", "a given policy, and spaces around the key"
    assert set(FIELDS) >= {"k", "largest_hidden", "rule"}
    for bad in ("threshold", "nope.k", "k.cms", ""):
        with pytest.raises(ValueError, match="fields: k, largest_hidden"):
            policy_text(bad)


@pytest.mark.slow
@pytest.mark.parametrize("key", ["largest_hidden", "no_such_field"])
def test_policy_role_renders_in_a_page_and_fails_on_an_unknown_key(tmp_path, key):
    from equitylens.methods.policy import DEFAULT_POLICY

    (tmp_path / "index.md").write_text(f"# Page\n\nCounts from 1 to {{policy}}`{key}` are hidden.\n", encoding="utf-8")
    (tmp_path / "conf.py").write_text('extensions = ["myst_parser", "equitylens.book.policy_role"]\n', encoding="utf-8")
    build = sphinx_build(tmp_path)
    if key == "largest_hidden":
        assert build.returncode == 0, build.stderr
        page = (tmp_path / "_build" / "index.html").read_text(encoding="utf-8")
        assert f'<span class="equitylens-policy">{DEFAULT_POLICY.largest_hidden}</span> are hidden' in page
    else:
        assert build.returncode != 0
        assert "{policy}`no_such_field`" in build.stderr
