"""A GraphQL request read from an HTTP body or query string, strictly: anything malformed is a
400 with a message that says what is wrong, never a server error."""

import json
from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from strawberry.http import GraphQLRequestData

from api.limits import LARGE_BODY_BYTES

# Nesting of objects and arrays in a request's JSON (variables need a few levels).
MAX_JSON_DEPTH = 32
TOO_DEEP = f"nested more than {MAX_JSON_DEPTH} deep (the limit MAX_JSON_DEPTH)"
# Items of one JSON array: twice the longest list input (activitiesRecord's 1,000), so that a batch
# a little too long is still answered as data (TOO_MANY); beyond, coercing the variables alone
# would hold up the event loop.
MAX_JSON_ITEMS = 2_000
# Larger bodies are decoded in a worker thread, off the event loop.
INLINE_BODY_BYTES = LARGE_BODY_BYTES
SHAPE = 'Send a JSON object: {"query": "...", "variables": {...}, "operationName": "..."}'


def bad_request(message: str) -> HTTPException:
    return HTTPException(400, message)


def from_body(body: bytes) -> GraphQLRequestData:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise bad_request(f"The body is not valid UTF-8 (at byte {error.start})") from None
    return from_fields(_json(text, "The body"))


def from_query_string(params: Mapping[str, Any]) -> GraphQLRequestData:
    fields: dict[str, Any] = {}
    for name in ("query", "operationName", "variables", "extensions"):
        value = params.get(name)
        if value is not None and not isinstance(value, str):
            raise bad_request(f"Give the parameter {name} once")
        if value and name in {"variables", "extensions"}:
            fields[name] = _json(value, f"The parameter {name}")
        elif value is not None:
            fields[name] = value
    return from_fields(fields)


def from_fields(data: object) -> GraphQLRequestData:
    if not isinstance(data, dict):
        raise bad_request(f"The request is not a JSON object. {SHAPE}")
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise bad_request(f"No GraphQL query in the request (query must be a string). {SHAPE}")
    for name in ("variables", "extensions"):
        if not isinstance(data.get(name), dict | None):
            raise bad_request(f"{name} must be a JSON object or null")
    if not isinstance(data.get("operationName"), str | None):
        raise bad_request("operationName must be a string or null")
    return GraphQLRequestData(
        query=query,
        variables=data.get("variables"),
        operation_name=data.get("operationName") or None,
        extensions=data.get("extensions"),
        protocol="http",
    )


def loads(text: str | bytes) -> Any:
    """JSON within MAX_JSON_DEPTH and MAX_JSON_ITEMS, with strings the database can store; a
    JSONDecodeError saying what is wrong otherwise."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise _refused(
            f"nested more than {MAX_JSON_DEPTH} deep (the limit MAX_JSON_DEPTH)"
        ) from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # an integer of more than 4,300 digits
        raise _refused(str(error)) from None
    problem = _problem(data)
    if problem:
        raise _refused(problem)
    return data


def _refused(message: str) -> json.JSONDecodeError:
    return json.JSONDecodeError(message, "", 0)


def _json(text: str, what: str) -> Any:
    try:
        return loads(text)
    except json.JSONDecodeError as error:
        where = f" at character {error.pos}" if error.doc else ""
        raise bad_request(f"{what} is not JSON: {error.msg}{where}") from None


def _problem(data: object) -> str | None:
    """What makes decoded JSON unfit: too deep, an array too long, or a string with a lone
    surrogate (JSON's escapes allow them; UTF-8, and so the database, does not)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if not value.isascii() and not _encodable(value):
                return "a string holds a lone surrogate (not a Unicode character)"
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            return TOO_DEEP
        if isinstance(value, list) and len(value) > MAX_JSON_ITEMS:
            return (
                f"an array has {len(value)} items: the limit is {MAX_JSON_ITEMS} (MAX_JSON_ITEMS)"
            )
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        stack += [(item, depth + 1) for item in items]
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
