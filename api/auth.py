"""Roles and what each may do."""

from dataclasses import dataclass
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
