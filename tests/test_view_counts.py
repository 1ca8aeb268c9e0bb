"""Views' reports kept on write: exact against a recount from the contacts after concurrent
activity writers, contact edits that move contacts in and out, builds racing writes, a view edited
while writes arrive, expiry and a reset; views stored before the counts are built from scratch."""

import asyncio
import random
from collections.abc import Awaitable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from api.db.client import Store
from api.db.views import view_to_doc
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.domain.rules import FieldCondition, FieldOperator
from api.domain.sheet import SheetEntry
from api.domain.views import (
    PeriodKind,
    ScoreCondition,
    ScoreConditionKind,
    ScoreView,
    ScoringPeriod,
    ViewReport,
)
from api.scoring.views import ReportCounter
from api.services import view_counts as view_counts_service
from api.services.activities import ActivityInput, record_activities
from api.services.expiry import expire_due
from api.services.reset_job import run_reset
from api.services.sheet import update_sheet
from api.services.view_counts import maintain
from api.services.views import create_view, delete_view, select, update_view
from tests.raw_contacts import random_activities


@pytest.fixture(autouse=True)
def prompt_builds(monkeypatch):
    """Builds finish without outliving older transactions: no writer here stalls one (the test
    of a stalled writer sets its own wait)."""
    monkeypatch.setattr(view_counts_service, "TRANSACTION_LIFETIME", 0.0)


COUNTRIES = ["Spain", "France", "Kenya", None, "x.y$z"]
LISTS = ["news", "vip", "events", "a.b"]
VIEW = """query($id: ID!) { scoreView(id: $id) {
  contacts(first: 5) { totalCount }
  report { total byMailingList { name count } byCountry { name count } } } }"""


def views() -> list[ScoreView]:
    at_least = ScoreCondition(ScoreConditionKind.AT_LEAST, 2)
    return [
        ScoreView(
            "", "everyone", ScoreCondition(ScoreConditionKind.AT_LEAST, -1000), ScoringPeriod()
        ),
        ScoreView("", "vip or news", at_least, ScoringPeriod(), mailing_lists=("vip", "news")),
        ScoreView(
            "",
            "spaniards in range",
            ScoreCondition(ScoreConditionKind.BETWEEN, 1, 4),
            ScoringPeriod(),
            criteria=(FieldCondition("country", FieldOperator.EQUALS, "spain"),),
        ),
    ]


async def recount(store: Store, view: ScoreView) -> ViewReport:
    counter = ReportCounter()
    async for record in (await select(store, view)).members():
        counter.add(record.profile())
    return counter.report()


async def assert_exact(store: Store, made: list[ScoreView]) -> None:
    for view in made:
        current = await store.views.get(view.id)
        assert current is not None
        kept = await store.view_counts.read(current)
        assert kept is not None, f"{current.name} is not counted"
        assert kept == await recount(store, current), current.name


def details(rng: random.Random) -> ContactDetails:
    return ContactDetails(
        country=rng.choice(COUNTRIES) or "",
        mailing_lists=rng.sample(LISTS, rng.randint(0, 2)),
    )


