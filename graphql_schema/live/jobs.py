"""Background jobs' progress, live, until they are done: one follower for every kind."""

from collections.abc import AsyncGenerator, AsyncIterator
from typing import TypeVar

import strawberry
from graphql import GraphQLError

from api.db.jobs import JobsRepo
from api.domain.jobs import Job
from api.jobs.progress import follow
from api.services.errors import ErrorCode
from graphql_schema.core.context import Info
from graphql_schema.core.permissions import IsViewer
from graphql_schema.rescoring.types import RescoreJobType
from graphql_schema.resets.types import ScoreReset
from graphql_schema.rules.types import FieldRuleSync

J = TypeVar("J", bound=Job)
STREAMS = "The job now and at each step of its progress; completes when it is done"


class JobNotFound(GraphQLError):
    """Expected and safe to show: never masked."""

    def __init__(self, what: str, job_id: str) -> None:
        super().__init__(
            f"No {what} with id {job_id}", extensions={"code": ErrorCode.NOT_FOUND.value}
        )


async def followed(repo: JobsRepo[J], what: str, job_id: strawberry.ID) -> AsyncIterator[J]:
    found = False
    async for job in follow(repo, str(job_id)):
        found = True
        yield job
    if not found:
        raise JobNotFound(what, str(job_id))


@strawberry.type
class JobSubscriptions:
    @strawberry.subscription(permission_classes=[IsViewer], description=STREAMS)
    async def rescore_progress(
        self, info: Info, job_id: strawberry.ID
    ) -> AsyncGenerator[RescoreJobType, None]:
        async for job in followed(info.context.store.rescores, "rescore job", job_id):
            yield RescoreJobType.of(job)

    @strawberry.subscription(permission_classes=[IsViewer], description=STREAMS)
    async def reset_progress(
        self, info: Info, job_id: strawberry.ID
    ) -> AsyncGenerator[ScoreReset, None]:
        async for job in followed(info.context.store.resets, "reset", job_id):
            yield ScoreReset.of(job)

    @strawberry.subscription(permission_classes=[IsViewer], description=STREAMS)
    async def field_rule_sync_progress(
        self, info: Info, job_id: strawberry.ID
    ) -> AsyncGenerator[FieldRuleSync, None]:
        async for job in followed(info.context.store.field_rule_syncs, "field-rule sync", job_id):
            yield FieldRuleSync.of(job)
