"""A job followed as it progresses, whatever its kind: what the *Progress subscriptions stream."""

import asyncio
from collections.abc import AsyncIterator
from typing import TypeVar

from api.db.jobs import JobsRepo
from api.domain.jobs import Job, JobStatus

POLL_EVERY = 0.2
J = TypeVar("J", bound=Job)


async def follow(repo: JobsRepo[J], job_id: str) -> AsyncIterator[J]:
    """The job now and at each change of its progress, until it is done; nothing if there is no
    such job."""
    last: tuple[JobStatus, int, int] | None = None
    while True:
        job = await repo.get(job_id)
        if job is None:
            return
        # The total grows when a field-rule sync is re-armed.
        if (job.status, job.done, job.total) != last:
            last = (job.status, job.done, job.total)
            yield job
        if job.status is JobStatus.DONE:
            return
        await asyncio.sleep(POLL_EVERY)
