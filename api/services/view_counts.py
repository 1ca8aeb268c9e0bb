"""Views' reports kept on write (api/db/view_counts.py): which views are counted, their builds,
and the fold of their deltas, in whichever process holds the "view-counts" lease.

Views scored over a period ("points in the last N days", a date range) change with time, not only
with writes: they are not counted, their report is counted on read.
"""

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from api.db.client import Store
from api.db.faults import retryable
from api.db.view_counts import definition
from api.scheduler import run_periodically
from api.services.views import counted_kind, valid

TASK = "view-counts"
EVERY = 1.0  # seconds: a new view's counts start within about this
WALK = 1000  # contacts per build transaction
ATTEMPTS = 50  # a build's transactions conflict with writers of the same contacts: run again
# A build's last check waits this long after its start: a writer's transaction that began before
# the build (so saw none, and neither marked nor counted the contact it creates) has ended by
# then, committed or aborted by the server (MongoDB's transactionLifetimeLimitSeconds default).
TRANSACTION_LIFETIME = 60.0
T = TypeVar("T")


async def maintain_periodically(store: Store, every: float = EVERY) -> None:
    """Runs for the life of the process: folds deltas and builds counts, one process at a time."""
    await run_periodically(store.leases, TASK, partial(maintain, store), every)


async def maintain(store: Store, walk: int = WALK) -> None:
    """One round: fold the deltas, forget the counts of views gone or no longer counted, then
    build (or go on building) the counts of views not counted for their definition. Safe to run
    in several processes at once, and to cut short anywhere."""
    repo = store.view_counts
    while await _retried(repo.fold):
        pass
    views = {v.id: v for v in await store.views.all() if counted_kind(v) and valid(v)}
    build, cursor, stored = await repo.state()
    gone = [view_id for view_id in stored if view_id not in views]
    if gone:
        await _retried(partial(repo.drop, gone))
    if build is None:
        current = await repo.generation()
        if current.walking:  # built again once the reset has reached every contact
            return
        stale = [
            v
            for v in views.values()
            if stored.get(v.id) != {"definition": definition(v), "gen": current.id}
        ]
        if not stale:
            return
        build, cursor = await _retried(partial(repo.start, stale)), ""
        if build is None:
            return
    while True:
        async for ids in store.contacts.id_batches(cursor, walk):
            if not await _retried(partial(repo.walk, build, ids)):
                break
            await _retried(repo.fold)
        await _outlive_older_transactions(store, build)
        if await _retried(partial(repo.finish, build)):
            return
        cursor = ""


async def _outlive_older_transactions(store: Store, build: str) -> None:
    started = await store.view_counts.started_at(build)
    if started is not None:
        left = (started - datetime.now(UTC)).total_seconds() + TRANSACTION_LIFETIME
        await asyncio.sleep(max(0.0, left))


async def _retried(step: Callable[[], Awaitable[T]]) -> T:
    """Run a transaction again while it conflicts with writers (with a growing random pause)."""
    for attempt in range(ATTEMPTS):
        try:
            return await step()
        except Exception as error:
            if not retryable(error) or attempt == ATTEMPTS - 1:
                raise
            await asyncio.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 6)))
    raise AssertionError("unreachable")
