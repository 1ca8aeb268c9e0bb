"""Expected failures, reported to clients as data with a field, a message and a code."""

from dataclasses import dataclass
from enum import StrEnum

from api.db.faults import Fault, fault_of


class ErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    TOO_MANY = "TOO_MANY"
    CONFLICT = "CONFLICT"
    AGREEMENT_REQUIRED = "AGREEMENT_REQUIRED"
    DELIVERY_FAILED = "DELIVERY_FAILED"
    # Who may ask: no token or a rejected one, or a role too low; a cursor the API did not give.
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_CURSOR = "INVALID_CURSOR"
    # Refusals of a whole request: malformed, over a limit, or over the caller's rate.
    BAD_REQUEST = "BAD_REQUEST"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    RATE_LIMITED = "RATE_LIMITED"
    # Passing failures: the same request sent again shortly will work.
    RETRY_LATER = "RETRY_LATER"
    UNAVAILABLE = "UNAVAILABLE"
    # Live subscribers: changes were not sent (resume after the last cursor), or the changes
    # after a cursor are no longer kept (reload).
    FELL_BEHIND = "FELL_BEHIND"
    CURSOR_EXPIRED = "CURSOR_EXPIRED"


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


CONTENDED = ServiceError(
    None,
    "The database is busy with concurrent writes to the same contacts. Send the same "
    "request again in a moment (activities with the same idempotencyKey are scored once).",
    ErrorCode.RETRY_LATER,
)
UNREACHABLE = ServiceError(
    None,
    "The database cannot be reached right now. Send the same request again in a few "
    "seconds (activities with the same idempotencyKey are scored once).",
    ErrorCode.UNAVAILABLE,
)
PASSING = {Fault.CONTENDED: CONTENDED, Fault.UNAVAILABLE: UNREACHABLE}


def passing_error(error: BaseException) -> ServiceError | None:
    """The error to answer for a failure that a retry will get past, or None for any other."""
    fault = fault_of(error)
    return None if fault is None else PASSING[fault]
