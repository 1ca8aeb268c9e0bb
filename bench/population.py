"""Scratch databases, and a large synthetic contact base written straight into one."""

import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bson import ObjectId

from api.db.client import Store
from api.domain.contacts import tie_of

BATCH = 5000
COUNTRIES = ["Spain", "France", "India", "Brazil", "Japan", "Kenya", "Canada", ""]
LISTS = ["newsletter", "webinar", "vip", "trial", "events"]


@asynccontextmanager
async def scratch_store(uri: str, name: str) -> AsyncIterator[Store]:
    """A store on a database of its own, with our indexes, dropped afterwards."""
    store = Store(uri, f"bench_{name}_{uuid.uuid4().hex[:8]}")
    try:
        await store.ensure_indexes()
        yield store
    finally:
        await store.client.drop_database(store.db.name)
        store.close()


async def add_contacts(store: Store, count: int, collection: str = "contacts") -> None:
    rng = random.Random(1)
    target = store.db[collection]
    for start in range(0, count, BATCH):
        docs = [
            {
                "_id": str(ObjectId()),
                "email": f"r{collection}{i}@example.com",
                "score": rng.randint(0, 300),
                "seq": 0,
                "occ": {"open_x": 1},
                "country": rng.choice(COUNTRIES) or None,
                "mailingLists": rng.sample(LISTS, rng.randint(0, 2)),
                "fields": {},
                "createdAt": 0,
                "updatedAt": 0,
            }
            for i in range(start, min(count, start + BATCH))
        ]
        for doc in docs:
            doc["tie"] = tie_of(doc["_id"])
        await target.insert_many(docs)
