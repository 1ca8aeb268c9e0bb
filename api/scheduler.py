"""Periodic tasks that run in one API process at a time, whichever holds the task's lease.

Every API process runs the same loop for a task (spawn it through `Tasks` in the app's lifespan).
Each round, the process holding the task's lease (api/db/leases.py), or taking over a lease whose
holder let it run out, does the work; the others only try again next round. While a round runs,
the lease is renewed, so a long round keeps it; a process that dies stops renewing and another one
takes over after `ttl`. Leases are fenced: a holder renews only its own lease, and a round whose
renewal finds the lease taken over is cancelled. The work must still be safe to repeat or overlap
(point expiry's entries are keyed, a view email is claimed before it is sent): a crash can cut a
round short, and a process stalled for longer than `ttl` may write once more before its next
renewal tells it.

    tasks.spawn(run_periodically(store.leases, "my-task", do_the_work, every=60), name="my-task")
"""

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from api.db.leases import LeasesRepo

log = logging.getLogger(__name__)
# A lease lasts this many rounds, so that a slow round or a missed renewal does not lose it.
LEASE_ROUNDS = 3


def holder_name() -> str:
    """This process, as a lease holder: unique even for processes sharing a host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def run_periodically(
    leases: LeasesRepo,
    name: str,
    work: Callable[[], Awaitable[object]],
    every: float,
    ttl: timedelta | None = None,
    holder: str | None = None,
) -> None:
    """Run `work` now and then every `every` seconds while this process holds the lease `name`,
    until cancelled (then the lease is released). A failed round is logged and retried next
    round."""
    holder = holder or holder_name()
    ttl = ttl or timedelta(seconds=every * LEASE_ROUNDS)
    try:
        while True:
            try:
                if await leases.acquire(name, holder, ttl):
                    await _holding(leases, name, holder, ttl, work)
            except Exception:
                log.exception("periodic task %s failed; next round in %s s", name, every)
            await asyncio.sleep(every)
    finally:
        with contextlib.suppress(Exception):
            await leases.release(name, holder)


async def _holding(
    leases: LeasesRepo,
    name: str,
    holder: str,
    ttl: timedelta,
    work: Callable[[], Awaitable[object]],
) -> None:
    """Run the work, renewing the lease meanwhile. A round whose lease was taken over (this
    process stalled past `ttl`) is cancelled at the next renewal: it stops working as holder."""

    async def round_() -> None:
        await work()

    working = asyncio.create_task(round_(), name=f"{name}-round")
    renewer = asyncio.create_task(_renew(leases, name, holder, ttl), name=f"{name}-lease")
    try:
        await asyncio.wait({working, renewer}, return_when=asyncio.FIRST_COMPLETED)
        if not working.done():
            log.warning("lost the lease of %s to another process: this round stops", name)
            working.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await working
    finally:
        for task in (working, renewer):
            task.cancel()
        await asyncio.gather(working, renewer, return_exceptions=True)


async def _renew(leases: LeasesRepo, name: str, holder: str, ttl: timedelta) -> None:
    """Renew the lease until it is lost (then return)."""
    while True:
        await asyncio.sleep(ttl.total_seconds() / LEASE_ROUNDS)
        try:
            if not await leases.acquire(name, holder, ttl):
                return
        except Exception:
            log.exception("could not renew the lease of %s", name)
