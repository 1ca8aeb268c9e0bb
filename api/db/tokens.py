"""The `tokens` collection: API tokens, stored only as SHA-256 digests."""

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase

from api.domain.access import ApiToken, Role

Document = dict[str, Any]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokensRepo:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.collection = db["tokens"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("name", unique=True)

    async def create(self, name: str, role: Role, token: str | None = None) -> tuple[str, ApiToken]:
        """A new token (returned once, in clear) and its record."""
        secret = token or f"cs_{secrets.token_urlsafe(24)}"
        now = datetime.now(UTC)
        doc = {"_id": digest(secret), "name": name, "role": role.value, "createdAt": now}
        await self.collection.insert_one(doc)
        return secret, _record(doc)

    async def find(self, token: str) -> ApiToken | None:
        doc = await self.collection.find_one({"_id": digest(token)})
        return _record(doc) if doc else None

    async def by_name(self, name: str) -> ApiToken | None:
        doc = await self.collection.find_one({"name": name})
        return _record(doc) if doc else None

    async def all(self) -> list[ApiToken]:
        return [_record(doc) async for doc in self.collection.find().sort("createdAt", 1)]


def _record(doc: Document) -> ApiToken:
    return ApiToken(
        id=doc["_id"][:12], name=doc["name"], role=Role(doc["role"]), created_at=doc["createdAt"]
    )
