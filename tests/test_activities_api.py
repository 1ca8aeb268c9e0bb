"""Recording activities through the GraphQL API, against the real database."""

import asyncio
import itertools

from api.domain.access import Role
from tests.gql_ops import RECORD, RECORD_MANY, contact, make_contact, record, update_sheet


async def test_seed_example_unique_open_then_sheet_edit(api):
    await make_contact(api, "ann@example.com")
    first = await record(api, "ann@example.com", "OPEN", "spring")
    assert first["entry"]["totalAfter"] == 10
    await update_sheet(api, entries=[{"activity": "UNIQUE_OPEN", "points": 20}])
    second = await record(api, "ann@example.com", "OPEN", "summer")
    assert second["entry"]["points"] == 20
    assert second["contact"]["score"] == 30


async def test_seed_example_clicks(api):
    await make_contact(api, "bob@example.com")
    totals = [
        (await record(api, "bob@example.com", "CLICK", "spring"))["entry"]["totalAfter"]
        for _ in range(4)
    ]
    assert totals == [10, 10, 40, 40]
    timeline = (await contact(api, "bob@example.com"))["timeline"]
    assert [e["points"] for e in timeline["entries"]] == [0, 30, 0, 10]
    assert "no points until the 3rd" in timeline["entries"][2]["reason"]


async def test_pause_keeps_scores_and_stores_activities(api):
    await make_contact(api, "cy@example.com")
    await record(api, "cy@example.com", "OPEN", "a")
    sheet = await update_sheet(api, enabled=False)
    assert sheet["scoreSheet"]["enabled"] is False
    paused = await record(api, "cy@example.com", "OPEN", "b")
    assert paused["entry"]["points"] == 0 and "paused" in paused["entry"]["reason"]
    assert paused["contact"]["score"] == 10
    await update_sheet(api, enabled=True)
    resumed = await record(api, "cy@example.com", "CLICK", "b")
    assert resumed["contact"]["score"] == 20
    assert (await contact(api, "cy@example.com"))["timeline"]["totalCount"] == 3


async def test_negative_scoring_switch_and_floor(api):
    await make_contact(api, "dee@example.com")
    await record(api, "dee@example.com", "POSITIVE_REPLY", "a")
    off = await record(api, "dee@example.com", "UNSUBSCRIBE", "a")
    assert off["entry"]["points"] == 0 and "negative scoring is off" in off["entry"]["reason"]
    bad = await update_sheet(
        api, negativeScoringEnabled=True, entries=[{"activity": "NEGATIVE_REPLY", "points": -60}]
    )
    assert bad["errors"][0]["code"] == "OUT_OF_RANGE"
    assert bad["errors"][0]["field"] == "entries.NEGATIVE_REPLY"
    unchanged = await update_sheet(api)
    assert unchanged["scoreSheet"]["negativeScoringEnabled"] is False
    await update_sheet(
        api, negativeScoringEnabled=True, entries=[{"activity": "NEGATIVE_REPLY", "points": -50}]
    )
    negative = await record(api, "dee@example.com", "NEGATIVE_REPLY", "b")
    assert negative["entry"]["points"] == -50
    assert negative["contact"]["score"] == -10


async def test_same_idempotency_key_is_scored_once(api):
    await make_contact(api, "eve@example.com")
    first = await record(api, "eve@example.com", "CLICK", idempotencyKey="evt-1")
    again = await record(api, "eve@example.com", "CLICK", idempotencyKey="evt-1")
    assert first["duplicate"] is False and again["duplicate"] is True
    assert again["entry"]["id"] == first["entry"]["id"]
    batch = await api.data(
        RECORD_MANY,
        {
            "input": [
                {
                    "contactEmail": "eve@example.com",
                    "type": "CLICK",
                    "campaignId": "c1",
                    "idempotencyKey": key,
                }
                for key in ["evt-1", "evt-2", "evt-2"]
            ]
        },
        role=Role.EDITOR,
    )
    result = batch["activitiesRecord"]
    assert (result["recordedCount"], result["duplicateCount"]) == (1, 2)
    assert (await contact(api, "eve@example.com"))["score"] == 10
    assert (await contact(api, "eve@example.com"))["timeline"]["totalCount"] == 2


