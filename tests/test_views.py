"""Score-based views through the API: definitions, contacts, report, and who enters or leaves."""

from datetime import UTC, datetime, timedelta

from api.domain.access import Role
from tests.gql_ops import make_contact, record
from tests.ws import Subscriber

FIELDS = """
id name scoreCondition { kind min max } period { kind days start end }
criteria { field operator value } mailingLists
"""
CREATE = f"""
mutation($input: ScoreViewInput!) {{
  scoreViewCreate(input: $input) {{ scoreView {{ {FIELDS} }} errors {{ field message code }} }}
}}"""
UPDATE = f"""
mutation($input: ScoreViewUpdateInput!) {{
  scoreViewUpdate(input: $input) {{ scoreView {{ {FIELDS} }} errors {{ field message code }} }}
}}"""
DELETE = """
mutation($input: ScoreViewDeleteInput!) {
  scoreViewDelete(input: $input) { deletedId errors { field code } }
}"""
VIEW = """
query($id: ID!, $first: Int, $after: String) {
  scoreView(id: $id) {
    name
    contacts(first: $first, after: $after) {
      totalCount edges { node { email score } } pageInfo { hasNextPage endCursor }
    }
    report { total byMailingList { name count } byCountry { name count } }
  }
}"""
VIEWS = "{ scoreViews { id name } }"
FOLLOW = """
subscription($viewId: ID!) {
  scoreChanged(viewId: $viewId) { contact { email } score previousScore viewChange reason }
}"""
SCORE_SET = """
mutation($input: ContactScoreSetInput!) { contactScoreSet(input: $input) { errors { code } } }"""
HOT = {"name": "Hot leads", "scoreCondition": {"kind": "AT_LEAST", "min": 30}}


async def create(api, role: Role = Role.EDITOR, **input_) -> dict:
    return (await api.data(CREATE, {"input": input_}, role=role))["scoreViewCreate"]


async def view(api, view_id: str, **variables) -> dict:
    return (await api.data(VIEW, {"id": view_id, **variables}))["scoreView"]


async def people(api) -> None:
    """Five contacts: scores 40, 40, 30, 10, 0 in different countries and lists."""
    specs = [
        ("ana@x.io", "Spain", ["newsletter", "vip"], ["c1", "c2", "c3", "c4"]),
        ("ben@x.io", "France", ["newsletter"], ["c1", "c2", "c3", "c4"]),
        ("cy@x.io", "France", ["webinar"], ["c1", "c2", "c3"]),
        ("dee@x.io", "Spain", ["newsletter"], ["c1"]),
        ("eve@x.io", None, [], []),
    ]
    for email, country, lists, campaigns in specs:
        extra = {"mailingLists": lists, **({"country": country} if country else {})}
        await make_contact(api, email, **extra)
        for campaign in campaigns:
            await record(api, email, "OPEN", campaign)


async def test_view_holds_contacts_by_score_with_a_report(api):
    await people(api)
    created = await create(api, **HOT)
    assert created["errors"] == []
    shown = created["scoreView"]
    assert shown["scoreCondition"] == {"kind": "AT_LEAST", "min": 30, "max": None}
    assert shown["period"]["kind"] == "ALL_TIME"

    found = await view(api, shown["id"])
    assert found["contacts"]["totalCount"] == 3
    emails = [e["node"]["email"] for e in found["contacts"]["edges"]]
    assert emails[:2] in (["ana@x.io", "ben@x.io"], ["ben@x.io", "ana@x.io"])
    assert emails[2] == "cy@x.io"
    report = found["report"]
    assert report["total"] == 3
    assert report["byMailingList"] == [
        {"name": "newsletter", "count": 2},
        {"name": "vip", "count": 1},
        {"name": "webinar", "count": 1},
    ]
    assert report["byCountry"] == [{"name": "France", "count": 2}, {"name": "Spain", "count": 1}]
    assert [v["name"] for v in (await api.data(VIEWS))["scoreViews"]] == ["Hot leads"]


