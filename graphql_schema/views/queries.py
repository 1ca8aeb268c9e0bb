"""Score-based views: all of them, or one."""

import strawberry

from graphql_schema.core.context import Info
from graphql_schema.core.permissions import IsViewer
from graphql_schema.views.types import ScoreViewType


@strawberry.type
class ViewQueries:
    @strawberry.field(permission_classes=[IsViewer], description="By name")
    async def score_views(self, info: Info) -> list[ScoreViewType]:
        return [ScoreViewType.of(view) for view in await info.context.store.views.all()]

    @strawberry.field(permission_classes=[IsViewer])
    async def score_view(self, info: Info, id: strawberry.ID) -> ScoreViewType | None:
        view = await info.context.store.views.get(str(id))
        return ScoreViewType.of(view) if view else None
