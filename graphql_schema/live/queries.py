"""Where live changes stand: the cursor to subscribe after so that nothing is missed."""

import strawberry

from graphql_schema.core.context import Info
from graphql_schema.core.permissions import IsViewer


@strawberry.type
class LiveQueries:
    @strawberry.field(
        permission_classes=[IsViewer],
        description=(
            "The cursor of this moment: read it before what you show, then subscribe with "
            "`scoreChanged(after:)` set to it to be sent every change made since"
        ),
    )
    async def live_cursor(self, info: Info) -> str:
        return await info.context.hub.now()
