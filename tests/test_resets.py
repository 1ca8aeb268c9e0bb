"""Resets: agreement, history, pause, counting restarted, safe under concurrent activity."""

import asyncio
import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.domain.access import Role
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.services import reset_job
from api.services.activities import ActivityInput, record_activities
from api.services.reset_job import run_reset
from tests.conftest import Api
from tests.crash_stack import ApiProcess
from tests.gql_ops import contact, make_contact, record, update_sheet
from tests.raw_contacts import add_raw, assert_reset_once

RESET = """
mutation($input: ScoresResetInput!) {
  scoresReset(input: $input) {
    reset { id status actor reason contactsTotal } errors { field message code }
  }
}"""
RESET_STATE = """
query($id: ID!) {
  scoreReset(id: $id) { status progress contactsDone contactsAffected finishedAt }
}"""
HISTORY = "{ resetHistory { actor reason status contactsAffected scoringEnabled startedAt } }"


async def wait_done(api, reset_id: str) -> dict:
    for _ in range(600):
        state = (await api.data(RESET_STATE, {"id": reset_id}))["scoreReset"]
        if state["status"] == "DONE":
            return state
        await asyncio.sleep(0.05)
    raise AssertionError("reset did not finish")


async def test_reset_zeroes_scores_keeps_the_sheet_and_records_history(api):
    await make_contact(api, "a@x.io")
    await make_contact(api, "b@x.io")
    await make_contact(api, "idle@x.io")
    await update_sheet(api, entries=[{"activity": "UNIQUE_CLICK", "points": 15}])
    for _ in range(3):
        await record(api, "a@x.io", "CLICK", "spring")
    await record(api, "b@x.io", "REFER_FRIEND", None)
    started = await api.data(RESET, {"input": {"reason": "New quarter", "agree": True}})
    reset = started["scoresReset"]["reset"]
    assert (reset["status"], reset["actor"], reset["contactsTotal"]) == ("RUNNING", "test-admin", 3)
    done = await wait_done(api, reset["id"])
    assert (done["progress"], done["contactsDone"], done["contactsAffected"]) == (1.0, 3, 2)

    a = await contact(api, "a@x.io")
    assert a["score"] == 0
    assert a["timeline"]["entries"][0]["kind"] == "RESET"
    assert a["timeline"]["entries"][0]["points"] == -45
    assert "New quarter" in a["timeline"]["entries"][0]["reason"]
    assert (await contact(api, "idle@x.io"))["timeline"]["totalCount"] == 0
    [history] = (await api.data(HISTORY))["resetHistory"]
    assert history["actor"] == "test-admin" and history["reason"] == "New quarter"
    assert (history["contactsAffected"], history["scoringEnabled"]) == (2, False)

    sheet = await update_sheet(api)
    assert sheet["scoreSheet"]["enabled"] is False  # left paused
    assert {"activity": "UNIQUE_CLICK", "points": 15} in sheet["scoreSheet"]["entries"]
    paused = await record(api, "a@x.io", "CLICK", "spring")
    assert paused["entry"]["points"] == 0 and "paused" in paused["entry"]["reason"]
    # Counting restarted: that click was the 1st again (unscored while paused), so the 3rd
    # click after resuming earns the multiple-click points.
    await update_sheet(api, enabled=True)
    second = await record(api, "a@x.io", "CLICK", "spring")
    third = await record(api, "a@x.io", "CLICK", "spring")
    assert (second["entry"]["points"], third["entry"]["points"]) == (0, 30)


async def test_reset_can_enable_scoring_when_done(api):
    await make_contact(api, "c@x.io")
    await record(api, "c@x.io", "OPEN", "a")
    started = await api.data(
        RESET, {"input": {"reason": "r", "agree": True, "enableScoring": True}}
    )
    await wait_done(api, started["scoresReset"]["reset"]["id"])
    assert (await update_sheet(api))["scoreSheet"]["enabled"] is True
    again = await record(api, "c@x.io", "OPEN", "a")
    assert again["entry"]["points"] == 10 and again["contact"]["score"] == 10


