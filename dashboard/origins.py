"""Only the dashboard's own pages may talk to its backend.

A browser lets any site open a websocket to 127.0.0.1 and says which site in `Origin`: refuse every
HTTP request and websocket upgrade whose Origin is not one of the dashboard's own addresses
(config.origins), before Reflex sees it. Requests without an Origin (not from a web page, or a
page's own plain GETs) go through. Nor may another site show the dashboard in a frame, where it
could trick a click on its buttons.
"""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from dashboard.config import origins

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

NO_FRAMES = [(b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'")]


def own_origin_only(app: App) -> App:
    async def guard(scope: Scope, receive: Receive, send: Send) -> None:
        origin = _origin(scope)
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
        elif origin is not None and origin not in origins():
            await _refuse(scope, origin, send)
        elif scope["type"] == "http":
            await app(scope, receive, _with_headers(send, NO_FRAMES))
        else:
            await app(scope, receive, send)

    return guard


async def _refuse(scope: Scope, origin: str, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})  # before accepting: HTTP 403
        return
    body = f"{origin} may not use this dashboard\n".encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending


def _origin(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"origin":
            return str(value.decode("latin-1"))
    return None
