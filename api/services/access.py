"""API tokens: creating them and recognising them."""

from api.db.client import Store
from api.domain.access import ApiToken, Principal, Role
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.validation import text_problem

AUTH_REQUIRED = "Authentication required: send 'Authorization: Bearer <token>'"
TOKEN_REJECTED = "The API token was not recognised"


async def create_token(store: Store, name: str, role: Role) -> tuple[str, ApiToken]:
    problem = text_problem("name", name, required=True)
    if problem:
        raise ServiceFailure([problem])
    if await store.tokens.by_name(name.strip()):
        raise ServiceFailure(
            [ServiceError("name", f"A token named '{name}' exists already", ErrorCode.CONFLICT)]
        )
    return await store.tokens.create(name.strip(), role)


async def authenticate(store: Store, token: str) -> Principal | None:
    record = await store.tokens.find(token)
    return Principal(record.name, record.role) if record else None


def bearer_token(header: str | None) -> str | None:
    """The token of an 'Authorization: Bearer <token>' header (or a bare token)."""
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest.strip() else header.strip()
