"""Database failures a client can wait out: contention (a retry soon will work) and an unreachable
database (a retry once it is back will work)."""

from enum import StrEnum

from pymongo.errors import (
    ConnectionFailure,
    ExecutionTimeout,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

# Errors after which the whole transaction can run again: a conflict, a rollback by the server, a
# lost connection. A commit whose outcome is unknown runs again too: keyed entries committed
# before are then found as duplicates.
RETRY_LABELS = ("TransientTransactionError", "UnknownTransactionCommitResult")
LABELS = (*RETRY_LABELS, "RetryableWriteError")
# WriteConflict, LockTimeout, NoSuchTransaction (rolled back by the server), ExceededTimeLimit.
CONTENTION_CODES = {112, 24, 251, 262}


# Raised by any database call while the database cannot be reached.
Unreachable = ConnectionFailure
# Raised by any database call that failed, for code outside api/db that must outlive one.
DatabaseError = PyMongoError


class CommitContention(RuntimeError):
    """Contacts kept changing under us (or stayed locked) for the commit's every round."""


class StaleState(Exception):
    """Another writer took the sequence numbers planned (or changed a contact): re-read, re-plan."""


class AlreadyRecorded(Exception):
    """Keyed entries (activities, expiries) were recorded before: answer them with those."""


def retryable(error: BaseException) -> bool:
    """Whether a transaction that failed with this error can run again as a whole. Not when no
    server can be reached: waiting would only hold the client's request."""
    if isinstance(error, StaleState):
        return True
    return (
        isinstance(error, PyMongoError)
        and not isinstance(error, ServerSelectionTimeoutError)
        and any(map(error.has_error_label, RETRY_LABELS))
    )


class Fault(StrEnum):
    CONTENDED = "CONTENDED"
    UNAVAILABLE = "UNAVAILABLE"


def fault_of(error: BaseException) -> Fault | None:
    """What kind of passing failure this is, or None when it is not one."""
    if isinstance(error, CommitContention | ExecutionTimeout):
        return Fault.CONTENDED
    if isinstance(error, ConnectionFailure):  # also AutoReconnect, NetworkTimeout, server selection
        return Fault.UNAVAILABLE
    if isinstance(error, OperationFailure) and error.code in CONTENTION_CODES:
        return Fault.CONTENDED
    if isinstance(error, PyMongoError) and any(map(error.has_error_label, LABELS)):
        return Fault.CONTENDED
    return None
