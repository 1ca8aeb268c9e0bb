"""Jobs over every contact (resets, rescores, field-rule syncs): one collection per kind.

At most one job of a kind runs at a time, whichever process started it (a unique index on the
running status). A running job keeps a cursor (the last contact it finished), its counts and a
heartbeat; when the heartbeat stops, another process claims the job and resumes it from the cursor.
Each start or claim gives the job a fresh `owner`, and every write of the walker (advance, beat,
finish, walk again) matches {_id, owner}: a walker that stalled past the silence and lost its job
to another process finds its writes refused (`JobLost`) and stops.
The documents keep their first names for the counts (contactsDone, contactsTotal, contactsAffected).
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from bson import ObjectId
from motor.motor_asyncio import AsyncIOMotorCollection, AsyncIOMotorDatabase
from pymongo import DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from api.domain.jobs import FieldRuleSyncJob, Job, JobKind, JobStatus, RescoreJob, ResetJob

Document = dict[str, Any]
RUNNING, DONE = JobStatus.RUNNING.value, JobStatus.DONE.value


class JobLost(Exception):
    """The job was claimed by another process (this one went silent): stop walking it."""


def _owned(job: Job) -> Document:
    return {"_id": job.id, "owner": job.owner, "status": RUNNING}


def _job_fields(kind: JobKind, doc: Document) -> dict[str, Any]:
    """The fields every job has, as keyword arguments of its dataclass."""
    return {
        "id": doc["_id"],
        "kind": kind,
        "status": JobStatus(doc["status"]),
        "actor": doc["actor"],
        "reason": doc["reason"],
        "started_at": doc["startedAt"],
        "finished_at": doc.get("finishedAt"),
        "total": int(doc["contactsTotal"]),
        "done": int(doc["contactsDone"]),
        "affected": int(doc["contactsAffected"]),
        "owner": str(doc.get("owner", "")),
    }


J = TypeVar("J", bound=Job)


class JobsRepo(Generic[J]):
    def __init__(
        self, collection: AsyncIOMotorCollection[Document], read: Callable[[Document], J]
    ) -> None:
        self.collection = collection
        self.read = read

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            "status", unique=True, partialFilterExpression={"status": RUNNING}
        )
        await self.collection.create_index([("startedAt", DESCENDING)])

    async def _start(self, actor: str, reason: str, total: int, extra: Document) -> J | None:
        """A new running job, or None when one is running already."""
        now = datetime.now(UTC)
        doc = {
            "_id": str(ObjectId()),
            "owner": str(ObjectId()),
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
        return self.read(doc)

    async def cursor(self, job_id: str) -> str:
        doc = await self.collection.find_one({"_id": job_id}, {"cursor": 1})
        return str(doc["cursor"]) if doc else ""

    async def advance(
        self,
        job: J,
        cursor: str,
        done: int,
        affected: int,
        counts: dict[str, int] | None = None,
    ) -> None:
        """Past `cursor`: add to the counts and beat. Raises JobLost when the job is not ours."""
        await self._update_owned(
            job,
            {
                "$set": {"cursor": cursor, "heartbeat": datetime.now(UTC)},
                "$inc": {"contactsDone": done, "contactsAffected": affected, **(counts or {})},
            },
        )

    async def beat(self, job: J) -> None:
        """Still alive; raises JobLost when the job is not ours any more."""
        await self._update_owned(job, {"$set": {"heartbeat": datetime.now(UTC)}})

    async def finish(self, job: J, only_if: Document | None = None) -> bool:
        """Done, if the running job matches `only_if` (a filter); whether it is done. Raises
        JobLost when the job is not ours."""
        now = datetime.now(UTC)
        result = await self.collection.update_one(
            {**_owned(job), **(only_if or {})},
            {"$set": {"status": DONE, "finishedAt": now, "heartbeat": now}},
        )
        if result.matched_count == 1:
            return True
        if await self.collection.count_documents(_owned(job), limit=1) == 0:
            raise JobLost(job.id)
        return False

    async def _update_owned(self, job: J, update: Document) -> None:
        result = await self.collection.update_one(_owned(job), update)
        if result.matched_count == 0:
            raise JobLost(job.id)

    async def claim_abandoned(self, silent_for: timedelta) -> J | None:
        """A running job whose process stopped beating, now ours to finish."""
        now = datetime.now(UTC)
        doc = await self.collection.find_one_and_update(
            {"status": RUNNING, "heartbeat": {"$lt": now - silent_for}},
            {"$set": {"heartbeat": now, "owner": str(ObjectId())}},
            return_document=ReturnDocument.AFTER,
        )
        return self.read(doc) if doc else None

    async def get(self, job_id: str) -> J | None:
        doc = await self.collection.find_one({"_id": job_id})
        return self.read(doc) if doc else None

    async def running(self) -> J | None:
        doc = await self.collection.find_one({"status": RUNNING})
        return self.read(doc) if doc else None

    async def history(self, limit: int) -> list[J]:
        cursor = self.collection.find().sort("startedAt", DESCENDING).limit(limit)
        return [self.read(doc) async for doc in cursor]


def _reset(doc: Document) -> ResetJob:
    return ResetJob(**_job_fields(JobKind.RESET, doc), enable_scoring=bool(doc["enableScoring"]))


class ResetsRepo(JobsRepo[ResetJob]):
    """The `resets` collection: the reset history, and the progress of a running reset."""

    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        super().__init__(db["resets"], _reset)

    async def start(
        self, actor: str, reason: str, enable_scoring: bool, total: int
    ) -> ResetJob | None:
        """A new running reset, or None when one is running already."""
        return await self._start(actor, reason, total, {"enableScoring": enable_scoring})

    async def last_started(self) -> datetime | None:
        doc = await self.collection.find_one({}, {"startedAt": 1}, sort=[("startedAt", DESCENDING)])
        return doc["startedAt"] if doc else None


def _rescore(doc: Document) -> RescoreJob:
    return RescoreJob(
        **_job_fields(JobKind.RESCORE, doc),
        activities=int(doc.get("activities", 0)),
        points_delta=int(doc.get("pointsDelta", 0)),
    )


class RescoresRepo(JobsRepo[RescoreJob]):
    """The `rescores` collection: rescore jobs, their progress and their history."""

    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        super().__init__(db["rescores"], _rescore)

    async def start(self, actor: str, reason: str, total: int) -> RescoreJob | None:
        """A new running rescore, or None when one is running already."""
        return await self._start(actor, reason, total, {"activities": 0, "pointsDelta": 0})


def _field_rule_sync(doc: Document) -> FieldRuleSyncJob:
    return FieldRuleSyncJob(
        **_job_fields(JobKind.FIELD_RULE_SYNC, doc),
        deleted=dict(doc.get("deleted", {})),
        again=bool(doc.get("again", False)),
    )


def _deleted(names: Mapping[str, str]) -> Document:
    return {f"deleted.{rule_id}": name for rule_id, name in names.items()}


class FieldRuleSyncsRepo(JobsRepo[FieldRuleSyncJob]):
    """The `fieldRuleSyncs` collection: walks that bring every contact's field-rule points to
    the rules. A rule change while one runs re-arms it (`again`) rather than starting another."""

    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        super().__init__(db["fieldRuleSyncs"], _field_rule_sync)

    async def start(
        self, actor: str, reason: str, total: int, deleted: Mapping[str, str]
    ) -> FieldRuleSyncJob | None:
        """A new running sync, or None when one is running already."""
        return await self._start(actor, reason, total, {"again": False, "deleted": dict(deleted)})

    async def rearm(self, deleted: Mapping[str, str]) -> FieldRuleSyncJob | None:
        """The running sync, told to walk every contact once more; None when none runs."""
        doc = await self.collection.find_one_and_update(
            {"status": RUNNING},
            {"$set": {"again": True, **_deleted(deleted)}},
            return_document=ReturnDocument.AFTER,
        )
        return self.read(doc) if doc else None

    async def finish_unless_rearmed(self, job: FieldRuleSyncJob) -> bool:
        return await self.finish(job, {"again": False})

    async def walk_again(self, job: FieldRuleSyncJob, total: int) -> None:
        """Back to the first contact, `total` more to walk; the re-arm is answered."""
        await self._update_owned(
            job,
            {
                "$set": {"again": False, "cursor": "", "heartbeat": datetime.now(UTC)},
                "$inc": {"contactsTotal": total},
            },
        )
