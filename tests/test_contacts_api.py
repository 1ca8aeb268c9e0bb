"""Contacts, manual scores and classification through the GraphQL API."""

from api.domain.access import Role
from tests.gql_ops import UPSERT, contact, make_contact, record

CONTACTS = """
query($first: Int, $after: String, $filter: ContactFilter, $orderBy: ContactOrder) {
  contacts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { email score classification country mailingLists } }
  }
}"""
SCORE_SET = """
mutation($input: ContactScoreSetInput!) {
  contactScoreSet(input: $input) {
    contact { score } entry { points totalAfter reason kind actor } errors { field code message }
  }
}"""
CLASSIFICATION = """
{ classification { mostEngagedMin progressingMin basis periodDays
  counts { classification count share } scoreDistribution(bucketSize: 50) { low high count } } }"""
CLASSIFICATION_UPDATE = """
mutation($input: ClassificationUpdateInput!) {
  classificationUpdate(input: $input) {
    classification { mostEngagedMin progressingMin basis periodDays } errors { field code }
  }
}"""


async def _people(api):
    scores = {"a@x.io": 0, "b@x.io": 50, "c@x.io": 120, "d@x.io": 80, "e@x.io": 10}
    ids = {}
    for email, score in scores.items():
        ids[email] = await make_contact(
            api,
            email,
            country="India" if score > 40 else "France",
            mailingLists=["News"] if score % 20 == 0 else ["Beta"],
        )
        if score:
            await api.data(
                SCORE_SET,
                {"input": {"contactId": ids[email], "score": score, "reason": "imported"}},
                role=Role.EDITOR,
            )
    return ids


async def test_upsert_creates_then_updates(api):
    first = await api.data(
        UPSERT,
        {
            "input": {
                "email": " Kim@Example.com",
                "firstName": "Kim",
                "fields": [{"name": "plan", "value": "pro"}],
            }
        },
    )
    assert first["contactUpsert"]["created"] is True
    again = await api.data(UPSERT, {"input": {"email": "kim@example.com", "country": "Japan"}})
    assert again["contactUpsert"]["created"] is False
    assert again["contactUpsert"]["contact"]["id"] == first["contactUpsert"]["contact"]["id"]
    found = await api.data(
        '{ contact(email: "KIM@example.com") { firstName country fields { name value } } }'
    )
    assert found["contact"] == {
        "firstName": "Kim",
        "country": "Japan",
        "fields": [{"name": "plan", "value": "pro"}],
    }
    bad = await api.data(
        UPSERT, {"input": {"email": "nope", "fields": [{"name": "$x", "value": "1"}]}}
    )
    assert {e["code"] for e in bad["contactUpsert"]["errors"]} == {"INVALID"}
    assert {e["field"] for e in bad["contactUpsert"]["errors"]} == {"email", "fields"}
    total = await api.data("{ contacts { totalCount } }")
    assert total["contacts"]["totalCount"] == 1


async def test_manual_score_needs_a_reason_and_is_explained(api):
    contact_id = await make_contact(api, "m@x.io")
    await record(api, "m@x.io", "OPEN", "a")
    missing = await api.data(
        SCORE_SET, {"input": {"contactId": contact_id, "score": 5, "reason": " "}}
    )
    assert missing["contactScoreSet"]["errors"][0]["code"] == "REQUIRED"
    too_big = await api.data(
        SCORE_SET, {"input": {"contactId": contact_id, "score": 10**7, "reason": "x"}}
    )
    assert too_big["contactScoreSet"]["errors"][0]["code"] == "OUT_OF_RANGE"
    unknown = await api.data(SCORE_SET, {"input": {"contactId": "nope", "score": 5, "reason": "x"}})
    assert unknown["contactScoreSet"]["errors"][0]["code"] == "NOT_FOUND"
    viewer = await api.call(
        SCORE_SET, {"input": {"contactId": contact_id, "score": 5, "reason": "x"}}, role=Role.VIEWER
    )
    assert viewer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await contact(api, "m@x.io"))["score"] == 10
    done = await api.data(
        SCORE_SET,
        {"input": {"contactId": contact_id, "score": 75, "reason": "Called us"}},
        role=Role.EDITOR,
    )
    entry = done["contactScoreSet"]["entry"]
    assert (entry["points"], entry["totalAfter"], entry["kind"], entry["actor"]) == (
        65,
        75,
        "MANUAL",
        "test-editor",
    )
    assert "Called us" in entry["reason"]
    found = await contact(api, "m@x.io")
    assert sum(e["points"] for e in found["timeline"]["entries"]) == found["score"] == 75


