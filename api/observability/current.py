"""The request being served, for log lines and metrics: set by the middleware (observed.py) for
each HTTP request and websocket, filled in by the layers that learn more (the operation, the
token's name, the errors answered)."""

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol

# An incoming X-Request-Id is kept when it is this short and made of these characters only.
MAX_REQUEST_ID = 64
_SANE_ID = re.compile(rf"[A-Za-z0-9._:@/+=-]{{1,{MAX_REQUEST_ID}}}")
# A client's operationName shown in logs: the same rule, a shorter cap.
MAX_OPERATION_NAME = 64
_SANE_NAME = re.compile(rf"[A-Za-z_][A-Za-z0-9_]{{0,{MAX_OPERATION_NAME - 1}}}")


class ErrorSink(Protocol):
    def count_error(self, code: str) -> None: ...

    def count_operation(self, operation: str) -> None: ...


@dataclass
class RequestRecord:
    request_id: str
    websocket: bool = False
    # Set when metrics are on: where errors and websocket operations are counted.
    sink: ErrorSink | None = None
    # The metrics label: a root field of the schema, or "other".
    operation: str | None = None
    # The client's operationName, when sane.
    operation_name: str | None = None
    token: str | None = None
    errors: list[str] = field(default_factory=list)
    # Values lower layers read once per HTTP request (the reset generation): a request sees one,
    # and costs the same round trips whenever it comes.
    memo: dict[str, object] = field(default_factory=dict)


current: ContextVar[RequestRecord | None] = ContextVar("scoring_request", default=None)


def request_id(incoming: str | None) -> str:
    """The caller's X-Request-Id when it is sane, else a new one."""
    if incoming is not None and _SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def sane_name(name: object) -> str | None:
    return name if isinstance(name, str) and _SANE_NAME.fullmatch(name) else None


def note_operation(label: str, name: object) -> None:
    record = current.get()
    if record is None:
        return
    record.operation, record.operation_name = label, sane_name(name)
    if record.websocket and record.sink is not None:
        record.sink.count_operation(label)


def note_token(name: str) -> None:
    record = current.get()
    if record is not None:
        record.token = name


def note_error(code: str) -> None:
    record = current.get()
    if record is None:
        return
    if len(record.errors) < 20:
        record.errors.append(code)
    if record.sink is not None:
        record.sink.count_error(code)
