"""Real parts only: a MongoDB-wire server over TCP (SecantusDB started here, or MONGODB_URI), the
real ASGI app served by uvicorn on a free port, real HTTP and websocket clients."""

import asyncio
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.cli.serve import WEBSOCKETS
from api.db.client import Store
from api.domain.access import Role
from api.embedded import EmbeddedMongo, free_port
from api.live import LiveHub
from graphql_schema.live.shared import Registry
from tests.mailbox import Mailbox


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("MONGODB_URI"):
        yield os.environ["MONGODB_URI"]
        return
    server = EmbeddedMongo(tmp_path_factory.mktemp("mongo"), free_port())
    server.start()
    try:
        yield server.uri
    finally:
        server.stop()


@pytest.fixture
def database_name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def store(mongo_uri: str, database_name: str) -> AsyncIterator[Store]:
    """A new database per test. On the session's own embedded server it is left behind (the server
    goes with the session): dropping one took that server up to half a minute after large tests."""
    store = Store(mongo_uri, database_name)
    await store.ensure_indexes()
    try:
        yield store
    finally:
        if os.environ.get("MONGODB_URI"):
            await store.client.drop_database(database_name)
        store.close()


class ServerThread:
    """uvicorn serving the app in a thread with its own event loop, stopped at the end."""

    def __init__(self, mongo_uri: str, database: str, **options: Any) -> None:
        """`options`: more arguments of `create_app`."""
        self.port = free_port()
        config = uvicorn.Config(
            create_app(mongo_uri, database, **options),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            **WEBSOCKETS,  # as `python -m api` serves websockets (uncompressed: api/wire.py)
        )
        self.server = uvicorn.Server(config)
        self.hub: LiveHub = config.app.state.hub
        self.live_groups: Registry | None = config.app.state.live_groups
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("API server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


@dataclass
class Api:
    """A running API with one token per role, and a small GraphQL-over-HTTP client."""

    url: str
    ws_url: str
    tokens: dict[Role, str]
    http: httpx.AsyncClient
    hub: LiveHub
    # The server's shared live subscriptions (in-process servers only).
    live_groups: Registry | None = None

    async def wait_subscribers(self, count: int, timeout: float = 5) -> None:
        """Until the server holds exactly this many live subscribers."""
        deadline = time.monotonic() + timeout
        while self.hub.subscriber_count != count:
            assert time.monotonic() < deadline, "subscription was not registered"
            await asyncio.sleep(0.01)

    async def call(
        self,
        query: str,
        variables: dict | None = None,
        role: Role | None = Role.ADMIN,
        token: str | None = None,
    ) -> dict:
        headers = {}
        secret = token or (self.tokens[role] if role else None)
        if secret:
            headers["Authorization"] = f"Bearer {secret}"
        response = await self.http.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def data(
        self, query: str, variables: dict | None = None, role: Role = Role.ADMIN
    ) -> dict:
        body = await self.call(query, variables, role)
        assert "errors" not in body, body
        return body["data"]


@asynccontextmanager
async def serve(mongo_uri: str, store: Store, **options: Any) -> AsyncIterator[Api]:
    """The API over the store's database, with a token per role; `options`: more arguments of
    `create_app`."""
    tokens = {}
    for role in Role:
        secret, _ = await store.tokens.create(f"test-{role.value.lower()}", role)
        tokens[role] = secret
    with ServerThread(mongo_uri, store.db.name, **options) as server:
        async with httpx.AsyncClient(timeout=30) as http:
            yield Api(
                f"http://127.0.0.1:{server.port}/graphql",
                f"ws://127.0.0.1:{server.port}/graphql",
                tokens,
                http,
                server.hub,
                server.live_groups,
            )


@pytest.fixture
async def api(mongo_uri: str, store: Store) -> AsyncIterator[Api]:
    async with serve(mongo_uri, store) as running:
        yield running


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on a free local port, keeping what it receives."""
    with Mailbox() as box:
        yield box


@pytest.fixture
def artifacts() -> Path:
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
