"""`python -m api`: run the product (embedded database unless MONGODB_URI is set).

python -m api                    run the API with demo data on first start
python -m api token NAME ROLE    create an API token and print it once
"""

import argparse
import asyncio
import signal
import sys

import uvicorn

from api.app import create_app
from api.bootstrap import ensure_dev_token
from api.config import Settings
from api.db.client import Store
from api.demo import seed_demo
from api.domain.access import Role
from api.embedded import EmbeddedMongo
from api.limits import MAX_BODY_BYTES
from api.memory import tune_allocator
from api.observability.logs import configure_logging
from api.observability.settings import ObserveSettings
from api.services.access import create_token


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
        # Our logging (api/observability/logs.py) formats uvicorn's lines; our access log
        # replaces uvicorn's.
        log_config=None,
        access_log=False,
        # A websocket message is held to the limit of a request body.
        ws_max_size=MAX_BODY_BYTES,
    )
    await uvicorn.Server(config).serve()


async def _token(settings: Settings, uri: str, name: str, role: Role) -> None:
    store = Store(uri, settings.database)
    try:
        await store.ensure_indexes()
        secret, _ = await create_token(store, name, role)
        print(secret)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m api")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the API (default)")
    token = sub.add_parser("token", help="create an API token")
    token.add_argument("name")
    token.add_argument("role", choices=[r.value for r in Role])
    args = parser.parse_args()
    configure_logging(ObserveSettings.from_env().json_logs)

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
    try:
        if args.command == "token":
            asyncio.run(_token(settings, uri, args.name, Role(args.role)))
        else:
            asyncio.run(_serve(settings, uri))
    except KeyboardInterrupt:
        pass
    finally:
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    main()
