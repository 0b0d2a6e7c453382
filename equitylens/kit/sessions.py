"""Write a custom session's pack: the agenda from :mod:`equitylens.kit.workshops`, the PDFs from
:mod:`equitylens.kit.printing`.

``python -m equitylens.kit.sessions build --stages analysis,access --minutes 120 --out DIR``
(``make workshop``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from equitylens.kit import printing, workshops


def write_session(*, stages: Sequence[str] | str, minutes: int, out: Path | str, pdf: bool = True) -> dict[str, Path]:
    """Build a session and write its pack: ``agenda.md`` and, with ``pdf``, ``handout.pdf`` and stage cards."""
    session = workshops.build_session(stages=stages, minutes=minutes)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = {"agenda": folder / "agenda.md"}
    markdown = workshops.session_markdown(session)
    written["agenda"].write_text(markdown, encoding="utf-8")
    if pdf:
        chosen = workshops.check_stages(stages)
        written.update(printing.session_pack(markdown, stages=chosen, out=folder))
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m equitylens.kit.sessions build --stages analysis,access --minutes 120 --out DIR``."""
    parser = argparse.ArgumentParser(description="Build a custom workshop session from the kit's activities.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="pick activities to fit a time budget; write agenda and handouts")
    build.add_argument("--stages", required=True, help="comma-separated stage ids, e.g. analysis,access")
    build.add_argument("--minutes", required=True, type=int)
    build.add_argument("--out", default="_build/print/workshop")
    build.add_argument("--no-pdf", action="store_true", help="write the Markdown agenda only")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        written = write_session(stages=args.stages, minutes=args.minutes, out=args.out, pdf=not args.no_pdf)
    except ValueError as error:
        parser.exit(2, f"make workshop: {error}\n")
    except RuntimeError as error:  # Chromium missing: the Markdown agenda is already written
        parser.exit(1, f"make workshop: {error}\n")
    for name, path in written.items():
        print(f"wrote {name}: {path}")


if __name__ == "__main__":
    main()
