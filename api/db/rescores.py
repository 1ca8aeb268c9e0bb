"""The `rescores` collection: rescore jobs, their progress and their history."""

from dataclasses import dataclass
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase

from api.db.job_records import JobRecord, JobRecordsRepo, job_fields

Document = dict[str, Any]


@dataclass(frozen=True)
class RescoreRecord(JobRecord):
    activities: int
    points_delta: int


def _record(doc: Document) -> RescoreRecord:
    return RescoreRecord(
        **job_fields(doc),
        activities=int(doc.get("activities", 0)),
        points_delta=int(doc.get("pointsDelta", 0)),
    )


class RescoresRepo(JobRecordsRepo[RescoreRecord]):
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        super().__init__(db["rescores"], _record)

    async def start(self, actor: str, reason: str, total: int) -> RescoreRecord | None:
        """A new running rescore, or None when one is running already."""
        return await self._start(actor, reason, total, {"activities": 0, "pointsDelta": 0})
