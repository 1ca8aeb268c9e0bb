"""Relay-style pagination helpers: opaque cursors and capped page sizes."""

import base64
import json
from typing import Any

import strawberry
from graphql import GraphQLError

from api.services.errors import ErrorCode
from graphql_schema.core.errors import InputRefused

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


class BadCursor(GraphQLError):
    """Expected and safe to show: never masked."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": ErrorCode.INVALID_CURSOR.value})


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def page_size(first: int | None) -> int:
    """The size asked for, capped at MAX_PAGE_SIZE (a page says whether more follow); below 1
    is refused, since no page size could be meant."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 1:
        message = f"first must be at least 1, got {first}"
        raise InputRefused("first", message, ErrorCode.OUT_OF_RANGE)
    return min(first, MAX_PAGE_SIZE)


def encode_cursor(kind: str, value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([kind, value]).encode()).decode()


def decode_cursor(kind: str, cursor: str, *shape: type) -> Any:
    """The value encoded in a cursor of this kind, checked to be of this shape: one type for a
    plain value, several for a list of that many values of these types."""
    invalid = BadCursor(f"'{cursor[:100]}' is not a valid cursor")
    try:
        found_kind, value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as error:
        raise invalid from error
    if found_kind != kind:
        raise BadCursor(f"'{cursor[:100]}' is not a cursor of this list")
    if len(shape) == 1:
        fits = _is(value, shape[0])
    else:
        fits = (
            isinstance(value, list)
            and len(value) == len(shape)
            and all(_is(item, expected) for item, expected in zip(value, shape, strict=True))
        )
    if not fits:
        raise invalid
    return value


def _is(value: Any, expected: type) -> bool:
    if expected is not int:
        return isinstance(value, expected)
    # JSON's true is an int to Python; the database stores 8-byte integers only.
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
