"""`python -m api token ...`: API tokens from the command line.

python -m api token list                                   every token, its status, never a secret
python -m api token create NAME ROLE [--expires-in-days N]  print a new token's secret once
python -m api token NAME ROLE                              the same (the older spelling)
python -m api token revoke ID_OR_NAME                      revoke a token
"""

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from api.cli.database import database
from api.config import Settings
from api.db.client import Store
from api.domain.access import ApiToken, Role
from api.services.errors import ServiceFailure
from api.services.tokens import create_token, find_token, revoke_token

ACTOR = "cli"
COMMANDS = ("list", "create", "revoke")


def parse(words: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m api token")
    if words[:1] and words[0] not in COMMANDS and not words[0].startswith("-"):
        words = ["create", *words]  # python -m api token NAME ROLE
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="list the tokens")
    create = sub.add_parser("create", help="create a token and print its secret once")
    create.add_argument("name")
    create.add_argument("role", choices=[r.value for r in Role])
    create.add_argument("--expires-in-days", type=int, default=None, metavar="N")
    revoke = sub.add_parser("revoke", help="revoke a token")
    revoke.add_argument("token", metavar="ID_OR_NAME")
    return parser.parse_args(words)


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def table(tokens: list[ApiToken]) -> str:
    now = datetime.now(UTC)
    rows = [("ID", "NAME", "ROLE", "STATUS", "CREATED", "LAST USED", "EXPIRES")]
    rows += [
        (
            t.id,
            t.name,
            t.role.value,
            t.status(now).value,
            _time(t.created_at),
            _time(t.last_used_at),
            _time(t.expires_at),
        )
        for t in tokens
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


async def run(uri: str, database: str, words: list[str]) -> int:
    """Run one token command; the exit status."""
    args = parse(words)
    store = Store(uri, database)
    try:
        await store.ensure_indexes()
        if args.action == "list":
            print(table(await store.tokens.all()))
        elif args.action == "create":
            secret, _ = await create_token(
                store, args.name, Role(args.role), args.expires_in_days, ACTOR
            )
            print(secret)
        else:
            record = await find_token(store, args.token, or_name=True)
            revoked = await revoke_token(store, record, ACTOR)
            print(f"Revoked {revoked.id} ({revoked.name})")
    except ServiceFailure as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def run_token(settings: Settings, words: list[str]) -> int:
    """`python -m api token ...` against the configured database; the exit status."""
    with database(settings) as uri:
        return asyncio.run(run(uri, settings.database, words))
