"""The `ledger` collection: every timeline entry of every contact, the reason for every point."""

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo import ASCENDING, DESCENDING

from api.db.batching import find_in
from api.scoring.activities import Activity, ActivityType
from api.scoring.planner import Entry, EntryKind, entry_id
from api.scoring.sheet import SheetEntry

Document = dict[str, Any]
DUPLICATE_KEY = 11000
# Entries probed for at a time past the ones known to exist (MAX_LEDGER_ONLY at most, usually).
TAIL_PROBE = 20


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
        "earnedAt": entry.activity.occurred_at if entry.activity else entry.at,
    }
    if entry.activity is not None:
        doc["activity"] = {
            "type": entry.activity.type.value,
            "campaignId": entry.activity.campaign_id,
            "url": entry.activity.url,
            "occurredAt": entry.activity.occurred_at,
            "idempotencyKey": entry.activity.idempotency_key,
        }
        if entry.kind is EntryKind.ACTIVITY:
            # Unique per contact: the activity's own entry is what makes a repeat a duplicate.
            doc["idempotencyKey"] = entry.activity.idempotency_key
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

    async def by_keys(self, keys: dict[str, list[str]]) -> dict[tuple[str, str], Entry]:
        """Stored entries of these activities, by (contact id, idempotency key)."""
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

    async def sequences(self, spans: Mapping[str, tuple[int, int]]) -> dict[str, list[Entry]]:
        """Each contact's entries from sequence number `first` on, oldest first, where entries up
        to `known` are known to exist: (1, seq of the contact document) is the whole timeline,
        (seq + 1, seq) the ledger-only tail.

        Sequence numbers have no gaps, so the entries are read by _id: point lookups, which any
        server answers from the _id index (some scan the whole collection for an _id range).
        Past `known`, they are probed for until a probe comes back short."""
        found: dict[str, list[Entry]] = {contact_id: [] for contact_id in spans}
        wanted = {cid: (first, max(known, first - 1) + 1) for cid, (first, known) in spans.items()}
        while wanted:
            ids = [entry_id(cid, n) for cid, (lo, hi) in wanted.items() for n in range(lo, hi + 1)]
            docs = await find_in(self.collection, "_id", ids)
            for doc in sorted(docs, key=lambda doc: str(doc["_id"])):
                found[doc["contactId"]].append(doc_to_entry(doc))
            wanted = {
                cid: (hi + 1, hi + TAIL_PROBE)
                for cid, (_, hi) in wanted.items()
                if found[cid] and found[cid][-1].seq == hi
            }
        return found

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
