"""A GraphQL request read from an HTTP body or query string, strictly: anything malformed is a
400 with a message that says what is wrong, never a server error."""

import json
from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from strawberry.http import GraphQLRequestData

# Nesting of objects and arrays in a request's JSON (variables need a few levels).
MAX_JSON_DEPTH = 32
# Larger bodies are decoded in a worker thread, off the event loop.
INLINE_BODY_BYTES = 64 * 1024
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
    """JSON nested at most MAX_JSON_DEPTH deep; a JSONDecodeError otherwise."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise _too_deep() from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise _too_deep()
    return data


def _too_deep() -> json.JSONDecodeError:
    message = f"nested more than {MAX_JSON_DEPTH} deep (the limit MAX_JSON_DEPTH)"
    return json.JSONDecodeError(message, "", 0)


def _json(text: str, what: str) -> Any:
    try:
        return loads(text)
    except json.JSONDecodeError as error:
        where = f" at character {error.pos}" if error.doc else ""
        raise bad_request(f"{what} is not JSON: {error.msg}{where}") from None


def _depth(data: object) -> int:
    """How deep objects and arrays nest (scalars are not visited one by one)."""
    deepest = 0
    stack = [(data, 1)] if isinstance(data, dict | list) else []
    while stack and deepest <= MAX_JSON_DEPTH:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        items = value.values() if isinstance(value, dict) else value
        stack += [(item, depth + 1) for item in items if isinstance(item, dict | list)]
    return deepest
