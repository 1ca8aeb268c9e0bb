"""Who is calling, and the API tokens (never their secrets)."""

from datetime import UTC, datetime

import strawberry

from api.domain.access import ApiToken, Role, TokenStatus

RoleEnum = strawberry.enum(Role, name="Role")
TokenStatusEnum = strawberry.enum(
    TokenStatus,
    name="ApiTokenStatus",
    description="ACTIVE: accepted; EXPIRED: past its expiresAt; REVOKED: revoked by an admin",
)


@strawberry.type
class Viewer:
    name: str
    role: Role


@strawberry.type(name="ApiToken", description="An API token; its secret is shown only once")
class ApiTokenType:
    id: strawberry.ID = strawberry.field(description="A short public id (not the secret)")
    name: str
    role: Role
    status: TokenStatus
    created_at: datetime
    created_by: str | None = strawberry.field(description="Who created it (null: the CLI/setup)")
    last_used_at: datetime | None = strawberry.field(
        description="The last accepted request, written at most once a minute per API process"
    )
    expires_at: datetime | None = strawberry.field(description="Null: never expires")
    revoked_at: datetime | None
    revoked_by: str | None

    @classmethod
    def of(cls, token: ApiToken) -> "ApiTokenType":
        return cls(
            id=strawberry.ID(token.id),
            name=token.name,
            role=token.role,
            status=token.status(datetime.now(UTC)),
            created_at=token.created_at,
            created_by=token.created_by,
            last_used_at=token.last_used_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            revoked_by=token.revoked_by,
        )
