"""Resets as clients see them."""

import strawberry

from api.domain.jobs import ResetJob
from graphql_schema.jobs import AS_EVERY_JOB, BackgroundJob, job_fields


@strawberry.type(description="A reset of every contact's score: who, when, why, and how far")
class ScoreReset(BackgroundJob):
    scoring_enabled: bool = strawberry.field(
        description="Whether scoring was enabled again when the reset finished"
    )

    @classmethod
    def of(cls, job: ResetJob) -> "ScoreReset":
        return cls(**job_fields(job), scoring_enabled=job.enable_scoring)

    @strawberry.field(deprecation_reason=f"Use done/total, {AS_EVERY_JOB}")
    def contacts_total(self) -> int:
        return self.total

    @strawberry.field(deprecation_reason=f"Use done/total, {AS_EVERY_JOB}")
    def contacts_done(self) -> int:
        return self.done

    @strawberry.field(
        description="Contacts whose score or counts changed",
        deprecation_reason=f"Use affected, {AS_EVERY_JOB}",
    )
    def contacts_affected(self) -> int:
        return self.affected
