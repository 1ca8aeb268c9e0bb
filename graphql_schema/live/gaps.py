"""What a live subscriber is told when it cannot be sent every change: it fell behind (resume
after the cursor given), or the cursor it resumed after cannot be replayed (reload, then
subscribe without one). Each ends its subscription."""

import json

from graphql import GraphQLError

from api.live import CursorExpired, CursorInvalid
from api.services.errors import ErrorCode

FELL_BEHIND = (
    "This subscriber fell behind the changes (its connection did not take them fast enough): "
    "subscribe again with `after` set to `resumeAfter` to be sent the rest"
)
NO_PLACE = (
    "This subscriber fell behind before it was sent any change: reload what it shows, then "
    "subscribe again"
)
EXPIRED = (
    "The changes after this cursor are no longer kept (or there are more than can be replayed): "
    "reload what the subscriber shows, then subscribe again without `after`"
)
INVALID = "Not a cursor this API gave: use the `cursor` of a change you were sent"
UNAVAILABLE = (
    "The database could not be read to replay the changes: subscribe again with the same `after` "
    "shortly"
)


def fell_behind(cursor: str | None) -> GraphQLError:
    if cursor is None:
        return GraphQLError(NO_PLACE, extensions={"code": ErrorCode.FELL_BEHIND.value})
    extensions = {"code": ErrorCode.FELL_BEHIND.value, "resumeAfter": cursor}
    return GraphQLError(FELL_BEHIND, extensions=extensions)


def cursor_expired() -> GraphQLError:
    extensions = {"code": ErrorCode.CURSOR_EXPIRED.value, "field": "after"}
    return GraphQLError(EXPIRED, extensions=extensions)


def cursor_invalid() -> GraphQLError:
    extensions = {"code": ErrorCode.INVALID_CURSOR.value, "field": "after"}
    return GraphQLError(INVALID, extensions=extensions)


def unavailable() -> GraphQLError:
    return GraphQLError(UNAVAILABLE, extensions={"code": ErrorCode.UNAVAILABLE.value})


def replay_refused(error: Exception) -> GraphQLError:
    """What a subscriber is told when its replay failed with `error`."""
    if isinstance(error, CursorExpired):
        return cursor_expired()
    if isinstance(error, CursorInvalid):
        return cursor_invalid()
    return unavailable()


def as_payload(error: GraphQLError) -> str:
    """The `next` payload that carries it (a group's frames are made by hand)."""
    return json.dumps({"data": None, "errors": [error.formatted]})


def fell_behind_payload(cursor: str | None) -> str:
    return as_payload(fell_behind(cursor))
