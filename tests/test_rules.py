"""Field rules and custom rules through the API: points given and taken back, with reasons."""

from api.domain.access import Role
from tests.gql_ops import (
    CUSTOM_CREATE,
    CUSTOM_UPDATE,
    FIELD_CREATE,
    FIELD_DELETE,
    FIELD_UPDATE,
    UPSERT,
    contact,
    make_contact,
    record,
    update_sheet,
    wait_sync,
)

INDIA = {
    "name": "Indian customers",
    "points": 25,
    "conditions": [{"field": "country", "operator": "EQUALS", "value": "india"}],
}


async def test_field_rule_gives_and_takes_back_points(api):
    await make_contact(api, "in@x.io", country="India")
    await make_contact(api, "fr@x.io", country="France")
    created = (await api.data(FIELD_CREATE, {"input": INDIA}))["fieldRuleCreate"]
    assert created["errors"] == [] and (await wait_sync(api, created))["affected"] == 1
    rule_id = created["fieldRule"]["id"]
    found = await contact(api, "in@x.io")
    assert found["score"] == 25
    assert found["timeline"]["entries"][0]["reason"] == "Matches field rule 'Indian customers'"
    assert (await contact(api, "fr@x.io"))["score"] == 0

    # A new contact that matches gets the points as it is created; one that changes loses them.
    new = await api.data(UPSERT, {"input": {"email": "new@x.io", "country": "INDIA"}})
    assert new["contactUpsert"]["contact"]["score"] == 25
    await api.data(UPSERT, {"input": {"email": "in@x.io", "country": "Japan"}})
    moved = await contact(api, "in@x.io")
    assert moved["score"] == 0
    assert (
        moved["timeline"]["entries"][0]["reason"]
        == "No longer matches field rule 'Indian customers'"
    )

    changed = await api.data(FIELD_UPDATE, {"input": {**INDIA, "id": rule_id, "points": 40}})
    assert (await wait_sync(api, changed["fieldRuleUpdate"]))["affected"] == 1
    assert (await contact(api, "new@x.io"))["score"] == 40
    deleted = await api.data(FIELD_DELETE, {"input": {"id": rule_id}})
    assert (await wait_sync(api, deleted["fieldRuleDelete"]))["affected"] == 1
    gone = await contact(api, "new@x.io")
    assert gone["score"] == 0
    assert gone["timeline"]["entries"][0]["reason"] == "Field rule 'Indian customers' was deleted"
    assert sum(e["points"] for e in gone["timeline"]["entries"]) == 0


async def test_field_rules_keep_scoring_while_paused_and_combine_conditions(api):
    await update_sheet(api, enabled=False)
    await make_contact(
        api,
        "vip@x.io",
        country="India",
        mailingLists=["VIP"],
        fields=[{"name": "employees", "value": "500"}],
    )
    await make_contact(
        api,
        "small@x.io",
        country="India",
        mailingLists=["VIP"],
        fields=[{"name": "employees", "value": "12"}],
    )
    rule = {
        "name": "Big VIPs",
        "points": 30,
        "conditions": [
            {"field": "mailingList", "operator": "EQUALS", "value": "vip"},
            {"field": "fields.employees", "operator": "GREATER_THAN", "value": "100"},
            {"field": "lastName", "operator": "IS_EMPTY"},
        ],
    }
    created = (await api.data(FIELD_CREATE, {"input": rule}))["fieldRuleCreate"]
    assert (await wait_sync(api, created))["affected"] == 1
    assert (await contact(api, "vip@x.io"))["score"] == 30
    assert (await contact(api, "small@x.io"))["score"] == 0


