"""Workflow scoring through the API: each trigger adds its score once per contact of the workflow's
mailing list, only while active and only for events after activation."""

from datetime import datetime, timedelta

from api.db.client import Store
from api.domain.access import Role
from api.domain.activities import ActivityType
from api.services.activities import ActivityInput, record_activities
from tests.gql_ops import RECORD_MANY, UPSERT, contact, make_contact, record, update_sheet
from tests.test_resets import RESET, wait_done

FIELDS = """
id name mailingList trigger condition { field operator value } activityType campaignId points
active activatedAt
"""
CREATE = f"""
mutation($input: WorkflowCreateInput!) {{
  workflowCreate(input: $input) {{ workflow {{ {FIELDS} }} errors {{ field message code }} }}
}}"""
UPDATE = f"""
mutation($input: WorkflowUpdateInput!) {{
  workflowUpdate(input: $input) {{ workflow {{ {FIELDS} }} errors {{ field message code }} }}
}}"""
DELETE = """
mutation($input: WorkflowIdInput!) {
  workflowDelete(input: $input) { deletedId workflow { id name } errors { field message code } }
}"""
ACTIVATE = """
mutation($input: WorkflowIdInput!) {
  workflowActivate(input: $input) { workflow { active activatedAt } errors { field code } }
}"""
DEACTIVATE = """
mutation($input: WorkflowIdInput!) {
  workflowDeactivate(input: $input) { workflow { active activatedAt } errors { field code } }
}"""
OPEN = ActivityType.OPEN
CUSTOM_RULE = """
mutation($input: CustomRuleInput!) { customRuleCreate(input: $input) { errors { code } } }"""
LIST = f"{{ workflows {{ {FIELDS} }} }}"
ONE = f"query($id: ID!) {{ workflow(id: $id) {{ {FIELDS} }} }}"
WELCOME = {
    "name": "Welcome series",
    "mailingList": "Newsletter",
    "trigger": "LIST_JOIN",
    "points": 15,
    "active": True,
}
INDIA_VIPS = {
    "name": "Indian VIPs",
    "mailingList": "VIP",
    "trigger": "FIELD_CONDITION",
    "condition": {"field": "country", "operator": "EQUALS", "value": "India"},
    "points": 20,
    "active": True,
}
TRIAL_CLICKS = {
    "name": "Trial launch clicks",
    "mailingList": "Trial",
    "trigger": "ACTIVITY",
    "activityType": "CLICK",
    "campaignId": "launch",
    "points": 25,
    "active": True,
}


async def create(api, **input_) -> dict:
    payload = (await api.data(CREATE, {"input": input_}))["workflowCreate"]
    assert payload["errors"] == []
    return payload["workflow"]


def update_fields(create_input: dict) -> dict:
    """A create input without what an update does not take (activation has its own mutations)."""
    return {k: v for k, v in create_input.items() if k != "active"}


async def score(api, email: str) -> int:
    return (await contact(api, email))["score"]


async def test_list_join_adds_the_score_once_to_contacts_joining_the_list(api):
    await make_contact(api, "before@x.io", mailingLists=["Newsletter"])
    created = await create(api, **WELCOME)
    assert created["active"] is True and created["activatedAt"] is not None
    assert (created["trigger"], created["condition"], created["activityType"]) == (
        "LIST_JOIN",
        None,
        None,
    )

    joined = await api.data(
        UPSERT, {"input": {"email": "new@x.io", "mailingLists": ["Newsletter"]}}
    )
    assert joined["contactUpsert"]["contact"]["score"] == 15
    latest = (await contact(api, "new@x.io"))["timeline"]["entries"][0]
    assert latest == {
        "points": 15,
        "totalAfter": 15,
        "reason": "Workflow 'Welcome series': add 15",
        "kind": "WORKFLOW",
        "actor": None,
    }

    await make_contact(api, "later@x.io", mailingLists=["Product updates"])
    assert await score(api, "later@x.io") == 0
    await make_contact(api, "later@x.io", mailingLists=["Product updates", "Newsletter"])
    assert await score(api, "later@x.io") == 15
    # Leaving and joining again, or changing anything else: the contact went through it once.
    await make_contact(api, "later@x.io", mailingLists=[])
    await make_contact(api, "later@x.io", mailingLists=["Newsletter"], country="Kenya")
    assert await score(api, "later@x.io") == 15

    # No backfill: a member from before the activation is not awarded by a later change.
    await make_contact(api, "before@x.io", firstName="Ada")
    assert await score(api, "before@x.io") == 0


