"""Jobs over every contact that run in the background of an API process and survive it.

A job's document (api/db/jobs.py) holds its cursor and a heartbeat. The process running a job
beats while it works; when a process dies, a watcher in another process claims the silent job
and runs it again from its cursor.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from api.db.faults import DatabaseError
from api.db.jobs import JobsRepo
from api.domain.jobs import Job

log = logging.getLogger(__name__)
SILENCE = timedelta(seconds=30)
BEAT_EVERY = 5.0
WATCH_EVERY = 10.0
J = TypeVar("J", bound=Job)


async def with_heartbeat(repo: JobsRepo[J], job_id: str, work: Awaitable[None]) -> None:
    """Run `work`, beating meanwhile: a job busy on a slow chunk is not taken for dead."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(BEAT_EVERY)
            try:
                await repo.beat(job_id)
            except DatabaseError as error:
                log.warning("heartbeat of job %s failed: %s", job_id, error)

    beating = asyncio.create_task(beat(), name=f"heartbeat-{job_id}")
    try:
        await work
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating


async def resume_abandoned(repo: JobsRepo[J], run: Callable[[J], Awaitable[None]]) -> None:
    """Runs for the life of the process: finishes the jobs whose process stopped."""
    while True:
        job = await repo.claim_abandoned(SILENCE)
        if job is not None:
            await run(job)
            continue
        await asyncio.sleep(WATCH_EVERY)
