"""Small collections of named things (rules, views), read whole, names unique."""

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from motor.motor_asyncio import AsyncIOMotorCollection

Document = dict[str, Any]


class NamedRepo:
    def __init__(self, collection: AsyncIOMotorCollection[Document]) -> None:
        self.collection = collection

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("name", unique=True)

    async def _insert(self, doc: Document) -> str:
        doc = {"_id": str(ObjectId()), **doc, "createdAt": datetime.now(UTC)}
        await self.collection.insert_one(doc)
        return str(doc["_id"])

    async def _replace(self, item_id: str, doc: Document) -> bool:
        result = await self.collection.update_one(
            {"_id": item_id}, {"$set": {**doc, "updatedAt": datetime.now(UTC)}}
        )
        return result.matched_count == 1

    async def delete(self, item_id: str) -> bool:
        return (await self.collection.delete_one({"_id": item_id})).deleted_count == 1

    async def name_taken(self, name: str, except_id: str | None = None) -> bool:
        query: Document = {"name": name}
        if except_id:
            query["_id"] = {"$ne": except_id}
        return await self.collection.count_documents(query, limit=1) > 0
