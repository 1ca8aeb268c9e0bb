"""uvicorn's websocket protocol (websockets-sansio) keeping less per connection: an idle live
subscriber is mostly its connection. Kept for the connection's life by uvicorn's own class and
dropped here: the handshake's request and response once it is complete (their headers, about
3 KiB), and an asyncio.Queue and an asyncio.Event whose deques (about 600 bytes each, empty)
came to 3.5 KiB. Measured with the fan-out bench (docs/benchmarks.md, Live fan-out).

The protocol pauses reading after each message until the app has read it, so its inbox holds a
message or two: a list does."""

import asyncio
from typing import Any, Literal

from uvicorn._types import ASGIReceiveEvent, ASGISendEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class Flag(asyncio.Event):
    """asyncio.Event with its waiters in a list made when someone waits."""

    def __init__(self) -> None:
        self._flag = False
        self._woken: list[asyncio.Future[bool]] | None = None

    def __repr__(self) -> str:
        return f"<Flag {'set' if self._flag else 'unset'}>"

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        if self._flag:
            return
        self._flag = True
        waiters, self._woken = self._woken, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(True)

    def clear(self) -> None:
        self._flag = False

    async def wait(self) -> Literal[True]:
        if self._flag:
            return True
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if self._woken is None:
            self._woken = []
        self._woken.append(waiter)
        try:
            await waiter
            return True
        finally:
            if self._woken is not None and waiter in self._woken:
                self._woken.remove(waiter)


class ReceiveQueue(asyncio.Queue[ASGIReceiveEvent]):
    """What uvicorn's protocol uses of asyncio.Queue (put_nowait, get, empty), unbounded."""

    def __init__(self) -> None:
        self._items: list[ASGIReceiveEvent] = []
        self._ready = Flag()

    def __repr__(self) -> str:
        return f"<ReceiveQueue of {len(self._items)}>"

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def full(self) -> bool:
        return False

    def put_nowait(self, item: ASGIReceiveEvent) -> None:
        self._items.append(item)
        self._ready.set()

    def get_nowait(self) -> ASGIReceiveEvent:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.pop(0)

    async def get(self) -> ASGIReceiveEvent:
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        return self._items.pop(0)


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol (its `ws="auto"` with the websockets library)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = ReceiveQueue()
        self.writable = Flag()
        self.writable.set()

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if self.handshake_complete and "response" in self.__dict__:
            # Read only until the handshake is complete (the accept, or a refusal).
            del self.request, self.response
