"""The `tokens` collection: API tokens, stored only as SHA-256 digests.

A token's public id is the first PUBLIC_ID_LENGTH hex digits of its digest (`_id`), so it is
looked up by a range on `_id`.
"""

import hashlib
import secrets
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo.errors import DuplicateKeyError

from api.domain.access import ApiToken, Role

Document = dict[str, Any]
PUBLIC_ID_LENGTH = 12
# lastUsedAt is written at most once this many seconds per token and process.
TOUCH_EVERY = 60.0
# Tokens whose last write this process remembers (the oldest forgotten first).
MAX_TOUCHED = 10_000
# Digests asked about in one query.
STATES_BATCH = 1000


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _by_public_id(token_id: str) -> Document:
    # Hex digits sort before "~": every digest starting with the id falls in this range.
    return {"_id": {"$gte": token_id, "$lt": token_id + "~"}}


class NameTaken(Exception):
    """Another token has this name (the unique index decided, even for two at the same time)."""


class TokensRepo:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.collection = db["tokens"]
        # digest -> when this process last wrote its lastUsedAt (monotonic seconds).
        self.touched: dict[str, float] = {}

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("name", unique=True)

    async def create(
        self,
        name: str,
        role: Role,
        token: str | None = None,
        *,
        created_by: str | None = None,
        expires_at: datetime | None = None,
        now: datetime | None = None,
    ) -> tuple[str, ApiToken]:
        """A new token (returned once, in clear) and its record; NameTaken when another token
        has the name."""
        secret = token or f"cs_{secrets.token_urlsafe(24)}"
        doc: Document = {
            "_id": digest(secret),
            "name": name,
            "role": role.value,
            "createdAt": now or datetime.now(UTC),
            "createdBy": created_by,
            "expiresAt": expires_at,
        }
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            raise NameTaken(name) from None
        return secret, _record(doc)

    async def find(self, token: str) -> ApiToken | None:
        doc = await self.collection.find_one({"_id": digest(token)})
        return _record(doc) if doc else None

    async def by_id(self, token_id: str) -> ApiToken | None:
        doc = await self.collection.find_one(_by_public_id(token_id))
        return _record(doc) if doc else None

    async def by_name(self, name: str) -> ApiToken | None:
        doc = await self.collection.find_one({"name": name})
        return _record(doc) if doc else None

    async def all(self) -> list[ApiToken]:
        return [_record(doc) async for doc in self.collection.find().sort("createdAt", 1)]

    async def by_digests(self, digests: Iterable[str]) -> dict[str, ApiToken]:
        """The tokens of these digests that exist, by digest."""
        wanted = list(digests)
        found: dict[str, ApiToken] = {}
        for start in range(0, len(wanted), STATES_BATCH):
            query = {"_id": {"$in": wanted[start : start + STATES_BATCH]}}
            async for doc in self.collection.find(query):
                found[doc["_id"]] = _record(doc)
        return found

    async def active_admins(self, now: datetime) -> int:
        query = {
            "role": Role.ADMIN.value,
            "revokedAt": None,
            "$or": [{"expiresAt": None}, {"expiresAt": {"$gt": now}}],
        }
        return await self.collection.count_documents(query)

    async def revoke(self, token_id: str, actor: str, now: datetime) -> bool:
        """Revoke a token not revoked yet; False when there is none such."""
        query = _by_public_id(token_id) | {"revokedAt": None}
        update = {"$set": {"revokedAt": now, "revokedBy": actor}}
        return (await self.collection.update_one(query, update)).modified_count == 1

    async def unrevoke(self, token_id: str, revoked_at: datetime) -> None:
        """Take back the revocation made at `revoked_at` (and no other)."""
        query = _by_public_id(token_id) | {"revokedAt": revoked_at}
        await self.collection.update_one(query, {"$set": {"revokedAt": None, "revokedBy": None}})

    async def set_expiry(self, token_id: str, expires_at: datetime | None) -> None:
        await self.collection.update_one(
            _by_public_id(token_id), {"$set": {"expiresAt": expires_at}}
        )

    async def touch(self, token: str, now: datetime) -> None:
        """Record a use: written at most once every TOUCH_EVERY seconds per token by this
        process, never moved back (`$max`) by another process's older write."""
        key = digest(token)
        clock = time.monotonic()
        last = self.touched.pop(key, None)
        if last is not None and clock - last < TOUCH_EVERY:
            self.touched[key] = last
            return
        self.touched[key] = clock
        if len(self.touched) > MAX_TOUCHED:
            del self.touched[next(iter(self.touched))]
        await self.collection.update_one({"_id": key}, {"$max": {"lastUsedAt": now}})


def _record(doc: Document) -> ApiToken:
    return ApiToken(
        id=doc["_id"][:PUBLIC_ID_LENGTH],
        name=doc["name"],
        role=Role(doc["role"]),
        created_at=doc["createdAt"],
        created_by=doc.get("createdBy"),
        last_used_at=doc.get("lastUsedAt"),
        expires_at=doc.get("expiresAt"),
        revoked_at=doc.get("revokedAt"),
        revoked_by=doc.get("revokedBy"),
    )
