"""/health (the process answers), /ready (the database answers and the change stream runs) and
/metrics (Prometheus text, for the metrics token or, without one, loopback callers)."""

import asyncio
import hmac
import ipaddress
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.config import is_loopback
from api.db.client import Store
from api.limits import error_response
from api.live import LiveHub
from api.observability.metrics import Metrics
from api.services.access import bearer_token
from api.services.errors import ErrorCode

# /ready gives the database this long to answer a ping.
READY_TIMEOUT = 2.0
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def _loopback(request: Request) -> bool:
    if request.client is None:
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def _loopback_host(request: Request) -> bool:
    """Whether the caller asked for this machine by a loopback name: a web page elsewhere whose
    name was made to resolve to 127.0.0.1 (DNS rebinding) sends its own name as Host."""
    host = request.headers.get("host")
    if host is None:
        return True
    try:
        name = urlsplit(f"//{host}").hostname
    except ValueError:
        return False
    return name is not None and is_loopback(name)


def probe_routes(
    store: Store, hub: LiveHub, metrics: Metrics | None, metrics_token: str | None
) -> list[Route]:
    async def health(request: Request) -> JSONResponse:
        """Alive: no database call. `live` says whether the change stream runs (see /ready)."""
        return JSONResponse({"ok": True, "live": hub.running, "subscribers": hub.subscriber_count})

    async def ready(request: Request) -> JSONResponse:
        problems = []
        try:
            await asyncio.wait_for(store.ping(), READY_TIMEOUT)
        except Exception as error:
            problems.append(f"database: no answer to a ping ({type(error).__name__})")
        if not hub.running:
            problems.append("change stream: not running (live score changes are not delivered)")
        if problems:
            return JSONResponse(
                {"ok": False, "problems": problems}, status_code=503, headers={"Retry-After": "2"}
            )
        return JSONResponse({"ok": True})

    async def metrics_text(request: Request) -> Response:
        assert metrics is not None
        if metrics_token is not None:
            sent = bearer_token(request.headers.get("authorization")) or ""
            if not hmac.compare_digest(sent.encode(), metrics_token.encode()):
                message = "Send the metrics token (SCORING_METRICS_TOKEN) as a bearer token"
                return error_response(401, message, ErrorCode.UNAUTHENTICATED)
        elif not (_loopback(request) and _loopback_host(request)):
            message = "Metrics are served to this machine only, unless SCORING_METRICS_TOKEN is set"
            return error_response(403, message, ErrorCode.FORBIDDEN)
        return Response(await metrics.render(), media_type=PROMETHEUS_TEXT)

    routes = [Route("/health", health), Route("/ready", ready)]
    if metrics is not None:
        routes.append(Route("/metrics", metrics_text))
    return routes
