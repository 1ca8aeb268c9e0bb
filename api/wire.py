"""Live frames written straight to a websocket's socket.

One score change goes to every subscriber: through the ASGI stack (Starlette's websocket, the
exception handler's and our middlewares' send wrappers, uvicorn's send, the websockets library's
frame serialiser) each delivery cost about 17 us and a wake-up of the subscriber's task. uvicorn's
websockets-sansio protocol (its default with the websockets library) is the object behind the
`send` it hands the app: `keep_raw_send` keeps that callable in the scope, and a `Wire` writes a
text frame (RFC 6455: FIN, opcode 1, unmasked from a server) with one `transport.write` while the
connection is open, no extension was negotiated and the socket is not backed up. Anything else
(another server or protocol, a closing socket, a full write buffer) answers False, and the caller
sends the ordinary way, in order, from its own task."""

from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

RAW_SEND = "scoring.raw_send"
TEXT = 0x81  # FIN and the text opcode


def keep_raw_send(app: ASGIApp) -> ASGIApp:
    """Outermost: a websocket's scope keeps the server's own `send`."""

    async def kept(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await app(scope, receive, send)
            return
        scope[RAW_SEND] = send
        try:
            await app(scope, receive, send)
        finally:
            # The protocol holds the scope and the send holds the protocol: a cycle otherwise,
            # left for the collector to find.
            del scope[RAW_SEND]

    return kept


def text_frame(parts: tuple[bytes, ...]) -> bytes:
    size = sum(len(part) for part in parts)
    if size < 126:
        start = bytes((TEXT, size))
    elif size < 1 << 16:
        start = bytes((TEXT, 126)) + size.to_bytes(2, "big")
    else:
        start = bytes((TEXT, 127)) + size.to_bytes(8, "big")
    return b"".join((start, *parts))


def _server(scope: Scope) -> WebSocketsSansIOProtocol | None:
    """The server's protocol behind the websocket's own `send`, when it is uvicorn's."""
    server = getattr(scope.get(RAW_SEND), "__self__", None)
    return server if isinstance(server, WebSocketsSansIOProtocol) else None


def cut_off(scope: Scope) -> bool:
    """The websocket's connection dropped without a goodbye (its client stopped reading, so a
    close frame would wait for ever); False when the server's protocol is out of reach."""
    server = _server(scope)
    if server is None:
        return False
    server.transport.abort()
    return True


class Wire:
    """One websocket's frames: straight to its socket when it can take them, else the ASGI way
    (`send_text`)."""

    __slots__ = ("protocol", "send_text")

    def __init__(self, scope: Scope, send_text: Callable[[str], Awaitable[None]]) -> None:
        self.protocol = _server(scope)
        self.send_text = send_text

    def write(self, parts: tuple[bytes, ...]) -> bool:
        """One text frame of these parts written now (True), or nothing (False)."""
        server = self.protocol
        if (
            server is None
            or not server.handshake_complete
            or server.close_sent
            or server.disconnected
            or not server.writable.is_set()
            or server.conn.state is not State.OPEN
            or server.conn.extensions
            or server.transport.is_closing()
        ):
            return False
        server.transport.write(text_frame(parts))
        return True

    async def send(self, parts: tuple[bytes, ...]) -> None:
        """The frame once the socket takes it; raises when the connection is gone."""
        server = self.protocol
        if server is None or server.conn.extensions:
            await self.send_text(b"".join(parts).decode())
            return
        while True:
            await server.writable.wait()
            if self.write(parts):
                return
            # Not written: backed up again (another writer on this socket filled it after the
            # wake-up), so wait again; or gone (writable stays set once the connection is lost).
            if server.writable.is_set():
                raise ConnectionError("the websocket is closed")
