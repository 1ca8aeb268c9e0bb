"""Wave 7 attacks on the live path changed today: frames written straight to the socket
(api/wire.py), the lean protocol (api/sockets.py), and members kept by the websocket handler
(graphql_schema/live/shared.py, graphql_schema/http/endpoint.py)."""

import asyncio
import json
import socket
import time

import pytest
import websockets

from api.domain.access import Role
from graphql_schema.http.endpoint import MAX_SUBSCRIPTIONS_PER_CONNECTION
from graphql_schema.live.shared import Member
from tests.gql_ops import RECORD_MANY, make_contact, record
from tests.test_token_revocation import REVOKE, closed_with, new_token
from tests.ws import Subscriber

MINIMAL = "subscription { scoreChanged { contactId score } }"
# About 1 KiB a frame: 29 aliases of the reason, and the score to check the order.
WIDE = (
    "subscription { scoreChanged { score " + " ".join(f"r{n}: reason" for n in range(29)) + " } }"
)


def _members(api) -> list[Member]:
    assert api.live_groups is not None
    return [member for group in api.live_groups.groups.values() for member in group.members]


def _loop(api) -> asyncio.AbstractEventLoop:
    assert api.hub._task is not None
    return api.hub._task.get_loop()


async def _server_tasks(api) -> int:
    async def count() -> int:
        return len(asyncio.all_tasks())

    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(count(), _loop(api)))


async def _many(api, email: str, count: int) -> None:
    for start in range(0, count, 500):
        items = [
            {"contactEmail": email, "type": "OPEN", "campaignId": f"c{n}"}
            for n in range(start, min(start + 500, count))
        ]
        data = await api.data(RECORD_MANY, {"input": items}, role=Role.EDITOR)
        assert data["activitiesRecord"]["errors"] == [], data


