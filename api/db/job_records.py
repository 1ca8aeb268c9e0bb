"""Records of background jobs over every contact (resets, rescores): one collection per kind.

At most one job of a kind runs at a time, whichever process started it (a unique index on the
running status). A running job keeps a cursor (the last contact it finished), its counts and a
heartbeat; when the heartbeat stops, another process claims the job and resumes it from the cursor.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from bson import ObjectId
from motor.motor_asyncio import AsyncIOMotorCollection
from pymongo import DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

Document = dict[str, Any]
RUNNING, DONE = "RUNNING", "DONE"


@dataclass(frozen=True)
class JobRecord:
    id: str
    status: str
    actor: str
    reason: str
    started_at: datetime
    finished_at: datetime | None
    contacts_total: int
    contacts_done: int
    contacts_affected: int

    @property
    def progress(self) -> float:
        """0..1"""
        if self.status == DONE or not self.contacts_total:
            return 1.0
        return min(1.0, self.contacts_done / self.contacts_total)


def job_fields(doc: Document) -> dict[str, Any]:
    """The fields every job record has, as keyword arguments of its dataclass."""
    return {
        "id": doc["_id"],
        "status": doc["status"],
        "actor": doc["actor"],
        "reason": doc["reason"],
        "started_at": doc["startedAt"],
        "finished_at": doc.get("finishedAt"),
        "contacts_total": int(doc["contactsTotal"]),
        "contacts_done": int(doc["contactsDone"]),
        "contacts_affected": int(doc["contactsAffected"]),
    }


R = TypeVar("R", bound=JobRecord)


class JobRecordsRepo(Generic[R]):
    def __init__(
        self, collection: AsyncIOMotorCollection[Document], record: Callable[[Document], R]
    ) -> None:
        self.collection = collection
        self.record = record

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            "status", unique=True, partialFilterExpression={"status": RUNNING}
        )
        await self.collection.create_index([("startedAt", DESCENDING)])

    async def _start(self, actor: str, reason: str, total: int, extra: Document) -> R | None:
        """A new running job, or None when one is running already."""
        now = datetime.now(UTC)
        doc = {
            "_id": str(ObjectId()),
            "status": RUNNING,
            "actor": actor,
            "reason": reason,
            "startedAt": now,
            "heartbeat": now,
            "cursor": "",
            "contactsTotal": total,
            "contactsDone": 0,
            "contactsAffected": 0,
            **extra,
        }
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return None
        return self.record(doc)

    async def cursor(self, job_id: str) -> str:
        doc = await self.collection.find_one({"_id": job_id}, {"cursor": 1})
        return str(doc["cursor"]) if doc else ""

    async def advance(
        self,
        job_id: str,
        cursor: str,
        done: int,
        affected: int,
        counts: dict[str, int] | None = None,
    ) -> None:
        """Past `cursor`: add to the counts and beat."""
        await self.collection.update_one(
            {"_id": job_id},
            {
                "$set": {"cursor": cursor, "heartbeat": datetime.now(UTC)},
                "$inc": {"contactsDone": done, "contactsAffected": affected, **(counts or {})},
            },
        )

    async def beat(self, job_id: str) -> None:
        await self.collection.update_one(
            {"_id": job_id, "status": RUNNING}, {"$set": {"heartbeat": datetime.now(UTC)}}
        )

    async def finish(self, job_id: str) -> None:
        now = datetime.now(UTC)
        await self.collection.update_one(
            {"_id": job_id}, {"$set": {"status": DONE, "finishedAt": now, "heartbeat": now}}
        )

    async def claim_abandoned(self, silent_for: timedelta) -> R | None:
        """A running job whose process stopped beating, now ours to finish."""
        now = datetime.now(UTC)
        doc = await self.collection.find_one_and_update(
            {"status": RUNNING, "heartbeat": {"$lt": now - silent_for}},
            {"$set": {"heartbeat": now}},
            return_document=ReturnDocument.AFTER,
        )
        return self.record(doc) if doc else None

    async def get(self, job_id: str) -> R | None:
        doc = await self.collection.find_one({"_id": job_id})
        return self.record(doc) if doc else None

    async def running(self) -> R | None:
        doc = await self.collection.find_one({"status": RUNNING})
        return self.record(doc) if doc else None

    async def history(self, limit: int) -> list[R]:
        cursor = self.collection.find().sort("startedAt", DESCENDING).limit(limit)
        return [self.record(doc) async for doc in cursor]
