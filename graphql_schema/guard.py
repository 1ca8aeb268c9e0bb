"""Each operation's work bounded before it runs: the query text parsed within its limits, the
document measured (graphql_schema/limits.py) before graphql-core validates it, expensive fields
capped per request and per token, and subscriptions kept to websockets."""

from collections import Counter
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError, parse
from starlette.requests import Request
from strawberry.extensions import SchemaExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver, FieldExtension
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from api.limits import BUSY, caller, expensive_in_flight, token_key
from api.services.errors import ErrorCode
from graphql_schema.context import Context, Info
from graphql_schema.limits import (
    EXPENSIVE,
    MAX_QUERY_LENGTH,
    MAX_TOKENS,
    LimitExceeded,
    Measure,
    measure,
    over_expensive,
    refusal,
)
from graphql_schema.worker import off_loop

# Longer query texts are parsed, measured and validated in a worker thread: the event loop keeps
# serving other clients meanwhile.
INLINE_QUERY_LENGTH = 2_000
# The expensive fields resolved so far in the running operation.
_spent: ContextVar[Counter[str] | None] = ContextVar("expensive_fields_spent", default=None)


class SubscriptionOverHttp(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "Subscriptions need a websocket: connect to /graphql with graphql-transport-ws",
            extensions={"code": ErrorCode.BAD_REQUEST.value},
        )


def parse_limited(query: str) -> DocumentNode:
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


class DocumentGuard(SchemaExtension):
    measured: Measure | None = None

    async def on_parse(self) -> AsyncIterator[None]:
        execution = self.execution_context
        query = execution.query
        if execution.graphql_document is None and query:
            if len(query) <= INLINE_QUERY_LENGTH:
                execution.graphql_document = parse_limited(query)
            else:
                execution.graphql_document = await off_loop(parse_limited, query)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        if execution.operation_type is OperationType.SUBSCRIPTION and isinstance(
            getattr(execution.context, "request", None), Request
        ):
            execution.pre_execution_errors = [SubscriptionOverHttp()]
        elif len(execution.query or "") <= INLINE_QUERY_LENGTH:
            self.measured, execution.pre_execution_errors = _checked(execution)
        else:
            self.measured, execution.pre_execution_errors = await off_loop(_checked, execution)
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        key = None
        if self.measured is not None and self.measured.expensive:
            key = _caller_of(self.execution_context.context)
            if not expensive_in_flight.acquire(key):
                raise LimitExceeded(BUSY)
        _spent.set(Counter())
        try:
            yield
        finally:
            _spent.set(None)
            if key is not None:
                expensive_in_flight.release(key)


def _checked(execution: ExecutionContext) -> tuple[Measure | None, list[GraphQLError]]:
    """The document measured; then validated, unless it reached a limit."""
    document = execution.graphql_document
    if document is None:
        return None, []
    measured = measure(document, execution.schema._schema, execution.variables)
    error = refusal(measured)
    if error is not None:
        return measured, [error]
    return measured, validate_document(
        execution.schema._schema, document, execution.validation_rules
    )


def _caller_of(context: Context) -> str:
    if context.principal is not None:
        return token_key(context.principal.name)
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
