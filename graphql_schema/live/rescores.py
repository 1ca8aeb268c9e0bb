"""`rescoreProgress`: a rescore job's progress, live, until it is done."""

from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError

from api.services.errors import ErrorCode
from api.services.rescores import follow_rescore
from graphql_schema.core.context import Info
from graphql_schema.core.permissions import IsViewer
from graphql_schema.rescoring.types import RescoreJob


class RescoreNotFound(GraphQLError):
    """Expected and safe to show: never masked."""

    def __init__(self, job_id: str) -> None:
        super().__init__(
            f"No rescore job with id {job_id}", extensions={"code": ErrorCode.NOT_FOUND.value}
        )


@strawberry.type
class RescoreSubscriptions:
    @strawberry.subscription(
        permission_classes=[IsViewer],
        description="The job now and at each step of its progress; completes when it is done",
    )
    async def rescore_progress(
        self, info: Info, job_id: strawberry.ID
    ) -> AsyncGenerator[RescoreJob, None]:
        found = False
        async for record in follow_rescore(info.context.store, str(job_id)):
            found = True
            yield RescoreJob.of(record)
        if not found:
            raise RescoreNotFound(str(job_id))
