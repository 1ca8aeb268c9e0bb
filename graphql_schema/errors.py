"""Errors as data: `{field, message, code}` with an enum code, as every payload carries them."""

import strawberry
from graphql import GraphQLError

from api.services.errors import ErrorCode, ServiceError, ServiceFailure

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
