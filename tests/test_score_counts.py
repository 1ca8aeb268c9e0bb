"""The score histogram: exact against a recount of the contacts after concurrent writes, expiry,
contact creation and resets (with folds racing them); and pages by score, read through narrowed
score ranges, equal to a full sort."""

import asyncio
import random
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

from api.db.client import Store
from api.domain.contacts import ContactDetails, tie_of
from api.domain.sheet import SheetEntry
from api.services import reset_job
from api.services.contacts import set_score
from api.services.expiry import expire_due
from api.services.reset_job import run_reset
from api.services.sheet import update_sheet
from tests.raw_contacts import add_raw, assert_reset_once, random_activities, recount

CONTACTS_PAGE = """
query($first: Int, $after: String, $filter: ContactFilter, $orderBy: ContactOrder) {
  contacts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id score } } } }"""
COUNTS = """{ classification { counts { classification count }
  scoreDistribution(bucketSize: 7) { low high count } } }"""


async def folding(store: Store, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await store.histogram.fold(batch=3)
        await asyncio.sleep(0.01)


async def test_counts_stay_exact_under_concurrent_writes_expiry_and_resets(store):
    stop = asyncio.Event()
    folder = asyncio.create_task(folding(store, stop))
    emails = [f"h{i}@x.io" for i in range(60)]

    async def create(part: list[str]) -> None:
        for email in part:
            await store.contacts.upsert(email, ContactDetails())

    await asyncio.gather(*(create(emails[i::4]) for i in range(4)))
    # Points that expire in a day, so that expiry takes them back below.
    expiring = {SheetEntry.UNIQUE_CLICK: 1, SheetEntry.REFER_FRIEND: 1}
    await update_sheet(store, {}, None, None, "ann", expiring)

    def activities(worker: int) -> Awaitable[None]:
        return random_activities(store, emails, worker, rounds=8, each=15)

    async def by_hand() -> None:
        for i, email in enumerate(emails[:10]):
            contact = await store.contacts.by_email(email)
            assert contact is not None
            await set_score(store, contact.id, -i * 3, "test", "ann")

    await asyncio.gather(*(activities(w) for w in range(4)), by_hand(), create(["late@x.io"]))
    assert (await store.histogram.read()).counts == await recount(store)
    assert await expire_due(store, datetime.now(UTC) + timedelta(days=2)) > 0
    assert (await store.histogram.read()).counts == await recount(store)
    record = await store.resets.start("ann", "counts", False, 61)
    assert record is not None
    await asyncio.gather(run_reset(store, record), activities(9))
    stop.set()
    await folder
    assert (await store.histogram.read()).counts == await recount(store)
    while await store.histogram.fold():
        pass
    assert await store.histogram.deltas.count_documents({}) == 0
    assert (await store.histogram.read()).counts == await recount(store)


async def test_classification_counts_and_distribution_come_from_the_histogram(api, store):
    for i, score in enumerate([-12, -1, 0, 5, 39, 40, 99, 100, 250]):
        contact, _ = await store.contacts.upsert(f"d{i}@x.io", ContactDetails())
        await set_score(store, contact.id, score, "test", "ann")
    found = (await api.data(COUNTS))["classification"]
    counts = {c["classification"]: c["count"] for c in found["counts"]}
    assert counts == {"MOST_ENGAGED": 2, "PROGRESSING": 2, "GETTING_STARTED": 5}
    assert found["scoreDistribution"] == [
        {"low": -14, "high": -8, "count": 1},
        {"low": -7, "high": -1, "count": 1},
        {"low": 0, "high": 6, "count": 2},
        {"low": 35, "high": 41, "count": 2},
        {"low": 98, "high": 104, "count": 2},
        {"low": 245, "high": 251, "count": 1},
    ]


async def walk(api, variables: dict, first: int) -> tuple[list[tuple[int, str]], int]:
    found: list[tuple[int, str]] = []
    after = None
    while True:
        page = (await api.data(CONTACTS_PAGE, {**variables, "first": first, "after": after}))[
            "contacts"
        ]
        found += [(e["node"]["score"], e["node"]["id"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


CASES = [
    ({}, lambda d: True),
    ({"country": "India"}, lambda d: d["country"] == "India"),
    ({"classification": "PROGRESSING"}, lambda d: 40 <= d["read"] < 100),
    (
        {"classification": "GETTING_STARTED", "country": "Kenya"},
        lambda d: d["read"] < 40 and d["country"] == "Kenya",
    ),
    (
        {"minScore": -5, "maxScore": 10, "mailingList": "b"},
        lambda d: -5 <= d["read"] <= 10 and "b" in d["mailingLists"],
    ),
]


async def assert_pages_equal_a_full_sort(api, docs: list[dict], cases=CASES) -> None:
    """Every page of every case, both directions, against a full sort by (score as read, tie
    bucket, id) of `docs` (each with the score it reads as, `read`)."""
    for filter_, keep in cases:
        for direction, first in (("DESC", 100), ("ASC", 37)):
            expected = sorted(
                ((d["read"], tie_of(d["_id"]), d["_id"]) for d in docs if keep(d)),
                reverse=direction == "DESC",
            )
            got, total = await walk(
                api,
                {"filter": filter_, "orderBy": {"field": "SCORE", "direction": direction}},
                first,
            )
            assert got == [(score, cid) for score, _, cid in expected], (filter_, direction)
            assert total == len(expected)


async def test_pages_by_score_read_through_narrowed_ranges_equal_a_full_sort(api, store):
    # 2,000 at 0 or 10: groups of equal scores larger than the tie buckets, read a stretch at once.
    docs = await add_raw(store, 1500, tied=2000)
    await assert_pages_equal_a_full_sort(api, [{**d, "read": d["score"]} for d in docs])


async def test_pages_by_score_equal_a_full_sort_while_a_reset_walks(api, store):
    docs = await add_raw(store, 600, tied=900)
    await store.histogram.start_generation("gen-test")
    # The walk reached a third of the contacts: those hold the new generation, at 0, or at a
    # score earned since; the others read as 0 whatever they hold.
    rng = random.Random(3)
    for d in docs[::3]:
        d["gen"] = "gen-test"
        d["score"] = rng.choice([0, 0, 5, 10, 60, -3])
        await store.contacts.collection.update_one(
            {"_id": d["_id"]}, {"$set": {"gen": "gen-test", "score": d["score"]}}
        )
    await store.histogram.rebuild()
    assert (await store.histogram.generation(fresh=True)).older == (None,)
    read = [{**d, "read": d["score"] if d.get("gen") == "gen-test" else 0} for d in docs]
    await assert_pages_equal_a_full_sort(api, read)
    # A walk started by an earlier version names no older generations: the same pages, slower.
    await store.histogram.totals.update_one({"_id": "generation"}, {"$unset": {"older": ""}})
    assert (await store.histogram.generation(fresh=True)).older is None
    await assert_pages_equal_a_full_sort(api, read, CASES[:2])


RESET = """mutation($input: ScoresResetInput!) {
  scoresReset(input: $input) { reset { id } errors { code } } }"""
RESET_STATE = "query($id: ID!) { scoreReset(id: $id) { status } }"
AT_ONCE = """{ classification { counts { classification count } }
  contacts(first: 5, orderBy: {field: SCORE, direction: DESC}) { edges { node { score } } }
  top: contacts(first: 5, filter: {minScore: 1}) { totalCount } }"""
BATCH = """mutation($i: [ActivityInput!]!) { activitiesRecord(input: $i) { errors { code } } }"""


async def test_a_reset_is_visible_at_once_and_activities_meanwhile_count_once(api, store):
    docs = await add_raw(store, 6000)
    started = await api.data(RESET, {"input": {"reason": "at once", "agree": True}})
    reset_id = started["scoresReset"]["reset"]["id"]
    seen = await api.data(AT_ONCE)
    walking = (await store.histogram.generation(fresh=True)).walking
    counts = {c["classification"]: c["count"] for c in seen["classification"]["counts"]}
    assert counts == {"MOST_ENGAGED": 0, "PROGRESSING": 0, "GETTING_STARTED": 6000}
    assert [e["node"]["score"] for e in seen["contacts"]["edges"]] == [0] * 5
    assert seen["top"]["totalCount"] == 0
    picked = docs[::50]
    batch = [
        {"contactEmail": d["email"], "type": "REFER_FRIEND", "idempotencyKey": f"k-{d['_id']}"}
        for d in picked
    ]
    # The same activities twice, racing the walk (scoring is paused: they earn nothing).
    await asyncio.gather(api.data(BATCH, {"i": batch}), api.data(BATCH, {"i": batch}))
    for _ in range(600):
        state = await api.data(RESET_STATE, {"id": reset_id})
        if state["scoreReset"]["status"] == "DONE":
            break
        await asyncio.sleep(0.1)
    assert walking, "the reset's walk was over before the first read: nothing was tested"
    ledger = store.ledger.collection
    for d in picked:
        key = {"contactId": d["_id"], "activity.idempotencyKey": f"k-{d['_id']}"}
        keyed = await ledger.count_documents(key)
        assert keyed == 1
    await assert_reset_once(store, reset_id, {d["_id"] for d in docs if d["score"] != 0})
    assert await store.contacts.collection.count_documents({"score": {"$ne": 0}}) == 0


TIMELINE = """query($id: ID!) { contact(id: $id) { score
  timeline(first: 100) { totalCount entries { kind points reason } } } }"""


async def test_a_contact_the_walk_has_not_reached_shows_its_reset_in_its_timeline(
    api, store, monkeypatch
):
    for i in range(3):
        await store.contacts.upsert(f"owed{i}@x.io", ContactDetails())
    batch = [
        {"contactEmail": f"owed{i}@x.io", "type": "REFER_FRIEND", "idempotencyKey": f"o{i}"}
        for i in range(3)
    ]
    assert (await api.data(BATCH, {"i": batch}))["activitiesRecord"]["errors"] == []
    owed = await store.contacts.by_email("owed0@x.io")
    assert owed is not None and owed.score > 0
    # The walk held before its first chunk: no contact reached yet.
    go_on = asyncio.Event()
    chunk = reset_job._reset_chunk

    async def held(*args, **kwargs):
        await go_on.wait()
        return await chunk(*args, **kwargs)

    monkeypatch.setattr(reset_job, "_reset_chunk", held)
    started = await api.data(RESET, {"input": {"reason": "new quarter", "agree": True}})
    reset_id = started["scoresReset"]["reset"]["id"]
    during = (await api.data(TIMELINE, {"id": owed.id}))["contact"]
    assert (await store.histogram.generation(fresh=True)).walking
    entries = during["timeline"]["entries"]
    assert during["score"] == 0 == sum(e["points"] for e in entries)
    assert entries[0] == {"kind": "RESET", "points": -owed.score, "reason": entries[0]["reason"]}
    assert "new quarter" in entries[0]["reason"]
    assert during["timeline"]["totalCount"] == len(entries) == 2
    go_on.set()
    for _ in range(600):
        state = await api.data(RESET_STATE, {"id": reset_id})
        if state["scoreReset"]["status"] == "DONE":
            break
        await asyncio.sleep(0.1)
    after = (await api.data(TIMELINE, {"id": owed.id}))["contact"]
    assert after["timeline"] == during["timeline"], "the entry written is the entry shown"
    assert await store.ledger.keyed([owed.id], f"reset:{reset_id}") == {owed.id}
