"""Who may do what: roles, the principal behind a request, and API tokens."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "VIEWER"
    EDITOR = "EDITOR"
    ADMIN = "ADMIN"


_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Principal:
    """Who sends a request: the token's name and role."""

    name: str
    role: Role

    def can(self, needed: Role) -> bool:
        return _RANK[self.role] >= _RANK[needed]


class TokenStatus(StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


@dataclass(frozen=True)
class ApiToken:
    """A token's record. `id` is a short public id (the first 12 hex digits of the secret's
    SHA-256 digest): neither the secret nor its digest is ever shown."""

    id: str
    name: str
    role: Role
    created_at: datetime
    created_by: str | None = None
    last_used_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    def status(self, now: datetime) -> TokenStatus:
        if self.revoked_at is not None:
            return TokenStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return TokenStatus.EXPIRED
        return TokenStatus.ACTIVE
