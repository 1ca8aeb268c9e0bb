"""Databases written by earlier versions keep working after an upgrade."""

from datetime import UTC, datetime

from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.services.activities import ActivityInput, record_activities


async def test_contact_email_index_moves_to_the_email_directory(store):
    now = datetime.now(UTC)
    await store.contacts.collection.insert_one(
        {
            "_id": "old1",
            "email": "old@x.io",
            "score": 5,
            "seq": 0,
            "occ": {},
            "mailingLists": [],
            "fields": {},
            "createdAt": now,
            "updatedAt": now,
        }
    )
    await store.contacts.collection.create_index("email", unique=True)
    await store.ensure_indexes()
    assert "email_1" not in await store.contacts.collection.index_information()
    assert (await store.contacts.by_email("old@x.io")).id == "old1"
    record, created = await store.contacts.upsert("old@x.io", ContactDetails(country="Peru"))
    assert (record.id, created, record.country) == ("old1", False, "Peru")


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
    await store.ensure_indexes()
    assert await ledger.find_one({"_id": first.entry.id}) is not None
    store.state_cache.forget([first.contact_id])
    [again] = await record_activities(store, [click])
    assert again.duplicate and again.entry.points == 10
    assert await ledger.count_documents({}) == 1
