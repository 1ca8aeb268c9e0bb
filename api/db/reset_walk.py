"""The reset's walk over the `contacts` collection (api/services/reset_job.py): stale states, and
their new states written in bulk, each only onto the document the walk read.

Stale states are read a tie bucket of an older generation at a time ({gen, tie}: an equality on
the (gen, tie, _id) index, about a thousandth of the contacts each): on the embedded server a read
of every stale contact at once (`gen != current`) is a scan of the whole collection that holds up
every other request meanwhile (2.6 s at 100,000), readers of the reset included.

A chunk's states are written in one transaction: the embedded server syncs its log once per
commit, so a thousand conditional updates cost one sync instead of a thousand. A commit racing
the chunk makes it conflict: it runs again (its conditions keep it exact), and after
CHUNK_ATTEMPTS conflicts the updates go one by one, outside a transaction, so that busy contacts
cannot hold the walk back for ever.
"""

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClientSession, AsyncIOMotorDatabase
from pymongo import ASCENDING, UpdateOne

from api.db.batching import find_in, in_batches
from api.db.contact_docs import STATE_FIELDS, state_update, stored_state
from api.db.faults import retryable
from api.domain.contacts import TIES, ContactState

Document = dict[str, Any]
CHUNK_ATTEMPTS = 5


class ResetWalk:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.collection = db["contacts"]

    async def held_by(
        self, older: Sequence[str | None], size: int
    ) -> AsyncIterator[list[ContactState]]:
        """The stored states of the contacts these generations hold (None: no generation), a tie
        bucket at a time, in batches of about `size`. Contacts the walk moved are gone from their
        buckets, so a walk started again skips them at the cost of a small read each."""
        batch: list[ContactState] = []
        for gen in older:
            for tie in range(TIES):
                docs = await self.collection.find({"gen": gen, "tie": tie}, STATE_FIELDS).to_list(
                    None
                )
                batch += [stored_state(doc) for doc in docs]
                if len(batch) >= size:
                    yield batch
                    batch = []
        if batch:
            yield batch

    async def stale_states(
        self, after_id: str, size: int, gen: str
    ) -> AsyncIterator[list[ContactState]]:
        """The stored states of contacts after `after_id` that an older generation holds, in _id
        order, in batches: a scan of every contact (for the last sweep, and for a reset started by
        a version that did not note the older generations)."""
        query = {"_id": {"$gt": after_id}, "gen": {"$ne": gen}}
        cursor = self.collection.find(query, STATE_FIELDS).sort("_id", ASCENDING)
        async for docs in in_batches(cursor, size):
            yield [stored_state(doc) for doc in docs]

    async def store_unless_changed(
        self, states: Sequence[tuple[ContactState, ContactState]], now: datetime
    ) -> set[str]:
        """Rewrite contacts' states (before, after), each only if its document still holds
        `before`; the ids of those left in another generation than `after`'s (changed meanwhile
        by a writer that did not move them)."""
        updates = [
            UpdateOne(
                {"_id": after.contact_id, "seq": before.stored_seq, "gen": before.stored_gen},
                state_update(before, after, now),
            )
            for before, after in states
        ]
        if not updates:
            return set()
        matched = await self._in_one_transaction(updates)
        if matched is None:
            matched = (await self.collection.bulk_write(updates, ordered=False)).matched_count
        if matched == len(updates):
            return set()
        ids = [after.contact_id for _, after in states]
        held = await find_in(self.collection, "_id", ids, {"gen": 1})
        gens = {doc["_id"]: doc.get("gen") for doc in held}
        return {after.contact_id for _, after in states if gens.get(after.contact_id) != after.gen}

    async def _in_one_transaction(self, updates: list[UpdateOne]) -> int | None:
        """How many matched, or None when commits kept conflicting with the chunk."""
        client = self.collection.database.client
        for attempt in range(CHUNK_ATTEMPTS):
            try:
                async with await client.start_session() as session:
                    return await self._write(updates, session)
            except Exception as error:
                if not retryable(error):
                    raise
                await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
        return None

    async def _write(self, updates: list[UpdateOne], session: AsyncIOMotorClientSession) -> int:
        async with session.start_transaction():
            result = await self.collection.bulk_write(updates, ordered=False, session=session)
        return result.matched_count
