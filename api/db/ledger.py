"""The `ledger` collection: every timeline entry of every contact, the reason for every point."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo import ASCENDING, DESCENDING

from api.db.batching import in_batches, update_in
from api.scoring.activities import Activity, ActivityType
from api.scoring.planner import Entry, EntryKind, entry_id
from api.scoring.sheet import SheetEntry

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
        # When the points were earned: an activity's own time, else the time of the change.
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
        # Unique per contact: what makes a repeated activity or expiry a duplicate.
        doc["idempotencyKey"] = entry.key
    if entry.expires_at is not None:
        doc["expiresAt"] = entry.expires_at
        doc[EXPIRY_DUE] = True
    if entry.field_rule_id is not None:
        doc["fieldRuleId"] = entry.field_rule_id
    if entry.counted:
        doc["counted"] = list(entry.counted)
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
        expires_at=doc.get("expiresAt"),
        key=doc.get("idempotencyKey"),
        field_rule_id=doc.get("fieldRuleId"),
        earned=doc.get("earnedAt"),
    )


class LedgerRepo:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.collection = db["ledger"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("contactId", ASCENDING), ("idempotencyKey", ASCENDING)],
            unique=True,
            partialFilterExpression={"idempotencyKey": {"$type": "string"}},
        )
        await self.collection.create_index([("earnedAt", ASCENDING)])
        await self.collection.create_index(
            [("expiresAt", ASCENDING)], partialFilterExpression={EXPIRY_DUE: True}
        )

    async def due(self, now: datetime, size: int) -> AsyncIterator[list[Entry]]:
        """Entries whose points expire at or before `now` and have not expired yet, the earliest
        first, in batches from one cursor (never all in memory)."""
        query = {EXPIRY_DUE: True, "expiresAt": {"$lte": now}}
        cursor = self.collection.find(query).sort("expiresAt", ASCENDING)
        async for docs in in_batches(cursor, size):
            yield [doc_to_entry(doc) for doc in docs]

    async def mark_expired(self, entry_ids: Sequence[str]) -> None:
        """These entries' points expired (or can no longer): they leave the due index."""
        await update_in(self.collection, "_id", entry_ids, {"$unset": {EXPIRY_DUE: ""}})

    async def by_keys(self, keys: dict[str, list[str]]) -> dict[tuple[str, str], Entry]:
        """Stored entries of these activities or expiries, by (contact id, idempotency key)."""
        found = await asyncio.gather(
            *(
                self.collection.find(
                    {"contactId": contact_id, "idempotencyKey": {"$in": contact_keys}}
                ).to_list(None)
                for contact_id, contact_keys in keys.items()
                if contact_keys
            )
        )
        return {
            (d["contactId"], d["idempotencyKey"]): doc_to_entry(d) for docs in found for d in docs
        }

    async def page(
        self, contact_id: str, first: int, before_seq: int | None
    ) -> tuple[list[Entry], bool]:
        """Newest entries first; the flag says whether older ones remain."""
        end = entry_id(contact_id, before_seq) if before_seq is not None else f"{contact_id};"
        query = {"_id": {"$gt": f"{contact_id}:", "$lt": end}}
        docs = (
            await self.collection.find(query).sort("_id", DESCENDING).limit(first + 1).to_list(None)
        )
        return [doc_to_entry(doc) for doc in docs[:first]], len(docs) > first

    async def after(self, contact_id: str, seq: int) -> list[Entry]:
        """A contact's entries after a sequence number, oldest first."""
        query = {"_id": {"$gt": entry_id(contact_id, seq), "$lt": f"{contact_id};"}}
        docs = await self.collection.find(query).sort("_id", ASCENDING).to_list(None)
        return [doc_to_entry(doc) for doc in docs]

    async def count(self, contact_id: str) -> int:
        return await self.collection.count_documents(
            {"_id": {"$gt": f"{contact_id}:", "$lt": f"{contact_id};"}}
        )

    async def points_since(
        self, since: datetime, contact_ids: Sequence[str] | None
    ) -> dict[str, int]:
        """Points earned per contact since a time (resets excluded): the recent-points basis."""
        match: Document = {"earnedAt": {"$gte": since}, "kind": {"$ne": EntryKind.RESET.value}}
        if contact_ids is not None:
            match["contactId"] = {"$in": list(contact_ids)}
        pipeline = [
            {"$match": match},
            {"$group": {"_id": "$contactId", "points": {"$sum": "$points"}}},
        ]
        rows = await self.collection.aggregate(pipeline).to_list(None)
        return {row["_id"]: int(row["points"]) for row in rows}
