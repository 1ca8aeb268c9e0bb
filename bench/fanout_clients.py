"""The fan-out bench's subscribers, in a process of their own (so the API's process is measured
alone): `python -m bench.fanout_clients WS_URL TOKEN N EVENTS QUERY`. Prints `ready` once all N
have been acknowledged and sent their subscription, then, when every one has had EVENTS changes
(or nothing came for 10 s), one JSON line: for each score, when the last subscriber had it
(perf_counter, comparable across processes on one machine) and how many had it.

Each subscriber is a bare asyncio protocol speaking just enough websocket (RFC 6455: the upgrade,
unfragmented frames, pongs): a full client library costs the client process more per message than
the API spends per delivery, and 1,000 of them measured the client instead of the API. For the
same reason a change is only timed and kept as it arrives; it is read (JSON) after the run."""

import asyncio
import base64
import json
import os
import struct
import sys
import time
from urllib.parse import urlsplit

QUIET = 10.0


def frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """A client frame: masked, with the all-zero mask (the payload goes as it is)."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
    return header + b"\0\0\0\0" + payload


class Listener(asyncio.Protocol):
    def __init__(self, run: "Run") -> None:
        self.run = run
        self.buffer = bytearray()
        self.upgraded = False
        self.acknowledged = asyncio.get_running_loop().create_future()
        self.received = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            f"GET {self.run.path} HTTP/1.1\r\nHost: {self.run.host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n".encode()
        )

    def send(self, message: dict) -> None:
        assert self.transport is not None
        self.transport.write(frame(json.dumps(message).encode()))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.buffer.startswith(b"HTTP/1.1 101"):
                raise SystemExit(bytes(self.buffer[:200]).decode(errors="replace"))
            del self.buffer[: end + 4]
            self.upgraded = True
            init = {"authorization": f"Bearer {self.run.token}"}
            self.send({"type": "connection_init", "payload": init})
        while len(self.buffer) >= 2:
            opcode, size, start = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F, 2
            if size == 126:
                (size,), start = struct.unpack_from("!H", self.buffer, 2), 4
            elif size == 127:
                (size,), start = struct.unpack_from("!Q", self.buffer, 2), 10
            if len(self.buffer) < start + size:
                return
            payload = bytes(self.buffer[start : start + size])
            del self.buffer[: start + size]
            self.on_frame(opcode, payload)

    def on_frame(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None
        if opcode == 0x9:  # ping
            self.transport.write(frame(payload, 0xA))
        elif opcode == 0x1 and not self.acknowledged.done():
            subscribe = {"query": self.run.query}
            self.send({"id": "1", "type": "subscribe", "payload": subscribe})
            self.acknowledged.set_result(None)
        elif opcode == 0x1 and b'"next"' in payload:
            self.run.arrived(payload)


class Run:
    def __init__(self, ws_url: str, token: str, query: str) -> None:
        parts = urlsplit(ws_url)
        self.host, self.port, self.path = parts.hostname or "", parts.port or 80, parts.path
        self.token, self.query = token, query
        self.changes: list[tuple[float, bytes]] = []
        self.heard = time.monotonic()

    def arrived(self, payload: bytes) -> None:
        self.changes.append((time.perf_counter(), payload))
        self.heard = time.monotonic()

    def report(self) -> dict[str, dict[int, float] | dict[int, int]]:
        """For each score, when the last subscriber had it and how many had it."""
        last: dict[int, float] = {}
        count: dict[int, int] = {}
        for arrived, payload in self.changes:
            score = json.loads(payload)["payload"]["data"]["scoreChanged"]["score"]
            last[score] = max(last.get(score, 0.0), arrived)
            count[score] = count.get(score, 0) + 1
        return {"last": last, "count": count}

    async def connect(self) -> Listener:
        loop = asyncio.get_running_loop()
        _, listener = await loop.create_connection(lambda: Listener(self), self.host, self.port)
        await asyncio.wait_for(listener.acknowledged, 30)
        return listener


async def main(ws_url: str, token: str, n: int, events: int, query: str) -> None:
    run = Run(ws_url, token, query)
    listeners: list[Listener] = []
    for start in range(0, n, 100):
        listeners += await asyncio.gather(*(run.connect() for _ in range(min(100, n - start))))
    print("ready", flush=True)
    run.heard = time.monotonic()
    while len(run.changes) < n * events and time.monotonic() - run.heard < QUIET:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    print(json.dumps(run.report()), flush=True)
    for listener in listeners:
        if listener.transport is not None:
            listener.transport.close()


if __name__ == "__main__":
    url, secret, subscribers, changes, document = sys.argv[1:6]
    asyncio.run(main(url, secret, int(subscribers), int(changes), document))
