"""``python -m equitylens COMMAND``: the kit's command-line tools.

Commands: ``protect`` (check and protect a count table of your own; see
``equitylens.kit.protect_cli``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

COMMANDS = {"protect": "equitylens.kit.protect_cli"}
USAGE = "usage: python -m equitylens {protect} ...  (python -m equitylens protect --help)"


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a command; exit code 2 for an unknown one."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        return 2
    from equitylens.kit import protect_cli

    return protect_cli.run(args[1:])


if __name__ == "__main__":
    sys.exit(main())
