"""Reading many documents by key: in chunks, because large `$in` lists are slow on some servers."""

import asyncio
from collections.abc import Sequence
from typing import Any

from motor.motor_asyncio import AsyncIOMotorCollection

Document = dict[str, Any]
CHUNK = 50


async def find_in(
    collection: AsyncIOMotorCollection[Document],
    field: str,
    values: Sequence[Any],
    projection: Document | None = None,
    extra: Document | None = None,
) -> list[Document]:
    """Documents whose `field` is one of `values` (and that match `extra`), any order."""
    unique = list(dict.fromkeys(values))
    chunks = [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]
    results = await asyncio.gather(
        *(
            collection.find({field: {"$in": chunk}, **(extra or {})}, projection).to_list(None)
            for chunk in chunks
        )
    )
    return [doc for docs in results for doc in docs]
