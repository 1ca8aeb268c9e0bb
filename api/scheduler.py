"""Periodic tasks that run in one API process at a time, whichever holds the task's lease.

Every API process runs the same loop for a task (spawn it through `Tasks` in the app's lifespan).
Each round, the process holding the task's lease (api/db/leases.py), or taking over a lease whose
holder let it run out, does the work; the others only try again next round. While a round runs,
the lease is renewed, so a long round keeps it; a process that dies stops renewing and another one
takes over after `ttl`. The work must still be safe to repeat or overlap: a crash can cut a round
short, and a process stalled for longer than `ttl` can find another one working when it wakes.

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
    """Run the work, renewing the lease meanwhile."""
    renewer = asyncio.create_task(_renew(leases, name, holder, ttl), name=f"{name}-lease")
    try:
        await work()
    finally:
        renewer.cancel()
        await asyncio.gather(renewer, return_exceptions=True)


async def _renew(leases: LeasesRepo, name: str, holder: str, ttl: timedelta) -> None:
    while True:
        await asyncio.sleep(ttl.total_seconds() / LEASE_ROUNDS)
        try:
            if not await leases.acquire(name, holder, ttl):
                log.warning("lost the lease of %s to another process", name)
                return
        except Exception:
            log.exception("could not renew the lease of %s", name)
