"""HTTP-level limits: a rate limit per caller (429 with Retry-After), a cap on request bodies
(413, checked while the body is read), and expensive work in flight per caller."""

import hashlib
import math
from functools import partial

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.db.client import Store
from api.domain.access import Principal
from api.observability.current import note_error, note_token
from api.ratelimit import MAX_CALLERS, RateLimiter
from api.services.access import authenticate, bearer_token
from api.services.errors import ErrorCode

# A request body (1,000 activities for activitiesRecord take about 200 KiB).
MAX_BODY_BYTES = 1024 * 1024
# What a refused body may still send before the connection is dropped instead of answered.
MAX_DRAINED_BYTES = 64 * 1024 * 1024
# Bodies above this size are decoded and parsed in the one worker thread: each caller may have only
# a few of them in flight, so that nobody queues up the worker (or memory) for everyone else.
LARGE_BODY_BYTES = 64 * 1024
MAX_LARGE_IN_FLIGHT = 4
# Requests with expensive fields (PDFs, simulations, reports) running at once per token.
MAX_EXPENSIVE_IN_FLIGHT = 2
# Paths never rate limited.
UNLIMITED_PATHS = frozenset({"/health"})


def error_response(
    status: int, message: str, code: ErrorCode, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A refusal of the whole request, shaped like a GraphQL error."""
    note_error(code.value)
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code.value}}]}
    return JSONResponse(body, status_code=status, headers=headers)


def _authorization(scope: Scope) -> bytes:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            return bytes(value.strip())
    return b""


def address(client: tuple[str, int] | None) -> str:
    return f"ip:{client[0]}" if client else "ip:unknown"


def _bearer(scope: Scope) -> str | None:
    """The request's bearer token, however its header is spelled."""
    return bearer_token(_authorization(scope).decode("latin-1"))


def rate_key(token: str) -> str:
    """A token's key in every limit: its digest, so that the token itself is kept nowhere."""
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def caller(scope: Scope) -> str:
    """Who is asking: its bearer token, else its address."""
    token = _bearer(scope)
    return rate_key(token) if token else address(scope.get("client"))


def rate_refusal(limiter: RateLimiter, wait: float) -> str:
    return (
        f"Too many requests: at most {limiter.rate:g} a second per token or address, bursts "
        f"of {limiter.burst:g} (SCORING_RATE_LIMIT, SCORING_RATE_BURST); retry in {wait:.1f} s"
    )


# A made-up token would start a fresh bucket of its own: tokens not accepted lately are counted
# per address before they are looked up (given back when accepted), and an address that sent too
# many rejected ones is refused.
REJECTED_TOKENS_RATE = 2.0
REJECTED_TOKENS_BURST = 100
# Marks a request whose token was counted against its address before the lookup.
CHARGED = "scoring.token_charged"


class RejectedTokens:
    """Token checks that count rejected tokens against the caller's address."""

    def __init__(self) -> None:
        self.limiter = RateLimiter(REJECTED_TOKENS_RATE, REJECTED_TOKENS_BURST)
        # Keys of tokens accepted lately: they pass even from an address over its limit, so
        # that made-up tokens from one address shut out no real client sharing it.
        self.accepted: dict[str, None] = {}

    def admit(self, scope: Scope) -> float:
        """0 when the request may go on, else the seconds to wait. An HTTP request's unknown
        token is counted now, with no await before the check, so concurrent requests cannot
        all pass it; a websocket's token comes later (connection_init) and is counted then."""
        token = _bearer(scope)
        if token is not None and rate_key(token) in self.accepted:
            return 0.0
        where = address(scope.get("client"))
        if token is None or scope["type"] == "websocket":
            return self.limiter.waiting(where)
        wait = self.limiter.take(where)
        if wait <= 0:
            scope[CHARGED] = True
        return wait

    def refusal(self, wait: float) -> str:
        return (
            f"Too many rejected tokens from this address (bursts of {self.limiter.burst:g}, "
            f"then {self.limiter.rate:g} a second: REJECTED_TOKENS_BURST, REJECTED_TOKENS_RATE);"
            f" retry in {wait:.1f} s"
        )

    async def authenticate(self, store: Store, token: str, scope: Scope) -> Principal | None:
        principal = await authenticate(store, token)
        where = address(scope.get("client"))
        charged = scope.get(CHARGED, False)
        if principal is None:
            # A token revoked or expired since it was accepted loses its pass at once.
            self.accepted.pop(rate_key(token), None)
            if not charged:
                self.limiter.take(where)
            return None
        if charged:
            self.limiter.refund(where)
        note_token(principal.name)
        key = rate_key(token)
        self.accepted.pop(key, None)
        self.accepted[key] = None
        if len(self.accepted) > MAX_CALLERS:
            del self.accepted[next(iter(self.accepted))]
        return principal


class InFlight:
    """How many of something each caller has running; refused above the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.running: dict[str, int] = {}

    def acquire(self, key: str) -> bool:
        if self.running.get(key, 0) >= self.limit:
            return False
        self.running[key] = self.running.get(key, 0) + 1
        return True

    def release(self, key: str) -> None:
        left = self.running.get(key, 0) - 1
        if left > 0:
            self.running[key] = left
        else:
            self.running.pop(key, None)


# Shared by GraphQL's expensive fields and the PDF download, per token.
expensive_in_flight = InFlight(MAX_EXPENSIVE_IN_FLIGHT)
large_in_flight = InFlight(MAX_LARGE_IN_FLIGHT)
BUSY = (
    f"At most {MAX_EXPENSIVE_IN_FLIGHT} requests with expensive fields (PDFs, simulations, "
    "reports) at once per token (MAX_EXPENSIVE_IN_FLIGHT): try again when one has finished"
)


class BodyTooLarge(Exception):
    pass


class HttpLimits:
    """ASGI middleware around the whole app."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, rejected: RejectedTokens) -> None:
        self.app = app
        self.limiter = limiter
        self.rejected = rejected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"} or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        wait = 0.0
        refusal = self.rejected.refusal
        if _authorization(scope) or scope["type"] == "websocket":
            wait = self.rejected.admit(scope)
        if wait <= 0:
            wait = self.limiter.take(caller(scope))
            refusal = partial(rate_refusal, self.limiter)
        if wait > 0 and scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013, "reason": "Rate limited"})
            return
        if wait > 0:
            message = refusal(wait)
            retry = {"Retry-After": str(math.ceil(wait))}
            await error_response(429, message, ErrorCode.RATE_LIMITED, retry)(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        await self._capped(scope, receive, send)

    async def _capped(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = _content_length(scope)
        chunked = declared is None and scope.get("method") == "POST"
        if chunked or (declared is not None and declared > LARGE_BODY_BYTES):
            key = caller(scope)
            if not large_in_flight.acquire(key):
                message = (
                    f"At most {MAX_LARGE_IN_FLIGHT} requests with bodies over "
                    f"{LARGE_BODY_BYTES} bytes at once per token or address "
                    "(MAX_LARGE_IN_FLIGHT): send the next when one has been answered"
                )
                response = error_response(
                    429, message, ErrorCode.RATE_LIMITED, {"Retry-After": "1"}
                )
                await response(scope, receive, send)
                return
            try:
                await self._read_capped(scope, receive, send, declared)
            finally:
                large_in_flight.release(key)
            return
        await self._read_capped(scope, receive, send, declared)

    async def _read_capped(
        self, scope: Scope, receive: Receive, send: Send, declared: int | None
    ) -> None:
        started = False
        read = 0
        more = True

        async def capped_receive() -> Message:
            nonlocal read, more
            message = await receive()
            read += len(message.get("body", b""))
            more = message["type"] == "http.request" and message.get("more_body", False)
            if read > MAX_BODY_BYTES:
                raise BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            if declared is not None and declared > MAX_BODY_BYTES:
                raise BodyTooLarge
            await self.app(scope, capped_receive, tracked_send)
        except BodyTooLarge:
            if started:
                raise
            if more and not await _drained(receive, read):
                return
            message = (
                f"The request body is larger than {MAX_BODY_BYTES} bytes: the limit is "
                f"{MAX_BODY_BYTES} (MAX_BODY_BYTES)"
            )
            await error_response(413, message, ErrorCode.LIMIT_EXCEEDED)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _drained(receive: Receive, read: int) -> bool:
    """Read the rest of a refused body (up to MAX_DRAINED_BYTES), so that the client gets to
    read the answer; False when the client has left."""
    while read <= MAX_DRAINED_BYTES:
        message = await receive()
        if message["type"] == "http.disconnect":
            return False
        read += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return True
