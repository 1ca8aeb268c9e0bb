"""Which web pages may call the API: requests and websocket upgrades that carry an `Origin`
(every browser sends one) are refused unless it is listed (SCORING_CORS_ORIGINS; by default the
dashboard's own addresses) or the API's own address (GraphiQL). Clients that are not web pages
send no Origin and pass: they prove who they are with a token."""

import os
from urllib.parse import urlsplit

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.http.websocket_origin import normalize_origin

from api.config import SettingsError
from api.limits import error_response
from api.services.errors import ErrorCode

REFUSED = "This web page's origin may not call the API: list it in SCORING_CORS_ORIGINS"


def allowed_origins() -> tuple[str, ...]:
    """SCORING_CORS_ORIGINS (comma-separated), else DASHBOARD_ORIGINS, else the dashboard's
    default addresses."""
    listed = os.environ.get("SCORING_CORS_ORIGINS") or os.environ.get("DASHBOARD_ORIGINS")
    if listed is not None and listed.strip():
        return tuple(_origin(item) for item in listed.split(",") if item.strip())
    port = os.environ.get("DASHBOARD_PORT") or "3000"
    return (f"http://127.0.0.1:{port}", f"http://localhost:{port}")


def _origin(text: str) -> str:
    """An origin as browsers send it (lowercase, no default port)."""
    listed = text.strip().rstrip("/")
    parts = urlsplit(listed)
    origin = normalize_origin(listed)
    if origin is None or parts.scheme not in {"http", "https"} or parts.path or parts.query:
        raise SettingsError(
            f"SCORING_CORS_ORIGINS lists {listed!r}: give each origin as scheme://host[:port]"
        )
    return origin


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return bytes(value).decode("latin-1")
    return None


def _own_origin(scope: Scope) -> str | None:
    host = _header(scope, b"host")
    if host is None:
        return None
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", ""), scope.get("scheme"))
    return f"{scheme}://{host}"


class Origins:
    """ASGI middleware: refuses foreign origins, answers CORS for the listed ones."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.origins = frozenset(origins)
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-request-id"],
            expose_headers=["x-request-id", "retry-after"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _header(scope, b"origin") if scope["type"] in {"http", "websocket"} else None
        if origin is None:
            await self.app(scope, receive, send)
        elif origin in self.origins:
            await self.cors(scope, receive, send)
        elif origin == _own_origin(scope):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4403, "reason": "Forbidden origin"})
        else:
            await error_response(403, REFUSED, ErrorCode.FORBIDDEN)(scope, receive, send)
