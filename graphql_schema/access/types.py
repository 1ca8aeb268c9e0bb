"""Who is calling, and the API tokens."""

from datetime import datetime

import strawberry

from api.domain.access import ApiToken, Role

RoleEnum = strawberry.enum(Role, name="Role")


@strawberry.type
class Viewer:
    name: str
    role: Role


@strawberry.type(name="ApiToken")
class ApiTokenType:
    id: strawberry.ID
    name: str
    role: Role
    created_at: datetime

    @classmethod
    def of(cls, token: ApiToken) -> "ApiTokenType":
        return cls(
            id=strawberry.ID(token.id),
            name=token.name,
            role=token.role,
            created_at=token.created_at,
        )
