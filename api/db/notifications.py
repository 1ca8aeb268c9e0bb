"""The `view_notifications` collection: one document per view with a periodic summary email.

Sending is claimed before it starts: a claim names the due time it is for and expires, so of
several processes (or retries) only one sends a period's email, and a process that died while
sending leaves the email to be retried once its claim has expired.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo import ASCENDING, ReturnDocument

from api.db.batching import find_in
from api.domain.notifications import (
    Frequency,
    NotificationSettings,
    Schedule,
    ViewNotification,
    Weekday,
)
from api.scoring.schedules import format_time_of_day, parse_time_of_day

Document = dict[str, Any]
MAX_ERROR = 500
RELEASE = {"$unset": {"claimId": "", "claimExpiresAt": ""}}


def _settings_doc(settings: NotificationSettings) -> Document:
    schedule = settings.schedule
    return {
        "enabled": settings.enabled,
        "frequency": schedule.frequency.value,
        "time": format_time_of_day(schedule.time),
        "weekday": schedule.weekday.value if schedule.weekday else None,
        "dayOfMonth": schedule.day_of_month,
        "recipients": list(settings.recipients),
    }


def _record(doc: Document) -> ViewNotification:
    time_of_day = parse_time_of_day(doc["time"])
    assert time_of_day is not None
    schedule = Schedule(
        Frequency(doc["frequency"]),
        time_of_day,
        Weekday(doc["weekday"]) if doc.get("weekday") else None,
        doc.get("dayOfMonth"),
    )
    return ViewNotification(
        view_id=doc["_id"],
        settings=NotificationSettings(
            bool(doc["enabled"]), schedule, tuple(doc.get("recipients", []))
        ),
        next_send_at=doc.get("nextSendAt"),
        last_sent_at=doc.get("lastSentAt"),
        last_error=doc.get("lastError"),
        last_error_at=doc.get("lastErrorAt"),
        claim_id=doc.get("claimId"),
    )


class NotificationsRepo:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.collection = db["view_notifications"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("enabled", ASCENDING), ("nextSendAt", ASCENDING)])

    async def get(self, view_id: str) -> ViewNotification | None:
        doc = await self.collection.find_one({"_id": view_id})
        return _record(doc) if doc else None

    async def by_views(self, view_ids: Sequence[str]) -> dict[str, ViewNotification]:
        return {doc["_id"]: _record(doc) for doc in await find_in(self.collection, "_id", view_ids)}

    async def save(
        self,
        view_id: str,
        settings: NotificationSettings,
        next_send_at: datetime | None,
        actor: str,
        at: datetime,
    ) -> ViewNotification:
        """New settings; a claim in flight keeps going (see `sent`)."""
        changes = {
            **_settings_doc(settings),
            "nextSendAt": next_send_at,
            "updatedAt": at,
            "updatedBy": actor,
        }
        doc = await self.collection.find_one_and_update(
            {"_id": view_id},
            {"$set": changes},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return _record(doc)

    async def delete(self, view_id: str) -> None:
        await self.collection.delete_one({"_id": view_id})

    async def due(self, now: datetime) -> list[ViewNotification]:
        """Enabled notifications whose send time has come (claimed or not)."""
        cursor = self.collection.find({"enabled": True, "nextSendAt": {"$lte": now}})
        return [_record(doc) async for doc in cursor.sort("nextSendAt", ASCENDING)]

    async def claim(
        self, view_id: str, due_at: datetime, now: datetime, ttl: timedelta
    ) -> ViewNotification | None:
        """The notification, now ours to send for `due_at`; None when another process has it,
        has sent it already, or the settings changed meanwhile."""
        doc = await self.collection.find_one_and_update(
            {
                "_id": view_id,
                "enabled": True,
                "nextSendAt": due_at,
                "$or": [{"claimExpiresAt": None}, {"claimExpiresAt": {"$lte": now}}],
            },
            {"$set": {"claimId": str(ObjectId()), "claimExpiresAt": now + ttl}},
            return_document=ReturnDocument.AFTER,
        )
        return _record(doc) if doc else None

    async def sent(
        self, claimed: ViewNotification, at: datetime, next_send_at: datetime | None
    ) -> None:
        """Record a delivery and move on to the next send time."""
        changes = {"lastSentAt": at, "lastError": None, "lastErrorAt": None}
        await self._move_on(claimed, changes, next_send_at)

    async def skipped(self, claimed: ViewNotification, next_send_at: datetime) -> None:
        """No email for this period (the view has a fixed date range now)."""
        await self._move_on(claimed, {}, next_send_at)

    async def failed(self, claimed: ViewNotification, error: str, at: datetime) -> None:
        """Record why it failed and let go: the send time stays, so the next run retries."""
        await self.collection.update_one(
            {"_id": claimed.view_id, "claimId": claimed.claim_id},
            {"$set": {"lastError": error[:MAX_ERROR], "lastErrorAt": at}, **RELEASE},
        )

    async def _move_on(
        self, claimed: ViewNotification, changes: Document, next_send_at: datetime | None
    ) -> None:
        """Let go of a claim, moving to the next send time unless the settings were changed
        meanwhile: then their send time stands."""
        mine = {"_id": claimed.view_id, "claimId": claimed.claim_id}
        moved = await self.collection.update_one(
            {**mine, "nextSendAt": claimed.next_send_at},
            {"$set": {**changes, "nextSendAt": next_send_at}, **RELEASE},
        )
        if moved.matched_count == 0:
            release = {**RELEASE, **({"$set": changes} if changes else {})}
            await self.collection.update_one(mine, release)
