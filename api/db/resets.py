"""The `resets` collection: the reset history, and the progress of a running reset."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo import DESCENDING

from api.db.job_records import JobRecord, JobRecordsRepo, job_fields

Document = dict[str, Any]


@dataclass(frozen=True)
class ResetRecord(JobRecord):
    enable_scoring: bool


def _record(doc: Document) -> ResetRecord:
    return ResetRecord(**job_fields(doc), enable_scoring=bool(doc["enableScoring"]))


class ResetsRepo(JobRecordsRepo[ResetRecord]):
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        super().__init__(db["resets"], _record)

    async def start(
        self, actor: str, reason: str, enable_scoring: bool, total: int
    ) -> ResetRecord | None:
        """A new running reset, or None when one is running already."""
        return await self._start(actor, reason, total, {"enableScoring": enable_scoring})

    async def last_started(self) -> datetime | None:
        doc = await self.collection.find_one({}, {"startedAt": 1}, sort=[("startedAt", DESCENDING)])
        return doc["startedAt"] if doc else None
