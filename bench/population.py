"""A large synthetic contact base written straight into a collection (fast to build)."""

import random

from bson import ObjectId

from api.db.client import Store

BATCH = 5000
COUNTRIES = ["Spain", "France", "India", "Brazil", "Japan", "Kenya", "Canada", ""]
LISTS = ["newsletter", "webinar", "vip", "trial", "events"]


async def add_contacts(store: Store, count: int, collection: str = "contacts") -> None:
    rng = random.Random(1)
    target = store.db[collection]
    for start in range(0, count, BATCH):
        await target.insert_many(
            [
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
        )
