"""Relay-style pagination helpers: opaque cursors and capped page sizes."""

import base64
import json
from typing import Any

import strawberry
from graphql import GraphQLError

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


class BadCursor(GraphQLError):
    """Expected and safe to show: never masked."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "INVALID_CURSOR"})


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def page_size(first: int | None) -> int:
    """The size asked for, within 1..MAX_PAGE_SIZE."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    return max(1, min(first, MAX_PAGE_SIZE))


def encode_cursor(kind: str, value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([kind, value]).encode()).decode()


def decode_cursor(kind: str, cursor: str) -> Any:
    try:
        found_kind, value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as error:
        raise BadCursor(f"'{cursor}' is not a valid cursor") from error
    if found_kind != kind:
        raise BadCursor(f"'{cursor}' is not a cursor of this list")
    return value