async def test_a_contact_at_0_with_a_ledger_only_tail_is_reset_too(api, store):
    await make_contact(api, "tail@x.io")
    await update_sheet(api, enabled=False)
    # Unscored while paused: a ledger-only entry that counts the open; the document holds 0.
    paused = await record(api, "tail@x.io", "OPEN", "a")
    assert paused["entry"]["points"] == 0 and paused["contact"]["score"] == 0
    started = await api.data(
        RESET, {"input": {"reason": "tail", "agree": True, "enableScoring": True}}
    )
    reset_id = started["scoresReset"]["reset"]["id"]
    await wait_done(api, reset_id)
    kinds = [e["kind"] for e in (await contact(api, "tail@x.io"))["timeline"]["entries"]]
    assert kinds == ["RESET", "ACTIVITY"]
    # Counting restarted: this open is the first of campaign a again.
    again = await record(api, "tail@x.io", "OPEN", "a")
    assert again["entry"]["points"] == 10 and again["contact"]["score"] == 10
    contact_id = (await store.contacts.by_email("tail@x.io")).id
    await assert_reset_once(store, reset_id, {contact_id})


async def test_reset_needs_agreement_reason_and_admin(api):
    await make_contact(api, "d@x.io")
    await record(api, "d@x.io", "OPEN", "a")
    no_agree = await api.data(RESET, {"input": {"reason": "r", "agree": False}})
    assert no_agree["scoresReset"]["errors"][0]["code"] == "AGREEMENT_REQUIRED"
    no_reason = await api.data(RESET, {"input": {"reason": "  ", "agree": True}})
    assert no_reason["scoresReset"]["errors"][0] == {
        "field": "reason",
        "message": "reason is required",
        "code": "REQUIRED",
    }
    for role in (Role.EDITOR, Role.VIEWER):
        denied = await api.call(RESET, {"input": {"reason": "r", "agree": True}}, role=role)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await contact(api, "d@x.io"))["score"] == 10
    assert (await api.data(HISTORY))["resetHistory"] == []
    assert (await update_sheet(api))["scoreSheet"]["enabled"] is True


async def test_activities_during_a_reset_leave_no_pre_reset_points(api, store, monkeypatch):
    monkeypatch.setattr(reset_job, "CHUNK", 40)  # the walk in many chunks, each racing clicks
    docs = await add_raw(store, 600)
    emails = [d["email"] for d in docs]
    await record_activities(store, [ActivityInput(e, ActivityType.REFER_FRIEND) for e in emails])
    started = await api.data(RESET, {"input": {"reason": "race", "agree": True}})
    reset_id = started["scoresReset"]["reset"]["id"]
    second = await api.data(RESET, {"input": {"reason": "again", "agree": True}})
    assert second["scoresReset"]["errors"][0]["code"] == "CONFLICT"

    async def keep_clicking() -> None:
        # Every contact clicks once, from the far end of the walk: some before their chunk.
        for n in range(15):
            batch = [
                {"contactEmail": e, "type": "CLICK", "campaignId": f"c{n}"}
                for e in emails[::-1][n * 40 : (n + 1) * 40]
            ]
            await api.data(
                "mutation($i: [ActivityInput!]!) { activitiesRecord(input: $i) "
                "{ errors { message } } }",
                {"i": batch},
                role=Role.EDITOR,
            )

    await asyncio.gather(keep_clicking(), wait_done(api, reset_id))
    total = await api.data("{ contacts(filter: {minScore: 1}) { totalCount } }")
    assert total["contacts"]["totalCount"] == 0
    for email in emails[::47]:
        found = await contact(api, email)
        entries = found["timeline"]["entries"]
        kinds = [e["kind"] for e in entries]
        assert "RESET" in kinds
        after_reset = entries[: kinds.index("RESET")]
        assert found["score"] == sum(e["points"] for e in after_reset) == 0
    await assert_reset_once(store, reset_id, {d["_id"] for d in docs})
    # Each click stored once, after its contact's RESET (never lost, doubled or reset).
    kinds: dict[str, list[str]] = {}
    async for entry in store.ledger.collection.find({}).sort([("contactId", 1), ("seq", 1)]):
        kinds.setdefault(entry["contactId"], []).append(entry.get("activity", {}).get("type"))
    assert {tuple(found) for found in kinds.values()} == {("REFER_FRIEND", None, "CLICK")}


