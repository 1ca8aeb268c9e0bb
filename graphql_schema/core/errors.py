"""Errors as data: `{field, message, code}` with an enum code, as every payload carries them."""

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver, SyncExtensionResolver
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from api.observability.current import note_error
from api.services.errors import ErrorCode, ServiceError, ServiceFailure, passing_error
from graphql_schema.core.context import Info

log = logging.getLogger(__name__)
ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode")


@strawberry.type
class Error:
    field: str | None = strawberry.field(description="The input field at fault, if any")
    message: str
    code: ErrorCode
    index: int | None = strawberry.field(
        default=None, description="For batch inputs: the position of the item at fault"
    )


def errors_of(failure: ServiceFailure) -> list[Error]:
    return [to_error(error) for error in failure.errors]


def to_error(error: ServiceError) -> Error:
    return Error(field=error.field, message=error.message, code=error.code, index=error.index)


class InputRefused(GraphQLError):
    """A query's argument refused before any work: expected and safe to show, never masked."""

    def __init__(self, argument: str | None, message: str, code: ErrorCode) -> None:
        extensions = {"code": code.value} | ({"field": argument} if argument else {})
        super().__init__(message, extensions=extensions)


def refusal(failure: ServiceFailure) -> InputRefused:
    """A use case's refusal raised as a field error (for fields that have no payload)."""
    first = failure.errors[0]
    return InputRefused(first.field, str(failure), first.code)


class FailuresAsErrors(FieldExtension):
    """Expected failures of a root field, answered in one place: a use case's refusal
    (ServiceFailure) and the failures a retry gets past (contention, an unreachable database).
    In the payload's `errors` when the field returns a payload, else as a GraphQL error with the
    code."""

    payload: Any = None

    def apply(self, field: StrawberryField) -> None:
        definition = get_object_definition(field.type)
        if definition is not None and any(f.python_name == "errors" for f in definition.fields):
            self.payload = field.type

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except ServiceFailure as failure:
            refused = failure
        except Exception as failure:
            error = passing_error(failure)
            if error is None:
                raise
            log.warning("%s answered %s: %r", info.field_name, error.code.value, failure)
            refused = ServiceFailure([error])
        if self.payload is None:
            raise refusal(refused)
        for error in refused.errors:
            note_error(error.code.value)
        return self.payload(errors=errors_of(refused))


def answer_failures_as_errors(*types: type) -> None:
    """Give every field of these types the FailuresAsErrors extension (one instance each)."""
    for owner in types:
        definition = get_object_definition(owner, strict=True)
        for field in definition.fields:
            field.extensions.append(FailuresAsErrors())