async def test_field_condition_adds_the_score_when_a_list_member_comes_to_match(api):
    await make_contact(api, "early@x.io", country="India", mailingLists=["VIP"])
    await create(api, **INDIA_VIPS)
    await make_contact(api, "vip@x.io", country="France", mailingLists=["VIP"])
    assert await score(api, "vip@x.io") == 0
    await make_contact(api, "vip@x.io", country="india")
    found = await contact(api, "vip@x.io")
    assert found["score"] == 20
    assert found["timeline"]["entries"][0]["reason"] == "Workflow 'Indian VIPs': add 20"
    await make_contact(api, "vip@x.io", country="France")
    await make_contact(api, "vip@x.io", country="India")
    assert await score(api, "vip@x.io") == 20  # once per contact, and never taken back

    # Matching outside the list gives nothing; joining the list while matching enters the workflow.
    await make_contact(api, "outside@x.io", country="India", mailingLists=["Newsletter"])
    assert await score(api, "outside@x.io") == 0
    await make_contact(api, "outside@x.io", mailingLists=["Newsletter", "VIP"])
    assert await score(api, "outside@x.io") == 20

    # Matching already at activation is no event: nothing until the contact newly matches.
    await make_contact(api, "early@x.io", firstName="Ravi")
    assert await score(api, "early@x.io") == 0


async def test_activity_adds_the_score_once_for_list_members_after_activation(api):
    await make_contact(api, "t@x.io", mailingLists=["Trial"])
    await make_contact(api, "o@x.io", mailingLists=["Newsletter"])
    created = await create(api, **TRIAL_CLICKS)

    hit = await record(api, "t@x.io", "CLICK", "launch")
    assert hit["contact"]["score"] == 10 + 25
    assert (hit["entry"]["kind"], hit["entry"]["points"]) == ("ACTIVITY", 10)
    latest = (await contact(api, "t@x.io"))["timeline"]["entries"][0]
    assert (latest["kind"], latest["reason"]) == (
        "WORKFLOW",
        "Workflow 'Trial launch clicks': add 25",
    )
    assert (await record(api, "t@x.io", "CLICK", "launch"))["contact"]["score"] == 35
    assert (await record(api, "o@x.io", "CLICK", "launch"))["contact"]["score"] == 10
    assert (await record(api, "o@x.io", "OPEN", "launch"))["contact"]["score"] == 20

    # Another campaign, or an activity that happened before the activation, triggers nothing.
    await make_contact(api, "u@x.io", mailingLists=["Trial"])
    assert (await record(api, "u@x.io", "CLICK", "summer"))["contact"]["score"] == 10
    activated = datetime.fromisoformat(created["activatedAt"])
    earlier = (activated - timedelta(minutes=1)).isoformat()
    old = await record(api, "u@x.io", "CLICK", "launch", occurredAt=earlier)
    assert old["contact"]["score"] == 20
    assert (await record(api, "u@x.io", "CLICK", "launch"))["contact"]["score"] == 20 + 25


async def test_a_retried_activity_triggers_no_workflow(api):
    await make_contact(api, "r@x.io", mailingLists=["Trial"])
    inactive = await create(api, **{**TRIAL_CLICKS, "active": False})
    first = await record(api, "r@x.io", "CLICK", "launch", idempotencyKey="click-1")
    assert first["contact"]["score"] == 10
    await api.data(ACTIVATE, {"input": {"id": inactive["id"]}})
    retried = await record(api, "r@x.io", "CLICK", "launch", idempotencyKey="click-1")
    assert retried["duplicate"] is True and retried["contact"]["score"] == 10

    # In one batch: the same activity twice is recorded, and triggers, once.
    await make_contact(api, "b@x.io", mailingLists=["Trial"])
    item = {"contactEmail": "b@x.io", "type": "CLICK", "campaignId": "launch"}
    batch = [{**item, "idempotencyKey": "k"}, {**item, "idempotencyKey": "k"}]
    recorded = (await api.data(RECORD_MANY, {"input": batch}))["activitiesRecord"]
    assert (recorded["recordedCount"], recorded["duplicateCount"]) == (1, 1)
    again = (await api.data(RECORD_MANY, {"input": batch}))["activitiesRecord"]
    assert again["duplicateCount"] == 2
    found = await contact(api, "b@x.io")
    assert found["score"] == 10 + 25
    assert [e["kind"] for e in found["timeline"]["entries"]] == ["WORKFLOW", "ACTIVITY"]


