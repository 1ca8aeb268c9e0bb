"""Attacks on resets and view reports kept on write: a view-count build racing a reset's walk and
every kind of writer (activities, manual scores, edits that move contacts between lists,
countries and custom fields, expiry), then every invariant checked against a recount."""

import asyncio
import contextlib
import random
from datetime import UTC, datetime, timedelta

import pytest
from pymongo.errors import AutoReconnect

from api.db.client import Store
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.domain.ledger import reset_key
from api.domain.rules import FieldCondition, FieldOperator
from api.domain.sheet import SheetEntry
from api.domain.views import ScoreCondition, ScoreConditionKind, ScoreView, ScoringPeriod
from api.jobs import heartbeat
from api.jobs.tasks import Tasks
from api.services import view_counts as view_counts_service
from api.services.activities import ActivityInput, record_activities
from api.services.contacts import set_score, upsert_contact
from api.services.expiry import expire_due
from api.services.reset_job import resume_abandoned_resets, run_reset, start_reset
from api.services.sheet import update_sheet
from api.services.view_counts import maintain
from api.services.views import create_view, select
from tests.raw_contacts import recount as score_recount
from tests.test_resets import RESET, wait_done
from tests.test_view_counts import VIEW, assert_exact, recount


@pytest.fixture(autouse=True)
def prompt_builds(monkeypatch):
    """Builds finish without outliving older transactions: no writer here stalls one (the test
    of a stalled writer sets its own wait)."""
    monkeypatch.setattr(view_counts_service, "TRANSACTION_LIFETIME", 0.0)


PLANS = ["pro", "free", "PRO", None]


def attack_views() -> list[ScoreView]:
    return [
        ScoreView("", "all", ScoreCondition(ScoreConditionKind.AT_LEAST, -1000), ScoringPeriod()),
        ScoreView(
            "",
            "pro plans",
            ScoreCondition(ScoreConditionKind.AT_LEAST, 1),
            ScoringPeriod(),
            criteria=(FieldCondition("fields.plan", FieldOperator.EQUALS, "pro"),),
        ),
        ScoreView(
            "",
            "low vip",
            ScoreCondition(ScoreConditionKind.AT_MOST, max=0),
            ScoringPeriod(),
            mailing_lists=("vip",),
        ),
    ]


def details(rng: random.Random) -> ContactDetails:
    plan = rng.choice(PLANS)
    return ContactDetails(
        country=rng.choice(["Spain", "Kenya", "India"]),
        mailing_lists=rng.sample(["vip", "news", "a.b"], rng.randint(0, 2)),
        fields={"plan": plan} if plan else None,
    )


async def assert_scores_are_their_timelines(store: Store) -> None:
    """Every contact's score is the sum of its timeline since its last RESET, and the
    histogram equals a recount."""
    earned: dict[str, int] = {}
    async for entry in store.ledger.collection.find({}).sort([("contactId", 1), ("seq", 1)]):
        cid = entry["contactId"]
        if entry.get("kind") == "RESET":
            earned[cid] = 0
        else:
            earned[cid] = earned.get(cid, 0) + entry["points"]
    async for doc in store.contacts.collection.find({}):
        assert doc["score"] == earned.get(doc["_id"], 0), doc["_id"]
    assert (await store.histogram.read()).counts == await score_recount(store)


