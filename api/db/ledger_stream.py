"""New ledger entries that move a score, as they are inserted: a MongoDB change stream, so every
process sees the entries of every writer. Each entry's position in the stream is its cursor: the
change's cluster time (the commit's, in a width that sorts as text) and its resume token (the
same for one entry in every stream and every process), so that a stream opened after a cursor
replays every later entry in commit order, and cursors compare by commit. A cursor of cluster
time alone is a moment: the entries committed after it follow."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bson import Timestamp
from motor.motor_asyncio import AsyncIOMotorChangeStream
from pymongo.errors import OperationFailure, PyMongoError

from api.db.ledger import LedgerRepo, doc_to_entry
from api.domain.ledger import Entry

Document = dict[str, Any]
# What a broken stream raises (a lost connection, a resume token the server forgot).
StreamInterrupted = PyMongoError
PIPELINE = [{"$match": {"operationType": "insert", "fullDocument.points": {"$ne": 0}}}]
# 16 hex digits of cluster time, then the resume token (hex for MongoDB and the embedded server).
CURSOR_SHAPE = re.compile(r"[0-9a-f]{16}([0-9a-fA-F]{2,1024})?")
COMMIT_DIGITS = 16
# The server no longer holds the history after a token (ChangeStreamHistoryLost, and
# ChangeStreamFatalError: "the resume token was not found").
HISTORY_LOST = {286, 280}
# The server could not read the token (BadValue, FailedToParse, InvalidBSON, KeyString errors);
# any other failure is the database's, not the cursor's.
BAD_TOKEN = {2, 9, 22, 40647, 50811}


class CursorExpired(Exception):
    """The ledger's stream no longer reaches back to this cursor."""


class CursorInvalid(Exception):
    """Not a cursor this API gave."""


def is_cursor(text: str) -> bool:
    return len(text) % 2 == 0 and CURSOR_SHAPE.fullmatch(text) is not None


def committed_by(cursor: str, other: str) -> bool:
    """Whether the change at `cursor` was committed no later than the one at `other` (the
    changes of one transaction share their commit)."""
    return cursor[:COMMIT_DIGITS] <= other[:COMMIT_DIGITS]


def moment(time: Timestamp) -> str:
    return f"{time.time:08x}{time.inc:08x}"


def cursor_of(change: Document) -> str:
    return moment(change["clusterTime"]) + str(change["_id"]["_data"])


def _resume_at(cursor: str) -> Document:
    """The `watch` arguments that start after this cursor."""
    if len(cursor) > COMMIT_DIGITS:
        return {"resume_after": {"_data": cursor[COMMIT_DIGITS:]}}
    time, inc = int(cursor[:8], 16), int(cursor[8:COMMIT_DIGITS], 16)
    after = Timestamp(time, inc + 1) if inc < 0xFFFFFFFF else Timestamp(time + 1, 0)
    return {"start_at_operation_time": after}


async def now(ledger: LedgerRepo) -> str:
    """The cursor of this moment: every entry committed after it comes after it."""
    async with await ledger.collection.database.client.start_session() as session:
        await ledger.collection.find_one({}, {"_id": 1}, session=session)
        assert session.operation_time is not None
        return moment(session.operation_time)


def entry_of(change: Document) -> tuple[Entry, str]:
    return doc_to_entry(change["fullDocument"]), cursor_of(change)


class ScoredEntries:
    """An open stream of (entry, cursor); `resume_token` resumes a new one after the last read."""

    def __init__(self, stream: AsyncIOMotorChangeStream[Document]) -> None:
        self.stream = stream

    @property
    def resume_token(self) -> Any:
        return self.stream.resume_token

    async def __aiter__(self) -> AsyncIterator[tuple[Entry, str]]:
        async for change in self.stream:
            yield entry_of(change)

    async def until_now(self) -> AsyncIterator[tuple[Entry, str]]:
        """The entries written so far, then stop (a live stream never ends)."""
        while True:
            try:
                change = await self.stream.try_next()
            except OperationFailure as error:
                if error.code in HISTORY_LOST:
                    raise CursorExpired from error
                raise
            if change is None:
                return
            yield entry_of(change)


@asynccontextmanager
async def scored_entries(
    ledger: LedgerRepo, resume_after: Any, start: str | None = None
) -> AsyncIterator[ScoredEntries]:
    """From the resume token of a stream before (None: after the cursor `start`, else now)."""
    where = {"resume_after": resume_after} if resume_after or not start else _resume_at(start)
    async with ledger.collection.watch(PIPELINE, **where) as stream:
        yield ScoredEntries(stream)


@asynccontextmanager
async def scored_entries_after(ledger: LedgerRepo, cursor: str) -> AsyncIterator[ScoredEntries]:
    """The stream of the entries after `cursor`; CursorInvalid (also for a cursor later than
    now) or CursorExpired when the server cannot resume there."""
    if not is_cursor(cursor) or cursor[:COMMIT_DIGITS] > await now(ledger):
        raise CursorInvalid(cursor)  # not one, or a commit still to come
    stream = ledger.collection.watch(PIPELINE, **_resume_at(cursor))
    try:
        await stream.__aenter__()  # opens the stream: the server checks the token here
    except OperationFailure as error:
        if error.code in HISTORY_LOST:
            raise CursorExpired(cursor) from error
        if error.code in BAD_TOKEN:
            raise CursorInvalid(cursor) from error
        raise
    try:
        yield ScoredEntries(stream)
    finally:
        await stream.close()