async def test_inactive_workflows_award_nothing_and_activation_looks_forward(api):
    created = await create(api, **{**WELCOME, "active": False})
    assert (created["active"], created["activatedAt"]) == (False, None)
    await make_contact(api, "a@x.io", mailingLists=["Newsletter"])
    assert await score(api, "a@x.io") == 0

    activated = (await api.data(ACTIVATE, {"input": {"id": created["id"]}}))["workflowActivate"]
    assert activated["workflow"]["active"] is True
    assert await score(api, "a@x.io") == 0  # activation does not backfill
    await make_contact(api, "b@x.io", mailingLists=["Newsletter"])
    assert await score(api, "b@x.io") == 15
    again = (await api.data(ACTIVATE, {"input": {"id": created["id"]}}))["workflowActivate"]
    assert again["workflow"] == activated["workflow"]  # already active: unchanged

    off = (await api.data(DEACTIVATE, {"input": {"id": created["id"]}}))["workflowDeactivate"]
    assert off["workflow"] == {"active": False, "activatedAt": None}
    await make_contact(api, "c@x.io", mailingLists=["Newsletter"])
    assert await score(api, "c@x.io") == 0
    assert await score(api, "b@x.io") == 15  # deactivating keeps the points given

    await api.data(ACTIVATE, {"input": {"id": created["id"]}})
    await make_contact(api, "b@x.io", mailingLists=[])
    await make_contact(api, "b@x.io", mailingLists=["Newsletter"])
    assert await score(api, "b@x.io") == 15  # went through it once already
    await make_contact(api, "d@x.io", mailingLists=["Newsletter"])
    assert await score(api, "d@x.io") == 15


async def test_workflows_keep_scoring_while_scoring_is_paused(api):
    await create(api, **TRIAL_CLICKS)
    await create(api, **WELCOME)
    await update_sheet(api, enabled=False)
    await make_contact(api, "p@x.io", mailingLists=["Trial", "Newsletter"])
    paused = await record(api, "p@x.io", "CLICK", "launch")
    assert paused["entry"]["points"] == 0
    found = await contact(api, "p@x.io")
    assert found["score"] == 15 + 25
    assert [(e["kind"], e["points"]) for e in found["timeline"]["entries"]] == [
        ("WORKFLOW", 25),
        ("ACTIVITY", 0),
        ("WORKFLOW", 15),
    ]


async def test_after_a_reset_contacts_can_go_through_workflows_again(api):
    await create(api, **WELCOME)
    await make_contact(api, "z@x.io", mailingLists=["Newsletter"])
    started = await api.data(RESET, {"input": {"reason": "New quarter", "agree": True}})
    await wait_done(api, started["scoresReset"]["reset"]["id"])
    assert await score(api, "z@x.io") == 0
    await make_contact(api, "z@x.io", mailingLists=[])
    await make_contact(api, "z@x.io", mailingLists=["Newsletter"])
    assert await score(api, "z@x.io") == 15  # workflows score while the reset left scoring paused


async def test_the_once_per_contact_counter_survives_ledger_only_entries(api, store, mongo_uri):
    """A workflow taking back what a custom rule gives leaves the score as it is: the entries stay
    in the ledger only, and another process replays them before it scores the next activity."""
    await api.data(
        CUSTOM_RULE, {"input": {"name": "Any open", "points": 10, "activityType": "OPEN"}}
    )
    await create(
        api,
        name="Openers",
        mailingList="Trial",
        trigger="ACTIVITY",
        activityType="OPEN",
        points=-10,
        active=True,
    )
    await update_sheet(api, enabled=False)
    contact_id = await make_contact(api, "l@x.io", mailingLists=["Trial"])
    await record(api, "l@x.io", "OPEN", "c1")
    found = await contact(api, "l@x.io")
    assert found["score"] == 0
    assert found["timeline"]["entries"][0]["reason"] == "Workflow 'Openers': subtract 10"
    assert (await store.contacts.collection.find_one({"_id": contact_id}))["seq"] == 0

    fresh = Store(mongo_uri, store.db.name)  # another process: nothing cached
    try:
        [result] = await record_activities(
            fresh, [ActivityInput("l@x.io", ActivityType.OPEN, "c2")]
        )
    finally:
        fresh.close()
    assert result.entry.points == 0
    assert await score(api, "l@x.io") == 10  # the rule again (a new campaign), not the workflow


async def test_workflows_are_listed_changed_and_deleted(api):
    created = await create(api, **TRIAL_CLICKS)
    assert (await api.data(LIST, role=Role.VIEWER))["workflows"] == [created]
    assert (await api.data(ONE, {"id": created["id"]}, role=Role.VIEWER))["workflow"] == created
    assert (await api.data(ONE, {"id": "nope"}))["workflow"] is None

    changed = {**update_fields(INDIA_VIPS), "name": " VIP from India ", "points": -5}
    updated = (await api.data(UPDATE, {"input": {**changed, "id": created["id"]}}))[
        "workflowUpdate"
    ]
    assert updated["errors"] == []
    workflow = updated["workflow"]
    assert (workflow["name"], workflow["points"], workflow["trigger"]) == (
        "VIP from India",
        -5,
        "FIELD_CONDITION",
    )
    assert (workflow["activityType"], workflow["campaignId"]) == (None, None)
    assert (workflow["active"], workflow["activatedAt"]) == (True, created["activatedAt"])
    assert (await api.data(ONE, {"id": created["id"]}))["workflow"] == workflow

    await make_contact(api, "v@x.io", country="India", mailingLists=["VIP"])
    assert await score(api, "v@x.io") == -5
    deleted = (await api.data(DELETE, {"input": {"id": created["id"]}}))["workflowDelete"]
    assert deleted == {
        "deletedId": created["id"],
        "workflow": {"id": created["id"], "name": "VIP from India"},
        "errors": [],
    }
    assert (await api.data(LIST))["workflows"] == []
    assert await score(api, "v@x.io") == -5  # the points given stay


