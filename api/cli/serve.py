"""`python -m api [--workers N]`: prepare the database once, then serve on one port.

The parent process starts the embedded database (development), runs the migrations, creates the
dev token and seeds the demo data (development only); then it serves, itself (one worker) or
through N uvicorn worker processes that each build `api.app:app` from the same environment.
"""

import asyncio
from typing import Any

import uvicorn

from api.app import create_app
from api.bootstrap import ensure_dev_token
from api.cli.database import database
from api.config import Settings
from api.db.client import Store
from api.demo import seed_demo
from api.limits import MAX_BODY_BYTES
from api.memory import tune_allocator
from api.observability.shared import worker_metrics
from api.sockets import LeanWebSocketProtocol

MAX_WORKERS = 64


async def _prepare(settings: Settings, uri: str) -> None:
    store = Store(uri, settings.database)
    try:
        await store.ensure_indexes()
        token = None if settings.production else await ensure_dev_token(store, settings.data_dir)
        if settings.demo_data:
            seeded = await seed_demo(store)
            if seeded:
                print(f"Demo data: {seeded} activities scored for 120 contacts")
    finally:
        store.close()
    base = f"http://{settings.host}:{settings.port}"
    print(f"GraphQL API{' and GraphiQL' if settings.graphiql else ''}: {base}/graphql")
    if settings.production:
        print("Production mode: no demo data, no dev token")
    if not settings.loopback:
        print(f"Listening on {settings.host}: put a TLS-terminating proxy in front of it")
    if token:
        print(f"Dev token (admin): {token}")
        print(
            f"  try: curl -s {base}/graphql -H 'Authorization: Bearer {token}' "
            "-H 'Content-Type: application/json' -d '{\"query\":\"{ me { name role } }\"}'"
        )
    else:
        print("Create a token with: python -m api token NAME ADMIN")


# Our logging (api/observability/logs.py) formats uvicorn's lines; our access log replaces its own.
UVICORN_LOGS: dict[str, Any] = {"log_level": "info", "log_config": None, "access_log": False}


# A websocket message is held to the limit of a request body. Messages are not compressed: live
# frames are small, and per-message deflate compressed each one again for every socket (with a
# compressor's memory held per connection); measured with bench/fanout.py (docs/benchmarks.md).
# uvicorn's websockets-sansio protocol, keeping less per connection (api/sockets.py).
WEBSOCKETS: dict[str, Any] = {
    "ws": LeanWebSocketProtocol,
    "ws_max_size": MAX_BODY_BYTES,
    "ws_per_message_deflate": False,
}


def run_serve(settings: Settings, workers: int) -> None:
    with database(settings) as uri:
        asyncio.run(_prepare(settings, uri))
        host, port = settings.host, settings.port
        if workers == 1:
            tune_allocator()
            app = create_app(uri, settings.database, settings=settings)
            config = uvicorn.Config(app, host, port, **WEBSOCKETS, **UVICORN_LOGS)
            # On uvloop (its "auto" loop), as the workers and the tests run: its transports write
            # in C, which the live fan-out's frames go straight to (api/wire.py).
            uvicorn.Server(config).run()
        else:
            # Each worker imports api.app:app, built from this same environment (api/app.py),
            # and writes its metrics where /metrics in any of them adds them up.
            with worker_metrics(settings.data_dir):
                uvicorn.run(
                    "api.app:app",
                    host=host,
                    port=port,
                    workers=workers,
                    **WEBSOCKETS,
                    **UVICORN_LOGS,
                )
