"""The `contacts` collection: who the contacts are, their score and their scoring state."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from motor.motor_asyncio import AsyncIOMotorClientSession, AsyncIOMotorDatabase
from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError

from api.db.batching import find_in, in_batches
from api.db.contact_docs import (
    PUBLIC_FIELDS,
    STATE_FIELDS,
    ContactQuery,
    record,
    state_update,
    stored_state,
)
from api.db.contact_search import ContactSearch
from api.db.faults import CommitContention
from api.db.histogram import HistogramRepo
from api.db.score_order import SCORE_INDEXES, by_score
from api.db.view_counts import MARKED, ViewCountsRepo, seen
from api.domain.contacts import ContactDetails, ContactRecord, ContactState, tie_of
from api.domain.histogram import Generation

Document = dict[str, Any]
# Reads of an email's owner while a concurrent first upsert of it becomes visible.
CLAIM_ATTEMPTS = 20
ID_CACHE_SIZE = 200_000
SORTABLE = {"score": "score", "email": "email", "createdAt": "createdAt"}
# The record attribute of each sort key.
SORTED_BY = {"score": "score", "email": "email", "createdAt": "created_at"}


class ContactsRepo:
    """Contacts, the email directory (`contact_emails`, one document per email, keyed by it) and
    the search index (`contact_search`).

    The email and the search terms live in collections of their own rather than in indexes on
    contacts: a contact is rewritten on every score change, and every index on it makes that dearer.
    """

    def __init__(
        self,
        db: AsyncIOMotorDatabase[Document],
        histogram: HistogramRepo | None = None,
        view_counts: ViewCountsRepo | None = None,
    ) -> None:
        self.collection = db["contacts"]
        self.emails = db["contact_emails"]
        self.search = ContactSearch(db)
        self.histogram = histogram or HistogramRepo(db)
        self.view_counts = view_counts or ViewCountsRepo(db)
        self.id_cache: dict[str, str] = {}

    async def ensure_indexes(self) -> None:
        # The order by score (api/db/score_order.py); with the country filter, a page and its
        # count read only that country's range; while a reset walks, the older generations' zeros.
        for index in SCORE_INDEXES:
            await self.collection.create_index(index)
        await self.search.ensure_indexes()

    async def upsert(self, email: str, details: ContactDetails) -> tuple[ContactRecord, bool]:
        contact, previous = await self.upsert_with_previous(email, details)
        return contact, previous is None

    async def upsert_with_previous(
        self, email: str, details: ContactDetails
    ) -> tuple[ContactRecord, ContactRecord | None]:
        """The contact after the upsert, and before it (None when it was created)."""
        now = datetime.now(UTC)
        contact_id = await self._claim_email(email)
        changes: Document = {"updatedAt": now, "email": email}
        optional = {
            "firstName": details.first_name,
            "lastName": details.last_name,
            "country": details.country,
            "mailingLists": details.mailing_lists,
        }
        changes.update({key: value for key, value in optional.items() if value is not None})
        for key, value in (details.fields or {}).items():
            changes[f"fields.{key}"] = value
        on_insert: Document = {
            "score": 0,
            "seq": 0,
            "occ": {},
            "tie": tie_of(contact_id),
            "createdAt": now,
        }
        generation = (await self.histogram.generation(fresh=True)).id
        if generation is not None:
            on_insert["gen"] = generation
        if details.mailing_lists is None:
            on_insert["mailingLists"] = []
        if not details.fields:
            on_insert["fields"] = {}

        async def write(session: AsyncIOMotorClientSession) -> Document | None:
            views, building = await self.view_counts.counted(session)
            # A contact created while a view's counts are built is counted by this write.
            marker = {"vm": building} if building else {}
            before: Document | None = await self.collection.find_one_and_update(
                {"_id": contact_id},
                {"$set": changes, "$setOnInsert": on_insert | marker},
                MARKED,
                upsert=True,
                return_document=ReturnDocument.BEFORE,
                session=session,
            )
            if views:
                now = await self.collection.find_one({"_id": contact_id}, MARKED, session=session)
                assert now is not None
                marked = now.get("vm")
                await self.view_counts.record(views, seen(before), seen(now), marked, session)
            after = {"email": email} | {
                key: changes.get(key, (before or {}).get(key)) for key in ("firstName", "lastName")
            }
            await self.search.reindex(contact_id, before, after, session)
            if before is None:
                await self.histogram.record({}, 1, session)
            return before

        # The contact and its search terms change together or not at all.
        async with await self.collection.database.client.start_session() as session:
            previous = await session.with_transaction(write)
        contact = await self.get(contact_id)
        assert contact is not None
        return contact, record(previous) if previous else None

    async def _claim_email(self, email: str) -> str:
        """The contact id owning an email; a new one if nobody owns it yet (race-free)."""
        for attempt in range(CLAIM_ATTEMPTS):
            doc: Document | None
            try:
                doc = await self.emails.find_one_and_update(
                    {"_id": email},
                    {"$setOnInsert": {"contactId": str(ObjectId())}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                # A concurrent upsert claimed it first; its insert may not be visible yet.
                doc = await self.emails.find_one({"_id": email})
            if doc is not None:
                return str(doc["contactId"])
            await asyncio.sleep(0.01 * (attempt + 1))
        raise CommitContention(f"the email {email} kept changing owner; try again")

    async def store_states(
        self,
        states: Sequence[tuple[ContactState, ContactState]],
        now: datetime,
        session: AsyncIOMotorClientSession,
    ) -> int:
        """Rewrite contacts' states (before, after) inside a transaction; how many matched. Each
        only in the reset generation it was planned in: a reset's walk that moved the contact
        since (before or after this transaction's snapshot) makes it miss or conflict."""
        updates = [
            UpdateOne(
                {"_id": after.contact_id, "gen": before.stored_gen},
                state_update(before, after, now),
            )
            for before, after in states
        ]
        result = await self.collection.bulk_write(updates, ordered=False, session=session)
        return result.matched_count

    async def get(self, contact_id: str) -> ContactRecord | None:
        doc = await self.collection.find_one({"_id": contact_id}, PUBLIC_FIELDS)
        return record(doc, await self.histogram.generation()) if doc else None

    async def by_email(self, email: str) -> ContactRecord | None:
        ids = await self.ids_by_email([email])
        return await self.get(ids[email]) if email in ids else None

    async def by_ids(self, ids: Sequence[str]) -> dict[str, ContactRecord]:
        docs = await find_in(self.collection, "_id", ids, PUBLIC_FIELDS)
        current = await self.histogram.generation()
        return {doc["_id"]: record(doc, current) for doc in docs}

    async def mailing_lists(self, ids: Sequence[str]) -> dict[str, list[str]]:
        docs = await find_in(self.collection, "_id", ids, {"mailingLists": 1})
        return {doc["_id"]: list(doc.get("mailingLists", [])) for doc in docs}

    async def ids_by_email(self, emails: Sequence[str]) -> dict[str, str]:
        """Contact ids by email; ids never change, so they are cached in the process."""
        found = {email: self.id_cache[email] for email in emails if email in self.id_cache}
        unknown = [email for email in emails if email not in found]
        for doc in await find_in(self.emails, "_id", unknown):
            found[doc["_id"]] = self.id_cache[doc["_id"]] = doc["contactId"]
        if len(self.id_cache) > ID_CACHE_SIZE:
            self.id_cache.clear()
        return found

    async def page(
        self,
        query: ContactQuery,
        first: int,
        order_field: str,
        descending: bool,
        after: tuple[Any, str] | None,
        end: tuple[int, int] | None = None,
    ) -> tuple[list[ContactRecord], bool]:
        """One page in keyset order; the flag says whether more follow. By score, the order is
        (score, tie bucket, id), and `end` (score, tie) may narrow it (api/db/score_order.py)."""
        sort_key = SORTABLE[order_field]
        current = await self.histogram.generation()
        if query.matches is not None:
            found = await self._found(query)
            return self._page_of(found, first, sort_key, descending, after, current)
        if sort_key == "score":
            docs = await by_score(self.collection, query, current, first, descending, after, end)
            return self._page_of(docs, first, sort_key, descending, after, current)
        docs = await self._sorted(query.in_generation(current), first, sort_key, descending, after)
        return [record(doc, current) for doc in docs[:first]], len(docs) > first

    async def _sorted(
        self,
        mongo: Document,
        first: int,
        sort_key: str,
        descending: bool,
        after: tuple[Any, str] | None,
    ) -> list[Document]:
        """The first `first` + 1 documents after a keyset position in (sort_key, _id) order."""
        if after is not None:
            value, last_id = after
            op = "$lt" if descending else "$gt"
            if sort_key == "_id":
                keyset: Document = {"_id": {op: value}}
            else:
                keyset = {"$or": [{sort_key: {op: value}}, {sort_key: value, "_id": {op: last_id}}]}
            mongo = {"$and": [mongo, keyset]} if mongo else keyset
        direction = DESCENDING if descending else ASCENDING
        order = [(sort_key, direction)] + ([("_id", direction)] if sort_key != "_id" else [])
        return (
            await self.collection.find(mongo, PUBLIC_FIELDS)
            .sort(order)
            .limit(first + 1)
            .to_list(None)
        )

    async def scan(self, query: ContactQuery) -> AsyncIterator[ContactRecord]:
        """Every matching contact, streamed (never all held at once)."""
        current = await self.histogram.generation()
        found = self.collection.find(query.in_generation(current), PUBLIC_FIELDS)
        async for doc in found.batch_size(1000):
            yield record(doc, current)

    async def count(self, query: ContactQuery) -> int:
        if query.matches is not None:
            return len(await self._found(query))
        current = await self.histogram.generation()
        return await self.collection.count_documents(query.in_generation(current))

    async def _found(self, query: ContactQuery) -> list[Document]:
        """The contacts among a search's matches that the rest of the query selects, read by key
        in concurrent chunks (on the embedded server a third faster than one lookup per id in an
        aggregation, and far faster than one long `$in`); kept on the query for its count."""
        if query.found is None:
            ids = (query.among() or set()) - query.exclude_ids
            rest_query = replace(query, ids=None, matches=None, exclude_ids=set())
            rest = rest_query.in_generation(await self.histogram.generation())
            query.found = await find_in(self.collection, "_id", sorted(ids), PUBLIC_FIELDS, rest)
        return query.found

    @staticmethod
    def _page_of(
        docs: list[Document],
        first: int,
        sort_key: str,
        descending: bool,
        after: tuple[Any, str] | None,
        current: Generation,
    ) -> tuple[list[ContactRecord], bool]:
        """A page of `docs` in the keyset order of `page` (scores as `current` reads them)."""
        ties = sort_key == "score"

        def key(value: Any, contact_id: str) -> tuple[Any, int, str]:
            return value, tie_of(contact_id) if ties else 0, contact_id

        records = [record(doc, current) for doc in docs]
        keyed = [(key(getattr(c, SORTED_BY[sort_key]), c.id), c) for c in records]
        if after is not None:
            since = key(*after)
            keyed = [(k, c) for k, c in keyed if (k < since if descending else k > since)]
        keyed.sort(key=lambda pair: pair[0], reverse=descending)
        ordered = [contact for _, contact in keyed]
        return ordered[:first], len(ordered) > first

    async def states(self, ids: Sequence[str]) -> list[ContactState]:
        """The stored scoring states of these contacts (those that exist), any order."""
        docs = await find_in(self.collection, "_id", ids, STATE_FIELDS)
        return [stored_state(doc) for doc in docs]

    async def id_batches(self, after_id: str, size: int) -> AsyncIterator[list[str]]:
        """Every contact id after `after_id` in _id order, in batches: one cursor walks them all
        without holding them all (restart from the last id of a batch to resume)."""
        async for docs in self._batches(after_id, size, {"_id": 1}):
            yield [doc["_id"] for doc in docs]

    async def state_batches(self, after_id: str, size: int) -> AsyncIterator[list[ContactState]]:
        """The same walk, with each contact's stored scoring state."""
        async for docs in self._batches(after_id, size, STATE_FIELDS):
            yield [stored_state(doc) for doc in docs]

    async def _batches(
        self, after_id: str, size: int, projection: Document
    ) -> AsyncIterator[list[Document]]:
        cursor = self.collection.find({"_id": {"$gt": after_id}}, projection).sort("_id", ASCENDING)
        async for docs in in_batches(cursor, size):
            yield docs
