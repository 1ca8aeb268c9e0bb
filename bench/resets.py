"""Reset of a large contact base: our reset job against a raw `update_many` on the same data."""

import time

from api.services.reset_job import run_reset
from bench.population import add_contacts, scratch_store


async def measure_reset(uri: str, count: int) -> tuple[float, float]:
    """Seconds for a raw update_many and for our reset, over the same number of contacts."""
    async with scratch_store(uri, "reset") as store:
        await add_contacts(store, count, "raw_contacts")
        started = time.perf_counter()
        await store.db["raw_contacts"].update_many({}, {"$set": {"score": 0, "occ": {}}})
        raw = time.perf_counter() - started
        await add_contacts(store, count, "contacts")
        record = await store.resets.start("bench", "benchmark", False, count)
        assert record is not None
        started = time.perf_counter()
        await run_reset(store, record)
        ours = time.perf_counter() - started
        done = await store.resets.get(record.id)
        assert done is not None and done.done == count
        return raw, ours
