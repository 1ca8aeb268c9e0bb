"""Entries that change neither score nor rule points are written to the ledger only; a process
that reads the contact afresh replays them, so counting carries on exactly."""

from api.db.client import Store
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.services.activities import ActivityInput, record_activities
from api.services.sheet import update_sheet
from api.writes.commit import MAX_LEDGER_ONLY


async def stored_seq(store: Store, email: str) -> int:
    contact = await store.contacts.by_email(email)
    doc = await store.contacts.collection.find_one({"_id": contact.id})
    return int(doc["seq"])


async def test_a_fresh_process_counts_on_from_ledger_only_entries(store, mongo_uri):
    await store.contacts.upsert("l@x.io", ContactDetails())
    click = ActivityInput("l@x.io", ActivityType.CLICK, "c1")
    [first] = await record_activities(store, [click])
    [second] = await record_activities(store, [click])
    assert (first.entry.points, second.entry.points) == (10, 0)
    assert await stored_seq(store, "l@x.io") == 1  # the 0-point click lives in the ledger only

    other = Store(mongo_uri, store.db.name)  # another process: nothing cached
    try:
        [third] = await record_activities(other, [click])
    finally:
        other.close()
    assert (third.entry.points, third.entry.total_after) == (30, 40)
    assert (await store.contacts.by_email("l@x.io")).score == 40
    assert await stored_seq(store, "l@x.io") == 3


async def test_activities_while_paused_are_counted_without_touching_the_contact(store, mongo_uri):
    await store.contacts.upsert("p@x.io", ContactDetails())
    await update_sheet(store, {}, False, None, "test")
    opens = [ActivityInput("p@x.io", ActivityType.OPEN, "c9") for _ in range(2)]
    assert [r.entry.points for r in await record_activities(store, opens)] == [0, 0]
    assert await stored_seq(store, "p@x.io") == 0

    await update_sheet(store, {}, True, None, "test")
    other = Store(mongo_uri, store.db.name)
    try:
        [third] = await record_activities(other, opens[:1])
    finally:
        other.close()
    assert third.entry.points == 20  # the third open of c9: the multiple-open points


async def test_the_contact_catches_up_after_a_bounded_number_of_ledger_only_entries(store):
    await store.contacts.upsert("m@x.io", ContactDetails())
    opens = [ActivityInput("m@x.io", ActivityType.OPEN, "c1") for _ in range(MAX_LEDGER_ONLY + 5)]
    results = await record_activities(store, opens[:3])
    assert [r.entry.points for r in results] == [10, 0, 20]
    for item in opens[3:]:
        await record_activities(store, [item])
    assert 3 < await stored_seq(store, "m@x.io") <= 3 + MAX_LEDGER_ONLY + 1
    assert (await store.contacts.by_email("m@x.io")).score == 30