async def test_between_with_criteria_and_lists_pages_through(api):
    await people(api)
    created = await create(
        api,
        name="Spanish newsletter",
        scoreCondition={"kind": "BETWEEN", "min": 5, "max": 40},
        criteria=[{"field": "country", "operator": "EQUALS", "value": "spain"}],
        mailingLists=["newsletter"],
    )
    view_id = created["scoreView"]["id"]
    first = (await view(api, view_id, first=1))["contacts"]
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"]
    assert first["edges"][0]["node"]["email"] == "ana@x.io"
    rest = (await view(api, view_id, first=1, after=first["pageInfo"]["endCursor"]))["contacts"]
    assert [e["node"]["email"] for e in rest["edges"]] == ["dee@x.io"]
    assert not rest["pageInfo"]["hasNextPage"]

    at_most = await create(api, name="Cold", scoreCondition={"kind": "AT_MOST", "max": 10})
    cold = await view(api, at_most["scoreView"]["id"])
    assert {e["node"]["email"] for e in cold["contacts"]["edges"]} == {"dee@x.io", "eve@x.io"}
    assert cold["report"]["byCountry"] == [
        {"name": "Spain", "count": 1},
        {"name": "Unknown", "count": 1},
    ]


async def test_scoring_period_counts_points_earned_in_the_window(api):
    await make_contact(api, "old@x.io")
    await make_contact(api, "new@x.io")
    long_ago = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    for campaign in ["c1", "c2", "c3"]:
        await record(api, "old@x.io", "OPEN", campaign, occurredAt=long_ago)
    await record(api, "new@x.io", "OPEN", "c1")
    recent = await create(
        api,
        name="Active this month",
        scoreCondition={"kind": "AT_LEAST", "min": 10},
        period={"kind": "LAST_DAYS", "days": 30},
    )
    found = await view(api, recent["scoreView"]["id"])
    assert [e["node"]["email"] for e in found["contacts"]["edges"]] == ["new@x.io"]

    day = (datetime.now(UTC) - timedelta(days=40)).date()
    fixed = await create(
        api,
        name="Back then",
        scoreCondition={"kind": "AT_LEAST", "min": 30},
        period={"kind": "DATE_RANGE", "start": day.isoformat(), "end": day.isoformat()},
    )
    assert fixed["scoreView"]["period"]["start"] == day.isoformat()
    found = await view(api, fixed["scoreView"]["id"])
    assert [e["node"]["email"] for e in found["contacts"]["edges"]] == ["old@x.io"]


async def test_update_and_delete(api):
    await people(api)
    view_id = (await create(api, **HOT))["scoreView"]["id"]
    changed = (
        await api.data(
            UPDATE,
            {
                "input": {
                    "id": view_id,
                    "name": "Warm",
                    "scoreCondition": {"kind": "AT_LEAST", "min": 10},
                }
            },
        )
    )["scoreViewUpdate"]
    assert changed["errors"] == [] and changed["scoreView"]["name"] == "Warm"
    assert (await view(api, view_id))["contacts"]["totalCount"] == 4

    deleted = (await api.data(DELETE, {"input": {"id": view_id}}))["scoreViewDelete"]
    assert deleted == {"deletedId": view_id, "errors": []}
    assert await api.data(VIEW, {"id": view_id}) == {"scoreView": None}
    again = (await api.data(DELETE, {"input": {"id": view_id}}))["scoreViewDelete"]
    assert again["errors"] == [{"field": "id", "code": "NOT_FOUND"}]


