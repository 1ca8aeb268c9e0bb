"""Live score changes over a real websocket, fed by the MongoDB change stream."""

import asyncio
import json
from datetime import UTC, datetime

import pytest
import websockets
from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from api.domain.access import Role
from api.domain.classification import ContactClass
from api.domain.ledger import Entry, EntryKind
from api.live import FellBehind, LiveHub, ScoreEvent
from tests.gql_ops import make_contact, record
from tests.ws import Subscriber

SCORE_CHANGED = """
subscription($contactId: ID, $classChangesOnly: Boolean) {
  scoreChanged(contactId: $contactId, classChangesOnly: $classChangesOnly) {
    contactId delta score previousScore classification previousClassification reason at
    contact { email score }
  }
}"""


async def test_mutation_reaches_a_websocket_subscriber(api):
    contact_id = await make_contact(api, "live@example.com")
    await make_contact(api, "other@example.com")
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(SCORE_CHANGED, {"contactId": contact_id})
        await api.wait_subscribers(1)
        await record(api, "other@example.com", "OPEN", "a")
        await record(api, "live@example.com", "CLICK", "a")
        message = await sub.next()
    change = message["payload"]["data"]["scoreChanged"]
    assert change["contactId"] == contact_id
    assert (change["delta"], change["score"], change["previousScore"]) == (10, 10, 0)
    assert change["classification"] == "GETTING_STARTED"
    assert change["reason"].startswith("1st click of campaign a")
    assert change["contact"] == {"email": "live@example.com", "score": 10}


async def test_class_changes_only(api):
    await make_contact(api, "climber@example.com")
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(SCORE_CHANGED, {"classChangesOnly": True})
        await api.wait_subscribers(1)
        for campaign in ["a", "b", "c"]:
            await record(api, "climber@example.com", "OPEN", campaign)
        await record(api, "climber@example.com", "POSITIVE_REPLY", "a")
        change = (await sub.next())["payload"]["data"]["scoreChanged"]
    assert (change["previousScore"], change["score"]) == (30, 70)
    assert (change["previousClassification"], change["classification"]) == (
        "GETTING_STARTED",
        "PROGRESSING",
    )


async def test_bad_token_is_rejected_and_server_survives_abrupt_clients(api):
    with pytest.raises(websockets.ConnectionClosed) as closed:
        async with websockets.connect(api.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(
                json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer nope"}})
            )
            await ws.recv()
    assert closed.value.rcvd.code == 4403
    for _ in range(10):  # subscribers that vanish without a goodbye
        ws = await websockets.connect(api.ws_url, subprotocols=["graphql-transport-ws"])
        await ws.send(
            json.dumps(
                {
                    "type": "connection_init",
                    "payload": {"authorization": f"Bearer {api.tokens[Role.VIEWER]}"},
                }
            )
        )
        await ws.recv()
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SCORE_CHANGED}})
        )
        ws.transport.abort() if hasattr(ws, "transport") else await ws.close()
    await api.wait_subscribers(0)  # the vanished subscribers were cleaned up
    await make_contact(api, "after@example.com")
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(SCORE_CHANGED)
        await api.wait_subscribers(1)
        await record(api, "after@example.com", "REFER_FRIEND", None)
        assert (await sub.next())["payload"]["data"]["scoreChanged"]["delta"] == 30


def _event(n: int) -> ScoreEvent:
    entry = Entry("c", n, 1, n, EntryKind.MANUAL, "r", datetime.now(UTC))
    cursor = f"{n:016x}aa"
    return ScoreEvent(
        entry, n - 1, ContactClass.GETTING_STARTED, ContactClass.GETTING_STARTED, cursor
    )


async def test_slow_subscriber_is_told_it_fell_behind_and_holds_up_nobody(store):
    hub = LiveHub(store, queue_size=5)
    slow, fast = hub.events(), hub.events()
    first_slow = asyncio.ensure_future(slow.__anext__())
    first_fast = asyncio.ensure_future(fast.__anext__())
    await asyncio.sleep(0)
    received = []
    for n in range(1, 21):
        hub.publish(_event(n))  # never awaits: a full inbox takes no more
        received.append(await (first_fast if n == 1 else fast.__anext__()))
    assert [e.entry.seq for e in received] == list(range(1, 21))
    assert (await first_slow).entry.seq == 1
    rest = [(await slow.__anext__()).entry.seq for _ in range(5)]
    assert rest == [2, 3, 4, 5, 6]  # what it held, in order, then where to resume
    with pytest.raises(FellBehind) as gap:
        await slow.__anext__()
    assert gap.value.cursor == _event(6).cursor
    assert hub.fell_behind == 1
    await fast.aclose()
    assert hub.subscribers == {}


async def test_third_party_gql_client_queries_mutates_and_subscribes(api):
    headers = {"Authorization": f"Bearer {api.tokens[Role.EDITOR]}"}
    http = Client(transport=HTTPXAsyncTransport(url=api.url, headers=headers))
    ws = Client(
        transport=WebsocketsTransport(
            url=api.ws_url,
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            init_payload={"authorization": f"Bearer {api.tokens[Role.VIEWER]}"},
        )
    )
    async with http as session:
        created = await session.execute(
            gql(
                'mutation { contactUpsert(input: {email: "gql@example.com", country: "India"}) '
                "{ contact { id } errors { code } } }"
            )
        )
        contact_id = created["contactUpsert"]["contact"]["id"]
        async with ws as live:
            events = live.subscribe(gql(SCORE_CHANGED), variable_values={"contactId": contact_id})
            first = asyncio.ensure_future(events.__anext__())
            for _ in range(50):  # until the subscription is registered and sees a change
                await session.execute(
                    gql(
                        'mutation { activityRecord(input: {contactEmail: "gql@example.com", '
                        "type: REFER_FRIEND}) { entry { points } } }"
                    )
                )
                done, _ = await asyncio.wait({first}, timeout=0.2)
                if done:
                    break
            change = (await first)["scoreChanged"]
        found = await session.execute(
            gql('{ contact(email: "gql@example.com") { score timeline { totalCount } } }')
        )
    assert change["delta"] == 30 and change["contact"]["email"] == "gql@example.com"
    assert found["contact"]["score"] == 30 * found["contact"]["timeline"]["totalCount"]