async def test_two_subscriptions_on_a_socket_that_stalled_both_end_well(api):
    """A client that stops reading, with two subscriptions on its socket, then reads again:
    each subscription gets its changes in order and then, having fallen behind, FELL_BEHIND
    and `complete` (or every change). None may just go silent."""
    await make_contact(api, "stall@example.com")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    host, port = api.ws_url.removeprefix("ws://").split("/")[0].split(":")
    raw.connect((host, int(port)))
    raw.setblocking(False)
    ws = await websockets.connect(
        api.ws_url,
        sock=raw,
        subprotocols=["graphql-transport-ws"],
        compression=None,  # frames go straight to the socket (api/wire.py)
        max_queue=4,
        ping_interval=None,
    )
    try:
        auth = {"authorization": f"Bearer {api.tokens[Role.VIEWER]}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": auth}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        for id_ in ("a", "b"):
            payload = {"query": WIDE, "variables": {}}
            await ws.send(json.dumps({"id": id_, "type": "subscribe", "payload": payload}))
        await api.wait_subscribers(2)
        members = _members(api)
        server = members[0].wire.protocol
        assert len(members) == 2 and server is not None and not server.conn.extensions
        # A slow link: the server's socket holds little (as a client far away would make it).
        sock = server.transport.get_extra_info("socket")
        _loop(api).call_soon_threadsafe(sock.setsockopt, socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        # The client reads nothing while 2,000 changes are made.
        await _many(api, "stall@example.com", 2000)
        await asyncio.sleep(0.5)
        got: dict[str, list] = {"a": [], "b": []}
        ended: dict[str, str] = {}
        try:
            while len(ended) < 2:
                message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                if message["type"] == "complete":
                    ended[message["id"]] = "complete"
                elif message["type"] == "next":
                    got[message["id"]].append(message["payload"])
                    await asyncio.sleep(0.001)  # and reads slowly
        except TimeoutError:
            pass
        for id_ in ("a", "b"):
            scores = [p["data"]["scoreChanged"]["score"] for p in got[id_] if p.get("data")]
            assert scores == sorted(scores), id_
            if len(scores) < 2000:
                last = got[id_][-1] if got[id_] else {}
                codes = [e["extensions"]["code"] for e in last.get("errors", [])]
                assert codes == ["FELL_BEHIND"], f"{id_}: {len(scores)} changes, then silence"
                assert ended.get(id_) == "complete", f"{id_}: never completed"
    finally:
        await ws.close()


async def test_a_backed_up_socket_holds_up_no_other_token_revocation(api):
    """One connection whose client stopped reading, its token revoked: the watch must still
    close the other connections whose token is revoked afterwards."""
    await make_contact(api, "revoke@example.com")
    slow_secret, slow_id = await new_token(api, "stalled")
    other_secret, other_id = await new_token(api, "other")
    async with (
        Subscriber(api.ws_url, slow_secret) as slow,
        Subscriber(api.ws_url, other_secret) as other,
    ):
        await slow.subscribe(MINIMAL)
        await api.wait_subscribers(1)
        [member] = _members(api)
        server = member.wire.protocol
        assert server is not None
        await other.subscribe(MINIMAL)
        await api.wait_subscribers(2)
        # What the transport does when the client stops reading and its buffer fills.
        _loop(api).call_soon_threadsafe(server.pause_writing)
        await api.data(REVOKE, {"input": {"id": slow_id}})
        await asyncio.sleep(3)  # a check of the watch (every 2 s) has begun closing it
        await api.data(REVOKE, {"input": {"id": other_id}})
        code, _, _ = await closed_with(other, timeout=8)
        assert code == 4403


async def test_complete_and_subscribe_again_under_one_id_many_times_fast(api):
    await make_contact(api, "churn@example.com")
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        tasks_before = await _server_tasks(api)
        for _ in range(200):
            await sub.subscribe(MINIMAL, id_="x")
            await sub.ws.send(json.dumps({"id": "x", "type": "complete"}))
        await sub.subscribe(MINIMAL, id_="x")
        await api.wait_subscribers(1)
        assert len(_members(api)) == 1
        await record(api, "churn@example.com", "REFER_FRIEND", None)
        got = await sub.next()
        assert got["id"] == "x" and got["payload"]["data"]["scoreChanged"]["score"] == 30
        with pytest.raises(TimeoutError):
            await sub.next(timeout=0.3)  # exactly once
        await sub.ws.send(json.dumps({"id": "x", "type": "complete"}))
        await api.wait_subscribers(0)
        await asyncio.sleep(0.2)
        assert await _server_tasks(api) <= tasks_before
    assert api.live_groups is not None and api.live_groups.groups == {}


JOB = "subscription($id: ID!) { rescoreProgress(jobId: $id) { status } }"


async def test_the_limit_holds_over_members_and_other_subscriptions(api):
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        half = MAX_SUBSCRIPTIONS_PER_CONNECTION // 2
        for n in range(half):
            await sub.subscribe(MINIMAL, id_=f"s{n}")
        await api.wait_subscribers(half)
        for n in range(MAX_SUBSCRIPTIONS_PER_CONNECTION - half):
            await sub.subscribe(JOB, {"id": "nope"}, id_=f"j{n}")
        await sub.subscribe(MINIMAL, id_="over")
        while True:
            message = await sub.next()
            if message["id"] == "over":
                break
        assert message["type"] == "error", message
        # Repeating an id of a joined member closes with 4409.
        await sub.subscribe(MINIMAL, id_="s0")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await sub.next()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4409
    await api.wait_subscribers(0)


async def test_abrupt_disconnects_mid_stream_leave_nothing_behind(api):
    await make_contact(api, "abrupt@example.com")
    tasks_before = await _server_tasks(api)
    subs = [Subscriber(api.ws_url, api.tokens[Role.VIEWER]) for _ in range(6)]
    for sub in subs:
        await sub.__aenter__()
        for id_ in ("a", "b", "c"):
            await sub.subscribe(MINIMAL, id_=id_)
    await api.wait_subscribers(18)
    writing = asyncio.ensure_future(_many(api, "abrupt@example.com", 600))
    await asyncio.sleep(0.3)
    for sub in subs:
        sub.ws.transport.abort()
    await writing
    await api.wait_subscribers(0)
    assert api.live_groups is not None and api.live_groups.groups == {}
    health = (await api.http.get(api.url.replace("/graphql", "/health"))).json()
    assert health.get("subscribers", 0) == 0, health
    deadline = time.monotonic() + 5
    while await _server_tasks(api) > tasks_before:
        assert time.monotonic() < deadline, "tasks left behind"
        await asyncio.sleep(0.1)


async def test_messages_after_subscribing_behave_as_before(api):
    await make_contact(api, "chatty@example.com")
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(MINIMAL, id_="a")
        await api.wait_subscribers(1)
        await sub.ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(sub.ws.recv(), 5)) == {"type": "pong"}
        await sub.ws.send(json.dumps({"type": "pong"}))
        await record(api, "chatty@example.com", "REFER_FRIEND", None)
        assert (await sub.next())["payload"]["data"]["scoreChanged"]["score"] == 30
        await sub.ws.send("not json")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await sub.next()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
    await api.wait_subscribers(0)
    assert api.live_groups is not None and api.live_groups.groups == {}
