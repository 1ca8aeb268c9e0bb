"""Reading who is calling and the tokens."""

import strawberry

from graphql_schema.access.types import ApiTokenType, Viewer
from graphql_schema.core.context import Info
from graphql_schema.core.permissions import IsAdmin, IsViewer


@strawberry.type
class AccessQueries:
    @strawberry.field(permission_classes=[IsViewer], description="The caller's token and role")
    def me(self, info: Info) -> Viewer:
        principal = info.context.principal
        assert principal is not None
        return Viewer(name=principal.name, role=principal.role)

    @strawberry.field(
        permission_classes=[IsAdmin],
        description="Every token, oldest first, with its status; never a secret",
    )
    async def api_tokens(self, info: Info) -> list[ApiTokenType]:
        return [ApiTokenType.of(t) for t in await info.context.store.tokens.all()]
