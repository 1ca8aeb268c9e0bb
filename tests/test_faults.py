"""Safe under retries and faults: a crash between the contact update and the ledger copy loses
nothing and scores nothing twice. The fault is injected into the real store, not mocked."""

import asyncio

import pytest

from api.db.contacts import ContactDetails
from api.db.ledger import LedgerRepo
from api.scoring.activities import ActivityType
from api.services.activities import ActivityInput, record_activities


class Crash(RuntimeError):
    pass


async def test_crash_after_commit_then_retry_scores_once(store, monkeypatch):
    await store.contacts.upsert("z@x.io", ContactDetails())
    click = ActivityInput("z@x.io", ActivityType.CLICK, "c1", idempotency_key="k1")
    real_insert = LedgerRepo.insert_missing

    async def crash_once(self, docs):
        if not docs:
            return
        monkeypatch.setattr(LedgerRepo, "insert_missing", real_insert)
        raise Crash("process died before copying the entries to the ledger")

    monkeypatch.setattr(LedgerRepo, "insert_missing", crash_once)
    with pytest.raises(Crash):
        await record_activities(store, [click])
    assert await store.ledger.collection.count_documents({}) == 0

    # The client retries: the journal shows the activity was scored; the entry is copied once.
    [retry] = await record_activities(store, [click])
    assert retry.duplicate and retry.entry.points == 10
    contact = await store.contacts.by_email("z@x.io")
    assert contact.score == 10
    assert await store.ledger.collection.count_documents({}) == 1


async def test_crash_is_repaired_by_the_next_writer(store, monkeypatch):
    await store.contacts.upsert("y@x.io", ContactDetails())
    real_insert = LedgerRepo.insert_missing

    async def crash_once(self, docs):
        if not docs:
            return
        monkeypatch.setattr(LedgerRepo, "insert_missing", real_insert)
        raise Crash("died")

    monkeypatch.setattr(LedgerRepo, "insert_missing", crash_once)
    with pytest.raises(Crash):
        await record_activities(store, [ActivityInput("y@x.io", ActivityType.OPEN, "a")])
    await record_activities(store, [ActivityInput("y@x.io", ActivityType.OPEN, "b")])
    contact = await store.contacts.by_email("y@x.io")
    entries, _ = await store.ledger.page(contact.id, 10, None)
    assert [e.total_after for e in entries] == [20, 10]
    assert contact.score == sum(e.points for e in entries) == 20


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
