"""Expected failures, reported to clients as data with a field, a message and a code."""

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    TOO_MANY = "TOO_MANY"
    CONFLICT = "CONFLICT"
    AGREEMENT_REQUIRED = "AGREEMENT_REQUIRED"
    DELIVERY_FAILED = "DELIVERY_FAILED"
    # Refusals of a whole request: malformed, over a limit, or over the caller's rate.
    BAD_REQUEST = "BAD_REQUEST"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    RATE_LIMITED = "RATE_LIMITED"


@dataclass(frozen=True)
class ServiceError:
    field: str | None
    message: str
    code: ErrorCode
    index: int | None = None


class ServiceFailure(Exception):
    """Raised inside a use case to stop it and report these errors."""

    def __init__(self, errors: list[ServiceError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors
