"""Translations of what people hold in the room: one gettext catalog per language.

**Why gettext catalogs, not a translated field beside each string.** The English words live in
several sources (``book/data/practices.yml``, the session plans in ``workshops/``, the check-in
survey and self-assessment modules). A field beside each string would spread every language over
all of them, and a plan body in Markdown has no place for one. A catalog keeps each language in one
file, ``locale/<lang>/LC_MESSAGES/equitylens.po``, keyed by the English text itself: when the English
changes, the old translation no longer matches, the string shows up as missing, and the test that
every string has a translation fails until someone translates it. Translators can open the file in
any ``.po`` editor. Babel reads and writes the files (``babel==2.19.0``).

Adding a language is one command (see :mod:`equitylens.kit.translate`):
``python -m equitylens.kit.translate update fr`` writes ``locale/fr/LC_MESSAGES/equitylens.po``
with every English string and an empty translation to fill in.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from equitylens.data import paths

LOCALE_DIR: Final[Path] = paths.ROOT / "locale"
DOMAIN: Final = "equitylens"
SOURCE_LANGUAGE: Final = "en"
#: The languages the kit prints, with their names in their own language.
LANGUAGES: Final[dict[str, str]] = {"en": "English", "es": "Español"}
#: Editions not yet reviewed by speakers of the language from the community: printed as a draft.
DRAFTS: Final[frozenset[str]] = frozenset({"es"})
PROJECT: Final = "Equity Lens"
HEADER: Final = (
    "# Translations of the Equity Lens kit's printed materials (cards, handouts, check-in survey,\n"
    "# self-assessment). Keyed by the English text; update with `python -m equitylens.kit.translate update LANG`.\n"
    "# A draft until Spanish-speaking community members have reviewed it (see i18n.DRAFTS)."
)


def normalise(text: str) -> str:
    """One message id per string: runs of white space become one space."""
    return " ".join(str(text).split())


def check_language(lang: str) -> str:
    """``lang`` if the kit has it, else ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang={lang!r} must be one of {', '.join(LANGUAGES)}")
    return lang


def catalog_path(lang: str, *, folder: Path | str | None = None) -> Path:
    """Where the catalog of ``lang`` lives."""
    base = Path(folder) if folder is not None else LOCALE_DIR
    return base / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str, *, folder: Path | str | None = None) -> Catalog:
    """The catalog of ``lang`` as Babel reads it; ValueError if it does not exist."""
    file = catalog_path(lang, folder=folder)
    if not file.is_file():
        raise ValueError(f"lang={lang!r}: no catalog at {file}; run `python -m equitylens.kit.translate update {lang}`")
    with file.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


@dataclass
class Translator:
    """Turns English strings into one language; remembers what it could not translate.

    For English it returns the text. For another language a string without a translation
    comes back in English and is added to ``missing`` (the build warns; the tests fail).
    """

    lang: str
    table: dict[str, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)

    def __call__(self, text: str) -> str:
        key = normalise(text)
        if self.lang == SOURCE_LANGUAGE or not key:
            return key
        found = self.table.get(key)
        if not found:
            self.missing.add(key)
            return key
        return found

    @property
    def is_draft(self) -> bool:
        return self.lang in DRAFTS

    def warn(self) -> None:
        """Print the strings without a translation to stderr (the build goes on in English for them)."""
        if self.missing:
            print(
                f"warning: {len(self.missing)} string(s) have no {LANGUAGES[self.lang]} translation and print in "
                f"English; run `python -m equitylens.kit.translate update {self.lang}` and fill them in",
                file=sys.stderr,
            )


def translator(lang: str = SOURCE_LANGUAGE, *, folder: Path | str | None = None) -> Translator:
    """A :class:`Translator` for ``lang`` read from its catalog."""
    check_language(lang)
    if lang == SOURCE_LANGUAGE:
        return Translator(lang)
    catalog = read_catalog(lang, folder=folder)
    table = {normalise(str(m.id)): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}
    return Translator(lang, table)


def template(messages: Iterable[tuple[str, str]]) -> Catalog:
    """A catalog of English ``(text, where)`` pairs with empty translations (a ``.pot``)."""
    catalog = Catalog(project=PROJECT, domain=DOMAIN, charset="utf-8", header_comment=HEADER)
    for text, where in messages:
        key = normalise(text)
        if key:
            found = catalog.get(key)
            if found is None:
                catalog.add(key, auto_comments=[where])
            elif where not in found.auto_comments:
                found.auto_comments.append(where)
    return catalog


def update(lang: str, messages: Iterable[tuple[str, str]], *, folder: Path | str | None = None) -> Path:
    """Write ``lang``'s catalog: every current string, its translation kept where the English is unchanged."""
    check_language(lang)
    fresh = template(messages)
    file = catalog_path(lang, folder=folder)
    if file.is_file():
        catalog = read_catalog(lang, folder=folder)
        catalog.header_comment = HEADER
        catalog.update(fresh, no_fuzzy_matching=True)
        catalog.obsolete.clear()
    else:
        catalog = Catalog(locale=lang, project=PROJECT, domain=DOMAIN, charset="utf-8", header_comment=HEADER)
        catalog.update(fresh, no_fuzzy_matching=True)
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, omit_header=False, ignore_obsolete=True)
    return file
