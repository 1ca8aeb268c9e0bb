"""Creating API tokens (admins)."""

import strawberry

from api.domain.access import Role
from api.services.access import create_token
from graphql_schema.access.types import ApiTokenType
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.permissions import IsAdmin


@strawberry.input
class ApiTokenCreateInput:
    name: str
    role: Role


@strawberry.type
class ApiTokenCreatePayload:
    token: str | None = strawberry.field(
        default=None, description="The secret, shown this once; only its digest is stored"
    )
    api_token: ApiTokenType | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class AccessMutations:
    @strawberry.mutation(permission_classes=[IsAdmin])
    async def api_token_create(
        self, info: Info, input: ApiTokenCreateInput
    ) -> ApiTokenCreatePayload:
        secret, record = await create_token(info.context.store, input.name, input.role)
        return ApiTokenCreatePayload(token=secret, api_token=ApiTokenType.of(record))