async def test_reports_stay_exact_under_writes_edits_builds_expiry_and_resets(store):
    rng = random.Random(7)
    emails = [f"v{i}@x.io" for i in range(50)]
    for email in emails[:40]:
        await store.contacts.upsert(email, details(rng))
    await update_sheet(store, {}, None, None, "ann", {SheetEntry.UNIQUE_CLICK: 1})
    made = [await create_view(store, view, "ann") for view in views()]
    # Not built yet: the report is counted on read.
    assert await store.view_counts.read(made[0]) is None
    stop = asyncio.Event()

    def activities(worker: int) -> Awaitable[None]:
        return random_activities(store, emails[:40], worker, rounds=6, each=12)

    async def edits() -> None:
        erng = random.Random(3)
        for email in erng.sample(emails, 30):  # moves between countries and lists; new contacts
            await store.contacts.upsert(email, details(erng))

    async def maintaining() -> None:
        while not stop.is_set():
            await maintain(store, walk=7)
            await asyncio.sleep(0.01)

    async def edit_view() -> None:
        await asyncio.sleep(0.05)
        edited = replace(made[1], condition=ScoreCondition(ScoreConditionKind.AT_LEAST, 1))
        await update_view(store, edited)

    maintainer = asyncio.create_task(maintaining())
    await asyncio.gather(*(activities(w) for w in range(3)), edits(), edit_view())
    await asyncio.gather(*(activities(w) for w in range(3, 5)), edits())
    stop.set()
    await maintainer
    await maintain(store, walk=7)
    await assert_exact(store, made)
    assert (await recount(store, made[1])).total > 0

    # Expiry takes the click points back: contacts leave the views on the way down.
    assert await expire_due(store, datetime.now(UTC) + timedelta(days=2)) > 0
    await assert_exact(store, made)
    record = await store.resets.start("ann", "counts", False, 50)
    assert record is not None
    await asyncio.gather(run_reset(store, record), activities(9), edits())
    # Every score read 0 at once, without a write: the counts of the generation before no longer
    # hold (reports are counted on read meanwhile) and the views are counted again.
    assert await store.view_counts.read(made[0]) is None
    for view in made:
        current = await store.views.get(view.id)
        assert current is not None
        assert await (await select(store, current)).report() == await recount(store, current)
    await maintain(store, walk=7)
    await assert_exact(store, made)
    while await store.view_counts.fold():
        pass
    assert await store.view_counts.deltas.count_documents({}) == 0
    await assert_exact(store, made)


async def test_a_build_racing_writers_counts_each_contact_once(store):
    rng = random.Random(1)
    emails = [f"b{i}@x.io" for i in range(60)]
    for email in emails:
        await store.contacts.upsert(email, details(rng))
    made = [await create_view(store, view, "ann") for view in views()]

    async def writers() -> None:
        for round_ in range(5):
            picked = rng.sample(emails, 20)
            await record_activities(
                store, [ActivityInput(e, ActivityType.REFER_FRIEND, f"r{round_}") for e in picked]
            )
            await store.contacts.upsert(f"late{round_}@x.io", details(rng))

    # Two builders at once (a stalled lease holder and its successor), small chunks.
    await asyncio.gather(maintain(store, walk=3), maintain(store, walk=5), writers())
    await maintain(store)
    await assert_exact(store, made)


async def test_views_stored_before_are_built_and_deleted_views_dropped(store):
    rng = random.Random(2)
    for i in range(30):
        await store.contacts.upsert(f"o{i}@x.io", details(rng))
    view = views()[1]
    # As an older version stored it: no counts, no build.
    await store.views.collection.insert_one({"_id": "old", **view_to_doc(view)})
    stored = await store.views.get("old")
    assert stored is not None
    assert await store.view_counts.read(stored) is None
    await maintain(store)
    assert await store.view_counts.read(stored) == await recount(store, stored)
    await delete_view(store, "old")
    assert await store.view_counts.counts.count_documents({}) == 0
    # A view over a period is never counted: it changes with time.
    period = replace(view, name="recent", period=ScoringPeriod(PeriodKind.LAST_DAYS, days=7))
    recent = await create_view(store, period, "ann")
    await maintain(store)
    assert await store.view_counts.read(recent) is None


async def test_the_api_answers_a_report_kept_on_write(api, store):
    rng = random.Random(4)
    for i in range(20):
        await store.contacts.upsert(f"a{i}@x.io", details(rng))
    made = await create_view(store, views()[1], "ann")
    for _ in range(100):  # the app's own task builds it
        if await store.view_counts.read(made) is not None:
            break
        await asyncio.sleep(0.05)
    await store.contacts.upsert("a0@x.io", ContactDetails(mailing_lists=["vip"]))
    found = (await api.data(VIEW, {"id": made.id}))["scoreView"]
    expected = await recount(store, made)
    assert found["report"]["total"] == expected.total
    assert found["contacts"]["totalCount"] == expected.total
    by_country = [(c["name"], c["count"]) for c in found["report"]["byCountry"]]
    assert by_country == list(expected.by_country)
