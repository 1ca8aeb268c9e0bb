"""Live frames written straight to the socket (api/wire.py): the frames are valid websocket
frames, members whose socket takes them never queue, and a backed-up socket gets its frames in
order from its own task while the others are served at once."""

import asyncio

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from api.domain.access import Role
from api.sockets import Flag, LeanWebSocketProtocol, ReceiveQueue
from api.wire import Wire, text_frame
from graphql_schema.live.shared import Member
from tests.gql_ops import make_contact, record
from tests.ws import Subscriber, viewers

MINIMAL = "subscription { scoreChanged { contactId score } }"


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 70000])
def test_a_text_frame_reads_back_as_one(size):
    payload = b"x" * size
    reader = StreamReader()
    reader.feed_data(text_frame((b'{"a":', payload, b"}")))
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        frame = done.value
    assert frame.opcode is Opcode.TEXT and frame.fin
    assert frame.data == b'{"a":' + payload + b"}"


async def test_without_the_server_protocol_frames_go_the_asgi_way():
    sent: list[str] = []

    async def send_text(text: str) -> None:
        sent.append(text)

    wire = Wire({"type": "websocket"}, send_text)
    assert not wire.write((b"a", b"b"))
    await wire.send((b'{"x":', b"1", b"}"))
    assert sent == ['{"x":1}']


def _members(api) -> list[Member]:
    assert api.live_groups is not None
    return [member for group in api.live_groups.groups.values() for member in group.members]


async def test_frames_go_straight_to_open_sockets(api):
    await make_contact(api, "wire@example.com")
    async with viewers(api, MINIMAL, ["a", "b"]) as (one, two):
        assert all(member.wire.protocol is not None for member in _members(api))
        await record(api, "wire@example.com", "REFER_FRIEND", None)
        first, second = await one.next(), await two.next()
        assert (first["id"], second["id"]) == ("a", "b")
        assert first["payload"] == second["payload"]
        assert first["payload"]["data"]["scoreChanged"]["score"] == 30
        # Written by the group itself: no member ever queued a payload.
        assert all(not member.payloads for member in _members(api))


async def test_a_backed_up_socket_gets_its_frames_in_order_and_holds_up_nobody(api):
    await make_contact(api, "backed@example.com")
    async with (
        Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as slow,
        Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as fast,
    ):
        await slow.subscribe(MINIMAL, id_="slow")
        await api.wait_subscribers(1)
        [backed] = _members(api)
        await fast.subscribe(MINIMAL, id_="fast")
        await api.wait_subscribers(2)
        server = backed.wire.protocol
        assert server is not None
        # What the transport does when the socket's write buffer passes its high-water mark.
        server.loop.call_soon_threadsafe(server.pause_writing)
        for n in range(1, 4):
            await record(api, "backed@example.com", "REFER_FRIEND", None)
            got = await fast.next()
            assert got["payload"]["data"]["scoreChanged"]["score"] == 30 * n
        with pytest.raises(TimeoutError):
            await slow.next(timeout=0.3)
        # The first is on its way (its task waits for the socket), the others wait behind it.
        assert backed.sending
        assert len(backed.payloads) == 2
        server.loop.call_soon_threadsafe(server.resume_writing)
        await record(api, "backed@example.com", "REFER_FRIEND", None)
        scores = [(await slow.next())["payload"]["data"]["scoreChanged"]["score"] for _ in range(4)]
        assert scores == [30, 60, 90, 120]
        assert (await fast.next())["payload"]["data"]["scoreChanged"]["score"] == 120
        await asyncio.sleep(0.2)
        assert not backed.payloads and not backed.sending


async def test_the_lean_protocol_keeps_its_inbox_in_order_and_wakes_its_waiters():
    inbox = ReceiveQueue()
    reader = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait({"type": "websocket.connect"})
    inbox.put_nowait({"type": "websocket.receive", "text": "1"})
    assert await reader == {"type": "websocket.connect"}
    assert not inbox.empty()
    assert await inbox.get() == {"type": "websocket.receive", "text": "1"}
    flag = Flag()
    gone, waiting = asyncio.ensure_future(flag.wait()), asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)
    flag.set()
    assert await waiting is True and flag.is_set()
    flag.clear()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(flag.wait(), 0.05)


async def test_a_connection_keeps_no_handshake_once_open(api):
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(MINIMAL)
        await api.wait_subscribers(1)
        [member] = _members(api)
        server = member.wire.protocol
        assert isinstance(server, LeanWebSocketProtocol) and server.handshake_complete
        assert "request" not in vars(server) and "response" not in vars(server)
