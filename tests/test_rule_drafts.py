"""Rule drafts: simulating a change against the stored history, and rescoring it for real."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from api.domain.access import Role
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.domain.sheet import SheetEntry
from api.services import recomputation
from api.services.activities import ActivityInput, record_activities
from api.services.rescore_job import run_rescore
from tests.gql_ops import contact, make_contact, record, update_sheet
from tests.ws import Subscriber

SIMULATE = """
query($input: ScoringSimulateInput!) {
  scoringSimulate(input: $input) {
    simulation {
      contactsExamined contactsChanged totalDelta
      classChanges { from to count }
      examples { contactId email score simulatedScore delta }
    }
    errors { field message code }
  }
}"""
RESCORE = """
mutation($input: ScoringRescoreInput!) {
  scoringRescore(input: $input) {
    job { id status actor reason done total } errors { field message code }
  }
}"""
JOB = """
query($id: ID!) {
  rescoreJob(id: $id) {
    id status done total progress contactsChanged activities pointsDelta finishedAt
  }
}"""
JOBS = "{ rescoreJobs { id status reason actor contactsChanged } }"
PROGRESS = """
subscription($jobId: ID!) { rescoreProgress(jobId: $jobId) { id status done total } }"""
CLASS_CHANGES = """
subscription { scoreChanged(classChangesOnly: true) {
  contact { email } delta score previousClassification classification reason entry { kind }
} }"""
CUSTOM_CREATE = """
mutation($input: CustomRuleInput!) {
  customRuleCreate(input: $input) { customRule { id } errors { field code } }
}"""
SHEET = "{ scoreSheet { enabled entries { activity points } } }"
PRICING = "https://x.io/pricing"


@pytest.fixture
def small_chunks(monkeypatch):
    """Rescore a few contacts at a time, so that a small base still takes several steps."""
    monkeypatch.setattr(recomputation, "CHUNK", 2)


async def simulate(api, role: Role = Role.ADMIN, **proposal) -> dict:
    return (await api.data(SIMULATE, {"input": proposal}, role=role))["scoringSimulate"]


async def snapshot(store) -> dict:
    """Every document the product keeps (tokens aside: using one marks it used)."""
    names = sorted(set(await store.db.list_collection_names()) - {"tokens"})
    return {name: await store.db[name].find().sort("_id", 1).to_list(None) for name in names}


async def opens_and_referrals(api) -> None:
    """a: three unique opens (30); b: one (10); c: a referral (30); idle: nothing."""
    for email in ("a@x.io", "b@x.io", "c@x.io", "idle@x.io"):
        await make_contact(api, email)
    for campaign in ("c1", "c2", "c3"):
        await record(api, "a@x.io", "OPEN", campaign)
    await record(api, "b@x.io", "OPEN", "c1")
    await record(api, "c@x.io", "REFER_FRIEND", None)


async def wait_done(api, job_id: str) -> dict:
    for _ in range(1200):
        job = (await api.data(JOB, {"id": job_id}))["rescoreJob"]
        if job["status"] == "DONE":
            return job
        await asyncio.sleep(0.05)
    raise AssertionError("rescore did not finish")


def timeline_sum(found: dict) -> int:
    return sum(e["points"] for e in found["timeline"]["entries"])


async def test_simulating_a_sheet_change_counts_what_would_change_and_changes_nothing(api, store):
    await opens_and_referrals(api)
    before = await snapshot(store)
    result = await simulate(api, entries=[{"activity": "UNIQUE_OPEN", "points": 20}])
    assert result["errors"] == []
    simulation = result["simulation"]
    assert (simulation["contactsExamined"], simulation["contactsChanged"]) == (4, 2)
    assert simulation["totalDelta"] == 40
    assert simulation["classChanges"] == [
        {"from": "GETTING_STARTED", "to": "PROGRESSING", "count": 1}
    ]
    examples = [
        (e["email"], e["score"], e["simulatedScore"], e["delta"]) for e in simulation["examples"]
    ]
    assert examples == [("a@x.io", 30, 60, 30), ("b@x.io", 10, 20, 10)]
    assert await snapshot(store) == before

    # On the recent-points basis (every point here is recent) the same contact changes class.
    await api.data(
        "mutation { classificationUpdate(input: {basis: RECENT_POINTS, mostEngagedMin: 50}) "
        "{ errors { field } } }"
    )
    recent = await simulate(api, entries=[{"activity": "UNIQUE_OPEN", "points": 20}])
    assert recent["simulation"]["classChanges"] == [
        {"from": "GETTING_STARTED", "to": "MOST_ENGAGED", "count": 1}
    ]

    # Negative scoring switched on, for activities already stored.
    await record(api, "b@x.io", "UNSUBSCRIBE", "c1")
    negative = (await simulate(api, negativeScoringEnabled=True))["simulation"]
    assert (negative["contactsChanged"], negative["totalDelta"]) == (1, -20)
    # Nothing proposed: what a rescore would do now (nothing, all was scored under this sheet).
    assert (await simulate(api))["simulation"]["contactsChanged"] == 0


async def test_simulating_custom_rules_new_replaced_and_removed(api, store):
    created = await api.data(
        CUSTOM_CREATE, {"input": {"name": "Clicks", "points": 15, "activityType": "CLICK"}}
    )
    clicks_rule = created["customRuleCreate"]["customRule"]["id"]
    await make_contact(api, "x@x.io")
    await make_contact(api, "y@x.io")
    await record(api, "x@x.io", "CLICK", "c1")
    await record(api, "y@x.io", "CLICK", "c1", url=PRICING)
    await record(api, "y@x.io", "CLICK", "c2", url=PRICING)
    assert [(await contact(api, e))["score"] for e in ("x@x.io", "y@x.io")] == [25, 50]
    before = await snapshot(store)

    pricing = {
        "name": "Pricing page",
        "points": 50,
        "urlContains": "/pricing",
        "excludedCampaigns": ["c2"],
    }
    new = (await simulate(api, customRule=pricing))["simulation"]
    assert (new["contactsChanged"], new["totalDelta"]) == (1, 50)  # once, c2 opted out
    assert new["classChanges"] == [{"from": "PROGRESSING", "to": "MOST_ENGAGED", "count": 1}]
    assert new["examples"][0]["simulatedScore"] == 100

    removed = (await simulate(api, removeCustomRuleId=clicks_rule))["simulation"]
    assert (removed["contactsChanged"], removed["totalDelta"]) == (2, -45)
    assert removed["classChanges"] == [{"from": "PROGRESSING", "to": "GETTING_STARTED", "count": 1}]
    richer = {"id": clicks_rule, "name": "Clicks", "points": 25, "activityType": "CLICK"}
    replaced = (await simulate(api, customRule=richer))["simulation"]
    assert (replaced["contactsChanged"], replaced["totalDelta"]) == (2, 30)
    assert await snapshot(store) == before


async def test_simulation_input_is_validated_like_the_real_changes(api, store):
    created = await api.data(
        CUSTOM_CREATE, {"input": {"name": "Clicks", "points": 15, "activityType": "CLICK"}}
    )
    rule_id = created["customRuleCreate"]["customRule"]["id"]
    await make_contact(api, "v@x.io")
    await record(api, "v@x.io", "OPEN", "c1")
    before = await snapshot(store)

    def codes(result: dict) -> list[tuple[str, str]]:
        assert result["simulation"] is None
        return [(e["field"], e["code"]) for e in result["errors"]]

    sheet = await simulate(
        api,
        entries=[
            {"activity": "UNIQUE_OPEN", "points": 150},
            {"activity": "UNSUBSCRIBE", "points": -60},
        ],
    )
    assert codes(sheet) == [
        ("entries.UNIQUE_OPEN", "OUT_OF_RANGE"),
        ("entries.UNSUBSCRIBE", "OUT_OF_RANGE"),
    ]
    assert sheet["errors"][1]["message"] == "UNSUBSCRIBE must be between -50 and 0"
    out_of_range = await simulate(api, customRule={"name": "Big", "points": 101, "campaignId": "c"})
    assert codes(out_of_range) == [("customRule.points", "OUT_OF_RANGE")]
    no_condition = await simulate(api, customRule={"name": "Any", "points": 5})
    assert codes(no_condition) == [("customRule.conditions", "REQUIRED")]
    taken = await simulate(api, customRule={"name": "Clicks", "points": 5, "campaignId": "c"})
    assert codes(taken) == [("customRule.name", "CONFLICT")]
    unknown = await simulate(
        api, customRule={"id": "nope", "name": "N", "points": 5, "campaignId": "c"}
    )
    assert codes(unknown) == [("customRule.id", "NOT_FOUND")]
    assert codes(await simulate(api, removeCustomRuleId="nope")) == [
        ("removeCustomRuleId", "NOT_FOUND")
    ]
    both = {"id": rule_id, "name": "Clicks", "points": 5, "activityType": "CLICK"}
    assert codes(await simulate(api, customRule=both, removeCustomRuleId=rule_id)) == [
        ("customRule.id", "INVALID")
    ]
    assert await snapshot(store) == before


async def test_only_admins_simulate_and_rescore(api, store):
    await make_contact(api, "w@x.io")
    await record(api, "w@x.io", "OPEN", "c1")
    for role in (Role.EDITOR, Role.VIEWER):
        denied = await api.call(SIMULATE, {"input": {}}, role=role)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        denied = await api.call(RESCORE, {"input": {"reason": "r"}}, role=role)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.data(JOBS, role=Role.VIEWER))["rescoreJobs"] == []
    assert await store.ledger.collection.count_documents({"kind": "RESCORE"}) == 0


async def test_rescore_applies_an_edited_sheet_to_the_stored_history(api, small_chunks):
    await opens_and_referrals(api)
    await update_sheet(api, entries=[{"activity": "UNIQUE_OPEN", "points": 20}])
    assert (await contact(api, "a@x.io"))["score"] == 30  # edits are prospective

    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as live:
        await live.subscribe(CLASS_CHANGES)
        await api.wait_subscribers(1)
        started = (await api.data(RESCORE, {"input": {"reason": "Opens are worth more"}}))[
            "scoringRescore"
        ]
        assert started["errors"] == []
        job = started["job"]
        assert (job["status"], job["actor"], job["total"]) == ("RUNNING", "test-admin", 4)
        async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as progress:
            await progress.subscribe(PROGRESS, {"jobId": job["id"]})
            updates = []
            while (message := await progress.next(timeout=60))["type"] == "next":
                updates.append(message["payload"]["data"]["rescoreProgress"])
            assert message["type"] == "complete"
            await progress.subscribe(PROGRESS, {"jobId": "nope"}, id_="2")
            unknown = await progress.next()
            assert unknown["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        change = (await live.next(timeout=30))["payload"]["data"]["scoreChanged"]

    assert updates[-1] == {"id": job["id"], "status": "DONE", "done": 4, "total": 4}
    done = [u["done"] for u in updates]
    assert done == sorted(done) and all(u["status"] == "RUNNING" for u in updates[:-1])
    assert change["contact"]["email"] == "a@x.io" and change["entry"]["kind"] == "RESCORE"
    assert (change["delta"], change["score"]) == (30, 60)
    assert (change["previousClassification"], change["classification"]) == (
        "GETTING_STARTED",
        "PROGRESSING",
    )

    finished = (await api.data(JOB, {"id": job["id"]}))["rescoreJob"]
    assert (finished["done"], finished["progress"], finished["contactsChanged"]) == (4, 1.0, 2)
    assert (finished["activities"], finished["pointsDelta"]) == (5, 40)
    a, b, c = [await contact(api, e) for e in ("a@x.io", "b@x.io", "c@x.io")]
    assert (a["score"], b["score"], c["score"]) == (60, 20, 30)
    for found in (a, b, c):
        assert found["score"] == timeline_sum(found)
    latest = a["timeline"]["entries"][0]
    assert (latest["kind"], latest["points"], latest["actor"]) == ("RESCORE", 30, "test-admin")
    assert latest["reason"] == (
        "Rescored under the current score sheet and custom rules: Opens are worth more"
    )
    assert "RESCORE" not in [e["kind"] for e in c["timeline"]["entries"]]
    [history] = (await api.data(JOBS, role=Role.VIEWER))["rescoreJobs"]
    assert history["reason"] == "Opens are worth more" and history["status"] == "DONE"

    # Counting carries on from the rescored state; a second rescore finds nothing to do.
    assert (await record(api, "a@x.io", "OPEN", "c4"))["contact"]["score"] == 80
    again = (await api.data(RESCORE, {"input": {"reason": "again"}}))["scoringRescore"]["job"]
    assert (await wait_done(api, again["id"]))["contactsChanged"] == 0


async def test_rescore_gives_a_new_custom_rule_once_per_campaign(api):
    await make_contact(api, "p@x.io")
    for campaign in ("c1", "c1", "c2"):
        await record(api, "p@x.io", "CLICK", campaign, url=PRICING)
    created = await api.data(
        CUSTOM_CREATE, {"input": {"name": "Pricing page", "points": 15, "urlContains": "/pricing"}}
    )
    assert created["customRuleCreate"]["errors"] == []
    assert (await contact(api, "p@x.io"))["score"] == 20
    job = (await api.data(RESCORE, {"input": {"reason": "pricing rule"}}))["scoringRescore"]["job"]
    await wait_done(api, job["id"])
    assert (await contact(api, "p@x.io"))["score"] == 50
    later = await record(api, "p@x.io", "CLICK", "c1", url=PRICING)  # c1's rule points: given
    assert (later["entry"]["points"], later["contact"]["score"]) == (30, 80)
    found = await contact(api, "p@x.io")
    assert found["score"] == timeline_sum(found)
    assert [e["kind"] for e in found["timeline"]["entries"]].count("RULE") == 0


async def test_rescore_refuses_bad_input_a_paused_sheet_a_reset_or_another_rescore(api, store):
    await make_contact(api, "q@x.io")
    await record(api, "q@x.io", "OPEN", "c1")
    await update_sheet(api, entries=[{"activity": "UNIQUE_OPEN", "points": 40}])

    async def refused(reason: str = "r") -> dict:
        result = (await api.data(RESCORE, {"input": {"reason": reason}}))["scoringRescore"]
        assert result["job"] is None
        [error] = result["errors"]
        return error

    assert await refused("  ") == {
        "field": "reason",
        "message": "reason is required",
        "code": "REQUIRED",
    }
    await update_sheet(api, enabled=False)
    paused = await refused()
    assert paused["code"] == "CONFLICT" and paused["message"].startswith("Scoring is paused")
    await update_sheet(api, enabled=True)

    reset = await store.resets.start("ann", "elsewhere", False, 1)  # another process resets
    assert (await refused())["message"] == "A reset is running: rescore when it is done"
    await store.resets.finish(reset)
    running = await store.rescores.start("ann", "elsewhere", 1)  # another process rescores
    assert (await refused())["message"] == "A rescore is running already"
    await store.rescores.finish(running)

    assert (await contact(api, "q@x.io"))["score"] == 10
    assert [job["reason"] for job in (await api.data(JOBS))["rescoreJobs"]] == ["elsewhere"]


async def test_activities_during_a_rescore_are_neither_lost_nor_counted_twice(
    api, store, monkeypatch
):
    monkeypatch.setattr(recomputation, "CHUNK", 10)
    emails = [f"m{i}@x.io" for i in range(120)]
    for email in emails:
        await store.contacts.upsert(email, ContactDetails())
    await record_activities(
        store,
        [ActivityInput(e, ActivityType.OPEN, "c0") for e in emails]
        + [ActivityInput(e, ActivityType.CLICK, "k") for e in emails],
    )
    await update_sheet(api, entries=[{"activity": "UNIQUE_OPEN", "points": 20}])
    created = await api.data(
        CUSTOM_CREATE, {"input": {"name": "Clicks", "points": 5, "activityType": "CLICK"}}
    )
    assert created["customRuleCreate"]["errors"] == []
    job = (await api.data(RESCORE, {"input": {"reason": "race"}}))["scoringRescore"]["job"]
    second = await api.data(RESCORE, {"input": {"reason": "again"}})
    assert second["scoringRescore"]["errors"][0]["code"] == "CONFLICT"

    async def keep_recording() -> None:
        for n in range(3):
            batch = [
                item
                for e in emails
                for item in (
                    {"contactEmail": e, "type": "OPEN", "campaignId": f"n{n}"},
                    {"contactEmail": e, "type": "CLICK", "campaignId": "k"},
                )
            ]
            result = await api.data(
                "mutation($i: [ActivityInput!]!) { activitiesRecord(input: $i) "
                "{ recordedCount errors { message } } }",
                {"i": batch},
                role=Role.EDITOR,
            )
            assert result["activitiesRecord"]["recordedCount"] == len(batch)

    finished, _ = await asyncio.gather(wait_done(api, job["id"]), keep_recording())
    assert finished["contactsChanged"] == len(emails)
    # Whatever the interleaving: four unique opens at 20, clicks 10, 0, 30, 0, the rule once.
    expected = 4 * 20 + 10 + 30 + 5
    high = await api.data(f"{{ contacts(filter: {{minScore: {expected}}}) {{ totalCount }} }}")
    low = await api.data(f"{{ contacts(filter: {{maxScore: {expected}}}) {{ totalCount }} }}")
    assert high["contacts"]["totalCount"] == low["contacts"]["totalCount"] == len(emails)
    for email in emails[::13]:
        found = await contact(api, email)
        kinds = [e["kind"] for e in found["timeline"]["entries"]]
        assert found["score"] == timeline_sum(found) == expected
        assert kinds.count("RESCORE") == 1 and kinds.count("RULE") <= 1


async def test_an_abandoned_rescore_is_resumed(store):
    emails = [f"r{i}@x.io" for i in range(7)]
    for email in emails:
        await store.contacts.upsert(email, ContactDetails())
    await record_activities(store, [ActivityInput(e, ActivityType.REFER_FRIEND) for e in emails])
    await store.sheet.change_score_sheet("ann", {SheetEntry.REFER_FRIEND: 50})
    record = await store.rescores.start("ann", "crashed", 7)
    ids = await anext(store.contacts.id_batches("", 3))
    await store.rescores.advance(record, ids[-1], 3, 0)  # the dead process got this far
    await store.rescores.collection.update_one(
        {"_id": record.id}, {"$set": {"heartbeat": datetime.now(UTC) - timedelta(minutes=5)}}
    )
    claimed = await store.rescores.claim_abandoned(timedelta(seconds=30))
    assert claimed is not None and claimed.id == record.id
    assert await store.rescores.claim_abandoned(timedelta(seconds=30)) is None
    await run_rescore(store, claimed)
    finished = await store.rescores.get(record.id)
    assert (finished.status, finished.done, finished.affected) == ("DONE", 7, 4)
    scores = [(await store.contacts.by_email(e)).score for e in emails]
    assert sorted(scores) == [30, 30, 30, 50, 50, 50, 50]  # only the unreached contacts


async def test_a_rescore_reads_ledger_only_entries_and_keeps_paused_activities_unscored(store):
    await store.contacts.upsert("t@x.io", ContactDetails())
    await record_activities(store, [ActivityInput("t@x.io", ActivityType.OPEN, "c0")])
    await store.sheet.change_score_sheet("ann", enabled=False)
    for n in range(18):  # one by one: each stays in the ledger only
        await record_activities(store, [ActivityInput("t@x.io", ActivityType.OPEN, f"p{n}")])
    await store.sheet.change_score_sheet("ann", {SheetEntry.UNIQUE_OPEN: 20}, enabled=True)
    await record_activities(store, [ActivityInput("t@x.io", ActivityType.OPEN, "p0")])
    found = await store.contacts.by_email("t@x.io")
    [state] = await store.contacts.states([found.id])
    assert (state.seq, found.score) == (1, 10)  # 19 entries after the stored state
    timeline = (await store.ledger.sequences({found.id: 1}))[found.id]
    assert [e.seq for e in timeline] == list(range(1, 21))

    record = await store.rescores.start("ann", "opens", 1)
    await run_rescore(store, record)
    finished = await store.rescores.get(record.id)
    assert (finished.affected, finished.points_delta, finished.activities) == (1, 10, 20)
    # The first open is worth 20 now; the paused ones still nothing, p0's second neither.
    assert (await store.contacts.by_email("t@x.io")).score == 20
