"""`python -m api`: run the product (embedded database unless MONGODB_URI is set).

python -m api                    run the API with demo data on first start
python -m api token ...          API tokens: list, create, revoke (api/token_cli.py)
"""

import argparse
import asyncio
import logging
import signal
import sys

import uvicorn

from api.app import create_app
from api.bootstrap import ensure_dev_token
from api.config import Settings
from api.db.client import Store
from api.demo import seed_demo
from api.embedded import EmbeddedMongo
from api.limits import MAX_BODY_BYTES
from api.memory import tune_allocator
from api.token_cli import run as token_command


async def _prepare(settings: Settings, uri: str) -> None:
    store = Store(uri, settings.database)
    try:
        await store.ensure_indexes()
        token = await ensure_dev_token(store, settings.data_dir)
        if settings.demo_data:
            seeded = await seed_demo(store)
            if seeded:
                print(f"Demo data: {seeded} activities scored for 120 contacts")
    finally:
        store.close()
    base = f"http://{settings.host}:{settings.port}"
    print(f"GraphQL API and GraphiQL: {base}/graphql")
    if token:
        print(f"Dev token (admin): {token}")
        print(
            f"  try: curl -s {base}/graphql -H 'Authorization: Bearer {token}' "
            "-H 'Content-Type: application/json' -d '{\"query\":\"{ me { name role } }\"}'"
        )
    else:
        print("Create a token with: python -m api token NAME ADMIN")


async def _serve(settings: Settings, uri: str) -> None:
    await _prepare(settings, uri)
    tune_allocator()
    config = uvicorn.Config(
        create_app(uri, settings.database, settings.expiry_interval, settings.notify_interval),
        host=settings.host,
        port=settings.port,
        log_level="info",
        # A websocket message is held to the limit of a request body.
        ws_max_size=MAX_BODY_BYTES,
    )
    await uvicorn.Server(config).serve()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m api")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the API (default)")
    token = sub.add_parser("token", help="API tokens: list, create, revoke", add_help=False)
    token.add_argument("words", nargs=argparse.REMAINDER)
    args, extra = parser.parse_known_args()
    if extra and args.command != "token":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    # uvicorn re-raises the signal that stopped it: make SIGTERM unwind like Ctrl-C, so that the
    # embedded database is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    settings = Settings.from_env()
    embedded = None
    uri = settings.mongodb_uri
    if uri is None:
        embedded = EmbeddedMongo(settings.data_dir, settings.embedded_port)
        embedded.start()
        uri = embedded.uri
    status = 0
    try:
        if args.command == "token":
            status = asyncio.run(token_command(uri, settings.database, [*extra, *args.words]))
        else:
            asyncio.run(_serve(settings, uri))
    except KeyboardInterrupt:
        pass
    finally:
        if embedded is not None:
            embedded.stop()
    sys.exit(status)


if __name__ == "__main__":
    main()
