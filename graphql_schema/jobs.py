"""What every background job answers, whatever its kind: the BackgroundJob interface."""

from datetime import datetime
from typing import Any

import strawberry

from api.domain.jobs import Job, JobStatus

strawberry.enum(JobStatus, name="JobStatus")
AS_EVERY_JOB = "as every BackgroundJob"


@strawberry.interface(
    description="Work over every contact that runs in the background (a reset, a rescore, a "
    "field-rule sync); its *Progress subscription follows it until it is done"
)
class BackgroundJob:
    id: strawberry.ID
    status: JobStatus
    actor: str = strawberry.field(description="Who started it")
    reason: str
    started_at: datetime
    finished_at: datetime | None
    done: int = strawberry.field(description="Contacts walked so far")
    total: int = strawberry.field(description="Contacts to walk, counted when the walk started")
    affected: int = strawberry.field(description="Contacts it changed")
    progress: float = strawberry.field(description="0..1")


def job_fields(job: Job) -> dict[str, Any]:
    """The interface's fields of a job, as keyword arguments of the type implementing it."""
    return {
        "id": strawberry.ID(job.id),
        "status": job.status,
        "actor": job.actor,
        "reason": job.reason,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "done": job.done,
        "total": job.total,
        "affected": job.affected,
        "progress": job.progress,
    }
