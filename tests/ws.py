"""A minimal graphql-transport-ws client over a real websocket."""

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import websockets

from api.domain.access import Role


class Subscriber:
    def __init__(self, url: str, token: str | None) -> None:
        self.url = url
        self.token = token
        self.ws: Any = None

    async def __aenter__(self) -> "Subscriber":
        self.ws = await websockets.connect(self.url, subprotocols=["graphql-transport-ws"])
        params = {"authorization": f"Bearer {self.token}"} if self.token else {}
        await self.ws.send(json.dumps({"type": "connection_init", "payload": params}))
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), 5))
        assert ack["type"] == "connection_ack", ack
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def subscribe(self, query: str, variables: dict | None = None, id_: str = "1") -> None:
        await self.ws.send(
            json.dumps(
                {
                    "id": id_,
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables or {}},
                }
            )
        )

    async def next(self, timeout: float = 5) -> dict:
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if message["type"] in {"next", "error", "complete"}:
                return message


@asynccontextmanager
async def viewers(api: Any, query: str, ids: Sequence[str]) -> AsyncIterator[list[Subscriber]]:
    """Viewers on sockets of their own, each subscribed to `query` under its id, once the API
    holds them all."""
    async with AsyncExitStack() as stack:
        subscribers = [
            await stack.enter_async_context(Subscriber(api.ws_url, api.tokens[Role.VIEWER]))
            for _ in ids
        ]
        for subscriber, id_ in zip(subscribers, ids, strict=True):
            await subscriber.subscribe(query, id_=id_)
        await api.wait_subscribers(len(ids))
        yield subscribers
