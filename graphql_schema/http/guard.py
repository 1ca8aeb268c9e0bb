"""Each operation's work bounded before it runs: the query text parsed within its limits, the
document measured (query_limits.py) before graphql-core validates it, expensive fields
capped per request and per token, and subscriptions kept to websockets."""

from collections import Counter, OrderedDict
from collections.abc import AsyncIterator
from contextvars import ContextVar
from functools import lru_cache
from threading import Lock
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError, parse
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver, FieldExtension
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from api.limits import BUSY, caller, expensive_in_flight, rate_refusal
from api.ratelimit import RateLimiter
from api.services.errors import ErrorCode
from graphql_schema.core.context import Context, Info
from graphql_schema.http.query_cost import Measure, measure, refusal
from graphql_schema.http.query_limits import (
    EXPENSIVE,
    MAX_QUERY_LENGTH,
    MAX_TOKENS,
    LimitExceeded,
    over_expensive,
)
from graphql_schema.http.worker import off_loop

# Longer query texts are parsed, measured and validated in a worker thread: the event loop keeps
# serving other clients meanwhile.
INLINE_QUERY_LENGTH = 2_000
# Parsed and validated documents kept by query text: clients send the same few documents again
# and again, and parsing and validating them was a quarter of the API's time per request.
DOCUMENT_CACHE = 256
# The expensive fields resolved so far in the running operation.
_spent: ContextVar[Counter[str] | None] = ContextVar("expensive_fields_spent", default=None)


class SubscriptionOverHttp(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "Subscriptions need a websocket: connect to /graphql with graphql-transport-ws",
            extensions={"code": ErrorCode.BAD_REQUEST.value},
        )


@lru_cache(maxsize=DOCUMENT_CACHE)
def parse_limited(query: str) -> DocumentNode:
    """The query's document (a document is never changed once parsed, so requests share it);
    a refusal is raised again for every request that sends the same text."""
    if len(query) > MAX_QUERY_LENGTH:
        raise LimitExceeded(
            f"The query is {len(query)} characters long: the limit is {MAX_QUERY_LENGTH} "
            "(MAX_QUERY_LENGTH)"
        )
    try:
        return parse(query, max_tokens=MAX_TOKENS)
    except GraphQLSyntaxError as error:
        if "more than" in error.message and "tokens" in error.message:
            raise LimitExceeded(
                f"The query has more than {MAX_TOKENS} tokens: the limit is {MAX_TOKENS} "
                "(MAX_TOKENS)"
            ) from None
        raise


# Stands in for a document refused while parsing. Hooks must not raise on the way in (over a
# websocket that ends the operation with no error message), so the refusal is reported at
# validation, as a pre-execution error, the way a validation error is.
_REFUSED = parse("{ __typename }")


class DocumentGuard(SchemaExtension):
    measured: Measure | None = None
    refused: GraphQLError | None = None
    # The caller holding a slot of expensive_in_flight for this operation.
    expensive_key: str | None = None

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if self.expensive_key is not None:
                expensive_in_flight.release(self.expensive_key)

    async def on_parse(self) -> AsyncIterator[None]:
        execution = self.execution_context
        query = execution.query
        if execution.graphql_document is None and query:
            try:
                if len(query) <= INLINE_QUERY_LENGTH:
                    execution.graphql_document = parse_limited(query)
                else:
                    execution.graphql_document = await off_loop(parse_limited, query)
            except GraphQLError as error:
                self.refused, execution.graphql_document = error, _REFUSED
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        if self.refused is None:
            self.refused = _over_rate(execution.context)
        if self.refused is not None:
            execution.pre_execution_errors = [self.refused]
        elif execution.operation_type is OperationType.SUBSCRIPTION and isinstance(
            getattr(execution.context, "request", None), Request
        ):
            execution.pre_execution_errors = [SubscriptionOverHttp()]
        elif len(execution.query or "") <= INLINE_QUERY_LENGTH:
            self.measured, execution.pre_execution_errors = _checked(execution)
        else:
            self.measured, execution.pre_execution_errors = await off_loop(_checked, execution)
        if not execution.pre_execution_errors and self.measured and self.measured.expensive:
            key = _caller_of(execution.context)
            if expensive_in_flight.acquire(key):
                self.expensive_key = key
            else:
                execution.pre_execution_errors = [LimitExceeded(BUSY)]
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        _spent.set(Counter())
        try:
            yield
        finally:
            _spent.set(None)


def _checked(execution: ExecutionContext) -> tuple[Measure | None, list[GraphQLError]]:
    """The document measured; then validated, unless it reached a limit."""
    document = execution.graphql_document
    if document is None:
        return None, []
    measured = measure(document, execution.schema._schema, execution.variables)
    error = refusal(measured)
    if error is not None:
        return measured, [error]
    return measured, _validated(execution)


class _Validations:
    """The validation errors of recently seen documents, by query text, schema and rules
    (validation depends on nothing else); shared by the event loop and the worker thread."""

    def __init__(self) -> None:
        self._errors: OrderedDict[tuple[Any, ...], list[GraphQLError]] = OrderedDict()
        self._lock = Lock()

    def __call__(self, execution: ExecutionContext) -> list[GraphQLError]:
        assert execution.graphql_document is not None
        schema, rules = execution.schema._schema, tuple(execution.validation_rules)
        key = (execution.query, schema, rules)
        with self._lock:
            if key in self._errors:
                self._errors.move_to_end(key)
                return list(self._errors[key])
        errors = validate_document(schema, execution.graphql_document, rules)
        if execution.query:  # a document given already parsed has no text to be known by
            with self._lock:
                self._errors[key] = errors
                if len(self._errors) > DOCUMENT_CACHE:
                    self._errors.popitem(last=False)
        return list(errors)


_validated = _Validations()


def _over_rate(context: Context) -> GraphQLError | None:
    """Operations sent over a websocket each count against its token's rate (HTTP requests are
    counted by the middleware, one per request)."""
    websocket = context.request
    if not isinstance(websocket, WebSocket) or context.rate_key is None:
        return None
    limiter: RateLimiter = websocket.app.state.rate_limiter
    wait = limiter.take(context.rate_key)
    if wait <= 0:
        return None
    code = ErrorCode.RATE_LIMITED.value
    return GraphQLError(rate_refusal(limiter, wait), extensions={"code": code})


def _caller_of(context: Context) -> str:
    """A websocket's token key (set on connecting), else the HTTP request's caller."""
    if context.rate_key is not None:
        return context.rate_key
    return caller(context.request.scope) if context.request is not None else "anonymous"


class Expensive(FieldExtension):
    """On the fields listed in limits.EXPENSIVE: at most their cap resolved per request."""

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        spent = _spent.get()
        if spent is not None:
            coordinate = f"{info._raw_info.parent_type.name}.{info.field_name}"
            spent[coordinate] += 1
            if spent[coordinate] > EXPENSIVE[coordinate][1]:
                raise over_expensive(coordinate)
        return await next_(source, info, **kwargs)
