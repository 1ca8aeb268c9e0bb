"""Inputs that could later break a read are refused when given; records stored before these
checks break only their own fields."""

import base64
import json
from datetime import date

from api.domain.access import Role
from api.domain.views import (
    PeriodKind,
    ScoreCondition,
    ScoreConditionKind,
    ScoreView,
    ScoringPeriod,
)
from tests.gql_ops import make_contact, record
from tests.ws import Subscriber

VIEW_CREATE = """
mutation($input: ScoreViewInput!) {
  scoreViewCreate(input: $input) { scoreView { id } errors { field message code } }
}"""
VIEWS = """{ scoreViews { name report { total } contacts(first: 5) { totalCount } } }"""
PERIODS = "{ scoreViews { period { kind days start end } } }"
FOLLOW = "subscription($viewId: ID!) { scoreChanged(viewId: $viewId) { score } }"
PDF = "query($id: ID!) { scoreView(id: $id) { summaryPdf { filename } } }"
CONTACTS = """
query($first: Int, $after: String, $filter: ContactFilter, $orderBy: ContactOrder) {
  contacts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { totalCount }
}"""
TIMELINE = """
query($id: ID!, $after: String) { contact(id: $id) { timeline(first: 5, after: $after) {
  entries { points } } } }"""
DISTRIBUTION = (
    "query($size: Int!) { classification { scoreDistribution(bucketSize: $size) { low } } }"
)
ACTIVITY = """
mutation($input: ActivityInput!) {
  activityRecord(input: $input) { errors { field message code } }
}"""


def _code(body: dict) -> str:
    assert body.get("errors"), body
    assert "Unexpected" not in body["errors"][0]["message"], body
    return body["errors"][0]["extensions"]["code"]


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


async def test_a_date_range_beyond_the_supported_days_is_refused_and_not_stored(api):
    period = {"kind": "DATE_RANGE", "start": "0001-01-01", "end": "9999-12-31"}
    view = {"name": "Forever", "scoreCondition": {"kind": "AT_LEAST", "min": 1}, "period": period}
    answer = (await api.data(VIEW_CREATE, {"input": view}))["scoreViewCreate"]
    assert answer["scoreView"] is None
    assert {(e["field"], e["code"]) for e in answer["errors"]} == {
        ("period.start", "OUT_OF_RANGE"),
        ("period.end", "OUT_OF_RANGE"),
    }
    assert "2000-01-01" in answer["errors"][0]["message"]
    assert (await api.data(VIEWS))["scoreViews"] == []


async def test_a_period_keeps_only_the_fields_of_its_kind(api):
    period = {"kind": "ALL_TIME", "days": 5, "start": "0001-01-01", "end": "9999-12-31"}
    view = {"name": "All", "scoreCondition": {"kind": "AT_LEAST", "min": 1}, "period": period}
    created = (await api.data(VIEW_CREATE, {"input": view}))["scoreViewCreate"]
    assert created["errors"] == []
    stored = (await api.data(PERIODS))["scoreViews"][0]["period"]
    assert stored == {"kind": "ALL_TIME", "days": None, "start": None, "end": None}


