"""Database failures a client can wait out: contention (a retry soon will work) and an unreachable
database (a retry once it is back will work)."""

from enum import StrEnum

from pymongo.errors import ConnectionFailure, ExecutionTimeout, OperationFailure, PyMongoError

from api.db.commits import RETRY_LABELS, CommitContention

LABELS = (*RETRY_LABELS, "RetryableWriteError")
# WriteConflict, LockTimeout, NoSuchTransaction (rolled back by the server), ExceededTimeLimit.
CONTENTION_CODES = {112, 24, 251, 262}


# Raised by any database call while the database cannot be reached.
Unreachable = ConnectionFailure


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
