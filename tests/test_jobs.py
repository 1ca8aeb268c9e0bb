"""Background jobs of every kind: one status enum, one interface, one progress subscription each;
field-rule syncs in the background, re-armed by a change while they run, resumed after a crash."""

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest

from api.domain.access import Role
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.domain.rules import FieldCondition, FieldOperator, FieldRule
from api.services import field_rule_sync, reset_job
from api.services.activities import ActivityInput, record_activities
from api.services.field_rule_sync import run_field_rule_sync
from api.services.rescore_job import run_rescore
from api.services.reset_job import run_reset
from tests.gql_ops import FIELD_CREATE, FIELD_DELETE, FIELD_UPDATE, wait_sync
from tests.ws import Subscriber

JOB = "id status done total affected progress"
PROGRESS = {
    "resetProgress": f"subscription($jobId: ID!) {{ resetProgress(jobId: $jobId) {{ {JOB} }} }}",
    "rescoreProgress": (
        f"subscription($jobId: ID!) {{ rescoreProgress(jobId: $jobId) {{ {JOB} }} }}"
    ),
    "fieldRuleSyncProgress": (
        f"subscription($jobId: ID!) {{ fieldRuleSyncProgress(jobId: $jobId) {{ {JOB} }} }}"
    ),
}
COUNTRIES = ["India", "France", "India", "Japan", "India", "France", "Peru"]


def rule(name: str, points: int, country: str) -> dict:
    condition = {"field": "country", "operator": "EQUALS", "value": country}
    return {"name": name, "points": points, "conditions": [condition]}


async def contacts_in(store, countries: list[str]) -> list[str]:
    for n, country in enumerate(countries):
        await store.contacts.upsert(f"c{n}@x.io", ContactDetails(country=country))
    return [f"c{n}@x.io" for n in range(len(countries))]


async def scores(store, emails: list[str]) -> list[int]:
    return [(await store.contacts.by_email(e)).score for e in emails]


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(reset_job, "CHUNK", 2)
    monkeypatch.setattr(field_rule_sync, "CHUNK", 2)


async def test_one_status_enum_and_one_interface_for_every_job(api):
    types = """{ __schema { types { name kind possibleTypes { name } } } }"""
    named = {t["name"]: t for t in (await api.data(types))["__schema"]["types"]}
    assert "ResetStatus" not in named and "RescoreStatus" not in named
    assert named["JobStatus"]["kind"] == "ENUM"
    implementing = {t["name"] for t in named["BackgroundJob"]["possibleTypes"]}
    assert implementing == {"ScoreReset", "RescoreJob", "FieldRuleSync"}
    fields = "query($t: String!) { __type(name: $t) { fields { name type { ofType { name } } } } }"
    for type_name in implementing:
        found = (await api.data(fields, {"t": type_name}))["__type"]["fields"]
        status = next(f for f in found if f["name"] == "status")
        assert status["type"]["ofType"]["name"] == "JobStatus"


