"""Many documents at a time: by key in chunks (large `$in` lists are slow on some servers), and
from one cursor in batches (never all of them in memory)."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from motor.motor_asyncio import AsyncIOMotorCollection, AsyncIOMotorCursor

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


async def update_in(
    collection: AsyncIOMotorCollection[Document],
    field: str,
    values: Sequence[Any],
    update: Document,
    extra: Document | None = None,
) -> None:
    """Apply `update` to the documents whose `field` is one of `values` (and that match `extra`)."""
    unique = list(dict.fromkeys(values))
    await asyncio.gather(
        *(
            collection.update_many({field: {"$in": unique[i : i + CHUNK]}, **(extra or {})}, update)
            for i in range(0, len(unique), CHUNK)
        )
    )


async def in_batches(
    cursor: AsyncIOMotorCursor[Document], size: int
) -> AsyncIterator[list[Document]]:
    """The cursor's documents in lists of `size` (the last one shorter)."""
    batch: list[Document] = []
    async for doc in cursor.batch_size(size):
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
