"""Two API processes (`python -m api` on two ports) on one database: live changes cross between
them, concurrent writes through both stay exact, and each background job or periodic round runs in
one process."""

import asyncio
import contextlib
import itertools
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.domain.access import Role
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.domain.ledger import EntryKind
from api.domain.sheet import SheetEntry
from api.services.activities import ActivityInput, record_activities
from api.services.expiry import TASK as EXPIRY_TASK
from api.services.notifications import NOTIFY_TASK
from api.services.sheet import update_sheet
from tests.conftest import Api
from tests.crash_stack import ApiProcess
from tests.gql_ops import RECORD_MANY, wait_job
from tests.ws import Subscriber

SCORE_CHANGED = "subscription { scoreChanged { contactId score } }"
RESET = """mutation($input: ScoresResetInput!) {
  scoresReset(input: $input) { reset { id } errors { message } } }"""
TYPES = [ActivityType.OPEN, ActivityType.CLICK, ActivityType.REFER_FRIEND, ActivityType.REPLY]


@pytest.fixture
async def two(store, mongo_uri, database_name, tmp_path) -> AsyncIterator[list[Api]]:
    tokens = {role: (await store.tokens.create(f"t-{role.value}", role))[0] for role in Role}
    fast = {"SCORING_EXPIRY_INTERVAL": "0.3", "SCORING_NOTIFY_INTERVAL": "0.3"}
    servers = [ApiProcess(mongo_uri, database_name, tmp_path, fast) for _ in range(2)]
    async with httpx.AsyncClient(timeout=60) as http:
        try:
            for server in servers:
                server.start()
            yield [
                Api(s.url, s.url.replace("http", "ws"), tokens, http, None)  # type: ignore[arg-type]
                for s in servers
            ]
        finally:
            for server in servers:
                server.stop()


async def subscribers(api: Api) -> int:
    health = await api.http.get(api.url.replace("/graphql", "/health"))
    return int(health.json()["subscribers"])


async def follow(api: Api, seen: dict[str, int]) -> None:
    """Keep the last score seen for every contact."""
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(SCORE_CHANGED)
        while True:
            change = (await sub.next(timeout=600))["payload"]["data"]["scoreChanged"]
            seen[change["contactId"]] = change["score"]


async def test_live_changes_cross_processes_and_concurrent_writes_stay_exact(store, two):
    a, b = two
    emails = [f"p{i}@x.io" for i in range(12)]
    ids = {e: (await store.contacts.upsert(e, ContactDetails()))[0].id for e in emails}
    seen_a: dict[str, int] = {}
    seen_b: dict[str, int] = {}
    followers = [asyncio.create_task(follow(a, seen_a)), asyncio.create_task(follow(b, seen_b))]
    try:
        deadline = time.monotonic() + 10
        while (await subscribers(a), await subscribers(b)) != (1, 1):
            assert time.monotonic() < deadline, "the subscribers did not connect"
            await asyncio.sleep(0.05)
        rng = random.Random(7)
        items = [
            {
                "contactEmail": rng.choice(emails),
                "type": rng.choice(TYPES).value,
                "campaignId": f"c{rng.randrange(4)}",
                "idempotencyKey": f"k{n}",
            }
            for n in range(240)
        ]
        batches = [items[i : i + 20] for i in range(0, len(items), 20)]

        async def send(api: Api, batch: list[dict]) -> None:
            answer = await api.data(RECORD_MANY, {"input": batch}, role=Role.EDITOR)
            assert answer["activitiesRecord"]["errors"] == []

        # Every batch through one process, every third through both at once.
        sends = [send(a if n % 2 else b, batch) for n, batch in enumerate(batches)]
        sends += [send(api, batch) for batch in batches[::3] for api in (a, b)]
        rng.shuffle(sends)
        await asyncio.gather(*sends)

        finals: dict[str, int] = {}
        for email, contact_id in ids.items():
            state = await store.contacts.by_email(email)
            timeline = (await store.ledger.sequences({contact_id: 1}))[contact_id]
            keys = [e.key for e in timeline if e.kind is EntryKind.ACTIVITY]
            assert len(keys) == len(set(keys)) == sum(i["contactEmail"] == email for i in items)
            assert state is not None and state.score == sum(e.points for e in timeline)
            finals[contact_id] = state.score
        # Each subscriber saw the changes written through either process, up to the last.
        expected = {cid: score for cid, score in finals.items() if score}
        deadline = time.monotonic() + 20
        while any({c: s.get(c) for c in expected} != expected for s in (seen_a, seen_b)):
            assert time.monotonic() < deadline, "a subscriber missed changes"
            await asyncio.sleep(0.05)
    finally:
        for task in followers:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_a_reset_started_through_one_process_runs_once(store, two):
    a, b = two
    emails = [f"r{i}@x.io" for i in range(150)]
    for email in emails:
        await store.contacts.upsert(email, ContactDetails())
    await record_activities(store, [ActivityInput(e, ActivityType.REFER_FRIEND) for e in emails])
    input_ = {"reason": "new quarter", "agree": True, "enableScoring": True}
    started = (await a.data(RESET, {"input": input_}))["scoresReset"]
    assert started["errors"] == []
    job = await wait_job(b, "scoreReset", started["reset"]["id"])
    assert (job["done"], job["total"], job["affected"]) == (150, 150, 150)
    for email in emails:
        contact = await store.contacts.by_email(email)
        assert contact is not None and contact.score == 0
        timeline = (await store.ledger.sequences({contact.id: 1}))[contact.id]
        assert [e.kind for e in timeline].count(EntryKind.RESET) == 1


async def test_periodic_tasks_run_in_one_process_per_round(store, two):
    await update_sheet(store, {}, None, None, "test", expiry_days={SheetEntry.REFER_FRIEND: 1})
    emails = [f"e{i}@x.io" for i in range(30)]
    for email in emails:
        await store.contacts.upsert(email, ContactDetails())
    old = datetime.now(UTC) - timedelta(days=2)
    await record_activities(
        store, [ActivityInput(e, ActivityType.REFER_FRIEND, occurred_at=old) for e in emails]
    )
    holders: dict[str, set[str]] = {EXPIRY_TASK: set(), NOTIFY_TASK: set()}
    deadline = time.monotonic() + 30
    for n in itertools.count():
        for task, seen in holders.items():
            lease = await store.leases.get(task)
            if lease is not None:
                seen.add(lease.holder)
        scores = [(await store.contacts.by_email(e)).score for e in emails]  # type: ignore[union-attr]
        if not any(scores) and n > 20:
            break
        assert time.monotonic() < deadline, "the points did not expire"
        await asyncio.sleep(0.1)
    # One holder all along (each renews its lease every round), whichever process won it.
    assert all(len(seen) == 1 for seen in holders.values()), holders
    for email in emails:
        contact = await store.contacts.by_email(email)
        assert contact is not None
        timeline = (await store.ledger.sequences({contact.id: 1}))[contact.id]
        assert [e.kind for e in timeline] == [EntryKind.ACTIVITY, EntryKind.EXPIRY]
