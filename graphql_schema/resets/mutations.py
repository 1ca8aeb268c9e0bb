"""Resetting every score (admins)."""

import strawberry

from api.services.reset_job import start_reset
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.permissions import IsAdmin
from graphql_schema.resets.types import ScoreReset


@strawberry.input
class ScoresResetInput:
    reason: str
    agree: bool = strawberry.field(
        description="Must be true: every score goes back to 0 and this cannot be undone"
    )
    enable_scoring: bool = strawberry.field(
        default=False, description="Enable scoring again when the reset is done"
    )


@strawberry.type
class ScoresResetPayload:
    reset: ScoreReset | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class ResetMutations:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Pause scoring and set every score to 0 (in the background: follow `progress`)",
    )
    async def scores_reset(self, info: Info, input: ScoresResetInput) -> ScoresResetPayload:
        context = info.context
        job = await start_reset(
            context.store,
            context.tasks,
            input.reason,
            input.agree,
            input.enable_scoring,
            context.actor,
        )
        return ScoresResetPayload(reset=ScoreReset.of(job))
