"""Jobs over every contact that run in the background of an API process and survive it.

A job's document (api/db/jobs.py) holds its cursor and a heartbeat. The process running a job
beats while it works; when a process dies, a watcher in another process claims the silent job
and runs it again from its cursor. A claim gives the job a new owner: the process that went silent
(stalled, cut off) finds its next beat or advance refused and stops (see api/db/jobs.py).
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from api.db.faults import DatabaseError
from api.db.jobs import JobLost, JobsRepo
from api.domain.jobs import Job

log = logging.getLogger(__name__)
SILENCE = timedelta(seconds=30)
BEAT_EVERY = 5.0
WATCH_EVERY = 10.0
J = TypeVar("J", bound=Job)


async def with_heartbeat(repo: JobsRepo[J], job: J, work: Awaitable[None]) -> None:
    """Run `work`, beating meanwhile: a job busy on a slow chunk is not taken for dead. When
    another process has claimed the job (this one went silent), the work stops at once: a
    refused beat cancels it, a refused advance raises JobLost in it; either is logged, not an
    error."""
    working = asyncio.ensure_future(work)
    lost = False

    async def beat() -> None:
        nonlocal lost
        while True:
            await asyncio.sleep(BEAT_EVERY)
            try:
                await repo.beat(job)
            except JobLost:
                lost = True
                working.cancel()
                return
            except DatabaseError as error:
                log.warning("heartbeat of job %s failed: %s", job.id, error)

    beating = asyncio.create_task(beat(), name=f"heartbeat-{job.id}")
    try:
        await working
    except JobLost:
        log.info("job %s was claimed by another process: this one stops walking it", job.id)
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if not lost or (current is not None and current.cancelling()):
            raise
        log.info("job %s was claimed by another process: this one stops walking it", job.id)
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating


async def resume_abandoned(repo: JobsRepo[J], run: Callable[[J], Awaitable[None]]) -> None:
    """Runs for the life of the process: finishes the jobs whose process stopped."""
    while True:
        try:
            job = await repo.claim_abandoned(SILENCE)
            if job is not None:
                await run(job)
                continue
        except Exception:
            # A database outage, or a resumed job that failed (it is claimed again once silent):
            # the watcher keeps watching, or the job would stay RUNNING until a restart.
            log.exception("resuming abandoned jobs failed; watching on")
        await asyncio.sleep(WATCH_EVERY)