async def test_a_build_racing_a_reset_and_every_writer_stays_exact(store):
    rng = random.Random(11)
    emails = [f"w{i}@x.io" for i in range(50)]
    for email in emails[:40]:
        await upsert_contact(store, email, details(rng))
    await update_sheet(store, {}, None, None, "ann", {SheetEntry.UNIQUE_CLICK: 1})
    made = [await create_view(store, view, "ann") for view in attack_views()]
    await record_activities(
        store, [ActivityInput(e, ActivityType.REFER_FRIEND) for e in emails[:40:2]]
    )
    stop = asyncio.Event()

    async def activities(worker: int) -> None:
        wrng = random.Random(worker)
        for round_ in range(5):
            picked = wrng.sample(emails[:40], 10)
            kinds = [ActivityType.CLICK, ActivityType.OPEN, ActivityType.REFER_FRIEND]
            await record_activities(
                store, [ActivityInput(e, wrng.choice(kinds), f"c{worker}-{round_}") for e in picked]
            )

    async def by_hand() -> None:
        for i, email in enumerate(emails[:12]):
            contact = await store.contacts.by_email(email)
            assert contact is not None
            await set_score(store, contact.id, i - 4, "by hand", "ann")

    async def edits() -> None:
        erng = random.Random(5)
        for email in erng.sample(emails, 30):
            await upsert_contact(store, email, details(erng))

    async def maintaining() -> None:
        while not stop.is_set():
            await maintain(store, walk=4)
            await asyncio.sleep(0.005)

    maintainer = asyncio.create_task(maintaining())
    await asyncio.sleep(0.02)  # a build under way
    record = await store.resets.start("ann", "attack", True, 40)
    assert record is not None
    await store.histogram.start_generation(record.id)
    await asyncio.gather(run_reset(store, record), activities(1), activities(2), by_hand(), edits())
    # During and after the walk, a report counted on read equals a recount.
    for view in made:
        current = await store.views.get(view.id)
        assert current is not None
        assert await (await select(store, current)).report() == await recount(store, current)
    await asyncio.gather(activities(3), by_hand(), edits())
    assert await expire_due(store, datetime.now(UTC) + timedelta(days=2)) >= 0
    stop.set()
    await maintainer
    await maintain(store, walk=4)
    await assert_exact(store, made)
    await assert_scores_are_their_timelines(store)
    resets = await store.ledger.collection.count_documents({"idempotencyKey": reset_key(record.id)})
    assert resets <= 40


async def test_the_reset_watcher_outlives_a_database_outage(store, monkeypatch):
    """kill -9 of the database: the walk's task fails, and the watcher that would resume it meets
    the outage too. It must keep watching, or the reset stays RUNNING (scoring paused, every
    later reset refused) until the API restarts."""
    monkeypatch.setattr(heartbeat, "WATCH_EVERY", 0.01)
    for i in range(3):
        await store.contacts.upsert(f"o{i}@x.io", ContactDetails())
    await record_activities(store, [ActivityInput("o0@x.io", ActivityType.REFER_FRIEND)])
    record = await store.resets.start("ann", "outage", True, 3)
    assert record is not None
    await store.resets.collection.update_one(
        {"_id": record.id}, {"$set": {"heartbeat": datetime.now(UTC) - timedelta(minutes=5)}}
    )
    real, calls = store.resets.claim_abandoned, []

    async def outage(silent_for: timedelta):
        calls.append(1)
        if len(calls) == 1:
            raise AutoReconnect("connection refused (the database was killed)")
        return await real(silent_for)

    monkeypatch.setattr(store.resets, "claim_abandoned", outage)
    watcher = asyncio.create_task(resume_abandoned_resets(store))
    try:
        for _ in range(500):
            job = await store.resets.get(record.id)
            if (job is not None and job.status == "DONE") or watcher.done():
                break
            await asyncio.sleep(0.01)
        assert not watcher.done(), "the watcher died with the database"
        job = await store.resets.get(record.id)
        assert job is not None and job.status == "DONE"
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError, AutoReconnect):
            await watcher


async def test_a_reset_started_as_another_ends_stays_paused(store, monkeypatch):
    """The first reset enables scoring when done; a second one started right after the first
    is marked done must not find scoring enabled again under it."""
    await store.contacts.upsert("p@x.io", ContactDetails())
    first = await store.resets.start("ann", "first", True, 1)
    assert first is not None
    tasks = Tasks()
    real, second = store.resets.finish, []

    async def finish_then_second_starts(job, only_if=None):
        done = await real(job, only_if)
        if job.id == first.id:
            second.append(await start_reset(store, tasks, "second", True, False, "bob"))
        return done

    monkeypatch.setattr(store.resets, "finish", finish_then_second_starts)
    await run_reset(store, first)
    assert second, "the second reset was refused"
    while tasks.tasks:
        await asyncio.gather(*tasks.tasks)
    job = await store.resets.get(second[0].id)
    assert job is not None and job.status == "DONE"
    # The second reset asked to leave scoring paused.
    assert (await store.sheet.score_sheet()).enabled is False


async def test_a_reset_whose_process_died_before_pausing_scoring_is_resumed_paused(store):
    """kill -9 right after the reset's job was stored, before scoring was paused: the process
    that resumes it pauses scoring for the walk, and leaves it paused when asked to."""
    await store.contacts.upsert("k@x.io", ContactDetails())
    assert (await store.sheet.score_sheet()).enabled
    job = await store.resets.start("ann", "died early", False, 1)
    assert job is not None
    seen: list[bool] = []
    real = store.resets.beat

    async def beat_and_look(job, *args, **kwargs):
        seen.append((await store.sheet.score_sheet()).enabled)
        return await real(job, *args, **kwargs)

    store.resets.beat = beat_and_look  # type: ignore[method-assign]
    await run_reset(store, job)
    assert seen and not any(seen), "scoring ran during the walk"
    assert (await store.sheet.score_sheet()).enabled is False


