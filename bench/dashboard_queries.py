"""Every query the dashboard's screens send, over a large contact base, through the API: the
documents of dashboard/documents.py with the variables its states send. Target (issue 12): each
<= 300 ms at 100,000 contacts, <= 1 s at 1,000,000."""

import time

import httpx

from api.db.client import Store
from bench.targets import targets
from bench.traffic import percentile
from dashboard.documents import CLASSIFICATION, CONTACT, CONTACTS, SCORE_VIEW, SCORE_VIEWS

PAGE = 20  # the contacts screen's page (dashboard/states/contacts.py)
BY_SCORE = {"field": "SCORE", "direction": "DESC"}
VIEW_CREATE = """mutation($input: ScoreViewInput!) { scoreViewCreate(input: $input) {
  scoreView { id } errors { message } } }"""


def _screens(contact_id: str, view_id: str) -> list[tuple[str, str, dict[str, object]]]:
    page = {"first": PAGE, "after": None, "orderBy": BY_SCORE}
    return [
        ("classification: counts and distribution", CLASSIFICATION, {}),
        ("contacts: first page by score", CONTACTS, {**page, "filter": None}),
        (
            "contacts: a country and a class",
            CONTACTS,
            {**page, "filter": {"country": "India", "classification": "PROGRESSING"}},
        ),
        ("contacts: a class", CONTACTS, {**page, "filter": {"classification": "MOST_ENGAGED"}}),
        ("contacts: a search", CONTACTS, {**page, "filter": {"search": "ada"}}),
        ("contact page", CONTACT, {"id": contact_id}),
        ("views: the list", SCORE_VIEWS, {}),
        ("views: a view's page and report", SCORE_VIEW, {"id": view_id, "after": None}),
    ]


async def measure_dashboard(uri: str, database: str, url: str, token: str, count: int) -> list[str]:
    """On the API's database after the search bench added `count` contacts straight into it:
    the score histogram counted again (as migration 4 does), then p50/p99 of each query."""
    store = Store(uri, database)
    try:
        await store.histogram.rebuild()
        some = await store.contacts.collection.find_one({}, {"_id": 1})
        assert some is not None
    finally:
        store.close()
    headers = {"Authorization": f"Bearer {token}"}
    lines = [f"the dashboard's queries over {count} contacts (p50 / p99 of 10):"]
    limit = 300 if count <= 100_000 else 1000
    async with httpx.AsyncClient(headers=headers, timeout=120) as http:
        view = {"name": "Top", "scoreCondition": {"kind": "AT_LEAST", "min": 250}}
        created = await http.post(url, json={"query": VIEW_CREATE, "variables": {"input": view}})
        view_id = created.json()["data"]["scoreViewCreate"]["scoreView"]["id"]
        for name, document, variables in _screens(some["_id"], view_id):
            p50, p99 = await _latency(http, url, document, variables)
            verdict = targets.check(f"{name} ({count} contacts), p99", p99, limit, " ms")
            lines.append(f"  {name}: p50 {p50:.0f} ms, p99 {p99:.0f} ms {verdict}")
    return lines


async def _latency(
    http: httpx.AsyncClient,
    url: str,
    document: str,
    variables: dict[str, object],
    samples: int = 10,
) -> tuple[float, float]:
    latencies = []
    for i in range(samples + 2):
        started = time.perf_counter()
        body = (await http.post(url, json={"query": document, "variables": variables})).json()
        assert not body.get("errors"), body["errors"]
        if i >= 2:  # the first requests warm the process up
            latencies.append((time.perf_counter() - started) * 1000)
    return percentile(latencies, 50), percentile(latencies, 99)
