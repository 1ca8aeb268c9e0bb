"""The `resets` collection: the reset history, and the progress of a running reset."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo import DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

Document = dict[str, Any]
RUNNING, DONE = "RUNNING", "DONE"


@dataclass(frozen=True)
class ResetRecord:
    id: str
    status: str
    actor: str
    reason: str
    enable_scoring: bool
    started_at: datetime
    finished_at: datetime | None
    contacts_total: int
    contacts_done: int
    contacts_affected: int


def _record(doc: Document) -> ResetRecord:
    return ResetRecord(
        id=doc["_id"],
        status=doc["status"],
        actor=doc["actor"],
        reason=doc["reason"],
        enable_scoring=bool(doc["enableScoring"]),
        started_at=doc["startedAt"],
        finished_at=doc.get("finishedAt"),
        contacts_total=int(doc["contactsTotal"]),
        contacts_done=int(doc["contactsDone"]),
        contacts_affected=int(doc["contactsAffected"]),
    )


class ResetsRepo:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.collection = db["resets"]

    async def ensure_indexes(self) -> None:
        # At most one running reset, whichever process started it.
        await self.collection.create_index(
            "status", unique=True, partialFilterExpression={"status": RUNNING}
        )
        await self.collection.create_index([("startedAt", DESCENDING)])

    async def start(
        self, actor: str, reason: str, enable_scoring: bool, total: int
    ) -> ResetRecord | None:
        """A new running reset, or None when one is running already."""
        now = datetime.now(UTC)
        doc = {
            "_id": str(ObjectId()),
            "status": RUNNING,
            "actor": actor,
            "reason": reason,
            "enableScoring": enable_scoring,
            "startedAt": now,
            "heartbeat": now,
            "cursor": "",
            "contactsTotal": total,
            "contactsDone": 0,
            "contactsAffected": 0,
        }
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return None
        return _record(doc)

    async def cursor(self, reset_id: str) -> str:
        doc = await self.collection.find_one({"_id": reset_id}, {"cursor": 1})
        return str(doc["cursor"]) if doc else ""

    async def advance(self, reset_id: str, cursor: str, done: int, affected: int) -> None:
        await self.collection.update_one(
            {"_id": reset_id},
            {
                "$set": {"cursor": cursor, "heartbeat": datetime.now(UTC)},
                "$inc": {"contactsDone": done, "contactsAffected": affected},
            },
        )

    async def finish(self, reset_id: str) -> None:
        now = datetime.now(UTC)
        await self.collection.update_one(
            {"_id": reset_id}, {"$set": {"status": DONE, "finishedAt": now, "heartbeat": now}}
        )

    async def claim_abandoned(self, silent_for: timedelta) -> ResetRecord | None:
        """A running reset whose process stopped beating, now ours to finish."""
        now = datetime.now(UTC)
        doc = await self.collection.find_one_and_update(
            {"status": RUNNING, "heartbeat": {"$lt": now - silent_for}},
            {"$set": {"heartbeat": now}},
            return_document=ReturnDocument.AFTER,
        )
        return _record(doc) if doc else None

    async def get(self, reset_id: str) -> ResetRecord | None:
        doc = await self.collection.find_one({"_id": reset_id})
        return _record(doc) if doc else None

    async def history(self, limit: int) -> list[ResetRecord]:
        cursor = self.collection.find().sort("startedAt", DESCENDING).limit(limit)
        return [_record(doc) async for doc in cursor]

    async def last_started(self) -> datetime | None:
        doc = await self.collection.find_one({}, {"startedAt": 1}, sort=[("startedAt", DESCENDING)])
        return doc["startedAt"] if doc else None
