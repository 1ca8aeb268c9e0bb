"""Listing workflows."""

import strawberry

from graphql_schema.core.context import Info
from graphql_schema.core.permissions import IsViewer
from graphql_schema.workflows.types import WorkflowType


@strawberry.type
class WorkflowQueries:
    @strawberry.field(permission_classes=[IsViewer], description="Oldest first")
    async def workflows(self, info: Info) -> list[WorkflowType]:
        return [WorkflowType.of(w) for w in await info.context.store.workflows.all()]

    @strawberry.field(permission_classes=[IsViewer])
    async def workflow(self, info: Info, id: strawberry.ID) -> WorkflowType | None:
        found = await info.context.store.workflows.get(str(id))
        return WorkflowType.of(found) if found else None
