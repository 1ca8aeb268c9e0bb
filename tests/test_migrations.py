"""Databases written by earlier versions keep working after an upgrade."""

import asyncio
from datetime import UTC, datetime

import pytest

from api.db import migrations
from api.db.client import Store
from api.db.contact_docs import ContactQuery
from api.db.migrations import MIGRATIONS, Migration, applied, migrate
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails, tie_of
from api.services.activities import ActivityInput, record_activities
from api.services.score_counts import score_page


def old_contact(contact_id: str, email: str, score: int, now: datetime) -> dict:
    """A contact as an earlier version stored it (no search terms, no tie bucket)."""
    return {
        "_id": contact_id,
        "email": email,
        "score": score,
        "seq": 0,
        "occ": {},
        "mailingLists": [],
        "fields": {},
        "createdAt": now,
        "updatedAt": now,
    }


async def test_contact_email_index_moves_to_the_email_directory(store):
    now = datetime.now(UTC)
    await store.contacts.collection.insert_one(old_contact("old1", "old@x.io", 5, now))
    await store.contacts.collection.create_index("email", unique=True)
    await store.db["migrations"].delete_many({})  # an earlier version recorded none
    await store.ensure_indexes()
    assert "email_1" not in await store.contacts.collection.index_information()
    assert (await store.contacts.by_email("old@x.io")).id == "old1"
    record, created = await store.contacts.upsert("old@x.io", ContactDetails(country="Peru"))
    assert (record.id, created, record.country) == ("old1", False, "Peru")


async def test_contacts_from_before_the_search_index_are_found(store):
    now = datetime.now(UTC)
    await store.contacts.collection.insert_many(
        [
            old_contact(f"old{i}", f"old{i}@x.io", 0, now)
            | {"firstName": "Ada", "lastName": f"Byron{i}"}
            for i in range(3)
        ]
    )
    assert await store.contacts.search.matching("old") == set()
    await store.db["migrations"].delete_many({})
    await store.ensure_indexes()
    assert await store.contacts.search.matching("old") == {"old0", "old1", "old2"}
    assert await store.contacts.search.matching("ada byron1") == {"old1"}
    await store.db["migrations"].delete_many({})
    await store.ensure_indexes()  # again, as after a crash before its record: the same terms
    assert await store.contacts.search.collection.count_documents({"contactId": "old1"}) == 5


async def test_activity_entries_keyed_by_sequence_are_rekeyed_and_stay_idempotent(store):
    await store.contacts.upsert("k@x.io", ContactDetails())
    click = ActivityInput("k@x.io", ActivityType.CLICK, "c1", idempotency_key="once")
    [first] = await record_activities(store, [click])
    ledger = store.ledger.collection
    # Rewrite it as the earlier version stored it: _id by sequence, a partial key index.
    doc = await ledger.find_one({"_id": first.entry.id})
    await ledger.delete_one({"_id": doc["_id"]})
    await ledger.insert_one({**doc, "_id": f"{first.contact_id}:0000000001"})
    await ledger.drop_index("contactId_1_seq_1")
    await ledger.create_index(
        [("contactId", 1), ("idempotencyKey", 1)],
        unique=True,
        partialFilterExpression={"idempotencyKey": {"$type": "string"}},
    )
    await store.db["migrations"].delete_many({})
    await store.ensure_indexes()
    assert await ledger.find_one({"_id": first.entry.id}) is not None
    store.state_cache.forget([first.contact_id])
    [again] = await record_activities(store, [click])
    assert again.duplicate and again.entry.points == 10
    assert await ledger.count_documents({}) == 1


async def test_contacts_from_before_tie_buckets_get_theirs_and_pages_see_them(store):
    now = datetime.now(UTC)
    contacts = store.contacts.collection
    await contacts.insert_many(
        [old_contact(f"old{i}", f"old{i}@x.io", i % 2, now) for i in range(30)]
    )
    await contacts.create_index([("score", -1), ("_id", -1)])
    await store.histogram.rebuild()
    await store.db["migrations"].delete_many({})
    await store.ensure_indexes()
    async for doc in contacts.find({}):
        assert doc["tie"] == tie_of(doc["_id"])
    assert "score_-1__id_-1" not in await contacts.index_information()
    page, more = await score_page(store, ContactQuery(), 50, True, None)
    expected = sorted(((i % 2, tie_of(f"old{i}"), f"old{i}") for i in range(30)), reverse=True)
    assert ([c.id for c in page], more) == ([cid for _, _, cid in expected], False)


async def test_migrations_run_once_and_are_recorded(store):
    records = await applied(store.db)
    assert [(r["_id"], r["name"]) for r in records] == [(m.number, m.name) for m in MIGRATIONS]
    assert all(r["appliedAt"] is not None for r in records)
    assert await migrate(store.db) == []
    await store.ensure_indexes()
    assert await applied(store.db) == records


async def test_two_processes_starting_at_once_run_a_migration_once(store, mongo_uri):
    await store.db["migrations"].delete_many({})
    runs = []

    async def slow(db):
        runs.append(db.name)
        await asyncio.sleep(0.3)

    steps = (Migration(1, "slow", slow),)
    other = Store(mongo_uri, store.db.name)
    try:
        first, second = await asyncio.gather(migrate(store.db, steps), migrate(other.db, steps))
    finally:
        other.close()
    assert sorted([first, second]) == [[], [1]] and len(runs) == 1


async def test_a_claim_left_by_a_crashed_process_lapses(store, monkeypatch):
    await store.db["migrations"].delete_many({})
    runs = []

    async def crash(db):
        raise RuntimeError("crashed between the work and its record")

    async def work(db):
        runs.append(1)

    monkeypatch.setattr(migrations, "CLAIM_SECONDS", 0)
    with pytest.raises(RuntimeError):
        await migrate(store.db, (Migration(1, "m", crash),))
    assert await migrate(store.db, (Migration(1, "m", work),)) == [1] and runs == [1]


async def test_a_migration_longer_than_its_claim_keeps_it(mongo_uri, store, monkeypatch):
    await store.db["migrations"].delete_many({})
    monkeypatch.setattr(migrations, "CLAIM_SECONDS", 0.3)
    runs = []

    async def slow(db):
        runs.append(1)
        await asyncio.sleep(1.0)

    steps = (Migration(1, "slow", slow),)
    other = Store(mongo_uri, store.db.name)
    try:
        first = asyncio.create_task(migrate(store.db, steps))
        await asyncio.sleep(0.2)
        second = await migrate(other.db, steps)
        assert (await first, second) == ([1], [])
    finally:
        other.close()
    assert runs == [1]
