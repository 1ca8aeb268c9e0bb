"""Checks shared by the use cases."""

import re

from api.scoring.expiry import EXPIRY_DAYS_RANGE
from api.services.errors import ErrorCode, ServiceError

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
