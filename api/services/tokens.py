"""The lifecycle of API tokens (admins): created with an optional expiry, listed, revoked."""

import re
import unicodedata
from datetime import UTC, datetime, timedelta

from api.db.client import Store
from api.db.tokens import PUBLIC_ID_LENGTH, NameTaken
from api.domain.access import ApiToken, Role, TokenStatus
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.validation import text_problem

MAX_NAME = 100
EXPIRY_DAYS = (1, 3650)
PUBLIC_ID = re.compile(rf"^[0-9a-f]{{{PUBLIC_ID_LENGTH}}}$")
# What a name must not hold: controls (C0 and C1: a terminal's escapes), format characters (bidi
# overrides, zero widths: a name that reads as another, or as nothing), line and paragraph
# separators, lone surrogates.
UNPRINTABLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
LAST_ADMIN = (
    "This is the last active admin token: revoking it would leave nobody able to manage "
    "tokens. Create another admin token first"
)


def _name_problem(name: str) -> ServiceError | None:
    trimmed = name.strip()
    problem = text_problem("name", trimmed, required=True, limit=MAX_NAME)
    if problem is None and any(unicodedata.category(c) in UNPRINTABLE for c in trimmed):
        return ServiceError(
            "name", "name must not hold control or invisible characters", ErrorCode.INVALID
        )
    return problem


def _expiry_problem(days: int | None) -> ServiceError | None:
    low, high = EXPIRY_DAYS
    if days is None or low <= days <= high:
        return None
    message = f"expiresInDays must be between {low} and {high}, or null for never"
    return ServiceError("expiresInDays", message, ErrorCode.OUT_OF_RANGE)


async def create_token(
    store: Store,
    name: str,
    role: Role,
    expires_in_days: int | None = None,
    actor: str | None = None,
) -> tuple[str, ApiToken]:
    """A new token: its secret (shown this once) and its record."""
    problems = [p for p in (_name_problem(name), _expiry_problem(expires_in_days)) if p]
    if problems:
        raise ServiceFailure(problems)
    trimmed = name.strip()
    taken = ServiceError("name", f"A token named '{trimmed}' exists already", ErrorCode.CONFLICT)
    if await store.tokens.by_name(trimmed):
        raise ServiceFailure([taken])
    now = datetime.now(UTC)
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days else None
    try:
        return await store.tokens.create(
            trimmed, role, created_by=actor, expires_at=expires_at, now=now
        )
    except NameTaken:  # the same name created at the same moment
        raise ServiceFailure([taken]) from None


async def find_token(store: Store, key: str, *, or_name: bool = False) -> ApiToken:
    """A token by its public id (or, `or_name`, else by its name)."""
    key = key.strip()
    found = await store.tokens.by_id(key) if PUBLIC_ID.match(key) else None
    if found is None and or_name and key:
        found = await store.tokens.by_name(key)
    if found is None:
        raise ServiceFailure([ServiceError("id", f"No token '{key[:120]}'", ErrorCode.NOT_FOUND)])
    return found


async def revoke_token(store: Store, record: ApiToken, actor: str) -> ApiToken:
    """Revoke a token: refused at once by HTTP, its websockets closed within seconds.
    Revoking a revoked token changes nothing. The last active admin token is kept."""
    if record.revoked_at is not None:
        return record
    now = datetime.now(UTC)
    guarded = record.role is Role.ADMIN and record.status(now) is TokenStatus.ACTIVE
    conflict = ServiceFailure([ServiceError("id", LAST_ADMIN, ErrorCode.CONFLICT)])
    if guarded and await store.tokens.active_admins(now) <= 1:
        raise conflict
    await store.tokens.revoke(record.id, actor, now)
    # Two admins revoking the last two admin tokens at once both pass the check above: the one
    # that then finds none left takes its revocation back.
    if guarded and await store.tokens.active_admins(now) == 0:
        await store.tokens.unrevoke(record.id, now)
        raise conflict
    return await find_token(store, record.id)
