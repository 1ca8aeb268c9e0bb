"""The `ledger` collection: every timeline entry of every contact, the reason for every point."""

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClientSession, AsyncIOMotorDatabase
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError

from api.db.batching import find_in, in_batches, update_in
from api.db.faults import AlreadyRecorded, StaleState
from api.domain.activities import Activity, ActivityType
from api.domain.ledger import Entry, EntryKind, is_keyed, keyed_entry_id
from api.domain.sheet import SheetEntry

Document = dict[str, Any]
DUPLICATE_KEY = 11000
# Set on entries whose points are still to expire, removed once they did: only those entries are
# in the (partial) index of due expiries, so it costs entries that never expire nothing and does
# not grow with past expiries.
EXPIRY_DUE = "expiryDue"


def entry_to_doc(entry: Entry) -> Document:
    doc: Document = {
        "_id": entry.id,
        "contactId": entry.contact_id,
        "seq": entry.seq,
        "points": entry.points,
        "totalAfter": entry.total_after,
        "kind": entry.kind.value,
        "reason": entry.reason,
        "at": entry.at,
        "earnedAt": entry.earned_at,
    }
    if entry.activity is not None:
        doc["activity"] = {
            "type": entry.activity.type.value,
            "campaignId": entry.activity.campaign_id,
            "url": entry.activity.url,
            "occurredAt": entry.activity.occurred_at,
            "idempotencyKey": entry.activity.idempotency_key,
        }
    if entry.key is not None:
        # Kept to read the key back; uniqueness comes from the _id (`Entry.id`).
        doc["idempotencyKey"] = entry.key
    if entry.expires_at is not None:
        doc["expiresAt"] = entry.expires_at
        doc[EXPIRY_DUE] = True
    if entry.field_rule_id is not None:
        doc["fieldRuleId"] = entry.field_rule_id
    if entry.counted:
        doc["counted"] = list(entry.counted)
    if entry.paused:
        doc["paused"] = True
    if entry.counters_set is not None:
        doc["countersSet"] = dict(entry.counters_set)
    if entry.sheet_entry is not None:
        doc["sheetEntry"] = entry.sheet_entry.value
    if entry.actor is not None:
        doc["actor"] = entry.actor
    return doc


def doc_to_entry(doc: Document) -> Entry:
    activity = None
    if "activity" in doc:
        raw = doc["activity"]
        activity = Activity(
            type=ActivityType(raw["type"]),
            campaign_id=raw.get("campaignId"),
            url=raw.get("url"),
            occurred_at=raw["occurredAt"],
            idempotency_key=raw["idempotencyKey"],
        )
    return Entry(
        contact_id=doc["contactId"],
        seq=int(doc["seq"]),
        points=int(doc["points"]),
        total_after=int(doc["totalAfter"]),
        kind=EntryKind(doc["kind"]),
        reason=doc["reason"],
        at=doc["at"],
        activity=activity,
        sheet_entry=SheetEntry(doc["sheetEntry"]) if doc.get("sheetEntry") else None,
        actor=doc.get("actor"),
        counted=tuple(doc.get("counted", ())),
        paused=bool(doc.get("paused", False)),
        counters_set=doc.get("countersSet"),
        expires_at=doc.get("expiresAt"),
        key=doc.get("idempotencyKey"),
        field_rule_id=doc.get("fieldRuleId"),
        earned=doc.get("earnedAt"),
    )


