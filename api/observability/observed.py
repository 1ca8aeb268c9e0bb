"""The outermost middleware: a request id for each HTTP request and websocket (echoed in
X-Request-Id), a log line when it ends, and its count and latency in the metrics."""

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.observability.current import RequestRecord, current, request_id
from api.observability.metrics import Metrics

access = logging.getLogger("api.access")
failures = logging.getLogger("api.errors")
# The routes named in metrics; any other path is "other" (a made-up path makes no new series).
ROUTES = {"/health": "health", "/ready": "ready", "/metrics": "metrics", "/": "home"}
# Polled by scripts and probes: logged at DEBUG only.
QUIET_PATHS = frozenset({"/health", "/ready", "/metrics"})


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return bytes(value).decode("latin-1")
    return None


class Observed:
    def __init__(self, app: ASGIApp, metrics: Metrics | None, access_log: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        record = RequestRecord(
            request_id=request_id(_header(scope, b"x-request-id")),
            websocket=scope["type"] == "websocket",
            sink=self.metrics,
        )
        header = (b"x-request-id", record.request_id.encode())
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] in {"http.response.start", "websocket.accept"}:
                status = message.get("status", 101)
                message["headers"] = [*message.get("headers", []), header]
            elif message["type"] == "websocket.close" and not status:
                status = 403  # refused before the upgrade
            await send(message)

        token = current.set(record)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            answered = status != 0 and not record.websocket
            status = 500
            if not answered:
                raise
            # Starlette's error handler has answered 500: the traceback is logged here, with the
            # request id, rather than by uvicorn outside the request.
            failures.exception("Unhandled error answered with 500")
        finally:
            seconds = time.perf_counter() - started
            current.reset(token)
            self._finish(scope, record, status, seconds)

    def _finish(self, scope: Scope, record: RequestRecord, status: int, seconds: float) -> None:
        path = scope["path"]
        if self.metrics is not None and not record.websocket:
            operation = record.operation or ROUTES.get(path, "other")
            self.metrics.count_request(operation, status, seconds)
        if not self.access_log:
            return
        level = logging.DEBUG if path in QUIET_PATHS and status < 500 else logging.INFO
        if not access.isEnabledFor(level):
            return
        method = "WS" if record.websocket else scope.get("method", "")
        access.log(
            level,
            "%s %s %s %.1f ms",
            method,
            path[:200],
            status,
            seconds * 1000,
            extra={
                "request_id": record.request_id,
                "operation": record.operation_name or record.operation,
                "token": record.token,
                "method": method,
                "path": path[:200],
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "errors": record.errors or None,
            },
        )
