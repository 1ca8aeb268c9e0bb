"""Rescoring every contact's history under the current rules (admins)."""

import strawberry

from api.services.rescore_job import start_rescore
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.permissions import IsAdmin
from graphql_schema.http.guard import Expensive
from graphql_schema.rescoring.types import RescoreJobType


@strawberry.input
class ScoringRescoreInput:
    reason: str = strawberry.field(description="Shown on every RESCORE timeline entry")


@strawberry.type
class ScoringRescorePayload:
    job: RescoreJobType | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class RescoringMutations:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        extensions=[Expensive()],
        description="Apply the current score sheet and custom rules to every contact's stored "
        "activities, in the background: follow rescoreProgress(jobId) or rescoreJob(id)",
    )
    async def scoring_rescore(
        self, info: Info, input: ScoringRescoreInput
    ) -> ScoringRescorePayload:
        context = info.context
        job = await start_rescore(context.store, context.tasks, input.reason, context.actor)
        return ScoringRescorePayload(job=RescoreJobType.of(job))