class LedgerRepo:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.collection = db["ledger"]

    async def ensure_indexes(self) -> None:
        # Unique: two writers planning from the same state claim the same (contact, seq) and
        # one fails; also a contact's timeline in order.
        await self.collection.create_index(
            [("contactId", ASCENDING), ("seq", ASCENDING)], unique=True
        )
        await self.collection.create_index([("earnedAt", ASCENDING)])
        await self.collection.create_index(
            [("expiresAt", ASCENDING)], partialFilterExpression={EXPIRY_DUE: True}
        )

    async def insert(self, entries: Sequence[Entry], session: AsyncIOMotorClientSession) -> None:
        """Insert new entries inside a transaction. A (contact, sequence number) taken, or an
        unkeyed id taken, raises StaleState; keyed entries recorded before raise AlreadyRecorded."""
        docs = [entry_to_doc(e) for e in entries]
        try:
            await self.collection.insert_many(docs, ordered=False, session=session)
        except BulkWriteError as error:
            duplicates = [e for e in error.details["writeErrors"] if e["code"] == DUPLICATE_KEY]
            if not duplicates:
                raise
            if any(
                not is_keyed(str(e["op"]["_id"])) or "seq" in e.get("keyPattern", {})
                for e in duplicates
            ):
                raise StaleState from error  # another writer took these sequence numbers
            raise AlreadyRecorded from error  # activities recorded before (keyed by their keys)

    async def insert_unless_taken(self, entries: Sequence[Entry]) -> set[str]:
        """Insert entries outside a transaction, in bulk; the contact ids of those not inserted
        because their key or sequence number was taken."""
        docs = [entry_to_doc(e) for e in entries]
        if not docs:
            return set()
        try:
            await self.collection.insert_many(docs, ordered=False)
        except BulkWriteError as error:
            errors = error.details["writeErrors"]
            if any(e["code"] != DUPLICATE_KEY for e in errors):
                raise
            return {docs[e["index"]]["contactId"] for e in errors}
        return set()

    async def keyed(self, contact_ids: Sequence[str], key: str) -> set[str]:
        """Those of these contacts with an entry of this key (read by _id: one per contact)."""
        ids = [keyed_entry_id(cid, key) for cid in contact_ids]
        docs = await find_in(self.collection, "_id", ids, {"contactId": 1})
        return {doc["contactId"] for doc in docs}

    async def due(self, now: datetime, size: int) -> AsyncIterator[list[Entry]]:
        """Entries whose points expire at or before `now` and have not expired yet, the earliest
        first, in batches from one cursor (never all in memory)."""
        query = {EXPIRY_DUE: True, "expiresAt": {"$lte": now}}
        cursor = self.collection.find(query).sort("expiresAt", ASCENDING)
        async for docs in in_batches(cursor, size):
            yield [doc_to_entry(doc) for doc in docs]

    async def mark_expired(self, entries: Sequence[Entry]) -> None:
        """These entries' points expired (or can no longer): they leave the due index."""
        ids = [entry.id for entry in entries]
        targeted = {"contactId": {"$in": list({entry.contact_id for entry in entries})}}
        await update_in(self.collection, "_id", ids, {"$unset": {EXPIRY_DUE: ""}}, targeted)

    async def by_keys(self, keys: dict[str, list[str]]) -> dict[tuple[str, str], Entry]:
        """Stored entries of these activities or expiries, by (contact id, idempotency key)."""
        ids = [
            keyed_entry_id(cid, key) for cid, contact_keys in keys.items() for key in contact_keys
        ]
        # With the contact ids too, a ledger sharded on contactId asks only their shards.
        targeted = {"contactId": {"$in": list(keys)}}
        docs = await find_in(self.collection, "_id", ids, extra=targeted)
        entries = [doc_to_entry(doc) for doc in docs]
        return {(e.contact_id, e.key): e for e in entries if e.key is not None}

    async def pages(
        self, contact_ids: Sequence[str], first: int, before_seq: int | None
    ) -> dict[str, tuple[list[Entry], bool]]:
        """Each contact's newest entries (older than `before_seq`, if given), newest first, in
        one query; the flag says whether older ones remain."""
        newest: list[Document] = [{"$sort": {"seq": DESCENDING}}, {"$limit": first + 1}]
        if before_seq is not None:
            newest.insert(0, {"$match": {"seq": {"$lt": before_seq}}})
        found = await self._per_contact(contact_ids, newest)
        return {
            cid: ([doc_to_entry(doc) for doc in docs[:first]], len(docs) > first)
            for cid, docs in found.items()
        }

    async def page(
        self, contact_id: str, first: int, before_seq: int | None
    ) -> tuple[list[Entry], bool]:
        """One contact's page, as `pages` gives it."""
        return (await self.pages([contact_id], first, before_seq))[contact_id]

    async def counts(self, contact_ids: Sequence[str]) -> dict[str, int]:
        """How many entries each contact has, in one query."""
        total: list[Document] = [{"$group": {"_id": None, "n": {"$sum": 1}}}]
        found = await self._per_contact(contact_ids, total)
        return {cid: int(docs[0]["n"]) if docs else 0 for cid, docs in found.items()}

    async def _per_contact(
        self, contact_ids: Sequence[str], pipeline: list[Document]
    ) -> dict[str, list[Document]]:
        """`pipeline` run over each contact's entries, all in one aggregation. Each lookup uses
        the (contactId, seq) index, with a limit per contact: a `$in` over the ledger has none,
        and reads every entry of every contact."""
        ids = list(dict.fromkeys(contact_ids))
        join = {
            "from": self.collection.name,
            "localField": "_id",
            "foreignField": "contactId",
            "pipeline": pipeline,
            "as": "found",
        }
        stages: list[Document] = [{"$documents": [{"_id": cid} for cid in ids]}, {"$lookup": join}]
        rows = await self.collection.database.aggregate(stages).to_list(None)
        found: dict[str, list[Document]] = {cid: [] for cid in ids}
        found.update({row["_id"]: row["found"] for row in rows})
        return found

    async def sequences(self, firsts: Mapping[str, int]) -> dict[str, list[Entry]]:
        """Each contact's entries from a sequence number on, oldest first: 1 for the whole
        timeline, the contact document's seq + 1 for its ledger-only tail."""

        async def read(contact_id: str, first: int) -> list[Entry]:
            query = {"contactId": contact_id, "seq": {"$gte": first}}
            docs = await self.collection.find(query).sort("seq", ASCENDING).to_list(None)
            return [doc_to_entry(doc) for doc in docs]

        ids = list(firsts)
        found = await asyncio.gather(*(read(cid, firsts[cid]) for cid in ids))
        return dict(zip(ids, found, strict=True))

    async def points_since(
        self,
        since: datetime,
        contact_ids: Sequence[str] | None,
        until: datetime | None = None,
    ) -> dict[str, int]:
        """Points earned per contact in [since, until) (resets excluded): the recent-points
        basis of classification and of score views over a period."""
        earned: Document = {"$gte": since}
        if until is not None:
            earned["$lt"] = until
        match: Document = {"earnedAt": earned, "kind": {"$ne": EntryKind.RESET.value}}
        if contact_ids is not None:
            match["contactId"] = {"$in": list(contact_ids)}
        pipeline = [
            {"$match": match},
            {"$group": {"_id": "$contactId", "points": {"$sum": "$points"}}},
        ]
        rows = await self.collection.aggregate(pipeline).to_list(None)
        return {row["_id"]: int(row["points"]) for row in rows}
