"""Point expiry: sheet entries and rules whose points expire, taken back by EXPIRY entries exactly
once, on a clock the tests control (`expire_due(store, now)`), and by the app's own scheduler."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

from api.db.client import Store
from api.db.ledger import entry_to_doc
from api.domain.access import Role
from api.domain.activities import ActivityType
from api.domain.changes import Change, PointsExpiry
from api.domain.contacts import EXPIRED, ContactDetails, ContactState
from api.domain.ledger import Entry, EntryKind
from api.domain.sheet import ScoreSheet, SheetEntry
from api.scoring.planner import plan
from api.services.activities import ActivityInput, record_activities
from api.services.contacts import set_score
from api.services.expiry import TASK, expire_due
from api.services.reset_job import run_reset
from api.services.sheet import update_sheet
from api.writes.commit import commit, planner_for
from tests.conftest import ServerThread
from tests.gql_ops import (
    CUSTOM_CREATE,
    CUSTOM_UPDATE,
    FIELD_CREATE,
    FIELD_UPDATE,
    RECORD,
    SHEET_UPDATE,
    UPSERT,
    make_contact,
    record,
    wait_sync,
)
from tests.ws import Subscriber

NOW = datetime.now(UTC).replace(microsecond=0)
TIMELINE = """
query($email: String!) {
  contact(email: $email) {
    id score
    timeline(first: 100) {
      entries { points totalAfter reason kind expiresAt scoreActivity activity { type campaignId } }
    }
  }
}"""
SHEET = "{ scoreSheet { entries { activity points expiresAfterDays } } }"
INDIA = {
    "name": "Indian customers",
    "points": 25,
    "conditions": [{"field": "country", "operator": "EQUALS", "value": "india"}],
    "expiresAfterDays": 30,
}
PRICING = {
    "name": "Pricing page",
    "points": 15,
    "activityType": "CLICK",
    "urlContains": "/pricing",
    "expiresAfterDays": 7,
}


def iso(moment: datetime) -> str:
    return moment.isoformat()


def parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


async def timeline(api, email: str) -> dict:
    found = (await api.data(TIMELINE, {"email": email}))["contact"]
    assert found["score"] == sum(e["points"] for e in found["timeline"]["entries"])
    return found


async def sheet_expiry(api) -> dict[str, int | None]:
    entries = (await api.data(SHEET, role=Role.VIEWER))["scoreSheet"]["entries"]
    return {e["activity"]: e["expiresAfterDays"] for e in entries}


async def score(store: Store, email: str) -> int:
    return (await store.contacts.by_email(email)).score


async def due_left(store: Store) -> int:
    return await store.ledger.collection.count_documents({"expiryDue": True})


async def entries_after(store, contact_id: str, seq: int) -> list:
    return (await store.ledger.sequences({contact_id: seq + 1}))[contact_id]


async def test_sheet_entry_points_expire_with_an_explained_timeline_entry(api, store):
    sheet = await api.data(
        SHEET_UPDATE,
        {"input": {"entries": [{"activity": "UNIQUE_OPEN", "points": 10, "expiresAfterDays": 30}]}},
    )
    assert sheet["scoreSheetUpdate"]["errors"] == []
    assert (await sheet_expiry(api))["UNIQUE_OPEN"] == 30
    await make_contact(api, "ann@x.io")
    opened = NOW - timedelta(hours=1)
    await record(api, "ann@x.io", "OPEN", "spring", occurredAt=iso(opened))
    await record(api, "ann@x.io", "CLICK", "spring")
    before = await timeline(api, "ann@x.io")
    click, open_ = before["timeline"]["entries"]
    assert parse(open_["expiresAt"]) == opened + timedelta(days=30)
    assert click["expiresAt"] is None
    assert before["score"] == 20

    assert await expire_due(store, opened + timedelta(days=30) - timedelta(seconds=1)) == 0
    assert await score(store, "ann@x.io") == 20
    assert await expire_due(store, opened + timedelta(days=30)) == 1
    after = await timeline(api, "ann@x.io")
    expiry = after["timeline"]["entries"][0]
    assert after["score"] == 10
    assert (expiry["kind"], expiry["points"], expiry["totalAfter"]) == ("EXPIRY", -10, 10)
    assert expiry["reason"] == (
        '10 points from "1st open of campaign spring (unique open)" expired after 30 days'
    )
    assert expiry["scoreActivity"] == "UNIQUE_OPEN"
    assert expiry["activity"] == {"type": "OPEN", "campaignId": "spring"}
    assert await expire_due(store, NOW + timedelta(days=400)) == 0  # done once, never again
    assert await due_left(store) == 0


async def test_expiring_negative_points_are_given_back(store):
    await store.contacts.upsert("neg@x.io", ContactDetails())
    await update_sheet(store, {}, None, True, "test", expiry_days={SheetEntry.UNSUBSCRIBE: 10})
    [result] = await record_activities(
        store, [ActivityInput("neg@x.io", ActivityType.UNSUBSCRIBE, "c1", occurred_at=NOW)]
    )
    assert result.entry.points == -20
    assert await expire_due(store, NOW + timedelta(days=10)) == 1
    [expiry] = await entries_after(store, result.contact_id, result.entry.seq)
    assert (expiry.points, expiry.total_after) == (20, 0)
    assert expiry.reason.startswith('-20 points from "Unsubscribe of campaign c1')


async def test_custom_rule_points_expire(api, store):
    created = await api.data(CUSTOM_CREATE, {"input": PRICING})
    rule = created["customRuleCreate"]["customRule"]
    assert created["customRuleCreate"]["errors"] == []
    listed = await api.data("{ customRules { id expiresAfterDays } }", role=Role.VIEWER)
    assert listed["customRules"] == [{"id": rule["id"], "expiresAfterDays": 7}]
    await make_contact(api, "c@x.io")
    await record(api, "c@x.io", "CLICK", "launch", url="https://x.io/pricing", occurredAt=iso(NOW))
    rule_entry, click = (await timeline(api, "c@x.io"))["timeline"]["entries"]
    assert (rule_entry["kind"], rule_entry["points"]) == ("RULE", 15)
    assert parse(rule_entry["expiresAt"]) == NOW + timedelta(days=7)
    assert click["expiresAt"] is None  # the sheet's click points never expire

    assert await expire_due(store, NOW + timedelta(days=8)) == 1
    after = await timeline(api, "c@x.io")
    assert after["score"] == 10
    assert after["timeline"]["entries"][0]["reason"] == (
        "15 points from \"Custom rule 'Pricing page'\" expired after 7 days"
    )


async def test_field_rule_points_expire_and_come_back_only_on_a_new_match(api, store):
    await make_contact(api, "in@x.io", country="India")
    created = (await api.data(FIELD_CREATE, {"input": INDIA}))["fieldRuleCreate"]
    assert created["errors"] == [] and (await wait_sync(api, created))["affected"] == 1
    rule_id = created["fieldRule"]["id"]
    listed = await api.data("{ fieldRules { expiresAfterDays } }", role=Role.VIEWER)
    assert listed["fieldRules"] == [{"expiresAfterDays": 30}]
    [award] = (await timeline(api, "in@x.io"))["timeline"]["entries"]
    assert parse(award["expiresAt"]) > NOW + timedelta(days=29)

    assert await expire_due(store, NOW + timedelta(days=31)) == 1
    expired = await timeline(api, "in@x.io")
    assert expired["score"] == 0
    assert expired["timeline"]["entries"][0]["reason"] == (
        "25 points from \"Matches field rule 'Indian customers'\" expired after 30 days"
    )
    # Still matching, changed, or the rule changed: the expired points do not come back.
    await api.data(UPSERT, {"input": {"email": "in@x.io", "firstName": "Ann"}})
    changed = await api.data(FIELD_UPDATE, {"input": {**INDIA, "id": rule_id, "points": 40}})
    assert (await wait_sync(api, changed["fieldRuleUpdate"]))["affected"] == 0
    assert (await timeline(api, "in@x.io"))["score"] == 0
    # Stopping to match takes back nothing more; matching again gives the points anew.
    await api.data(UPSERT, {"input": {"email": "in@x.io", "country": "Japan"}})
    await api.data(UPSERT, {"input": {"email": "in@x.io", "country": "India"}})
    again = await timeline(api, "in@x.io")
    assert [e["points"] for e in again["timeline"]["entries"][:2]] == [40, 0]
    assert again["score"] == 40


async def test_field_rule_points_taken_back_are_not_expired_again(api, store):
    await make_contact(api, "fr@x.io", country="India")
    await wait_sync(api, (await api.data(FIELD_CREATE, {"input": INDIA}))["fieldRuleCreate"])
    await api.data(UPSERT, {"input": {"email": "fr@x.io", "country": "France"}})
    await api.data(UPSERT, {"input": {"email": "fr@x.io", "country": "India"}})
    assert (await timeline(api, "fr@x.io"))["score"] == 25
    # Both awards are due; the first one's points were taken back when the contact moved.
    assert await expire_due(store, NOW + timedelta(days=31)) == 1
    found = await timeline(api, "fr@x.io")
    assert found["score"] == 0
    assert [e["kind"] for e in found["timeline"]["entries"]].count("EXPIRY") == 1
    assert await due_left(store) == 0


async def test_expiry_edits_are_prospective(api, store):
    await make_contact(api, "p@x.io")

    async def open_under(days: int | None, campaign: str) -> None:
        entry = {"activity": "UNIQUE_OPEN", "points": 10, "expiresAfterDays": days}
        await api.data(SHEET_UPDATE, {"input": {"entries": [entry]}})
        await record(api, "p@x.io", "OPEN", campaign, occurredAt=iso(NOW))

    await open_under(30, "a")
    await open_under(5, "b")
    await open_under(None, "c")
    assert (await sheet_expiry(api))["UNIQUE_OPEN"] is None
    entries = (await timeline(api, "p@x.io"))["timeline"]["entries"]
    assert [parse(e["expiresAt"]) for e in entries] == [
        None,
        NOW + timedelta(days=5),
        NOW + timedelta(days=30),
    ]
    assert await expire_due(store, NOW + timedelta(days=6)) == 1
    assert await score(store, "p@x.io") == 20
    assert await expire_due(store, NOW + timedelta(days=31)) == 1
    assert await score(store, "p@x.io") == 10
    # Points alone, as clients sent them before expiry existed, leave the expiry as it is.
    await api.data(
        SHEET_UPDATE,
        {"input": {"entries": [{"activity": "UNIQUE_CLICK", "points": 10, "expiresAfterDays": 3}]}},
    )
    await api.data(
        SHEET_UPDATE, {"input": {"entries": [{"activity": "UNIQUE_CLICK", "points": 12}]}}
    )
    assert (await sheet_expiry(api))["UNIQUE_CLICK"] == 3


async def test_rule_updates_keep_the_expiry_unless_they_give_one(api):
    custom = (await api.data(CUSTOM_CREATE, {"input": PRICING}))["customRuleCreate"]["customRule"]
    field = (await api.data(FIELD_CREATE, {"input": INDIA}))["fieldRuleCreate"]["fieldRule"]
    plain_custom = {k: v for k, v in PRICING.items() if k != "expiresAfterDays"}
    plain_field = {k: v for k, v in INDIA.items() if k != "expiresAfterDays"}
    await api.data(CUSTOM_UPDATE, {"input": {**plain_custom, "id": custom["id"], "points": 5}})
    await api.data(FIELD_UPDATE, {"input": {**plain_field, "id": field["id"], "points": 5}})
    query = "{ customRules { points expiresAfterDays } fieldRules { points expiresAfterDays } }"
    assert await api.data(query) == {
        "customRules": [{"points": 5, "expiresAfterDays": 7}],
        "fieldRules": [{"points": 5, "expiresAfterDays": 30}],
    }
    never = {"expiresAfterDays": None}
    await api.data(CUSTOM_UPDATE, {"input": {**plain_custom, "id": custom["id"], **never}})
    await api.data(FIELD_UPDATE, {"input": {**plain_field, "id": field["id"], **never}})
    assert await api.data(query) == {
        "customRules": [{"points": 15, "expiresAfterDays": None}],
        "fieldRules": [{"points": 25, "expiresAfterDays": None}],
    }
    created = await api.data(CUSTOM_CREATE, {"input": {**plain_custom, "name": "Other"}})
    assert created["customRuleCreate"]["customRule"]["id"]
    listed = await api.data("{ customRules { name expiresAfterDays } }")
    assert {"name": "Other", "expiresAfterDays": None} in listed["customRules"]


async def _expiring_history(store: Store, contacts: int) -> int:
    """Contacts with expiring points (opens of two campaigns, the 3rd open of one); returns how
    many entries will expire."""
    await update_sheet(
        store,
        {},
        None,
        None,
        "test",
        expiry_days={SheetEntry.UNIQUE_OPEN: 30, SheetEntry.MULTIPLE_OPEN: 30},
    )
    emails = [f"r{i}@x.io" for i in range(contacts)]
    for email in emails:
        await store.contacts.upsert(email, ContactDetails())
    items = [
        ActivityInput(email, ActivityType.OPEN, campaign, occurred_at=NOW)
        for email in emails
        for campaign in ("a", "b", "a", "a")
    ]
    await record_activities(store, items)
    assert await score(store, emails[0]) == 40
    return contacts * 3


async def test_two_schedulers_racing_expire_each_entry_once(store, mongo_uri):
    due = await _expiring_history(store, 40)
    other = Store(mongo_uri, store.db.name)  # another API process
    try:
        written = await asyncio.gather(
            expire_due(store, NOW + timedelta(days=31), batch=7),
            expire_due(other, NOW + timedelta(days=31), batch=11),
        )
    finally:
        other.close()
    assert sum(written) == due
    expiries = await store.ledger.collection.count_documents({"kind": "EXPIRY"})
    assert expiries == due
    scores = await store.contacts.collection.distinct("score")
    assert scores == [0]
    assert await due_left(store) == 0


async def test_a_crash_between_commit_and_mark_expires_nothing_twice(store):
    due = await _expiring_history(store, 3)
    moment = NOW + timedelta(days=31)
    # The crashed process got as far as committing the first batch.
    [first_batch] = [entries async for entries in store.ledger.due(moment, 100)]
    changes: dict[str, list[Change]] = {}
    for entry in first_batch:
        changes.setdefault(entry.contact_id, []).append(PointsExpiry(entry))
    await commit(store, changes, planner_for(await store.sheet.score_sheet()))
    assert await due_left(store) == due  # committed, not marked
    assert await expire_due(store, moment) == 0
    assert await due_left(store) == 0
    assert await store.ledger.collection.count_documents({"kind": "EXPIRY"}) == due
    assert await score(store, "r0@x.io") == 0


async def test_points_earned_before_a_reset_never_expire_after_it(store):
    await update_sheet(
        store,
        {},
        None,
        None,
        "test",
        expiry_days={SheetEntry.UNIQUE_OPEN: 30, SheetEntry.REFER_FRIEND: 30},
    )
    for email in ("a@x.io", "b@x.io"):
        await store.contacts.upsert(email, ContactDetails())
    await record_activities(
        store,
        [
            ActivityInput("a@x.io", ActivityType.OPEN, "c1", occurred_at=NOW),
            ActivityInput("b@x.io", ActivityType.REFER_FRIEND, occurred_at=NOW),
        ],
    )
    b = await store.contacts.by_email("b@x.io")
    # A score set by hand to 0 leaves b with nothing a reset would seem to need to clear.
    await set_score(store, b.id, 0, "met them", "ann")
    record_ = await store.resets.start("ann", "New quarter", True, 2)
    await run_reset(store, record_)
    after_reset = await record_activities(
        store, [ActivityInput("a@x.io", ActivityType.OPEN, "c2", occurred_at=NOW)]
    )
    assert after_reset[0].entry.total_after == 10

    assert await expire_due(store, NOW + timedelta(days=31)) == 1  # only the post-reset open
    assert await score(store, "a@x.io") == 0
    assert await score(store, "b@x.io") == 0
    assert await due_left(store) == 0
    for email in ("a@x.io", "b@x.io"):
        contact = await store.contacts.by_email(email)
        entries, _ = await store.ledger.page(contact.id, 100, None)
        kinds = [e.kind.value for e in entries]
        since_reset = entries[: kinds.index("RESET")]
        assert contact.score == sum(e.points for e in since_reset)


async def test_expired_points_leave_the_recent_points_too(store):
    await update_sheet(store, {}, None, None, "test", expiry_days={SheetEntry.REFER_FRIEND: 30})
    await store.contacts.upsert("old@x.io", ContactDetails())
    [result] = await record_activities(
        store,
        [
            ActivityInput(
                "old@x.io", ActivityType.REFER_FRIEND, occurred_at=NOW - timedelta(days=40)
            )
        ],
    )
    assert await expire_due(store) == 1  # due ten days ago
    recent = await store.ledger.points_since(NOW - timedelta(days=7), [result.contact_id])
    assert recent.get(result.contact_id, 0) == 0


async def test_expiry_reaches_subscribers(api, store):
    await update_sheet(store, {}, None, None, "test", expiry_days={SheetEntry.REFER_FRIEND: 30})
    contact_id = await make_contact(api, "live@x.io")
    await record(api, "live@x.io", "REFER_FRIEND", None, occurredAt=iso(NOW))
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(
            "subscription($id: ID) { scoreChanged(contactId: $id) "
            "{ delta score previousScore reason } }",
            {"id": contact_id},
        )
        await api.wait_subscribers(1)
        assert await expire_due(store, NOW + timedelta(days=30)) == 1
        change = (await sub.next())["payload"]["data"]["scoreChanged"]
    assert (change["delta"], change["score"], change["previousScore"]) == (-30, 0, 30)
    assert change["reason"] == (
        '30 points from "Referral of a friend (refer friend)" expired after 30 days'
    )


async def test_bad_expiry_settings_change_nothing(api):
    await api.data(
        SHEET_UPDATE,
        {"input": {"entries": [{"activity": "UNIQUE_OPEN", "points": 10, "expiresAfterDays": 30}]}},
    )
    cases = [
        ({"activity": "UNIQUE_OPEN", "points": 15, "expiresAfterDays": 0}, "UNIQUE_OPEN"),
        ({"activity": "REFER_FRIEND", "points": 15, "expiresAfterDays": 3651}, "REFER_FRIEND"),
    ]
    for entry, activity in cases:
        failed = (await api.data(SHEET_UPDATE, {"input": {"entries": [entry]}}))["scoreSheetUpdate"]
        assert failed["scoreSheet"] is None
        assert failed["errors"] == [
            {
                "field": f"entries.{activity}.expiresAfterDays",
                "message": f"{activity} expiresAfterDays must be between 1 and 3650 days, "
                "or null for never",
                "code": "OUT_OF_RANGE",
            }
        ]
    sheet = (await api.data("{ scoreSheet { entries { activity points expiresAfterDays } } }"))[
        "scoreSheet"
    ]["entries"]
    assert {"activity": "UNIQUE_OPEN", "points": 10, "expiresAfterDays": 30} in sheet
    assert {"activity": "REFER_FRIEND", "points": 30, "expiresAfterDays": None} in sheet

    for days in (0, -5, 3651):
        field = await api.data(FIELD_CREATE, {"input": {**INDIA, "expiresAfterDays": days}})
        assert field["fieldRuleCreate"]["errors"][0]["field"] == "expiresAfterDays"
        assert field["fieldRuleCreate"]["errors"][0]["code"] == "OUT_OF_RANGE"
        custom = await api.data(CUSTOM_CREATE, {"input": {**PRICING, "expiresAfterDays": days}})
        assert custom["customRuleCreate"]["errors"][0]["code"] == "OUT_OF_RANGE"
    rules = await api.data("{ fieldRules { id } customRules { id } }")
    assert rules == {"fieldRules": [], "customRules": []}

    rule = (await api.data(CUSTOM_CREATE, {"input": PRICING}))["customRuleCreate"]["customRule"]
    bad = await api.data(
        CUSTOM_UPDATE, {"input": {**PRICING, "id": rule["id"], "expiresAfterDays": 4000}}
    )
    assert bad["customRuleUpdate"]["errors"][0]["code"] == "OUT_OF_RANGE"
    kept = await api.data("{ customRules { expiresAfterDays } }")
    assert kept["customRules"] == [{"expiresAfterDays": 7}]


async def test_only_admins_change_expiry(api):
    entry = {"activity": "UNIQUE_OPEN", "points": 10, "expiresAfterDays": 30}
    rule = (await api.data(CUSTOM_CREATE, {"input": PRICING}))["customRuleCreate"]["customRule"]
    for role in (Role.EDITOR, Role.VIEWER):
        for query, variables in [
            (SHEET_UPDATE, {"input": {"entries": [entry]}}),
            (FIELD_CREATE, {"input": INDIA}),
            (CUSTOM_UPDATE, {"input": {**PRICING, "id": rule["id"], "expiresAfterDays": 1}}),
        ]:
            denied = await api.call(query, variables, role=role)
            assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await sheet_expiry(api))["UNIQUE_OPEN"] is None
    rules = await api.data("{ fieldRules { id } customRules { expiresAfterDays } }")
    assert rules == {"fieldRules": [], "customRules": [{"expiresAfterDays": 7}]}


async def test_expiry_keys_are_reserved(api):
    await make_contact(api, "k@x.io")
    item = {"contactEmail": "k@x.io", "type": "REFER_FRIEND", "idempotencyKey": "expiry:x:1"}
    refused = (await api.data(RECORD, {"input": item}, role=Role.EDITOR))["activityRecord"]
    assert refused["errors"][0]["field"] == "idempotencyKey"
    assert refused["errors"][0]["code"] == "INVALID"
    assert (await timeline(api, "k@x.io"))["timeline"]["entries"] == []


async def test_the_app_expires_points_on_its_own(store, mongo_uri, database_name, monkeypatch):
    monkeypatch.setenv("SCORING_EXPIRY_INTERVAL", "0.1")
    await update_sheet(store, {}, None, None, "test", expiry_days={SheetEntry.REFER_FRIEND: 1})
    await store.contacts.upsert("auto@x.io", ContactDetails())
    with ServerThread(mongo_uri, database_name):
        # An imported activity from two days ago: its points are due already.
        await record_activities(
            store,
            [
                ActivityInput(
                    "auto@x.io", ActivityType.REFER_FRIEND, occurred_at=NOW - timedelta(days=2)
                )
            ],
        )
        deadline = time.monotonic() + 30
        while await score(store, "auto@x.io") != 0:
            assert time.monotonic() < deadline, "the scheduler did not expire the points"
            await asyncio.sleep(0.05)
        lease = await store.leases.get(TASK)
        assert lease is not None and lease.holder
    contact = await store.contacts.by_email("auto@x.io")
    [expiry] = await entries_after(store, contact.id, 1)
    assert (expiry.kind.value, expiry.points) == ("EXPIRY", -30)
    assert await store.leases.get(TASK) is None  # released when the app stopped


def test_an_expiry_counts_as_of_when_its_points_were_earned():
    awarded = NOW - timedelta(days=40)
    award = Entry(
        "c",
        1,
        25,
        25,
        EntryKind.RULE,
        "Matches field rule 'VIP'",
        awarded,
        expires_at=awarded + timedelta(days=30),
        field_rule_id="r1",
    )
    state = ContactState("c", 25, 1, rule_points={"r1": 25}, rule_expiry={"r1": 1})
    [expiry], after = plan(state, [PointsExpiry(award)], ScoreSheet(), NOW)
    assert (expiry.points, expiry.total_after, expiry.key) == (-25, 0, "expiry:c:0000000001")
    assert entry_to_doc(expiry)["earnedAt"] == awarded  # not in the points of the last days
    assert (after.rule_points, after.rule_expiry) == ({"r1": 0}, {"r1": EXPIRED})