async def test_concurrent_writers_lose_nothing_and_award_once(api):
    await make_contact(api, "fay@example.com")
    clicks = [record(api, "fay@example.com", "CLICK", "hot") for _ in range(30)]
    opens = [record(api, "fay@example.com", "OPEN", f"camp-{i}") for i in range(20)]
    same_key = [
        record(api, "fay@example.com", "REFER_FRIEND", None, idempotencyKey="ref-1")
        for _ in range(10)
    ]
    results = await asyncio.gather(*clicks, *opens, *same_key)
    assert sum(1 for r in results[50:] if not r["duplicate"]) == 1
    found = await contact(api, "fay@example.com")
    entries = found["timeline"]["entries"]
    assert found["score"] == 10 + 30 + 20 * 10 + 30
    assert found["timeline"]["totalCount"] == 51
    assert sum(e["points"] for e in entries) == found["score"]
    assert [e["points"] for e in entries if "click" in e["reason"] and e["points"]] == [30, 10]
    # Each entry's total follows from the one before: no update was lost or reordered.
    chain = list(reversed(entries))
    for before, after in itertools.pairwise(chain):
        assert after["totalAfter"] == before["totalAfter"] + after["points"]


async def test_batch_records_in_order(api):
    await make_contact(api, "gus@example.com")
    await make_contact(api, "hal@example.com")
    items = [
        {"contactEmail": email, "type": "CLICK", "campaignId": "x"}
        for _ in range(3)
        for email in ["gus@example.com", "HAL@example.com "]
    ]
    data = await api.data(RECORD_MANY, {"input": items}, role=Role.EDITOR)
    totals = [r["entry"]["totalAfter"] for r in data["activitiesRecord"]["results"]]
    assert totals == [10, 10, 10, 10, 40, 40]


async def test_bad_input_is_an_error_and_changes_nothing(api):
    await make_contact(api, "ivy@example.com")
    unknown = await api.data(
        RECORD, {"input": {"contactEmail": "nobody@example.com", "type": "OPEN", "campaignId": "a"}}
    )
    assert unknown["activityRecord"]["errors"] == [
        {
            "field": "contactEmail",
            "message": "No contact with email nobody@example.com",
            "code": "NOT_FOUND",
        }
    ]
    missing_campaign = await api.data(
        RECORD, {"input": {"contactEmail": "ivy@example.com", "type": "OPEN"}}
    )
    assert missing_campaign["activityRecord"]["errors"][0]["code"] == "REQUIRED"
    bad_url = await api.data(
        RECORD,
        {
            "input": {
                "contactEmail": "ivy@example.com",
                "type": "CLICK",
                "campaignId": "a",
                "url": "javascript:x",
            }
        },
    )
    assert bad_url["activityRecord"]["errors"][0]["field"] == "url"
    future = await api.data(
        RECORD,
        {
            "input": {
                "contactEmail": "ivy@example.com",
                "type": "OPEN",
                "campaignId": "a",
                "occurredAt": "2999-01-01T00:00:00Z",
            }
        },
    )
    assert future["activityRecord"]["errors"][0]["code"] == "OUT_OF_RANGE"
    wrong_enum = await api.call(
        RECORD, {"input": {"contactEmail": "ivy@example.com", "type": "LIKE", "campaignId": "a"}}
    )
    assert wrong_enum["data"] is None and "LIKE" in wrong_enum["errors"][0]["message"]
    oversized = await api.data(
        RECORD_MANY, {"input": [{"contactEmail": "ivy@example.com", "type": "REFER_FRIEND"}] * 1001}
    )
    assert oversized["activitiesRecord"]["errors"][0]["code"] == "TOO_MANY"
    one_bad = await api.data(
        RECORD_MANY,
        {
            "input": [
                {"contactEmail": "ivy@example.com", "type": "REFER_FRIEND"},
                {"contactEmail": "not-an-email", "type": "REFER_FRIEND"},
            ]
        },
    )
    assert one_bad["activitiesRecord"]["errors"] == [
        {
            "field": "contactEmail",
            "message": "'not-an-email' is not a valid email address",
            "code": "INVALID",
            "index": 1,
        }
    ]
    assert one_bad["activitiesRecord"]["results"] == []
    found = await contact(api, "ivy@example.com")
    assert (found["score"], found["timeline"]["totalCount"]) == (0, 0)


async def test_roles_are_enforced_and_change_nothing(api):
    await make_contact(api, "jo@example.com")
    as_viewer = await api.call(
        RECORD,
        {"input": {"contactEmail": "jo@example.com", "type": "REFER_FRIEND"}},
        role=Role.VIEWER,
    )
    assert as_viewer["data"] is None
    assert as_viewer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "editor role" in as_viewer["errors"][0]["message"]
    as_editor = await api.call(
        "mutation { scoreSheetUpdate(input: {enabled: false}) { errors { code } } }",
        role=Role.EDITOR,
    )
    assert as_editor["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    nobody = await api.call("{ scoreSheet { enabled } }", role=None)
    assert nobody["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    forged = await api.call("{ scoreSheet { enabled } }", token="cs_forged")
    assert "not recognised" in forged["errors"][0]["message"]
    sheet = await api.data("{ scoreSheet { enabled } }", role=Role.VIEWER)
    assert sheet["scoreSheet"]["enabled"] is True
    assert (await contact(api, "jo@example.com"))["timeline"]["totalCount"] == 0
