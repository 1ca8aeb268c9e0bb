"""`python -m bench`: ingestion and live-delivery numbers, measured as ratios within one run.

Starts the embedded database (or uses MONGODB_URI) and the API in its own process, then measures:
  1. the raw driver's bulk upsert rate of activity documents (the floor of what any store can do),
  2. our activitiesRecord ingestion through GraphQL over HTTP (scored, explained, idempotent),
  3. their ratio, and
  4. activityRecord -> scoreChanged delivery latency seen by a websocket subscriber (p50, p99),
  5. a reset of a large contact base against a raw update_many (bench/resets.py), and
  6. the rescore job's throughput in activities per second (bench/rescores.py), and
  7. the cost of durability: ingestion with and without sync on commit (bench/durability.py), and
  8. hostile requests: refusal times, a viewer's latency meanwhile and the API's memory before,
     at the peak and after (bench/hostile.py; the rate limit is off for the whole bench), and
  9. the cost of request logs and metrics: ingestion and live latency with them on and off
     (bench/observability.py), and
 10. the latency of a page of 100 contacts with their timelines (bench/timelines.py), and
 11. the latency of the dashboard's contacts search over 100,000 contacts (bench/search.py),
 12. and of every other query the dashboard sends, over the same contacts
     (bench/dashboard_queries.py);
and ends with every target of the issues, measured in this run, met or not (bench/targets.py).
Its options: bench/options.py.
"""

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo import UpdateOne

from api.embedded import EmbeddedMongo, free_port
from bench.dashboard_queries import measure_dashboard
from bench.durability import measure_sync_cost
from bench.fanout import measure_fanout
from bench.hostile import measure_hostile
from bench.observability import measure_observability
from bench.options import parse_args
from bench.profile import profiled
from bench.rescores import measure_rescore
from bench.resets import measure_reset
from bench.search import measure_search
from bench.targets import targets
from bench.timelines import measure_timelines
from bench.traffic import (
    BATCH,
    TOKEN,
    Served,
    activities,
    api_process,
    create_contacts,
    graphql_ingest,
    live_latency,
    percentile,
)
from bench.views import measure_view_report


async def raw_upserts(uri: str, database: str, items: list[dict]) -> float:
    client: AsyncIOMotorClient = AsyncIOMotorClient(uri)
    collection = client[database]["bench_raw_activities"]
    started = time.perf_counter()
    for start in range(0, len(items), BATCH):
        await collection.bulk_write(
            [
                UpdateOne({"_id": a["idempotencyKey"]}, {"$set": a}, upsert=True)
                for a in items[start : start + BATCH]
            ],
            ordered=False,
        )
    elapsed = time.perf_counter() - started
    await collection.drop()
    client.close()
    return len(items) / elapsed


async def raw_score_upserts(uri: str, database: str, items: list[dict]) -> float:
    """What a naive scorer writes per activity: a bulk upsert of a score increment into a
    contacts collection (unique email to upsert by, score order); no timeline, no checks."""
    client: AsyncIOMotorClient = AsyncIOMotorClient(uri)
    collection = client[database]["bench_raw_contacts"]
    await collection.create_index("email", unique=True)
    await collection.create_index([("score", -1), ("_id", -1)])
    started = time.perf_counter()
    for start in range(0, len(items), BATCH):
        await collection.bulk_write(
            [
                UpdateOne({"email": a["contactEmail"]}, {"$inc": {"score": 10}}, upsert=True)
                for a in items[start : start + BATCH]
            ],
            ordered=False,
        )
    elapsed = time.perf_counter() - started
    await collection.drop()
    client.close()
    return len(items) / elapsed


async def measure(uri: str, api_url: str, contacts: int, count: int, samples: int) -> None:
    database = os.environ["SCORING_DATABASE"]
    url, ws_url = f"{api_url}/graphql", api_url.replace("http", "ws") + "/graphql"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(headers=headers, timeout=120) as http:
        emails = await create_contacts(http, url, "bench", contacts)
        run = uuid.uuid4().hex[:6]
        warmup = activities(emails, 1000, f"warm{run}")
        await graphql_ingest(http, url, warmup)
        await raw_upserts(uri, database, activities(emails, 1000, f"rawwarm{run}"))
        raw = await raw_upserts(uri, database, activities(emails, count, f"raw{run}"))
        ours = await graphql_ingest(http, url, activities(emails, count, f"gql{run}"))
        raw_again = await raw_upserts(uri, database, activities(emails, count, f"raw2{run}"))
        await raw_score_upserts(uri, database, activities(emails, count, f"s1{run}"))
        scores = await raw_score_upserts(uri, database, activities(emails, count, f"s2{run}"))
        latencies = await live_latency(http, url, ws_url, emails[0], samples)
    raw_rate = (raw + raw_again) / 2
    print(f"contacts: {contacts}, activities per measurement: {count}, batch size: {BATCH}")
    print(
        f"raw driver bulk upsert:          {raw_rate:10.0f} activities/s "
        f"(runs: {raw:.0f}, {raw_again:.0f})"
    )
    print(f"activitiesRecord (GraphQL/HTTP): {ours:10.0f} activities/s (scored, explained)")
    verdict = targets.check(
        "ingestion, ratio ours / raw bulk upserts", ours / raw_rate, 0.5, "", True
    )
    print(f"ratio ours / raw:                {ours / raw_rate:10.2f} {verdict}")
    print(
        f"raw bulk upsert of score increments into contacts: {scores:.0f} activities/s; "
        f"ratio ours / that: {ours / scores:.2f}"
    )
    p99 = percentile(latencies, 99)
    verdict = targets.check("activityRecord -> scoreChanged p99, 1 subscriber", p99, 50, " ms")
    print(
        f"activityRecord -> scoreChanged:  p50 {percentile(latencies, 50):.1f} ms, "
        f"p99 {p99:.1f} ms over {samples} changes {verdict}"
    )


