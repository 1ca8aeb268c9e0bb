"""Reset of a large contact base through the API: how soon every read shows it, and its background
walk against a raw `update_many` on the same number of contacts."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from motor.motor_asyncio import AsyncIOMotorCollection

from api.db.client import Store
from bench.population import add_contacts, scratch_store

RESET = """mutation { scoresReset(input: {reason: "benchmark", agree: true}) {
  reset { id } errors { message } } }"""
# What the dashboard shows: the class counts, the first page by score, a contact's score.
SEEN = """query($id: ID!) { classification { counts { classification count } }
  contacts(first: 20, orderBy: {field: SCORE, direction: DESC}) { edges { node { score } } }
  contact(id: $id) { score } }"""
STATUS = "query($id: ID!) { scoreReset(id: $id) { status } }"


@dataclass
class ResetTimes:
    raw: float  # a raw update_many over as many contacts (no index but _id)
    raw_indexed: float  # the same, with the contacts' score index
    visible: float  # from scoresReset answering until every read shows the reset
    walk: float  # the background walk: the job's start to its end
    contacts: int  # in the API's database (the bench's others included)


async def measure_reset(uri: str, database: str, url: str, token: str, count: int) -> ResetTimes:
    """Adds `count` contacts to the API's database and resets every score through the API."""
    async with scratch_store(uri, "reset") as scratch:
        await add_contacts(scratch, count, "raw_contacts")
        raw = await _raw_update(scratch.db["raw_contacts"])
        await add_contacts(scratch, count)  # the contacts collection, with its score index
        raw_indexed = await _raw_update(scratch.contacts.collection)
    store = Store(uri, database)
    try:
        await add_contacts(store, count)
        await store.histogram.rebuild()  # nothing else writes meanwhile
        top = await store.contacts.collection.find_one({"score": {"$gt": 0}}, {"_id": 1})
        assert top is not None
        contacts = await store.contacts.collection.count_documents({})
        async with httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as http:
            body = (await http.post(url, json={"query": RESET})).json()
            answered = time.perf_counter()
            reset = body["data"]["scoresReset"]
            assert not reset["errors"], reset
            seen = {"query": SEEN, "variables": {"id": top["_id"]}}
            await _until(http, url, seen, _shows_reset, 0.02)
            visible = time.perf_counter() - answered
            status = {"query": STATUS, "variables": {"id": reset["reset"]["id"]}}
            await _until(http, url, status, _done, 0.1)
        job = await store.resets.get(reset["reset"]["id"])
        assert job is not None and job.finished_at is not None
        walk = (job.finished_at - job.started_at).total_seconds()
        return ResetTimes(raw, raw_indexed, visible, walk, contacts)
    finally:
        store.close()


async def _raw_update(collection: AsyncIOMotorCollection[dict[str, Any]]) -> float:
    started = time.perf_counter()
    await collection.update_many({}, {"$set": {"score": 0, "occ": {}}})
    return time.perf_counter() - started


async def _until(
    http: httpx.AsyncClient, url: str, request: dict, holds: Callable[[dict], bool], every: float
) -> None:
    """Ask again and again until the answer's data holds (an answer with errors, such as a
    query that ran out of time, does not: it is shown)."""
    while True:
        body = (await http.post(url, json=request)).json()
        if body.get("errors"):
            print(f"  (an answer while waiting: {body['errors'][0].get('message')})", flush=True)
        elif holds(body["data"]):
            return
        await asyncio.sleep(every)


def _done(data: dict) -> bool:
    return bool(data["scoreReset"]["status"] == "DONE")


def _shows_reset(data: dict) -> bool:
    counts = {c["classification"]: c["count"] for c in data["classification"]["counts"]}
    top = [edge["node"]["score"] for edge in data["contacts"]["edges"]]
    return (
        counts.get("MOST_ENGAGED", 0) == counts.get("PROGRESSING", 0) == 0
        and set(top) <= {0}
        and data["contact"]["score"] == 0
    )