async def test_the_three_progress_subscriptions_stream_and_complete(api, store, small_chunks):
    emails = await contacts_in(store, COUNTRIES)
    await record_activities(store, [ActivityInput(e, ActivityType.REFER_FRIEND) for e in emails])
    await store.field_rules.create(
        FieldRule("", "Indians", 5, (FieldCondition("country", FieldOperator.EQUALS, "india"),))
    )
    # Each job exists, RUNNING and untouched, before it runs: its subscriber sees it start.
    jobs = [
        ("fieldRuleSyncProgress", await store.field_rule_syncs.start("ann", "r", 7, {})),
        ("resetProgress", await store.resets.start("ann", "r", False, 7)),
        ("rescoreProgress", await store.rescores.start("ann", "r", 7)),
    ]
    runs = {
        "fieldRuleSyncProgress": run_field_rule_sync,
        "resetProgress": run_reset,
        "rescoreProgress": run_rescore,
    }
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as live:
        for field, job in jobs:
            await live.subscribe(PROGRESS[field], {"jobId": job.id}, id_=field)
            first = await live.next()
            assert first["type"] == "next", first
            assert first["payload"]["data"][field] == {
                "id": job.id,
                "status": "RUNNING",
                "done": 0,
                "total": 7,
                "affected": 0,
                "progress": 0.0,
            }
            await runs[field](store, job)
            updates = [first["payload"]["data"][field]]
            while (message := await live.next(timeout=30))["type"] == "next":
                updates.append(message["payload"]["data"][field])
            assert (message["type"], message["id"]) == ("complete", field)
            last = updates[-1]
            assert (last["status"], last["done"], last["total"], last["progress"]) == (
                "DONE",
                7,
                7,
                1.0,
            )
            done = [u["done"] for u in updates]
            assert done == sorted(done)
        for field in PROGRESS:
            await live.subscribe(PROGRESS[field], {"jobId": "nope"}, id_=f"{field}-unknown")
            unknown = await live.next()
            assert unknown["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND", field
            assert (await live.next())["type"] == "complete"
    assert await scores(store, emails) == [0] * 7  # reset, and nothing to rescore since


async def test_reset_answers_done_and_total_under_both_names(api, store):
    await contacts_in(store, COUNTRIES[:3])
    job = await store.resets.start("ann", "r", False, 3)
    await run_reset(store, job)
    query = "query($id: ID!) { scoreReset(id: $id) { done total contactsDone contactsTotal } }"
    found = (await api.data(query, {"id": job.id}))["scoreReset"]
    assert found == {"done": 3, "total": 3, "contactsDone": 3, "contactsTotal": 3}


async def test_a_field_rule_change_answers_before_the_walk(api, store, monkeypatch):
    emails = await contacts_in(store, COUNTRIES)
    released = threading.Event()
    walked = field_rule_sync.sync_contacts

    async def held(*args, **kwargs) -> int:
        await asyncio.to_thread(released.wait, 30)  # the server runs in another thread
        return await walked(*args, **kwargs)

    monkeypatch.setattr(field_rule_sync, "sync_contacts", held)
    created = await asyncio.wait_for(
        api.data(FIELD_CREATE, {"input": rule("Indians", 25, "India")}), 10
    )
    sync = created["fieldRuleCreate"]["sync"]
    assert sync["status"] == "RUNNING"
    query = "query($id: ID!) { fieldRuleSync(id: $id) { status done walksAgain } }"
    still = (await api.data(query, {"id": sync["id"]}, role=Role.VIEWER))["fieldRuleSync"]
    assert still == {"status": "RUNNING", "done": 0, "walksAgain": False}
    assert await scores(store, emails) == [0] * 7
    released.set()
    finished = await wait_sync(api, created["fieldRuleCreate"])
    assert (finished["done"], finished["total"], finished["affected"]) == (7, 7, 3)
    assert await scores(store, emails) == [25, 0, 25, 0, 25, 0, 0]
    listed = await api.data("{ fieldRuleSyncs(first: 5) { id status } }", role=Role.VIEWER)
    assert listed["fieldRuleSyncs"] == [{"id": sync["id"], "status": "DONE"}]


async def test_a_rule_change_while_a_sync_runs_re_arms_it(api, store, small_chunks):
    emails = await contacts_in(store, COUNTRIES)
    # A sync running in another process walked the first four contacts before any rule existed.
    running = await store.field_rule_syncs.start("ann", "earlier change", 7, {})
    ids = await anext(store.contacts.id_batches("", 4))
    await store.field_rule_syncs.advance(running, ids[-1], 4, 0)
    created = (await api.data(FIELD_CREATE, {"input": rule("Indians", 25, "India")}))[
        "fieldRuleCreate"
    ]
    assert created["sync"] == {"id": running.id, "status": "RUNNING"}
    rearmed = await store.field_rule_syncs.get(running.id)
    assert rearmed is not None and rearmed.again
    await run_field_rule_sync(store, rearmed)
    finished = await store.field_rule_syncs.get(running.id)
    assert finished is not None and finished.status == "DONE" and not finished.again
    assert (finished.done, finished.total) == (4 + 3 + 7, 7 + 7)  # the rest, then all again
    assert await scores(store, emails) == [25, 0, 25, 0, 25, 0, 0]


async def test_rule_changes_racing_their_syncs_end_with_exactly_the_rules(api, store):
    countries = COUNTRIES * 40  # syncs of 280 contacts: each change lands while one runs
    emails = await contacts_in(store, countries)
    india = (await api.data(FIELD_CREATE, {"input": rule("Indians", 25, "India")}))[
        "fieldRuleCreate"
    ]
    france = (await api.data(FIELD_CREATE, {"input": rule("French", 10, "France")}))[
        "fieldRuleCreate"
    ]
    update = {**rule("Indians", 40, "India"), "id": india["fieldRule"]["id"]}
    changed = (await api.data(FIELD_UPDATE, {"input": update}))["fieldRuleUpdate"]
    peru = (await api.data(FIELD_CREATE, {"input": rule("Peruvians", 7, "Peru")}))[
        "fieldRuleCreate"
    ]
    deleted = (await api.data(FIELD_DELETE, {"input": {"id": france["fieldRule"]["id"]}}))[
        "fieldRuleDelete"
    ]
    for payload in (india, france, changed, peru, deleted):
        assert payload["errors"] == []
        await wait_sync(api, payload)
    assert await store.field_rule_syncs.running() is None
    expected = {"India": 40, "Peru": 7}
    found = await scores(store, emails)
    assert found == [expected.get(c, 0) for c in countries]
    french = await store.contacts.by_email(emails[1])
    timeline = (await store.ledger.sequences({french.id: 1}))[french.id]
    assert sum(e.points for e in timeline) == 0
    if len(timeline) == 2:  # the sync gave the points before the rule was deleted
        assert timeline[-1].reason == "Field rule 'French' was deleted"


async def test_an_abandoned_field_rule_sync_is_resumed(store):
    emails = await contacts_in(store, COUNTRIES)
    await store.field_rules.create(
        FieldRule("", "Indians", 5, (FieldCondition("country", FieldOperator.EQUALS, "india"),))
    )
    job = await store.field_rule_syncs.start("ann", "crashed", 7, {})
    ids = await anext(store.contacts.id_batches("", 3))
    await store.field_rule_syncs.advance(job, ids[-1], 3, 0)  # the dead process got this far
    await store.field_rule_syncs.collection.update_one(
        {"_id": job.id}, {"$set": {"heartbeat": datetime.now(UTC) - timedelta(minutes=5)}}
    )
    claimed = await store.field_rule_syncs.claim_abandoned(timedelta(seconds=30))
    assert claimed is not None and claimed.id == job.id
    assert await store.field_rule_syncs.claim_abandoned(timedelta(seconds=30)) is None
    await run_field_rule_sync(store, claimed)
    finished = await store.field_rule_syncs.get(job.id)
    assert finished is not None
    assert (finished.status, finished.done, finished.affected) == ("DONE", 7, 1)
    # Only the contacts after the cursor were walked: c4 (India), not c0 and c2.
    assert await scores(store, emails) == [0, 0, 0, 0, 5, 0, 0]