async def _drop(uri: str, database: str) -> None:
    client: AsyncIOMotorClient = AsyncIOMotorClient(uri)
    await client.drop_database(database)
    client.close()


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        embedded = None
        uri = os.environ.get("MONGODB_URI")
        if not uri:
            embedded = EmbeddedMongo(Path(tmp), free_port())
            embedded.start()
            uri = embedded.uri
        if args.only_observe:
            try:
                _measure_observability(args, uri, tmp)
            finally:
                if embedded is not None:
                    embedded.stop()
            return
        database = f"bench_{uuid.uuid4().hex[:8]}"
        os.environ["SCORING_DATABASE"] = database
        try:
            with (
                api_process(uri, database, tmp) as api,
                profiled(api.pid, args.profile, "api"),
            ):
                _measure_all(args, uri, api)
            if args.observe_activities and not args.only_search:
                _measure_observability(args, uri, tmp)
            print("\n".join(targets.summary()))
        finally:
            try:
                asyncio.run(_drop(uri, database))
            finally:
                if embedded is not None:
                    embedded.stop()


def _measure_all(args: argparse.Namespace, uri: str, api: Served) -> None:
    if args.hostile and not args.only_search:
        asyncio.run(measure_hostile(api.url, TOKEN, api.pid, args.hostile))
    if args.only_hostile:
        return
    if not args.only_search:
        _measure_ingestion_and_jobs(args, uri, api)
    if args.search_contacts:  # last: its contacts stay in the API's database
        database = os.environ["SCORING_DATABASE"]
        count = args.search_contacts
        lines = asyncio.run(measure_search(uri, database, api.url, TOKEN, count))
        lines += asyncio.run(measure_dashboard(uri, database, api.url, TOKEN, count))
        print("\n".join(lines))


def _measure_ingestion_and_jobs(args: argparse.Namespace, uri: str, api: Served) -> None:
    asyncio.run(measure(uri, api.base, args.contacts, args.activities, args.samples))
    print(asyncio.run(measure_timelines(api.url, TOKEN)))
    if args.subscribers:
        print(asyncio.run(measure_fanout(api, "bench0@example.com", args.subscribers)))
    if args.reset_contacts:
        database = os.environ["SCORING_DATABASE"]
        times = asyncio.run(measure_reset(uri, database, api.url, TOKEN, args.reset_contacts))
        shown = targets.check("reset visible to every read", times.visible, 1, " s")
        ratio = times.raw / times.walk
        walked = targets.check("reset walk, ratio raw update_many / ours", ratio, 0.5, "", True)
        print(
            f"reset of {times.contacts} contacts through the API: every read (class counts, a "
            f"page by score, a contact) shows it {times.visible:.2f} s after scoresReset "
            f"answers {shown}; the background walk (a RESET timeline entry each) "
            f"{times.walk:.1f} s against {times.raw:.1f} s for a raw update_many of "
            f"{args.reset_contacts}; ratio raw / ours {ratio:.2f} {walked} (raw with the "
            f"contacts' score index {times.raw_indexed:.1f} s, ratio "
            f"{times.raw_indexed / times.walk:.2f})"
        )
    if args.view_contacts:
        raw, ours, matched, build, kept = asyncio.run(measure_view_report(uri, args.view_contacts))
        verdict = targets.check("view report, ours / raw aggregation", ours / raw, 1.1)
        print(
            f"view report over {args.view_contacts} contacts ({matched} in the view): "
            f"raw aggregation {raw:.2f} s, ours {ours:.2f} s; ratio raw / ours "
            f"{raw / ours:.2f} {verdict}; kept on write: built in {build:.1f} s, "
            f"read in {kept * 1000:.1f} ms"
        )
    if args.rescore_contacts:
        count, seconds = asyncio.run(
            measure_rescore(uri, args.rescore_contacts, args.rescore_activities)
        )
        print(
            f"rescore of {args.rescore_contacts} contacts x {args.rescore_activities} "
            f"activities after a sheet change: {seconds:.1f} s, "
            f"{count / seconds:.0f} activities/s (a RESCORE timeline entry per contact)"
        )
    if args.sync_activities:
        costs = asyncio.run(measure_sync_cost(200, args.sync_activities))
        for batch, (synced, unsynced) in costs.items():
            print(
                f"durability, {batch} activities per call: {synced:.0f} activities/s "
                f"with every commit synced (the default), {unsynced:.0f} without; "
                f"ratio {synced / unsynced:.2f}"
            )


def _measure_observability(args: argparse.Namespace, uri: str, data_dir: str) -> None:
    on, off = asyncio.run(
        measure_observability(
            uri,
            data_dir,
            args.contacts,
            args.observe_activities,
            args.observe_samples,
            args.observe_rounds,
        )
    )
    print(
        f"logs and metrics on / off, {args.observe_activities} activities and "
        f"{args.observe_samples} live changes per turn, {args.observe_rounds} rounds of turns "
        "(on, off, off, on):"
    )
    print(
        f"  ingestion: {on.rate:.0f} / {off.rate:.0f} activities/s, ratio {on.rate / off.rate:.2f}"
        f" (turns on: {', '.join(f'{r:.0f}' for r in on.rates)}; "
        f"off: {', '.join(f'{r:.0f}' for r in off.rates)})"
    )
    print(
        f"  live latency p50: {on.p50:.1f} / {off.p50:.1f} ms, ratio {on.p50 / off.p50:.2f}; "
        f"p99: {on.p99:.1f} / {off.p99:.1f} ms, ratio {on.p99 / off.p99:.2f}"
    )


if __name__ == "__main__":
    main()
