"""A view report over a large contact base, against the raw aggregation of the same counts."""

import time
import uuid

from api.db.client import Store
from api.scoring.views import ScoreCondition, ScoreConditionKind, ScoreView, ScoringPeriod
from api.services.views import select
from bench.population import add_contacts

VIEW = ScoreView(
    "bench",
    "Engaged newsletter and webinar readers",
    ScoreCondition(ScoreConditionKind.AT_LEAST, 100),
    ScoringPeriod(),
    mailing_lists=("newsletter", "webinar"),
)


def raw_pipeline() -> list[dict]:
    match = {"score": {"$gte": 100}, "mailingLists": {"$in": list(VIEW.mailing_lists)}}
    return [
        {"$match": match},
        {
            "$facet": {
                "total": [{"$count": "n"}],
                "lists": [{"$unwind": "$mailingLists"}, {"$sortByCount": "$mailingLists"}],
                "countries": [{"$sortByCount": "$country"}],
            }
        },
    ]


async def measure_view_report(uri: str, count: int) -> tuple[float, float, int]:
    """Seconds for the raw aggregation and for our report, and how many contacts matched."""
    store = Store(uri, f"bench_views_{uuid.uuid4().hex[:8]}")
    try:
        await store.ensure_indexes()
        await add_contacts(store, count)
        started = time.perf_counter()
        [raw_result] = await store.contacts.collection.aggregate(raw_pipeline()).to_list(None)
        raw = time.perf_counter() - started
        started = time.perf_counter()
        report = await (await select(store, VIEW)).report()
        ours = time.perf_counter() - started
        assert report.total == raw_result["total"][0]["n"], "the two reports disagree"
        return raw, ours, report.total
    finally:
        await store.client.drop_database(store.db.name)
        store.close()
