"""Shared live subscriptions (graphql_schema/live/shared.py): one execution per event for each
distinct (document, operation, variables, role), the same bytes to every member, nothing crossing
between groups, and a thousand subscribers on a real `python -m api` each getting every event
exactly once."""

import asyncio
import contextlib
import gc
import json
import sys
import time
import tracemalloc

import httpx
import pytest
import websockets

from api.domain.access import Role
from bench.traffic import ROOT
from graphql_schema.live.shared import Registry
from tests.conftest import Api
from tests.crash_stack import ApiProcess
from tests.gql_ops import make_contact, record
from tests.ws import Subscriber, viewers

MINIMAL = "subscription { scoreChanged { contactId score } }"
WITH_EMAIL = "subscription { scoreChanged { score contact { email } } }"
WITH_EMAIL_AND_SCORE = "subscription { scoreChanged { score contact { email score } } }"
# Reads no contact itself: the lookups counted are the subscribers'.
BARE_RECORD = """mutation($input: ActivityInput!) { activityRecord(input: $input) { duplicate } }"""
ONE_CONTACT = """subscription($contactId: ID) {
  scoreChanged(contactId: $contactId) { contactId score contact { email } } }"""


def groups(api: Api) -> Registry:
    assert api.live_groups is not None
    return api.live_groups


async def test_two_subscribers_of_one_document_share_one_execution(api):
    await make_contact(api, "shared@example.com")
    registry = groups(api)
    async with (
        Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as one,
        Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as two,
    ):
        await one.subscribe(MINIMAL, id_="a")
        # The same document written differently is the same subscription.
        await two.subscribe("subscription{scoreChanged{contactId\n  score}}", id_="b")
        await api.wait_subscribers(2)
        assert len(registry.groups) == 1
        before = registry.executions
        await record(api, "shared@example.com", "REFER_FRIEND", None)
        first, second = await one.next(), await two.next()
        assert registry.executions - before == 1
    assert (first["id"], second["id"]) == ("a", "b")
    assert first["payload"] == second["payload"]
    assert first["payload"]["data"]["scoreChanged"]["score"] == 30
    await api.wait_subscribers(0)
    assert registry.groups == {} and api.hub.subscribers == {}  # torn down with its last member


async def test_other_roles_and_variables_are_not_merged(api):
    ann = await make_contact(api, "ann@example.com")
    bob = await make_contact(api, "bob@example.com")
    registry = groups(api)
    async with (
        Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as viewer_ann,
        Subscriber(api.ws_url, api.tokens[Role.ADMIN]) as admin_ann,
        Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as viewer_bob,
    ):
        await viewer_ann.subscribe(ONE_CONTACT, {"contactId": ann})
        await admin_ann.subscribe(ONE_CONTACT, {"contactId": ann})
        await viewer_bob.subscribe(ONE_CONTACT, {"contactId": bob})
        await api.wait_subscribers(3)
        roles = sorted(key[3] for key in registry.groups)
        assert roles == ["ADMIN", "VIEWER", "VIEWER"]
        await record(api, "bob@example.com", "REFER_FRIEND", None)
        await record(api, "ann@example.com", "CLICK", "a")
        got = [
            (await sub.next())["payload"]["data"]["scoreChanged"]
            for sub in (viewer_ann, admin_ann, viewer_bob)
        ]
    assert [(c["contactId"], c["score"]) for c in got] == [(ann, 10), (ann, 10), (bob, 30)]
    assert got[2]["contact"] == {"email": "bob@example.com"}


async def test_contact_fields_are_one_batched_lookup_per_event(api):
    await make_contact(api, "looked@example.com")
    registry = groups(api)
    contacts = registry.store.contacts
    lookups = []
    by_ids = contacts.by_ids

    async def counted(ids):  # the real lookup, counted
        lookups.append(list(ids))
        return await by_ids(ids)

    contacts.by_ids = counted  # type: ignore[method-assign]
    try:
        async with contextlib.AsyncExitStack() as stack:
            subs = [
                await stack.enter_async_context(Subscriber(api.ws_url, api.tokens[Role.VIEWER]))
                for _ in range(6)
            ]
            for i, sub in enumerate(subs):
                await sub.subscribe(WITH_EMAIL if i % 2 else WITH_EMAIL_AND_SCORE)
            await api.wait_subscribers(6)
            assert len(registry.groups) == 2
            for n in range(3):
                activity = {"contactEmail": "looked@example.com", "type": "REFER_FRIEND"}
                await api.data(BARE_RECORD, {"input": activity}, role=Role.EDITOR)
                changes = [(await sub.next())["payload"]["data"]["scoreChanged"] for sub in subs]
                assert {c["contact"]["email"] for c in changes} == {"looked@example.com"}
                assert {c["score"] for c in changes} == {30 * (n + 1)}
    finally:
        del contacts.by_ids
    assert len(lookups) == 3  # one per event, for both groups and all six subscribers


async def test_a_socket_closed_mid_stream_does_not_break_its_group(api):
    await make_contact(api, "steady@example.com")
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as steady:
        await steady.subscribe(MINIMAL)
        gone = [Subscriber(api.ws_url, api.tokens[Role.VIEWER]) for _ in range(5)]
        for sub in gone:
            await sub.__aenter__()
            await sub.subscribe(MINIMAL)
        await api.wait_subscribers(6)
        recorded = asyncio.ensure_future(record(api, "steady@example.com", "REFER_FRIEND", None))
        for sub in gone:  # they vanish while the event is on its way
            sub.ws.transport.abort()
        await recorded
        assert (await steady.next())["payload"]["data"]["scoreChanged"]["score"] == 30
        await record(api, "steady@example.com", "REFER_FRIEND", None)
        assert (await steady.next())["payload"]["data"]["scoreChanged"]["score"] == 60


