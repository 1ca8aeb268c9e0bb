"""Safe under retries and faults: faults are injected into the real store (not mocked), and every
activity is still scored exactly once."""

import asyncio

import pytest

from api.db.contacts import ContactsRepo
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.services import activities
from api.services.activities import ActivityInput, record_activities


class Crash(RuntimeError):
    pass


def crash_once(monkeypatch, owner, name):
    real = getattr(owner, name)

    def broken(*args, **kwargs):
        monkeypatch.setattr(owner, name, real)
        raise Crash(f"died in {name}")

    monkeypatch.setattr(owner, name, broken)


async def test_crash_inside_the_commit_leaves_nothing_behind(store, monkeypatch):
    await store.contacts.upsert("z@x.io", ContactDetails())
    click = ActivityInput("z@x.io", ActivityType.CLICK, "c1", idempotency_key="k1")
    crash_once(
        monkeypatch, ContactsRepo, "store_states"
    )  # after the ledger insert, before the contact
    with pytest.raises(Crash):
        await record_activities(store, [click])
    assert await store.ledger.collection.count_documents({}) == 0
    assert (await store.contacts.by_email("z@x.io")).score == 0

    [retry] = await record_activities(store, [click])
    assert not retry.duplicate and retry.entry.points == 10
    assert (await store.contacts.by_email("z@x.io")).score == 10
    assert await store.ledger.collection.count_documents({}) == 1


async def test_lost_response_then_retry_is_answered_not_rescored(store, monkeypatch):
    await store.contacts.upsert("y@x.io", ContactDetails())
    click = ActivityInput("y@x.io", ActivityType.CLICK, "c1", idempotency_key="k2")
    real_commit = activities.commit

    async def commit_then_die(*args, **kwargs):
        await real_commit(*args, **kwargs)
        raise Crash("committed, but the caller never heard back")

    monkeypatch.setattr(activities, "commit", commit_then_die)
    with pytest.raises(Crash):
        await record_activities(store, [click])
    monkeypatch.setattr(activities, "commit", real_commit)
    [retry] = await record_activities(store, [click])
    assert retry.duplicate and retry.entry.points == 10
    contact = await store.contacts.by_email("y@x.io")
    entries, _ = await store.ledger.page(contact.id, 10, None)
    assert contact.score == sum(e.points for e in entries) == 10 and len(entries) == 1


async def test_another_process_writing_makes_the_cache_stale_not_wrong(store, mongo_uri):
    from api.db.client import Store

    await store.contacts.upsert("x@x.io", ContactDetails())
    other = Store(mongo_uri, store.db.name)  # a second API process: its own caches
    try:
        for process in [store, other, store, other, store]:
            await record_activities(process, [ActivityInput("x@x.io", ActivityType.CLICK, "c")])
    finally:
        other.close()
    contact = await store.contacts.by_email("x@x.io")
    entries, _ = await store.ledger.page(contact.id, 10, None)
    assert [e.total_after for e in reversed(entries)] == [10, 10, 40, 40, 40]
    assert contact.score == 40


async def test_many_concurrent_batches_on_shared_contacts(store):
    emails = [f"w{i}@x.io" for i in range(5)]
    for email in emails:
        await store.contacts.upsert(email, ContactDetails())
    batches = [
        [
            ActivityInput(email, ActivityType.CLICK, f"camp{b % 3}", idempotency_key=f"{b}-{email}")
            for email in emails
        ]
        for b in range(30)
    ]
    # Every batch twice, concurrently: retries racing their originals.
    await asyncio.gather(*(record_activities(store, batch) for batch in batches + batches))
    for email in emails:
        contact = await store.contacts.by_email(email)
        entries, _ = await store.ledger.page(contact.id, 100, None)
        assert len(entries) == 30
        assert contact.score == sum(e.points for e in entries) == 3 * 40
        assert sorted(e.seq for e in entries) == list(range(1, 31))
