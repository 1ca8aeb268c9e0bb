"""A view report over a large contact base, against the raw aggregation of the same counts."""

import time

from api.domain.views import ScoreCondition, ScoreConditionKind, ScoreView, ScoringPeriod
from api.services.view_counts import maintain
from api.services.views import create_view, select
from bench.population import add_contacts, scratch_store

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


async def measure_view_report(uri: str, count: int) -> tuple[float, float, int, float, float]:
    """Seconds for the raw aggregation and for our report counted on read, how many contacts
    matched, then seconds to build the view's counts and to read the report kept on write."""
    async with scratch_store(uri, "views") as store:
        await add_contacts(store, count)
        started = time.perf_counter()
        [raw_result] = await store.contacts.collection.aggregate(raw_pipeline()).to_list(None)
        raw = time.perf_counter() - started
        started = time.perf_counter()
        report = await (await select(store, VIEW)).report()
        ours = time.perf_counter() - started
        assert report.total == raw_result["total"][0]["n"], "the two reports disagree"
        stored = await create_view(store, VIEW, "bench")
        started = time.perf_counter()
        await maintain(store)
        build = time.perf_counter() - started
        started = time.perf_counter()
        kept = await (await select(store, stored)).report()
        read = time.perf_counter() - started
        assert kept == report, "the report kept on write disagrees with the recount"
        return raw, ours, report.total, build, read
