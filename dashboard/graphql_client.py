"""The dashboard's only way to the data: GraphQL over HTTP and graphql-transport-ws."""

import json
import os
from collections.abc import AsyncGenerator
from typing import Any

import httpx
import websockets
from websockets.typing import Subprotocol

API_URL = os.environ.get("SCORING_API_URL", "http://127.0.0.1:8000/graphql")
WS_URL = API_URL.replace("http://", "ws://").replace("https://", "wss://")


class ApiError(Exception):
    """The API refused: the messages are meant for the user."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class LiveGap(ApiError):
    """A subscription ended because changes could not all be sent: resume after `resume_after`
    (None: reload, then subscribe again from now)."""

    def __init__(self, messages: list[str], code: str, resume_after: str | None) -> None:
        super().__init__(messages)
        self.code = code
        self.resume_after = resume_after


GAP_CODES = {"FELL_BEHIND", "CURSOR_EXPIRED", "INVALID_CURSOR"}


def _gap(errors: list[dict[str, Any]]) -> LiveGap | None:
    for error in errors:
        extensions = error.get("extensions") or {}
        if extensions.get("code") in GAP_CODES:
            messages = [e["message"] for e in errors]
            return LiveGap(messages, extensions["code"], extensions.get("resumeAfter"))
    return None


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


async def execute(query: str, variables: dict[str, Any] | None, token: str) -> dict[str, Any]:
    """Run a query or mutation; top-level GraphQL errors and outages raise ApiError."""
    try:
        async with httpx.AsyncClient(timeout=20) as client:
            response = await client.post(
                API_URL,
                json={"query": query, "variables": variables or {}},
                headers=_headers(token),
            )
    except httpx.TransportError:
        raise ApiError(["The scoring API cannot be reached; retrying may help"]) from None
    body = response.json()
    if body.get("errors"):
        raise ApiError([error["message"] for error in body["errors"]])
    return dict(body["data"])


def payload_errors(payload: dict[str, Any]) -> list[str]:
    """The `errors { field message }` of a mutation payload, as sentences."""
    return [error["message"] for error in payload.get("errors") or []]


async def subscribe(
    query: str, variables: dict[str, Any] | None, token: str
) -> AsyncGenerator[dict[str, Any] | None]:
    """Yield None once subscribed, then each result, until the connection ends; LiveGap when
    the API says changes were not all sent."""
    async with websockets.connect(WS_URL, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise ApiError(["The live connection was refused"])
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables or {}},
                }
            )
        )
        yield None
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "next":
                gap = _gap(message["payload"].get("errors") or [])
                if gap is not None:
                    raise gap
                yield message["payload"]["data"]
            elif message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif message["type"] == "error":
                gap = _gap(message["payload"])
                if gap is not None:
                    raise gap
                return
            elif message["type"] == "complete":
                return
