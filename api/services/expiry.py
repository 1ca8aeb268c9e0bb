"""Point expiry: points whose time ran out leave the total as EXPIRY timeline entries.

`expire_due` walks the entries due at a time (the earliest first, a batch at a time), commits an
EXPIRY entry per entry through the normal commit (so it is atomic, explained and live), then marks
the entries done. It happens exactly once even when two processes race or one crashes between the
two steps: an EXPIRY entry's idempotency key is "expiry:<entry id>", so a second attempt is a
duplicate and changes nothing. Points a reset took, and field-rule points taken back since, are
skipped (the planner decides on the contact's state) and marked all the same.

`expire_periodically` runs it in whichever API process holds the "point-expiry" lease.
"""

import logging
from datetime import UTC, datetime
from functools import partial

from api.db.client import Store
from api.domain.changes import Change, PointsExpiry
from api.scheduler import run_periodically
from api.writes.commit import commit, planner_for

log = logging.getLogger(__name__)
BATCH = 500
TASK = "point-expiry"


async def expire_due(store: Store, now: datetime | None = None, batch: int = BATCH) -> int:
    """Expire the points due at `now` (default: the current time); returns how many EXPIRY
    entries this call wrote."""
    moment = now or datetime.now(UTC)
    # Expiries use no sheet entry: any sheet plans them.
    plan = planner_for(await store.sheet.score_sheet())
    written = 0
    async for entries in store.ledger.due(moment, batch):
        changes: dict[str, list[Change]] = {}
        for entry in entries:
            changes.setdefault(entry.contact_id, []).append(PointsExpiry(entry))
        outcome = await commit(store, changes, plan)
        await store.ledger.mark_expired(entries)
        written += sum(len(new) for new in outcome.entries.values())
    if written:
        log.info("expired the points of %d timeline entries", written)
    return written


async def expire_periodically(store: Store, every: float) -> None:
    """Runs for the life of the process: expiry every `every` seconds, in one process at a time."""
    await run_periodically(store.leases, TASK, partial(expire_due, store), every)