async def test_bad_input_is_reported_and_changes_nothing(api, store):
    cases = [
        ({"name": " ", "scoreCondition": {"kind": "AT_LEAST", "min": 1}}, "name", "REQUIRED"),
        ({"name": "a", "scoreCondition": {"kind": "AT_LEAST"}}, "scoreCondition.min", "REQUIRED"),
        (
            {"name": "a", "scoreCondition": {"kind": "BETWEEN", "min": 50, "max": 10}},
            "scoreCondition.min",
            "INVALID",
        ),
        (
            {"name": "a", "scoreCondition": {"kind": "AT_MOST", "max": 10**9}},
            "scoreCondition.max",
            "OUT_OF_RANGE",
        ),
        (
            {**HOT, "period": {"kind": "LAST_DAYS", "days": 0}},
            "period.days",
            "OUT_OF_RANGE",
        ),
        (
            {**HOT, "period": {"kind": "DATE_RANGE", "start": "2026-05-02", "end": "2026-05-01"}},
            "period.end",
            "INVALID",
        ),
        ({**HOT, "period": {"kind": "DATE_RANGE"}}, "period.start", "REQUIRED"),
        (
            {
                **HOT,
                "criteria": [{"field": "country", "operator": "EQUALS", "value": "x"}] * 3,
            },
            "criteria",
            "TOO_MANY",
        ),
        (
            {**HOT, "criteria": [{"field": "shoeSize", "operator": "EQUALS", "value": "x"}]},
            "criteria.0.field",
            "INVALID",
        ),
        ({**HOT, "mailingLists": [""]}, "mailingLists.0", "REQUIRED"),
    ]
    for input_, field, code in cases:
        result = await create(api, **input_)
        assert result["scoreView"] is None
        assert {"field": field, "code": code} in [
            {"field": e["field"], "code": e["code"]} for e in result["errors"]
        ], (input_, result)
    assert await store.views.collection.count_documents({}) == 0

    await create(api, **HOT)
    duplicate = await create(api, **HOT)
    assert duplicate["errors"][0]["code"] == "CONFLICT"
    assert await store.views.collection.count_documents({}) == 1


async def test_viewers_read_views_but_cannot_change_them(api, store):
    body = await api.call(CREATE, {"input": HOT}, role=Role.VIEWER)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await store.views.collection.count_documents({}) == 0
    view_id = (await create(api, role=Role.EDITOR, **HOT))["scoreView"]["id"]
    for query, input_ in [
        (UPDATE, {"id": view_id, **HOT}),
        (DELETE, {"id": view_id}),
    ]:
        body = await api.call(query, {"input": input_}, role=Role.VIEWER)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    found = await api.data(VIEW, {"id": view_id}, role=Role.VIEWER)
    assert found["scoreView"]["name"] == "Hot leads"


async def test_subscribers_following_a_view_see_contacts_enter_and_leave(api):
    await make_contact(api, "riser@x.io", mailingLists=["newsletter"])
    await make_contact(api, "other@x.io")
    view_id = (
        await create(
            api,
            name="Hot newsletter",
            mailingLists=["newsletter"],
            **{"scoreCondition": {"kind": "AT_LEAST", "min": 20}},
        )
    )["scoreView"]["id"]
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(FOLLOW, {"viewId": view_id})
        await api.wait_subscribers(1)
        await record(api, "riser@x.io", "OPEN", "c1")  # 10: still outside
        await record(api, "other@x.io", "REFER_FRIEND", None)  # 30, but not in the list
        await record(api, "riser@x.io", "OPEN", "c2")  # 20: enters
        entered = (await sub.next())["payload"]["data"]["scoreChanged"]
        assert entered["contact"]["email"] == "riser@x.io"
        assert (entered["viewChange"], entered["previousScore"], entered["score"]) == (
            "ENTERED",
            10,
            20,
        )
        await api.data(
            SCORE_SET,
            {
                "input": {
                    "contactId": await contact_id(api, "riser@x.io"),
                    "score": 5,
                    "reason": "test",
                }
            },
        )
        left = (await sub.next())["payload"]["data"]["scoreChanged"]
        assert (left["viewChange"], left["score"]) == ("LEFT", 5)


async def contact_id(api, email: str) -> str:
    data = await api.data("query($e: String!) { contact(email: $e) { id } }", {"e": email})
    return data["contact"]["id"]


async def test_following_an_unknown_view_is_an_error(api):
    async with Subscriber(api.ws_url, api.tokens[Role.VIEWER]) as sub:
        await sub.subscribe(FOLLOW, {"viewId": "nope"})
        message = await sub.next()
        assert message["type"] in {"error", "next"}
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert "No view with id nope" in str(errors)
