"""Load and render the kit's curated content: practices, glossary and Work in Action sites.

The practice tables (Tables 1-6 of Hawn Nelson & Zanti, 2020), the glossary and the
site summaries live once, as YAML, in ``book/data``. This module validates them and
renders MyST Markdown for the book (see :mod:`equitylens.book.directives`), so pages and
printed cards never drift apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import yaml

from equitylens.data import paths

DATA_DIR: Final[Path] = paths.CONTENT_DIR
PRACTICES_FILE: Final = "practices.yml"
GLOSSARY_FILE: Final = "glossary.yml"
SITES_FILE: Final = "sites.yml"

#: Stage ids in life-cycle order.
STAGE_IDS: Final[tuple[str, ...]] = (
    "planning",
    "collection",
    "access",
    "algorithms",
    "analysis",
    "reporting",
)

#: The workgroup's 15 key terms, as spelled in glossary.yml.
WORKGROUP_TERMS: Final[tuple[str, ...]] = (
    "Administrative data reuse",
    "Bias",
    "Community",
    "Community engagement",
    "Consent",
    "Data",
    "Data ethics",
    "Data governance",
    "Data privacy",
    "Equity",
    "Racial equity",
    "Individual racism",
    "Institutional racism",
    "Structural racism",
    "Social justice",
)

GARE_WORDS: Final[tuple[str, ...]] = ("normalize", "operationalize", "organize")
GLOSSARY_SOURCES: Final[frozenset[str]] = frozenset({"paper", "kit"})
SITE_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "stage",
    "name",
    "place",
    "what_they_did",
    "why_it_centers_equity",
    "cite",
)
TABLE_HEADER: Final[tuple[str, str]] = ("Positive practice", "Problematic practice")
EMPTY_CELL: Final = "—"


# libyaml's parser when PyYAML has it (its wheels do): the same objects, ten times faster.
_YAML_LOADER: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, where: str) -> Any:
    """Parse YAML text safely; ``where`` names its source in the error if it is malformed."""
    try:
        return yaml.load(text, Loader=_YAML_LOADER)  # a safe loader: plain data only
    except yaml.YAMLError as exc:
        raise ValueError(f"{where}: invalid YAML: {exc}") from exc


def read_yaml(path: Path | str) -> Any:
    """Parse one YAML file, with a clear error if it is missing or malformed.

    Every YAML file the kit reads goes through here.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: file not found")
    return parse_yaml(path.read_text(encoding="utf-8"), str(path))


def _text(value: Any, where: str, *, nullable: bool = False) -> str | None:
    """Return a stripped non-empty string, or None when allowed."""
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected non-empty text, got {value!r}")
    return value.strip()


def _require(mapping: Any, fields: tuple[str, ...], where: str) -> dict[str, Any]:
    """Check that ``mapping`` is a dict holding every key in ``fields``."""
    if not isinstance(mapping, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(mapping).__name__}")
    missing = [name for name in fields if name not in mapping]
    if missing:
        raise ValueError(f"{where}: missing field(s) {', '.join(missing)}")
    return mapping


def _check_stage_id(stage_id: Any, where: str) -> str:
    """Raise if ``stage_id`` is not one of :data:`STAGE_IDS`."""
    if stage_id not in STAGE_IDS:
        prefix = f"{where}: " if where else ""
        raise ValueError(f"{prefix}unknown stage id {stage_id!r}; expected one of {', '.join(STAGE_IDS)}")
    return str(stage_id)


def _check_items(pair: dict[str, Any], key: str, where: str) -> None:
    """Validate an optional list of sub-items on one side of a pair."""
    items = pair.get(key)
    if items is None:
        return
    if not isinstance(items, list) or not items:
        raise ValueError(f"{where}: {key} must be a non-empty list")
    for j, item in enumerate(items):
        _text(item, f"{where}.{key}[{j}]")


def _validate_practices(data: Any, path: Path) -> dict[str, Any]:
    """Check the structure of practices.yml; return it unchanged."""
    top = _require(data, ("stages", "encouraged", "discouraged", "gare"), str(path))
    stages = top["stages"]
    if not isinstance(stages, list):
        raise ValueError(f"{path}: stages must be a list")
    seen: list[str] = []
    for i, stage in enumerate(stages):
        where = f"{path}: stages[{i}]"
        _require(stage, ("id", "title", "summary", "sections"), where)
        stage_id = _check_stage_id(stage["id"], where)
        if stage_id in seen:
            raise ValueError(f"{where}: duplicate stage id {stage_id!r}")
        seen.append(stage_id)
        _text(stage["title"], f"{where}.title")
        _text(stage["summary"], f"{where}.summary")
        sections = stage["sections"]
        if not isinstance(sections, list) or not sections:
            raise ValueError(f"{where}: sections must be a non-empty list")
        for k, section in enumerate(sections):
            swhere = f"{where}.sections[{k}]"
            _require(section, ("title", "pairs"), swhere)
            _text(section["title"], f"{swhere}.title", nullable=True)
            pairs = section["pairs"]
            if not isinstance(pairs, list) or not pairs:
                raise ValueError(f"{swhere}: pairs must be a non-empty list")
            for n, pair in enumerate(pairs):
                pwhere = f"{swhere}.pairs[{n}]"
                _require(pair, ("positive", "problematic", "why"), pwhere)
                positive = _text(pair["positive"], f"{pwhere}.positive", nullable=True)
                problematic = _text(pair["problematic"], f"{pwhere}.problematic", nullable=True)
                if positive is None and problematic is None:
                    raise ValueError(f"{pwhere}: both positive and problematic are empty")
                _text(pair["why"], f"{pwhere}.why")
                _check_items(pair, "positive_items", pwhere)
                _check_items(pair, "problematic_items", pwhere)
    if tuple(seen) != STAGE_IDS:
        raise ValueError(
            f"{path}: stages must be exactly {', '.join(STAGE_IDS)} in that order; got {', '.join(seen) or 'none'}"
        )
    for key in ("encouraged", "discouraged"):
        items = top[key]
        if not isinstance(items, list) or not items:
            raise ValueError(f"{path}: {key} must be a non-empty list")
        for j, item in enumerate(items):
            _text(item, f"{path}: {key}[{j}]")
    gare = top["gare"]
    if not isinstance(gare, list):
        raise ValueError(f"{path}: gare must be a list")
    words = []
    for j, entry in enumerate(gare):
        _require(entry, ("word", "explanation"), f"{path}: gare[{j}]")
        _text(entry["explanation"], f"{path}: gare[{j}].explanation")
        words.append(entry["word"])
    if tuple(words) != GARE_WORDS:
        raise ValueError(f"{path}: gare words must be {', '.join(GARE_WORDS)}; got {words}")
    why_by = top.setdefault("why_by", "kit")
    if why_by not in GLOSSARY_SOURCES:
        raise ValueError(f"{path}: why_by must be one of {sorted(GLOSSARY_SOURCES)}, got {why_by!r}")
    return top