async def test_a_points_edit_racing_a_reset_keeps_both(store):
    """An admin's edit of points whose request read the sheet before a reset and writes after
    the reset paused scoring: each changes only its own fields, so the edit does not turn
    scoring back on (nor the reset undo the edit)."""
    await store.contacts.upsert("e@x.io", ContactDetails())
    real, jobs = store.sheet.score_sheet, []

    async def read_then_a_whole_reset():
        sheet = await real()
        store.sheet.score_sheet = real  # type: ignore[method-assign]
        tasks = Tasks()
        jobs.append(await start_reset(store, tasks, "racing an edit", True, False, "bob"))
        await asyncio.gather(*tasks.tasks)
        return sheet

    store.sheet.score_sheet = read_then_a_whole_reset  # type: ignore[method-assign]
    await update_sheet(store, {SheetEntry.REFER_FRIEND: 44}, None, None, "ann")
    [job] = jobs
    assert (await store.resets.get(job.id)).status == "DONE"
    sheet = await store.sheet.score_sheet()
    assert sheet.points[SheetEntry.REFER_FRIEND] == 44
    assert sheet.enabled is False  # the reset asked to leave scoring paused


async def test_two_resets_at_once_and_a_report_during_the_walk_over_graphql(api, store):
    rng = random.Random(3)
    for i in range(30):
        await upsert_contact(store, f"g{i}@x.io", details(rng))
    await record_activities(
        store, [ActivityInput(f"g{i}@x.io", ActivityType.REFER_FRIEND) for i in range(30)]
    )
    view = await create_view(store, attack_views()[1], "ann")
    for _ in range(100):  # the app's own task builds it
        if await store.view_counts.read(view) is not None:
            break
        await asyncio.sleep(0.05)
    before = await api.data(VIEW, {"id": view.id})
    assert before["scoreView"]["report"]["total"] > 0
    answers = await asyncio.gather(
        *(api.call(RESET, {"input": {"reason": f"r{n}", "agree": True}}) for n in range(2))
    )
    assert all("errors" not in answer for answer in answers), answers
    payloads = [answer["data"]["scoresReset"] for answer in answers]
    started = [p["reset"]["id"] for p in payloads if p["reset"]]
    refused = [p["errors"][0]["code"] for p in payloads if p["errors"]]
    assert len(started) == 1 and refused == ["CONFLICT"]
    # Every score reads 0 at once: the view (scores of at least 1) is empty, walk or not.
    during = await api.data(VIEW, {"id": view.id})
    assert during["scoreView"]["report"]["total"] == 0
    assert during["scoreView"]["contacts"]["totalCount"] == 0
    await wait_done(api, started[0])
    after = await api.data(VIEW, {"id": view.id})
    assert after["scoreView"]["report"]["total"] == 0


async def test_a_contact_created_across_a_whole_build_is_counted(store, monkeypatch):
    rng = random.Random(8)
    for i in range(5):
        await store.contacts.upsert(f"s{i}@x.io", details(rng))
    made = await create_view(store, attack_views()[0], "ann")
    inside, go_on = asyncio.Event(), asyncio.Event()
    real = store.contacts.search.reindex

    async def stalled(*args, **kwargs):  # a writer stalled mid-transaction (a GC pause)
        inside.set()
        await go_on.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(store.contacts.search, "reindex", stalled)
    creating = asyncio.create_task(store.contacts.upsert("late@x.io", details(rng)))
    await inside.wait()
    monkeypatch.setattr(store.contacts.search, "reindex", real)
    # Transactions live at most a second here: the build's last check waits that long after its
    # start, and the stalled create commits meanwhile, unmarked and uncounted.
    monkeypatch.setattr(view_counts_service, "TRANSACTION_LIFETIME", 1.0)

    async def commit_soon() -> None:
        await asyncio.sleep(0.3)
        go_on.set()
        await creating

    await asyncio.gather(maintain(store), commit_soon())
    await maintain(store)
    await assert_exact(store, [made])
