"""A token revoked or expired closes the websockets opened with it, on every API process."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import websockets

from api.domain.access import Role
from tests.conftest import ServerThread
from tests.gql_ops import make_contact, record
from tests.ws import Subscriber

SCORE_CHANGED = "subscription { scoreChanged { contactId score } }"
CREATE = """mutation($input: ApiTokenCreateInput!) {
  apiTokenCreate(input: $input) { token apiToken { id } errors { message } } }"""
REVOKE = """mutation($input: ApiTokenRevokeInput!) {
  apiTokenRevoke(input: $input) { apiToken { status } errors { message } } }"""


async def new_token(api, name: str) -> tuple[str, str]:
    payload = (await api.data(CREATE, {"input": {"name": name, "role": "VIEWER"}}))[
        "apiTokenCreate"
    ]
    return payload["token"], payload["apiToken"]["id"]


async def closed_with(sub: Subscriber, timeout: float = 6) -> tuple[int, str, float]:
    """Read until the server closes the connection: its code, its reason, and when."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            await sub.next(timeout=deadline - time.monotonic())
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None
        return closed.rcvd.code, closed.rcvd.reason, time.monotonic()
    raise AssertionError("the connection stayed open")


async def test_revoking_closes_its_subscriptions_on_another_process(api, mongo_uri, database_name):
    contact = await make_contact(api, "watched@example.com")
    secret, token_id = await new_token(api, "live-widget")
    # The subscriber holds its connection on a second API process over the same database.
    with ServerThread(mongo_uri, database_name) as other:
        url = f"ws://127.0.0.1:{other.port}/graphql"
        async with (
            Subscriber(url, secret) as doomed,
            Subscriber(url, api.tokens[Role.VIEWER]) as kept,
        ):
            await doomed.subscribe(SCORE_CHANGED)
            await kept.subscribe(SCORE_CHANGED)
            await record(api, "watched@example.com", "OPEN", "a")
            assert (await doomed.next())["payload"]["data"]["scoreChanged"]["contactId"] == contact
            await kept.next()

            revoked = await api.data(REVOKE, {"input": {"id": token_id}})
            assert revoked["apiTokenRevoke"]["apiToken"]["status"] == "REVOKED"
            started = time.monotonic()
            code, reason, at = await closed_with(doomed)
            assert (code, reason) == (4403, "Token revoked")
            assert at - started < 4

            await record(api, "watched@example.com", "OPEN", "b")
            change = (await kept.next())["payload"]["data"]["scoreChanged"]
            assert change["contactId"] == contact  # the other token's subscription goes on
    refused = await api.call("{ me { name } }", token=secret)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    async with websockets.connect(api.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {secret}"}}
        await ws.send(json.dumps(init))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_an_expiring_token_closes_its_subscriptions(api, store):
    await make_contact(api, "expiring@example.com")
    secret, token_id = await new_token(api, "short-lived")
    async with Subscriber(api.ws_url, secret) as sub:
        await sub.subscribe(SCORE_CHANGED)
        await api.wait_subscribers(1)
        await store.tokens.set_expiry(token_id, datetime.now(UTC) + timedelta(seconds=1))
        started = time.monotonic()
        code, reason, at = await closed_with(sub)
        assert (code, reason) == (4403, "Token expired")
        assert 1 <= at - started < 5
    await api.wait_subscribers(0)
    refused = await api.call("{ me { name } }", token=secret)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