def load_practices(path: Path | str | None = None) -> dict[str, Any]:
    """Load and validate ``practices.yml`` (default: ``book/data/practices.yml``)."""
    file = Path(path) if path is not None else DATA_DIR / PRACTICES_FILE
    return _validate_practices(read_yaml(file), file)


def load_glossary(path: Path | str | None = None) -> list[dict[str, str]]:
    """Load and validate ``glossary.yml``; return entries sorted by term."""
    file = Path(path) if path is not None else DATA_DIR / GLOSSARY_FILE
    data = read_yaml(file)
    if not isinstance(data, list) or not data:
        raise ValueError(f"{file}: expected a non-empty list of terms")
    entries: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, raw in enumerate(data):
        where = f"{file}: entry {i}"
        entry = _require(raw, ("term", "definition", "source"), where)
        term = str(_text(entry["term"], f"{where}.term"))
        key = term.casefold()
        if key in seen:
            raise ValueError(f"{file}: duplicate term {term!r}")
        seen.add(key)
        if " : " in term:
            raise ValueError(f"{where}: term {term!r} must not contain ' : '")
        if entry["source"] not in GLOSSARY_SOURCES:
            raise ValueError(f"{where}: source must be one of {sorted(GLOSSARY_SOURCES)}, got {entry['source']!r}")
        entries.append(
            {
                "term": term,
                "definition": str(_text(entry["definition"], f"{where}.definition")),
                "source": str(entry["source"]),
            }
        )
    return sorted(entries, key=lambda e: e["term"].casefold())


def load_sites(path: Path | str | None = None) -> list[dict[str, Any]]:
    """Load and validate ``sites.yml``; return sites in life-cycle order."""
    file = Path(path) if path is not None else DATA_DIR / SITES_FILE
    data = read_yaml(file)
    if not isinstance(data, list) or not data:
        raise ValueError(f"{file}: expected a non-empty list of sites")
    ids: set[str] = set()
    for i, site in enumerate(data):
        where = f"{file}: site {i}"
        _require(site, SITE_FIELDS, where)
        for name in SITE_FIELDS:
            _text(site[name], f"{where}.{name}")
        _check_stage_id(site["stage"], where)
        if site["id"] in ids:
            raise ValueError(f"{file}: duplicate site id {site['id']!r}")
        ids.add(site["id"])
    return sorted(data, key=lambda s: STAGE_IDS.index(s["stage"]))


def get_stage(stage_id: str, practices: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return one stage's record from practices.yml."""
    _check_stage_id(stage_id, "")
    data = practices if practices is not None else load_practices()
    for stage in data["stages"]:
        if stage["id"] == stage_id:
            return dict(stage)
    raise ValueError(f"practices data has no stage {stage_id!r}")  # pragma: no cover


def _cell(text: str | None, items: list[str] | None) -> str:
    """Format one table cell: text plus optional inline sub-items, pipe-safe."""
    parts: list[str] = []
    if text:
        parts.append(text)
    if items:
        parts.append("; ".join(items) + ".")
    cell = " ".join(" ".join(parts).split())  # collapse newlines and runs of spaces
    return cell.replace("|", "\\|") if cell else EMPTY_CELL


def practices_markdown(stage_id: str, path: Path | str | None = None) -> str:
    """Render one stage's practices as MyST Markdown: one captioned pipe table per section."""
    stage = get_stage(stage_id, load_practices(path))
    blocks: list[str] = []
    for section in stage["sections"]:
        caption = f"{stage['title']}: positive and problematic practices"
        if section["title"]:
            caption = f"{stage['title']}, {section['title'].lower()}: positive and problematic practices"
        rows = [
            f"| {TABLE_HEADER[0]} | {TABLE_HEADER[1]} |",
            "| --- | --- |",
        ]
        for pair in section["pairs"]:
            left = _cell(pair["positive"], pair.get("positive_items"))
            right = _cell(pair["problematic"], pair.get("problematic_items"))
            rows.append(f"| {left} | {right} |")
        blocks.append("\n".join([f"```{{table}} {caption}", *rows, "```"]))
    return "\n\n".join(blocks) + "\n"


def glossary_markdown(path: Path | str | None = None) -> str:
    """Render the glossary as a MyST ``{glossary}`` block, terms sorted."""
    lines = ["```{glossary}"]
    for i, entry in enumerate(load_glossary(path)):
        if i:
            lines.append("")
        lines.append(entry["term"])
        lines.append("   " + " ".join(entry["definition"].split()))
    lines.append("```")
    return "\n".join(lines) + "\n"
