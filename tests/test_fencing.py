"""Fenced jobs and leases: a walker that stalled and lost its job to another process cannot write
as its owner when it wakes; a periodic round whose lease was taken over stops."""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from api.db.client import Store
from api.db.jobs import JobLost
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.domain.ledger import EntryKind
from api.jobs import heartbeat
from api.scheduler import run_periodically
from api.services import reset_job
from api.services.activities import ActivityInput, record_activities
from api.services.rescore_job import run_rescore
from api.services.reset_job import run_reset

SILENT = {"$set": {"heartbeat": datetime.now(UTC) - timedelta(minutes=5)}}


@pytest.fixture
async def other(store: Store, mongo_uri: str):
    """Another API process's store on the same database."""
    second = Store(mongo_uri, store.db.name)
    yield second
    second.close()


async def refer(store: Store, emails: list[str]) -> None:
    await record_activities(store, [ActivityInput(e, ActivityType.REFER_FRIEND) for e in emails])


async def test_a_stalled_reset_walker_cannot_write_after_another_took_its_job(
    store, other, monkeypatch
):
    monkeypatch.setattr(reset_job, "CHUNK", 3)
    monkeypatch.setattr(heartbeat, "BEAT_EVERY", 3600.0)  # the stalled process beats no more
    emails = [f"s{i}@x.io" for i in range(7)]
    for email in emails:
        await store.contacts.upsert(email, ContactDetails())
    await refer(store, emails)

    stalled, wake = asyncio.Event(), asyncio.Event()
    real_insert = store.ledger.insert_unless_taken
    calls = 0

    async def stalling_insert(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 2:  # after the first chunk: the process stalls just before its writes
            stalled.set()
            await wake.wait()
        return await real_insert(*args, **kwargs)

    monkeypatch.setattr(store.ledger, "insert_unless_taken", stalling_insert)
    job = await store.resets.start("ann", "quarter", True, 7)  # scoring resumes after it
    walker = asyncio.create_task(run_reset(store, job))
    await asyncio.wait_for(stalled.wait(), 10)

    # Its heartbeat went silent: another process claims the reset and finishes it.
    await store.resets.collection.update_one({"_id": job.id}, SILENT)
    claimed = await other.resets.claim_abandoned(timedelta(seconds=30))
    assert claimed is not None and claimed.id == job.id and claimed.owner != job.owner
    await run_reset(other, claimed)
    # Points earned after the reset: the stalled walker must not take them.
    await refer(other, emails)

    wake.set()
    await asyncio.wait_for(walker, 10)  # stopped quietly: JobLost is no error
    finished = await store.resets.get(job.id)
    assert finished is not None
    assert (finished.status, finished.done, finished.total, finished.affected) == ("DONE", 7, 7, 7)
    for email in emails:
        found = await store.contacts.by_email(email)
        assert found is not None and found.score == 30
        timeline = (await store.ledger.sequences({found.id: 1}))[found.id]
        assert [e.kind for e in timeline].count(EntryKind.RESET) == 1
        assert sum(e.points for e in timeline) == found.score


async def test_a_lost_job_refuses_every_write_of_its_old_owner(store, other):
    job = await store.rescores.start("ann", "r", 3)
    await store.rescores.collection.update_one({"_id": job.id}, SILENT)
    claimed = await other.rescores.claim_abandoned(timedelta(seconds=30))
    assert claimed is not None
    for write in (
        store.rescores.beat(job),
        store.rescores.advance(job, "zzz", 3, 3),
        store.rescores.finish(job),
    ):
        with pytest.raises(JobLost):
            await write
    await other.rescores.advance(claimed, "c1", 1, 0)
    assert await other.rescores.finish(claimed)
    done = await store.rescores.get(job.id)
    assert done is not None and (done.status, done.done, done.affected) == ("DONE", 1, 0)
    with pytest.raises(JobLost):  # finished by its owner: the old one cannot finish it again
        await store.rescores.finish(job)


async def test_the_heartbeat_stops_a_walker_whose_job_was_taken(store, other, monkeypatch):
    monkeypatch.setattr(heartbeat, "BEAT_EVERY", 0.05)
    cancelled = asyncio.Event()

    async def slow_chunk() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    job = await store.rescores.start("ann", "r", 3)
    walker = asyncio.create_task(heartbeat.with_heartbeat(store.rescores, job, slow_chunk()))
    await asyncio.sleep(0.2)
    assert not walker.done()  # beating: its job is its own
    claimed = await other.rescores.claim_abandoned(timedelta(0))
    assert claimed is not None
    await asyncio.wait_for(walker, 5)  # its next beat is refused: the work is cancelled, quietly
    assert cancelled.is_set()
    # The rescore itself is finished by its new owner.
    await run_rescore(other, claimed)
    assert (await store.rescores.get(job.id)).status == "DONE"


async def test_a_round_whose_lease_was_taken_over_is_stopped(store, other):
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def long_round() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    ttl = timedelta(seconds=0.6)
    runner = asyncio.create_task(
        run_periodically(store.leases, "fenced", long_round, every=3600, ttl=ttl, holder="a")
    )
    try:
        await asyncio.wait_for(started.wait(), 5)
        # "a" stalls past its lease (simulated: the lease runs out now) and "b" takes it.
        await store.leases.collection.update_one(
            {"_id": "fenced"}, {"$set": {"until": datetime.now(UTC) - timedelta(seconds=1)}}
        )
        assert await other.leases.acquire("fenced", "b", timedelta(minutes=5))
        await asyncio.wait_for(cancelled.wait(), 5)
        assert (await store.leases.get("fenced")).holder == "b"
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    assert (await store.leases.get("fenced")).holder == "b"  # "a" released nothing of b's