async def test_bad_input_is_reported_as_data_and_changes_nothing(api, store):
    existing = await create(api, **WELCOME)
    condition = {"field": "country", "operator": "EQUALS", "value": "India"}
    cases = [
        ({**WELCOME, "name": " "}, "name", "REQUIRED"),
        ({**WELCOME, "name": "x" * 201}, "name", "INVALID"),
        ({**WELCOME, "name": "Welcome series"}, "name", "CONFLICT"),
        ({**WELCOME, "name": "n", "mailingList": ""}, "mailingList", "REQUIRED"),
        ({**WELCOME, "name": "n", "points": 0}, "points", "INVALID"),
        ({**WELCOME, "name": "n", "points": 101}, "points", "OUT_OF_RANGE"),
        ({**WELCOME, "name": "n", "points": -51}, "points", "OUT_OF_RANGE"),
        ({**INDIA_VIPS, "condition": None}, "condition", "REQUIRED"),
        (
            {**INDIA_VIPS, "condition": {**condition, "field": "shoeSize"}},
            "condition.field",
            "INVALID",
        ),
        ({**INDIA_VIPS, "condition": {**condition, "value": ""}}, "condition.value", "REQUIRED"),
        ({**INDIA_VIPS, "activityType": "OPEN"}, "activityType", "INVALID"),
        ({**TRIAL_CLICKS, "activityType": None}, "activityType", "REQUIRED"),
        ({**TRIAL_CLICKS, "condition": condition}, "condition", "INVALID"),
        ({**TRIAL_CLICKS, "campaignId": "c" * 201}, "campaignId", "INVALID"),
        ({**WELCOME, "name": "n", "campaignId": "launch"}, "campaignId", "INVALID"),
        ({**WELCOME, "name": "n", "condition": condition}, "condition", "INVALID"),
    ]
    for input_, field, code in cases:
        errors = (await api.data(CREATE, {"input": input_}))["workflowCreate"]["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], input_
        if code != "CONFLICT":
            update_input = {**update_fields(input_), "id": existing["id"]}
            update = await api.data(UPDATE, {"input": update_input})
            errors = update["workflowUpdate"]["errors"]
            assert [(e["field"], e["code"]) for e in errors] == [(field, code)], input_
    assert (await api.data(LIST))["workflows"] == [existing]
    assert await store.workflows.collection.count_documents({}) == 1
    conflict = (await api.data(CREATE, {"input": WELCOME}))["workflowCreate"]["errors"]
    assert conflict[0]["message"] == "A workflow named 'Welcome series' exists already"

    unknown = {"input": {"id": "nope"}}
    update_unknown = {"input": {**update_fields(TRIAL_CLICKS), "id": "nope"}}
    for name, document, variables in [
        ("workflowUpdate", UPDATE, update_unknown),
        ("workflowDelete", DELETE, unknown),
        ("workflowActivate", ACTIVATE, unknown),
        ("workflowDeactivate", DEACTIVATE, unknown),
    ]:
        payload = (await api.data(document, variables))[name]
        assert payload["workflow"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", "NOT_FOUND")]
    assert (await api.data(LIST))["workflows"] == [existing]


async def test_only_admins_change_workflows(api):
    existing = await create(api, **{**WELCOME, "active": False})
    attempts = [
        (CREATE, {"input": TRIAL_CLICKS}),
        (UPDATE, {"input": {**update_fields(WELCOME), "points": 50, "id": existing["id"]}}),
        (DELETE, {"input": {"id": existing["id"]}}),
        (ACTIVATE, {"input": {"id": existing["id"]}}),
        (DEACTIVATE, {"input": {"id": existing["id"]}}),
    ]
    for role in (Role.EDITOR, Role.VIEWER):
        for document, variables in attempts:
            denied = await api.call(document, variables, role=role)
            assert denied["data"] is None
            assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.data(LIST, role=Role.VIEWER))["workflows"] == [existing]
    anonymous = await api.call(LIST, role=None)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
