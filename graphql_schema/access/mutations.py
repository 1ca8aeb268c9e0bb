"""Creating and revoking API tokens (admins)."""

import strawberry

from api.domain.access import Role
from api.services.tokens import create_token, find_token, revoke_token
from graphql_schema.access.types import ApiTokenType
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.permissions import IsAdmin


@strawberry.input
class ApiTokenCreateInput:
    name: str = strawberry.field(description="1 to 100 characters, trimmed, unique")
    role: Role
    expires_in_days: int | None = strawberry.field(
        default=None, description="1..3650 days from now; null: never expires"
    )


@strawberry.type
class ApiTokenCreatePayload:
    token: str | None = strawberry.field(
        default=None, description="The secret, shown this once; only its digest is stored"
    )
    api_token: ApiTokenType | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.input
class ApiTokenRevokeInput:
    id: strawberry.ID = strawberry.field(description="The token's id (ApiToken.id)")


@strawberry.type
class ApiTokenRevokePayload:
    api_token: ApiTokenType | None = strawberry.field(
        default=None, description="The token, revoked"
    )
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class AccessMutations:
    @strawberry.mutation(permission_classes=[IsAdmin])
    async def api_token_create(
        self, info: Info, input: ApiTokenCreateInput
    ) -> ApiTokenCreatePayload:
        context = info.context
        secret, record = await create_token(
            context.store, input.name, input.role, input.expires_in_days, context.actor
        )
        return ApiTokenCreatePayload(token=secret, api_token=ApiTokenType.of(record))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Revoke a token: refused by the next HTTP request, and its open websockets "
        "closed within about 2 s (close code 4403, 'Token revoked'). You may revoke the token "
        "you are using: this request is answered, the next one is refused. Revoking a revoked "
        "token changes nothing (it is answered as it is). The last active admin token cannot "
        "be revoked (CONFLICT); an unknown id is NOT_FOUND.",
    )
    async def api_token_revoke(
        self, info: Info, input: ApiTokenRevokeInput
    ) -> ApiTokenRevokePayload:
        context = info.context
        record = await find_token(context.store, str(input.id))
        revoked = await revoke_token(context.store, record, context.actor)
        return ApiTokenRevokePayload(api_token=ApiTokenType.of(revoked))