async def test_a_member_completed_by_its_client_leaves_and_its_id_may_be_taken_again(api):
    """Once joined, a member is no operation task of Strawberry's: `complete`, a repeated id
    and the limit of subscriptions still work as they do for any operation."""
    await make_contact(api, "again@example.com")
    registry = groups(api)
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(MINIMAL, id_="a")
        await api.wait_subscribers(1)
        await sub.ws.send(json.dumps({"id": "a", "type": "complete"}))
        await api.wait_subscribers(0)
        assert registry.groups == {}
        await record(api, "again@example.com", "REFER_FRIEND", None)
        with pytest.raises(TimeoutError):
            await sub.next(timeout=0.3)
        await sub.subscribe(MINIMAL, id_="a")
        await api.wait_subscribers(1)
        await record(api, "again@example.com", "REFER_FRIEND", None)
        again = await sub.next()
        assert again["id"] == "a" and again["payload"]["data"]["scoreChanged"]["score"] == 60
        await sub.subscribe(MINIMAL, id_="a")  # while it runs
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await sub.next()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4409
    await api.wait_subscribers(0)
    assert registry.groups == {}


async def test_members_of_a_group_that_falls_behind_are_told_then_completed(api):
    await make_contact(api, "burst@example.com")
    registry = groups(api)
    async with viewers(api, MINIMAL, ["a", "b"]) as (one, two):
        [group] = registry.groups.values()
        loop = api.hub._task.get_loop() if api.hub._task else None
        assert loop is not None
        loop.call_soon_threadsafe(group.inbox.fall_behind)
        for sub, id_ in ((one, "a"), (two, "b")):
            told = await sub.next()
            assert told["id"] == id_
            assert told["payload"]["errors"][0]["extensions"]["code"] == "FELL_BEHIND"
            assert await sub.next() == {"id": id_, "type": "complete"}
    await api.wait_subscribers(0)
    assert registry.groups == {}


IDLE = 200
# Bytes allocated in the server per idle subscriber, as tracemalloc sees them (not RSS): about
# 25 KiB; 48 KiB while Strawberry's execution of each operation was kept for its life.
IDLE_BYTES = 32 * 1024


async def test_an_idle_subscriber_costs_little_more_than_its_connection(api):
    """The subscribers run in a process of their own (bench/fanout_clients.py): what this
    process allocates meanwhile is the server's."""
    await make_contact(api, "idle@example.com")
    token = api.tokens[Role.VIEWER]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        clients = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bench.fanout_clients", api.ws_url, token, str(IDLE)),
            *("1", MINIMAL),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert clients.stdout is not None
            assert (await clients.stdout.readline()).strip() == b"ready"
            await api.wait_subscribers(IDLE)
            await asyncio.sleep(0.5)
            gc.collect()
            per_subscriber = (tracemalloc.get_traced_memory()[0] - before) / IDLE
        finally:
            clients.kill()
            await clients.wait()
    finally:
        tracemalloc.stop()
    print(f"{per_subscriber / 1024:.1f} KiB per idle subscriber")
    assert per_subscriber < IDLE_BYTES
    await api.wait_subscribers(0)


SUBSCRIBERS = 1000
EVENTS = 10


async def _listener(ws_url: str, token: str, subscribed: list[int]) -> websockets.ClientConnection:
    ws = await websockets.connect(ws_url, subprotocols=["graphql-transport-ws"], max_queue=None)
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
    await ws.send(json.dumps(init))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": MINIMAL}}))
    subscribed.append(1)
    return ws


async def _scores(ws: websockets.ClientConnection, until: int) -> list[int]:
    scores: list[int] = []
    while not scores or scores[-1] < until:
        message = json.loads(await asyncio.wait_for(ws.recv(), 30))
        assert message["type"] == "next", message
        scores.append(message["payload"]["data"]["scoreChanged"]["score"])
    with contextlib.suppress(TimeoutError):  # nothing more may come
        extra = await asyncio.wait_for(ws.recv(), 0.5)
        scores.append(json.loads(extra)["payload"]["data"]["scoreChanged"]["score"])
    return scores


async def test_a_thousand_subscribers_each_get_every_event_exactly_once(
    store, mongo_uri, database_name, tmp_path
):
    viewer, _ = await store.tokens.create("fan-viewer", Role.VIEWER)
    editor, _ = await store.tokens.create("fan-editor", Role.EDITOR)
    server = ApiProcess(mongo_uri, database_name, tmp_path, {"SCORING_RATE_LIMIT": "0"})
    server.start()
    sockets: list[websockets.ClientConnection] = []
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            tokens = {Role.ADMIN: editor, Role.EDITOR: editor}
            api = Api(server.url, server.url.replace("http", "ws"), tokens, http, None)  # type: ignore[arg-type]
            await make_contact(api, "crowd@example.com")
            subscribed: list[int] = []
            for _ in range(SUBSCRIBERS // 100):
                sockets += await asyncio.gather(
                    *(_listener(api.ws_url, viewer, subscribed) for _n in range(100))
                )
            health = server.url.replace("/graphql", "/health")
            deadline = time.monotonic() + 30
            while (await http.get(health)).json()["subscribers"] != SUBSCRIBERS:
                assert time.monotonic() < deadline, "the subscribers did not all join"
                await asyncio.sleep(0.1)
            for _ in range(EVENTS):
                await record(api, "crowd@example.com", "REFER_FRIEND", None)
            received = await asyncio.gather(*(_scores(ws, 30 * EVENTS) for ws in sockets))
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        server.stop()
    expected = [30 * (n + 1) for n in range(EVENTS)]
    assert len(received) == SUBSCRIBERS
    assert all(scores == expected for scores in received)
