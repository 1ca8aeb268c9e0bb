"""New ledger entries that move a score, as they are inserted: a MongoDB change stream, so every
process sees the entries of every writer."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from motor.motor_asyncio import AsyncIOMotorChangeStream
from pymongo.errors import PyMongoError

from api.db.ledger import LedgerRepo, doc_to_entry
from api.domain.ledger import Entry

Document = dict[str, Any]
# What a broken stream raises (a lost connection, a resume token the server forgot).
StreamInterrupted = PyMongoError
PIPELINE = [{"$match": {"operationType": "insert", "fullDocument.points": {"$ne": 0}}}]


class ScoredEntries:
    """An open stream; `resume_token` resumes a new one after the last entry read."""

    def __init__(self, stream: AsyncIOMotorChangeStream[Document]) -> None:
        self.stream = stream

    @property
    def resume_token(self) -> Any:
        return self.stream.resume_token

    async def __aiter__(self) -> AsyncIterator[Entry]:
        async for change in self.stream:
            yield doc_to_entry(change["fullDocument"])


@asynccontextmanager
async def scored_entries(ledger: LedgerRepo, resume_after: Any) -> AsyncIterator[ScoredEntries]:
    async with ledger.collection.watch(PIPELINE, resume_after=resume_after) as stream:
        yield ScoredEntries(stream)