async def test_a_view_stored_before_the_checks_fails_alone(api, store):
    await make_contact(api, "ann@x.io")
    await record(api, "ann@x.io", "OPEN", "c1")
    good = {"name": "Anyone", "scoreCondition": {"kind": "AT_LEAST", "min": 0}}
    assert not (await api.data(VIEW_CREATE, {"input": good}))["scoreViewCreate"]["errors"]
    broken = ScoreView(
        id="",
        name="Broken",
        condition=ScoreCondition(ScoreConditionKind.AT_LEAST, 1),
        period=ScoringPeriod(PeriodKind.DATE_RANGE, None, date.min, date.max),
    )
    broken_id = await store.views.create(broken, "an older version")

    body = await api.call(VIEWS)
    views = {v["name"]: v for v in body["data"]["scoreViews"]}
    assert views["Anyone"]["report"]["total"] == 1
    assert views["Anyone"]["contacts"]["totalCount"] == 1
    assert views["Broken"]["report"] is None and views["Broken"]["contacts"] is None
    assert {tuple(e["path"]) for e in body["errors"]} == {
        ("scoreViews", 1, "report"),
        ("scoreViews", 1, "contacts"),
    }
    for error in body["errors"]:
        assert error["extensions"]["code"] == "INVALID"
        assert "edit it" in error["message"] and "period.start" in error["message"]

    pdf = await api.call(PDF, {"id": broken_id})
    assert pdf["data"]["scoreView"]["summaryPdf"] is None
    assert _code(pdf) == "INVALID"
    download = await api.http.get(
        api.url.replace("/graphql", f"/views/{broken_id}/summary.pdf"),
        headers={"Authorization": f"Bearer {api.tokens[Role.VIEWER]}"},
    )
    assert download.status_code == 422 and "edit it" in download.text

    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(FOLLOW, {"viewId": broken_id})
        refused = await sub.next()
    assert refused["type"] == "next" and refused["payload"]["data"] is None
    assert "edit it" in refused["payload"]["errors"][0]["message"]

    # Scoring goes on, and the live view check skips the broken view instead of failing.
    await record(api, "ann@x.io", "CLICK", "c1", url="https://x.io")
    after = (await api.call(VIEWS))["data"]["scoreViews"]
    assert after[0]["report"]["total"] == 1 and after[1]["report"] is None


async def test_contact_filters_and_cursors_are_checked(api):
    contact_id = await make_contact(api, "ann@x.io")
    await record(api, "ann@x.io", "OPEN", "c1")
    assert _code(await api.call(CONTACTS, {"filter": {"search": "a" * 5000}})) == "OUT_OF_RANGE"
    assert _code(await api.call(CONTACTS, {"filter": {"country": "x" * 201}})) == "OUT_OF_RANGE"
    found = await api.data(CONTACTS, {"filter": {"search": "a" * 100}})
    assert found["contacts"]["totalCount"] == 0
    for first in (0, -1):
        assert _code(await api.call(CONTACTS, {"first": first})) == "OUT_OF_RANGE"
    for order, value in [
        ("SCORE", ["a", "b"]),
        ("SCORE", [True, "b"]),
        ("EMAIL", [1, 2]),
        ("CREATED_AT", ["not a date", "x"]),
        ("CREATED_AT", [1]),
        ("SCORE", {"a": 1}),
        ("SCORE", [10**20, "x"]),
    ]:
        field = {"SCORE": "score", "EMAIL": "email", "CREATED_AT": "createdAt"}[order]
        after = _cursor([field, value])
        body = await api.call(CONTACTS, {"after": after, "orderBy": {"field": order}})
        assert _code(body) == "INVALID_CURSOR", (order, value)
    for value in ["x", [1], None, 1.5, 10**20, -(2**63) - 1]:
        body = await api.call(TIMELINE, {"id": contact_id, "after": _cursor(["entry", value])})
        assert _code(body) == "INVALID_CURSOR", value


async def test_score_distribution_refuses_bucket_sizes_it_cannot_use(api):
    for size in (0, -1, 10_001):
        body = await api.call(DISTRIBUTION, {"size": size})
        assert _code(body) == "OUT_OF_RANGE"
        assert "bucketSize must be between 1 and 10000" in body["errors"][0]["message"]
    assert (await api.data(DISTRIBUTION, {"size": 10_000}))["classification"]


async def test_an_activity_older_than_2000_is_refused(api):
    await make_contact(api, "ann@x.io")
    activity = {"contactEmail": "ann@x.io", "type": "OPEN", "campaignId": "c1"}
    for when in ("0001-01-01T00:00:00+00:00", "1970-01-01T00:00:00Z"):
        answer = await api.data(ACTIVITY, {"input": {**activity, "occurredAt": when}})
        errors = answer["activityRecord"]["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [("occurredAt", "OUT_OF_RANGE")]
