"""The latency of the contacts search the dashboard sends (its own document and variables) over
a large contact base, through the API, for searches matching a few to every contact."""

import time

import httpx

from api.db.client import Store
from api.db.migrations import index_contact_search
from bench.population import add_contacts
from bench.traffic import percentile
from dashboard.documents import CONTACTS

PAGE = 20  # the page size of the dashboard's contacts screen (dashboard/states/contacts.py)

# The bench's contacts are "rcontacts<i>@example.com" (these match 11, 111, 1,111 and all), and
# NAMED of them are named Ada Lovelace: up to the most a search may match, then more.
SEARCHES = ("rcontacts4242", "rcontacts424", "ada", "ada lovelace", "rcontacts42", "example.com")
NAMED = 990


async def measure_search(uri: str, database: str, url: str, token: str, count: int) -> list[str]:
    """Adds `count` contacts to the API's database, indexes them as the migration does, and
    answers the lines to print: the indexing time, then p50 and p99 of each search."""
    store = Store(uri, database)
    try:
        await add_contacts(store, count)
        named = await store.contacts.collection.find({}, {"_id": 1}).limit(NAMED).to_list(None)
        await store.contacts.collection.update_many(
            {"_id": {"$in": [doc["_id"] for doc in named]}},
            {"$set": {"firstName": "Ada", "lastName": "Lovelace"}},
        )
        started = time.perf_counter()
        await index_contact_search(store.db)
        built = time.perf_counter() - started
    finally:
        store.close()
    lines = [f"search index of {count} contacts built (migration 3) in {built:.0f} s"]
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
        for text in SEARCHES:
            lines.append(await _latency(http, url, text))
    return lines


async def _latency(http: httpx.AsyncClient, url: str, text: str, samples: int = 10) -> str:
    variables = {
        "first": PAGE,
        "after": None,
        "filter": {"search": text},
        "orderBy": {"field": "SCORE", "direction": "DESC"},
    }
    latencies = []
    for i in range(samples + 2):
        started = time.perf_counter()
        body = (await http.post(url, json={"query": CONTACTS, "variables": variables})).json()
        if i >= 2:  # the first requests warm the process up
            latencies.append((time.perf_counter() - started) * 1000)
    if body.get("errors"):
        outcome = f"refused ({body['errors'][0]['extensions']['code']})"
    else:
        outcome = f"{body['data']['contacts']['totalCount']} contacts"
    return (
        f"search '{text}': {outcome}, p50 {percentile(latencies, 50):.0f} ms, "
        f"p99 {percentile(latencies, 99):.0f} ms over {samples} requests"
    )