class Died(Exception):
    """The process running the walk stopped here."""


async def abandon(store, job_id: str):
    """The reset's process went silent: another process claims its job."""
    await store.resets.collection.update_one(
        {"_id": job_id}, {"$set": {"heartbeat": datetime.now(UTC) - timedelta(minutes=5)}}
    )
    claimed = await store.resets.claim_abandoned(timedelta(seconds=30))
    assert claimed is not None and claimed.id == job_id
    assert await store.resets.claim_abandoned(timedelta(seconds=30)) is None
    return claimed


@pytest.mark.parametrize("dies_at", ["entries", "states"])
async def test_an_abandoned_reset_is_resumed(store, monkeypatch, dies_at):
    monkeypatch.setattr(reset_job, "CHUNK", 3)
    emails = [f"r{i}@x.io" for i in range(8)]
    for email in emails:
        await store.contacts.upsert(email, ContactDetails())
    # r7 has nothing to reset.
    await record_activities(
        store, [ActivityInput(e, ActivityType.REFER_FRIEND) for e in emails[:7]]
    )
    record = await store.resets.start("ann", "crashed", False, 8)
    assert record is not None
    # The walk's process dies in its second chunk: after its RESET entries, or after its states.
    step = {"entries": store.reset_walk, "states": store.resets}[dies_at]
    name = {"entries": "store_unless_changed", "states": "advance"}[dies_at]
    real, calls = getattr(step, name), []

    async def dies(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Died
        return await real(*args, **kwargs)

    monkeypatch.setattr(step, name, dies)
    with pytest.raises(Died):
        await run_reset(store, record)
    monkeypatch.setattr(step, name, real)
    # Everyone reads 0 already; an activity meanwhile, for a walked contact and an unwalked one.
    ids = [(await store.contacts.by_email(e)).id for e in emails]
    assert {(await store.contacts.get(cid)).score for cid in ids} == {0}
    await record_activities(
        store, [ActivityInput(e, ActivityType.CLICK, "c1") for e in emails[::5]]
    )
    await run_reset(store, await abandon(store, record.id))
    await assert_reset_once(store, record.id, set(ids[:7]))


async def test_an_api_killed_mid_walk_leaves_a_reset_another_process_completes(
    store, mongo_uri, database_name, tmp_path
):
    docs = await add_raw(store, 4000)
    tokens = {Role.ADMIN: (await store.tokens.create("t-admin", Role.ADMIN))[0]}
    server = ApiProcess(mongo_uri, database_name, tmp_path)
    server.start()
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            api = Api(server.url, "", tokens, http, None)  # type: ignore[arg-type]
            started = await api.data(RESET, {"input": {"reason": "killed", "agree": True}})
            reset_id = started["scoresReset"]["reset"]["id"]
            # kill -9 somewhere in the walk, once it has written something.
            for _ in range(3000):
                if await store.ledger.collection.count_documents({"kind": "RESET"}, limit=1):
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(random.uniform(0, 0.5))
            server.kill()
    finally:
        server.stop()
    job = await store.resets.get(reset_id)
    assert job is not None and job.status == "RUNNING", "killed after the walk: nothing tested"
    # Activities meanwhile, through this process: each contact's RESET first, exactly once.
    picked = docs[::97]
    activities = [
        ActivityInput(d["email"], ActivityType.REFER_FRIEND, idempotency_key=f"k{d['_id']}")
        for d in picked
    ]
    await record_activities(store, activities)
    await run_reset(store, await abandon(store, reset_id))
    await assert_reset_once(store, reset_id, {d["_id"] for d in docs if d["score"] != 0})
    for d in picked:
        keyed = {"contactId": d["_id"], "activity.idempotencyKey": f"k{d['_id']}"}
        assert await store.ledger.collection.count_documents(keyed) == 1
