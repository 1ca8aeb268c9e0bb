"""No N+1: a page of contacts with their timelines costs the same few database round trips
whatever its size. Counted for real, by the driver's command listener on the API's own client,
for the commands sent while serving one request (known by its request id)."""

import threading
from collections import Counter
from math import ceil

import pytest
from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)

from api.db.batching import CHUNK
from api.domain.access import Role
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.observability.current import current
from api.services.activities import ActivityInput, record_activities
from graphql_schema.core.pagination import encode_cursor
from tests.conftest import serve

READS = {"find", "getMore", "aggregate", "count", "distinct"}
CONTACTS = 110
# Each contact's activities: the second open of c1 earns nothing and lives in the ledger only.
ACTIVITIES = [
    (ActivityType.OPEN, "c1"),
    (ActivityType.OPEN, "c1"),
    (ActivityType.OPEN, "c1"),
    (ActivityType.CLICK, "c2"),
    (ActivityType.OPEN, "c3"),
]
NODE = (
    "email score classification timeline(first: 3) { entries { points reason } "
    "pageInfo { hasNextPage } totalCount }"
)
CONTACTS_PAGE = (
    f"query($first: Int) {{ contacts(first: $first) {{ edges {{ node {{ {NODE} }} }} }} }}"
)
VIEW_PAGE = f"""query($id: ID!, $first: Int) {{
  scoreView(id: $id) {{ contacts(first: $first) {{ totalCount edges {{ node {{ {NODE} }} }} }} }}
}}"""
CREATE_VIEW = """mutation($input: ScoreViewInput!) {
  scoreViewCreate(input: $input) { scoreView { id } errors { code } }
}"""


