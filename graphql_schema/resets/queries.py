"""The reset history."""

import strawberry

from graphql_schema.core.context import Info
from graphql_schema.core.pagination import page_size
from graphql_schema.core.permissions import IsViewer
from graphql_schema.resets.types import ScoreReset


@strawberry.type
class ResetQueries:
    @strawberry.field(permission_classes=[IsViewer], description="Newest first")
    async def reset_history(self, info: Info, first: int | None = None) -> list[ScoreReset]:
        jobs = await info.context.store.resets.history(page_size(first))
        return [ScoreReset.of(job) for job in jobs]

    @strawberry.field(permission_classes=[IsViewer])
    async def score_reset(self, info: Info, id: strawberry.ID) -> ScoreReset | None:
        job = await info.context.store.resets.get(str(id))
        return ScoreReset.of(job) if job else None
