"""Contacts written straight into the database (a large base quickly), a recount of their scores,
random activity writers, and the checks every finished reset must pass."""

import random
from datetime import UTC, datetime

from bson import ObjectId

from api.db.client import Store
from api.domain.activities import ActivityType
from api.domain.contacts import tie_of
from api.domain.ledger import reset_key
from api.services.activities import ActivityInput, record_activities


async def add_raw(store: Store, count: int, tied: int = 0) -> list[dict]:
    """Contacts written straight into the database, many sharing a score, some negative; `tied`
    more at 0 or 10 (groups larger than the tie buckets)."""
    rng = random.Random(7)
    docs = [
        {
            "_id": str(ObjectId()),
            "email": f"raw{i}@x.io",
            "score": rng.choice([0, 10] if i < tied else [rng.randint(-20, 300), 0, 10, 10, 150]),
            "seq": 0,
            "occ": {},
            "country": rng.choice(["Spain", "India", "Kenya", None]),
            "mailingLists": rng.sample(["a", "b", "c"], rng.randint(0, 2)),
            "fields": {},
            "createdAt": datetime.now(UTC),
            "updatedAt": datetime.now(UTC),
        }
        for i in range(count + tied)
    ]
    for doc in docs:
        doc["tie"] = tie_of(doc["_id"])
    await store.contacts.collection.insert_many(docs)
    await store.contacts.emails.insert_many(
        [{"_id": d["email"], "contactId": d["_id"]} for d in docs]
    )
    await store.histogram.rebuild()
    return docs


async def recount(store: Store) -> dict[int, int]:
    rows = await store.contacts.collection.aggregate(
        [{"$group": {"_id": "$score", "n": {"$sum": 1}}}]
    ).to_list(None)
    return {int(row["_id"]): int(row["n"]) for row in rows}


async def assert_reset_once(store: Store, reset_id: str, reset: set[str]) -> None:
    """The reset is done: every contact holds its generation, those in `reset` (and no other)
    have exactly one RESET entry of it, every score is the sum of its timeline since that entry
    (without one: of its whole timeline) and the histogram equals a recount."""
    job = await store.resets.get(reset_id)
    assert job is not None and job.status == "DONE"
    assert not (await store.histogram.generation(fresh=True)).walking
    contacts = store.contacts.collection
    assert await contacts.count_documents({"gen": {"$ne": reset_id}}) == 0
    earned: dict[str, int] = {}
    resets: dict[str, int] = {}
    async for entry in store.ledger.collection.find({}).sort([("contactId", 1), ("seq", 1)]):
        contact_id = entry["contactId"]
        if entry.get("idempotencyKey") == reset_key(reset_id):
            resets[contact_id] = resets.get(contact_id, 0) + 1
            earned[contact_id] = 0
        else:
            earned[contact_id] = earned.get(contact_id, 0) + entry["points"]
    assert resets == dict.fromkeys(reset, 1)
    async for doc in contacts.find({}, {"score": 1}):
        assert doc["score"] == earned.get(doc["_id"], 0), doc["_id"]
    assert (await store.histogram.read()).counts == await recount(store)


async def random_activities(
    store: Store, emails: list[str], worker: int, rounds: int, each: int
) -> None:
    """A writer of `rounds` batches of clicks, opens and referrals on `each` random contacts;
    even workers send them as one batch, odd ones one by one."""
    rng = random.Random(worker)
    kinds = [ActivityType.CLICK, ActivityType.OPEN, ActivityType.REFER_FRIEND]
    for round_ in range(rounds):
        picked = rng.sample(emails, each)
        await record_activities(
            store,
            [ActivityInput(e, rng.choice(kinds), f"c{worker}-{round_}") for e in picked],
            batch=worker % 2 == 0,
        )