class Commands(CommandListener):
    """The names of the commands sent while serving the request with a given id."""

    def __init__(self) -> None:
        self.request_id = ""
        self.names: list[str] = []
        self.lock = threading.Lock()

    def started(self, event: CommandStartedEvent) -> None:
        # The driver runs in the request's context (motor copies it to its threads).
        record = current.get()
        if event.command_name not in READS:
            return  # writes a read may cause (a token's last use) come and go with time
        if record is not None and record.request_id == self.request_id:
            with self.lock:
                target = event.command[event.command_name]
                self.names.append(f"{event.command_name} {target}")

    def succeeded(self, event: CommandSucceededEvent) -> None:
        pass

    def failed(self, event: CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def counted(mongo_uri, store):
    commands = Commands()
    for start in range(0, CONTACTS, 50):
        emails = [f"p{i:03d}@x.io" for i in range(start, min(start + 50, CONTACTS))]
        for email in emails:
            await store.contacts.upsert(email, ContactDetails())
        # Round after round, so that each contact's entries keep their order.
        for kind, campaign in ACTIVITIES:
            await record_activities(store, [ActivityInput(e, kind, campaign) for e in emails])
    await store.contacts.upsert("nobody@x.io", ContactDetails())  # an empty timeline
    async with serve(mongo_uri, store, event_listeners=[commands]) as api:
        yield api, commands


async def round_trips(api, commands, query: str, variables: dict, label: str) -> tuple[list, dict]:
    commands.request_id, commands.names = f"round-trips-{label}", []
    response = await api.http.post(
        api.url,
        json={"query": query, "variables": variables},
        headers={
            "Authorization": f"Bearer {api.tokens[Role.ADMIN]}",
            "X-Request-Id": f"round-trips-{label}",
        },
    )
    body = response.json()
    assert "errors" not in body, body
    return list(commands.names), body["data"]


async def expected_timeline(store, contact_id: str, first: int, before: int) -> dict:
    """What the timeline page must hold, read from the ledger directly."""
    query = {"contactId": contact_id}
    docs = await store.ledger.collection.find(query).sort("seq", -1).to_list(None)
    older = [doc for doc in docs if doc["seq"] < before]
    return {
        "points": [doc["points"] for doc in older[:first]],
        "hasNextPage": len(older) > first,
        "totalCount": len(docs),
    }


async def check_nodes(store, edges: list[dict], first: int = 3, before: int = 10**9) -> None:
    for edge in edges:
        node = edge["node"]
        contact = await store.contacts.by_email(node["email"])
        timeline = node["timeline"]
        seen = {
            "points": [entry["points"] for entry in timeline["entries"]],
            "hasNextPage": timeline["pageInfo"]["hasNextPage"],
            "totalCount": timeline["totalCount"],
        }
        assert seen == await expected_timeline(store, contact.id, first, before)
        assert node["classification"]


async def test_a_page_of_contacts_with_timelines_costs_a_constant_number_of_round_trips(
    counted, store
):
    api, commands = counted
    small, _ = await round_trips(api, commands, CONTACTS_PAGE, {"first": 10}, "contacts-10")
    large, data = await round_trips(api, commands, CONTACTS_PAGE, {"first": 100}, "contacts-100")
    assert len(data["contacts"]["edges"]) == 100
    await check_nodes(store, data["contacts"]["edges"])
    assert Counter(small) == Counter(large), (small, large)
    # The token, the score histogram (its totals and deltas: the score range to read), the
    # contacts, the classification settings, the timelines, their counts.
    assert len(large) <= 7, large


async def test_a_search_costs_a_round_trip_per_chunk_of_its_matches(counted, store):
    api, commands = counted
    query = f"""query($search: String) {{ contacts(first: 100, filter: {{search: $search}}) {{
      totalCount edges {{ node {{ {NODE} }} }} }} }}"""
    # p100..p109, then p000..p099: 10 matches, then 100.
    small, few = await round_trips(api, commands, query, {"search": "P10"}, "search-10")
    large, many = await round_trips(api, commands, query, {"search": "p0"}, "search-100")
    assert (few["contacts"]["totalCount"], many["contacts"]["totalCount"]) == (10, 100)
    assert len(many["contacts"]["edges"]) == 100
    await check_nodes(store, many["contacts"]["edges"])
    # Those of a page, and the search index twice (its sample, its range): the contacts found
    # are read by key, CHUNK at a time (concurrently), and counted without another read.
    rest = [
        "find tokens",
        "find contact_search",
        "find contact_search",
        "find score_totals",  # the reset generation, once per request
        "find settings",  # the classification
        "aggregate 1",  # the timelines
        "aggregate 1",  # their counts
    ]
    assert sorted(small) == sorted([*rest, "find contacts"]), small
    assert sorted(large) == sorted([*rest, *["find contacts"] * ceil(100 / CHUNK)]), large


async def test_a_score_view_page_with_timelines_costs_a_constant_number_of_round_trips(
    counted, store
):
    api, commands = counted
    hot = {"name": "Engaged", "scoreCondition": {"kind": "AT_LEAST", "min": 10}}
    created = await api.data(CREATE_VIEW, {"input": hot})
    view_id = created["scoreViewCreate"]["scoreView"]["id"]
    asked = {"id": view_id}
    small, _ = await round_trips(api, commands, VIEW_PAGE, {**asked, "first": 10}, "view-10")
    large, data = await round_trips(api, commands, VIEW_PAGE, {**asked, "first": 100}, "view-100")
    page = data["scoreView"]["contacts"]
    assert (len(page["edges"]), page["totalCount"]) == (100, CONTACTS)
    await check_nodes(store, page["edges"])
    assert Counter(small) == Counter(large), (small, large)
    # Those, the view, and the score histogram (totals and deltas) its page and count share.
    assert len(large) <= 8, large


async def test_every_contact_of_a_page_pages_through_its_timeline(counted, store):
    api, _ = counted
    query = """query($after: String) {
      contacts(first: 100, orderBy: {field: SCORE, direction: ASC}) { edges { node {
        email classification timeline(first: 2, after: $after) {
          entries { points reason } pageInfo { hasNextPage } totalCount
        }
      } } }
    }"""
    older_than_4 = encode_cursor("entry", 4)
    edges = (await api.data(query, {"after": older_than_4}))["contacts"]["edges"]
    assert edges[0]["node"]["email"] == "nobody@x.io"
    assert edges[0]["node"]["timeline"]["totalCount"] == 0
    await check_nodes(store, edges, first=2, before=4)
