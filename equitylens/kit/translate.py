"""Keep the translation catalogs in step with the English sources.

``python -m equitylens.kit.translate update es``
    Collect every English string the cards and sheets print (from ``book/data/practices.yml``,
    the session plans, the check-in survey and the self-assessment), and write
    ``locale/es/LC_MESSAGES/equitylens.po``: new strings with an empty translation, changed ones
    as new, translations of unchanged strings kept, strings no longer used dropped.
``python -m equitylens.kit.translate check es``
    List the strings without a translation; exit 1 if there are any.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from equitylens.kit import cards, i18n, sheets


def messages() -> list[tuple[str, str]]:
    """Every English ``(text, where)`` pair the translated materials print."""
    return cards.messages() + sheets.messages()


def untranslated(lang: str) -> list[str]:
    """The English strings that ``lang``'s catalog does not translate."""
    t = i18n.translator(lang)
    for text, _ in messages():
        t(text)
    return sorted(t.missing)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m equitylens.kit.translate update|check LANG``."""
    parser = argparse.ArgumentParser(description="Update or check a translation catalog.")
    parser.add_argument("command", choices=("update", "check"))
    parser.add_argument("lang", choices=[lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE])
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command == "update":
        print(f"wrote {i18n.update(args.lang, messages())}")
    missing = untranslated(args.lang)
    for text in missing:
        print(f"untranslated: {text}")
    print(f"{len(missing)} string(s) without a {i18n.LANGUAGES[args.lang]} translation")
    if args.command == "check" and missing:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
