"""Role checks as Strawberry permission classes: viewer < editor < admin."""

from typing import Any

from graphql import GraphQLError
from strawberry.permission import BasePermission

from api.domain.access import Role
from api.services.access import AUTH_REQUIRED, TOKEN_REJECTED
from api.services.errors import ErrorCode
from graphql_schema.core.context import Info


class PermissionDenied(GraphQLError):
    """Expected and safe to show: never masked."""

    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message, extensions={"code": code.value})


class _NeedsRole(BasePermission):
    role = Role.VIEWER

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        context = info.context
        if context.principal is None:
            message = TOKEN_REJECTED if context.token_rejected else AUTH_REQUIRED
            raise PermissionDenied(message, ErrorCode.UNAUTHENTICATED)
        if not context.principal.can(self.role):
            raise PermissionDenied(
                f"This needs the {self.role.value.lower()} role; "
                f"your token has the {context.principal.role.value.lower()} role",
                ErrorCode.FORBIDDEN,
            )
        return True


class IsViewer(_NeedsRole):
    role = Role.VIEWER


class IsEditor(_NeedsRole):
    role = Role.EDITOR


class IsAdmin(_NeedsRole):
    role = Role.ADMIN
