"""Checks shared by the use cases."""

import re
from collections.abc import Sequence

from api.db.named import NamedRepo
from api.scoring.expiry import EXPIRY_DAYS_RANGE
from api.services.errors import ErrorCode, ServiceError

# A custom contact field's name.
FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_TEXT = 200
MAX_REASON = 500
MAX_URL = 2000


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_problem(field: str, email: str) -> ServiceError | None:
    if not email.strip():
        return ServiceError(field, "An email address is required", ErrorCode.REQUIRED)
    if len(email) > MAX_TEXT or not EMAIL.match(email.strip()):
        return ServiceError(field, f"'{email}' is not a valid email address", ErrorCode.INVALID)
    return None


def email_list_problems(field: str, emails: Sequence[str], limit: int) -> list[ServiceError]:
    """1 to `limit` valid addresses (as `<field>.<index>` for the one at fault)."""
    if not emails:
        return [ServiceError(field, "At least one email address is required", ErrorCode.REQUIRED)]
    if len(emails) > limit:
        return [ServiceError(field, f"At most {limit} email addresses", ErrorCode.TOO_MANY)]
    problems = (email_problem(f"{field}.{i}", email) for i, email in enumerate(emails))
    return [problem for problem in problems if problem]


def unique_emails(emails: Sequence[str]) -> tuple[str, ...]:
    """Normalized, each once, in the order given."""
    return tuple(dict.fromkeys(normalize_email(email) for email in emails))


def text_problem(
    field: str, value: str | None, *, required: bool = False, limit: int = MAX_TEXT
) -> ServiceError | None:
    if value is None or not value.strip():
        if required:
            return ServiceError(field, f"{field} is required", ErrorCode.REQUIRED)
        return None
    if len(value) > limit:
        return ServiceError(field, f"{field} must be at most {limit} characters", ErrorCode.INVALID)
    return None


async def name_problem(
    repo: NamedRepo, name: str, own_id: str | None, noun: str = "rule"
) -> list[ServiceError]:
    """A name another item of the same collection already has."""
    if await repo.name_taken(name.strip(), own_id):
        message = f"A {noun} named '{name.strip()}' exists already"
        return [ServiceError("name", message, ErrorCode.CONFLICT)]
    return []


def expiry_problem(field: str, days: int | None, label: str = "") -> ServiceError | None:
    """Days after which points expire: None (never) or within EXPIRY_DAYS_RANGE."""
    low, high = EXPIRY_DAYS_RANGE
    if days is None or low <= days <= high:
        return None
    return ServiceError(
        field,
        f"{label or field} must be between {low} and {high} days, or null for never",
        ErrorCode.OUT_OF_RANGE,
    )