async def test_field_rule_bad_input_and_roles_change_nothing(api):
    await make_contact(api, "in@x.io", country="India")
    cases = [
        ({**INDIA, "conditions": []}, "conditions", "INVALID"),
        ({**INDIA, "conditions": INDIA["conditions"] * 4}, "conditions", "INVALID"),
        ({**INDIA, "points": 101}, "points", "OUT_OF_RANGE"),
        ({**INDIA, "name": " "}, "name", "REQUIRED"),
        (
            {**INDIA, "conditions": [{"field": "shoeSize", "operator": "EQUALS", "value": "9"}]},
            "conditions.0.field",
            "INVALID",
        ),
        (
            {
                **INDIA,
                "conditions": [{"field": "country", "operator": "GREATER_THAN", "value": "x"}],
            },
            "conditions.0.value",
            "INVALID",
        ),
        (
            {**INDIA, "conditions": [{"field": "country", "operator": "EQUALS", "value": ""}]},
            "conditions.0.value",
            "REQUIRED",
        ),
    ]
    for rule, field, code in cases:
        errors = (await api.data(FIELD_CREATE, {"input": rule}))["fieldRuleCreate"]["errors"]
        assert (errors[0]["field"], errors[0]["code"]) == (field, code), rule
    for role in (Role.EDITOR, Role.VIEWER):
        denied = await api.call(FIELD_CREATE, {"input": INDIA}, role=role)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.data("{ fieldRules { id } }", role=Role.VIEWER))["fieldRules"] == []
    await wait_sync(api, (await api.data(FIELD_CREATE, {"input": INDIA}))["fieldRuleCreate"])
    again = (await api.data(FIELD_CREATE, {"input": INDIA}))["fieldRuleCreate"]["errors"]
    assert again[0]["code"] == "CONFLICT"
    missing = await api.data(FIELD_DELETE, {"input": {"id": "nope"}})
    assert missing["fieldRuleDelete"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await contact(api, "in@x.io"))["score"] == 25


async def test_custom_rule_scores_matching_activities_even_while_paused(api):
    await make_contact(api, "c@x.io")
    created = await api.data(
        CUSTOM_CREATE,
        {
            "input": {
                "name": "Pricing page",
                "points": 15,
                "activityType": "CLICK",
                "urlContains": "/pricing",
                "excludedCampaigns": ["internal-test"],
            }
        },
    )
    rule = created["customRuleCreate"]["customRule"]
    assert rule["excludedCampaigns"] == ["internal-test"] and rule["enabled"] is True
    hit = await record(api, "c@x.io", "CLICK", "launch", url="https://x.io/pricing")
    assert hit["contact"]["score"] == 10 + 15
    assert (hit["entry"]["kind"], hit["entry"]["points"]) == ("ACTIVITY", 10)
    again = await record(api, "c@x.io", "CLICK", "launch", url="https://x.io/pricing")
    assert again["contact"]["score"] == 25  # once per campaign
    other = await record(api, "c@x.io", "CLICK", "launch", url="https://x.io/blog")
    assert other["contact"]["score"] == 25 + 30  # the 3rd click, no rule
    opted_out = await record(api, "c@x.io", "CLICK", "internal-test", url="https://x.io/pricing")
    assert opted_out["contact"]["score"] == 55 + 10
    await update_sheet(api, enabled=False)
    paused = await record(api, "c@x.io", "CLICK", "summer", url="https://x.io/pricing")
    assert paused["contact"]["score"] == 65 + 15
    found = await contact(api, "c@x.io")
    assert found["timeline"]["entries"][0]["reason"] == "Custom rule 'Pricing page'"
    assert found["timeline"]["entries"][0]["kind"] == "RULE"
    await api.data(
        CUSTOM_UPDATE,
        {
            "input": {
                "id": rule["id"],
                "name": "Pricing page",
                "points": 15,
                "urlContains": "/pricing",
                "enabled": False,
            }
        },
    )
    disabled = await record(api, "c@x.io", "CLICK", "autumn", url="https://x.io/pricing")
    assert disabled["contact"]["score"] == 80


async def test_custom_rule_bad_input_and_roles(api):
    no_condition = await api.data(CUSTOM_CREATE, {"input": {"name": "x", "points": 5}})
    assert no_condition["customRuleCreate"]["errors"][0]["code"] == "REQUIRED"
    too_low = await api.data(
        CUSTOM_CREATE, {"input": {"name": "x", "points": -60, "activityType": "UNSUBSCRIBE"}}
    )
    assert too_low["customRuleCreate"]["errors"][0] == {
        "field": "points",
        "code": "OUT_OF_RANGE",
        "message": "points must be between -50 and 100",
    }
    unknown = await api.data(
        CUSTOM_UPDATE, {"input": {"id": "nope", "name": "x", "points": 5, "campaignId": "c"}}
    )
    assert unknown["customRuleUpdate"]["errors"][0]["code"] == "NOT_FOUND"
    editor = await api.call(
        CUSTOM_CREATE, {"input": {"name": "x", "points": 5, "campaignId": "c"}}, role=Role.EDITOR
    )
    assert editor["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.data("{ customRules { id } }"))["customRules"] == []
