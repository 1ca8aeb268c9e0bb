"""Recognising API tokens: a token is accepted while it is neither revoked nor expired."""

from datetime import UTC, datetime

from api.db.client import Store
from api.db.tokens import digest
from api.domain.access import ApiToken, Principal, TokenStatus

AUTH_REQUIRED = "Authentication required: send 'Authorization: Bearer <token>'"
TOKEN_REJECTED = "The API token was not recognised (unknown, revoked or expired)"
# Why an open websocket is closed when its token stops being accepted.
CLOSE_REASONS = {TokenStatus.REVOKED: "Token revoked", TokenStatus.EXPIRED: "Token expired"}


async def authenticate(store: Store, token: str) -> Principal | None:
    """The token's principal, read from the database on every call (no cache: a revoked token
    is refused by the next request); its lastUsedAt is written at most once a minute."""
    now = datetime.now(UTC)
    record = await store.tokens.find(token)
    if record is None or record.status(now) is not TokenStatus.ACTIVE:
        return None
    await store.tokens.touch(token, now)
    return Principal(record.name, record.role)


def token_digest(token: str) -> str:
    """How a connection's token is looked up again later, without keeping the token itself."""
    return digest(token)


async def refused_tokens(store: Store, digests: set[str]) -> dict[str, str]:
    """Of these tokens (by digest), those no longer accepted, with why (one query)."""
    now = datetime.now(UTC)
    found = await store.tokens.by_digests(digests)
    refused = {}
    for key in digests:
        record: ApiToken | None = found.get(key)
        status = record.status(now) if record else TokenStatus.REVOKED
        if status is not TokenStatus.ACTIVE:
            refused[key] = CLOSE_REASONS[status]
    return refused


def bearer_token(header: str | None) -> str | None:
    """The token of an 'Authorization: Bearer <token>' header (or a bare token)."""
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest.strip() else header.strip()