async def test_filters_order_and_pages(api):
    await _people(api)
    page = await api.data(CONTACTS, {"first": 2})
    assert [e["node"]["score"] for e in page["contacts"]["edges"]] == [120, 80]
    assert page["contacts"]["totalCount"] == 5 and page["contacts"]["pageInfo"]["hasNextPage"]
    rest = await api.data(
        CONTACTS, {"first": 10, "after": page["contacts"]["pageInfo"]["endCursor"]}
    )
    assert [e["node"]["score"] for e in rest["contacts"]["edges"]] == [50, 10, 0]
    asc = await api.data(CONTACTS, {"orderBy": {"field": "SCORE", "direction": "ASC"}})
    assert [e["node"]["score"] for e in asc["contacts"]["edges"]] == [0, 10, 50, 80, 120]
    ranged = await api.data(CONTACTS, {"filter": {"minScore": 10, "maxScore": 80}})
    assert ranged["contacts"]["totalCount"] == 3
    india = await api.data(CONTACTS, {"filter": {"country": "India", "mailingList": "News"}})
    assert {e["node"]["email"] for e in india["contacts"]["edges"]} == {"d@x.io", "c@x.io"}
    engaged = await api.data(CONTACTS, {"filter": {"classification": "PROGRESSING"}})
    assert {e["node"]["email"] for e in engaged["contacts"]["edges"]} == {"b@x.io", "d@x.io"}
    search = await api.data(CONTACTS, {"filter": {"search": "C@X"}})
    assert [e["node"]["email"] for e in search["contacts"]["edges"]] == ["c@x.io"]
    bad_cursor = await api.call(CONTACTS, {"after": "garbage"})
    assert bad_cursor["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_page_size_is_capped(api, store):
    from api.domain.contacts import ContactDetails

    for i in range(105):
        await store.contacts.upsert(f"p{i}@x.io", ContactDetails())
    page = await api.data(CONTACTS, {"first": 500})
    assert len(page["contacts"]["edges"]) == 100
    assert page["contacts"]["totalCount"] == 105


async def test_classification_counts_update_and_recent_basis(api):
    await _people(api)
    found = (await api.data(CLASSIFICATION))["classification"]
    counts = {c["classification"]: c["count"] for c in found["counts"]}
    assert counts == {"MOST_ENGAGED": 1, "PROGRESSING": 2, "GETTING_STARTED": 2}
    assert sum(c["share"] for c in found["counts"]) == 1.0
    assert found["scoreDistribution"] == [
        {"low": 0, "high": 49, "count": 2},
        {"low": 50, "high": 99, "count": 2},
        {"low": 100, "high": 149, "count": 1},
    ]
    bad = await api.data(CLASSIFICATION_UPDATE, {"input": {"progressingMin": 200}})
    assert bad["classificationUpdate"]["errors"][0]["field"] == "progressingMin"
    editor = await api.call(
        CLASSIFICATION_UPDATE, {"input": {"mostEngagedMin": 60}}, role=Role.EDITOR
    )
    assert editor["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.data(CLASSIFICATION))["classification"]["mostEngagedMin"] == 100
    await api.data(CLASSIFICATION_UPDATE, {"input": {"mostEngagedMin": 60, "progressingMin": 20}})
    counts = {
        c["classification"]: c["count"]
        for c in (await api.data(CLASSIFICATION))["classification"]["counts"]
    }
    assert counts == {"MOST_ENGAGED": 2, "PROGRESSING": 1, "GETTING_STARTED": 2}
    # Recent basis: points earned in the last N days; an imported old activity is not recent.
    await record(api, "c@x.io", "REFER_FRIEND", None, occurredAt="2026-01-01T00:00:00Z")
    await api.data(
        CLASSIFICATION_UPDATE,
        {
            "input": {
                "basis": "RECENT_POINTS",
                "periodDays": 7,
                "mostEngagedMin": 130,
                "progressingMin": 45,
            }
        },
    )
    got = await api.data(CONTACTS, {"filter": {"classification": "PROGRESSING"}})
    assert {e["node"]["email"] for e in got["contacts"]["edges"]} == {"b@x.io", "c@x.io", "d@x.io"}
    c = next(e["node"] for e in got["contacts"]["edges"] if e["node"]["email"] == "c@x.io")
    assert (c["score"], c["classification"]) == (150, "PROGRESSING")
    counts = {
        c["classification"]: c["count"]
        for c in (await api.data(CLASSIFICATION))["classification"]["counts"]
    }
    assert counts == {"MOST_ENGAGED": 0, "PROGRESSING": 3, "GETTING_STARTED": 2}
