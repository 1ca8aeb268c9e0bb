"""The `settings` collection: one document for the score sheet, one for classification."""

from datetime import UTC, datetime
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase

from api.domain.classification import ClassificationBasis, ClassificationSettings
from api.domain.sheet import ScoreSheet, SheetEntry

Document = dict[str, Any]
SHEET_ID = "scoreSheet"
CLASSIFICATION_ID = "classification"


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

    async def save_score_sheet(self, sheet: ScoreSheet, actor: str) -> None:
        await self.collection.replace_one(
            {"_id": SHEET_ID},
            {
                "enabled": sheet.enabled,
                "negativeScoringEnabled": sheet.negative_scoring_enabled,
                "points": {entry.value: value for entry, value in sheet.points.items()},
                # Days after which each expiring entry's points expire.
                "expiresAfterDays": {
                    entry.value: days for entry, days in sheet.expiry_days.items()
                },
                "updatedAt": datetime.now(UTC),
                "updatedBy": actor,
            },
            upsert=True,
        )

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
