"""Open websockets closed when their token stops being accepted (revoked or expired).

Whichever process revoked a token, every process asks every WATCH_EVERY seconds, in one query,
about the tokens of all the connections it holds, and closes those whose token is refused with
close code 4403 and the reason ("Token revoked", "Token expired"), all at once (a socket whose
client stopped reading is cut off instead: graphql_schema/http/endpoint.py, `close_for`). A
connection lives on for at most about WATCH_EVERY seconds (plus one query, plus one second when it
must be cut off) after its token was revoked or expired.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from api.db.client import Store
from api.services.access import refused_tokens

log = logging.getLogger(__name__)
WATCH_EVERY = 2.0
CLOSE_CODE = 4403
# Closes a connection, given the reason.
Closer = Callable[[str], Awaitable[None]]


class TokenWatch:
    def __init__(self, store: Store, every: float = WATCH_EVERY) -> None:
        self.store = store
        self.every = every
        # Token digest -> how to close each open connection authenticated with it.
        self.connections: dict[str, set[Closer]] = {}

    def add(self, key: str, close: Closer) -> None:
        self.connections.setdefault(key, set()).add(close)

    def discard(self, key: str, close: Closer) -> None:
        closers = self.connections.get(key)
        if closers is not None:
            closers.discard(close)
            if not closers:
                del self.connections[key]

    async def check(self) -> int:
        """Close the connections of refused tokens; how many were closed."""
        if not self.connections:
            return 0
        refused = await refused_tokens(self.store, set(self.connections))
        closing = [
            (close(reason), reason)
            for key, reason in refused.items()
            for close in list(self.connections.pop(key, ()))
        ]
        # All at once: one connection slow to close holds up no other.
        results = await asyncio.gather(*(c for c, _ in closing), return_exceptions=True)
        closed = 0
        for result, (_, reason) in zip(results, closing, strict=True):
            if isinstance(result, BaseException):
                log.warning("could not close a websocket (%s)", reason, exc_info=result)
            else:
                closed += 1
        if closed:
            log.info("closed %d websocket(s) whose token was refused", closed)
        return closed

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.check()
            except Exception as error:  # the database away for a moment: try again next round
                log.warning("token check of open websockets failed: %s", type(error).__name__)
