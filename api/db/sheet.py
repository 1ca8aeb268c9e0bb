"""The `settings` collection: one document for the score sheet, one for classification."""

import contextlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo.errors import DuplicateKeyError

from api.domain.classification import ClassificationBasis, ClassificationSettings
from api.domain.sheet import ScoreSheet, SheetEntry

Document = dict[str, Any]
SHEET_ID = "scoreSheet"
CLASSIFICATION_ID = "classification"


def _sheet_fields(sheet: ScoreSheet) -> Document:
    return {
        "enabled": sheet.enabled,
        "negativeScoringEnabled": sheet.negative_scoring_enabled,
        "points": {entry.value: value for entry, value in sheet.points.items()},
        # Days after which each expiring entry's points expire.
        "expiresAfterDays": {entry.value: days for entry, days in sheet.expiry_days.items()},
    }


class SheetRepo:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.collection = db["settings"]

    async def ensure_indexes(self) -> None:
        """Only _id lookups: nothing to create."""

    async def score_sheet(self) -> ScoreSheet:
        doc = await self.collection.find_one({"_id": SHEET_ID})
        if doc is None:
            return ScoreSheet()
        points = {SheetEntry(name): int(value) for name, value in doc["points"].items()}
        expiry = {
            SheetEntry(name): int(days) for name, days in doc.get("expiresAfterDays", {}).items()
        }
        return ScoreSheet().with_changes(
            points=points,
            enabled=bool(doc["enabled"]),
            negative_scoring_enabled=bool(doc["negativeScoringEnabled"]),
            expiry_days=expiry,
        )

    async def change_score_sheet(
        self,
        actor: str,
        points: Mapping[SheetEntry, int] | None = None,
        enabled: bool | None = None,
        negative_scoring_enabled: bool | None = None,
        expiry_days: Mapping[SheetEntry, int | None] | None = None,
    ) -> ScoreSheet:
        """Only the fields given change, each on its own (None: unchanged; in `expiry_days`, None
        means the entry never expires): a reset pausing scoring and an admin editing points at
        the same moment both keep their change. The sheet as it is then."""
        if await self.collection.find_one({"_id": SHEET_ID}, {"_id": 1}) is None:
            with contextlib.suppress(DuplicateKeyError):  # another writer made it first
                await self.collection.insert_one({"_id": SHEET_ID, **_sheet_fields(ScoreSheet())})
        changes: Document = {"updatedAt": datetime.now(UTC), "updatedBy": actor}
        changes |= {f"points.{entry.value}": value for entry, value in (points or {}).items()}
        expiring = {e: days for e, days in (expiry_days or {}).items() if days is not None}
        changes |= {f"expiresAfterDays.{entry.value}": days for entry, days in expiring.items()}
        if enabled is not None:
            changes["enabled"] = enabled
        if negative_scoring_enabled is not None:
            changes["negativeScoringEnabled"] = negative_scoring_enabled
        update: Document = {"$set": changes}
        never = [e for e, days in (expiry_days or {}).items() if days is None]
        if never:
            update["$unset"] = {f"expiresAfterDays.{entry.value}": "" for entry in never}
        await self.collection.update_one({"_id": SHEET_ID}, update)
        return await self.score_sheet()

    async def classification(self) -> ClassificationSettings:
        doc = await self.collection.find_one({"_id": CLASSIFICATION_ID})
        if doc is None:
            return ClassificationSettings()
        return ClassificationSettings(
            most_engaged_min=int(doc["mostEngagedMin"]),
            progressing_min=int(doc["progressingMin"]),
            basis=ClassificationBasis(doc["basis"]),
            period_days=int(doc["periodDays"]),
        )

    async def save_classification(self, settings: ClassificationSettings, actor: str) -> None:
        await self.collection.replace_one(
            {"_id": CLASSIFICATION_ID},
            {
                "mostEngagedMin": settings.most_engaged_min,
                "progressingMin": settings.progressing_min,
                "basis": settings.basis.value,
                "periodDays": settings.period_days,
                "updatedAt": datetime.now(UTC),
                "updatedBy": actor,
            },
            upsert=True,
        )
