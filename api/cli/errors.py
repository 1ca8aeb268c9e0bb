"""How a command refuses: one line on stderr, exit code 2, no traceback."""

import sys
from typing import NoReturn


class CommandError(Exception):
    """A command cannot go on; the message says why and what to do."""


def refuse(message: str) -> NoReturn:
    print(f"python -m api: {message}", file=sys.stderr)
    raise SystemExit(2)
