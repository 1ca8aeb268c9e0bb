"""The SMTP settings: one document in the `settings` collection."""

from datetime import UTC, datetime
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase

from api.domain.notifications import SmtpSettings

Document = dict[str, Any]
SMTP_ID = "smtp"


class SmtpRepo:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.collection = db["settings"]

    async def ensure_indexes(self) -> None:
        """Only _id lookups: nothing to create."""

    async def get(self) -> SmtpSettings | None:
        doc = await self.collection.find_one({"_id": SMTP_ID})
        if doc is None:
            return None
        return SmtpSettings(
            host=doc["host"],
            port=int(doc["port"]),
            sender=doc["sender"],
            username=doc.get("username"),
            password=doc.get("password"),
            start_tls=bool(doc.get("startTls", False)),
        )

    async def save(self, settings: SmtpSettings, actor: str) -> None:
        await self.collection.replace_one(
            {"_id": SMTP_ID},
            {
                "host": settings.host,
                "port": settings.port,
                "sender": settings.sender,
                "username": settings.username,
                "password": settings.password,
                "startTls": settings.start_tls,
                "updatedAt": datetime.now(UTC),
                "updatedBy": actor,
            },
            upsert=True,
        )
