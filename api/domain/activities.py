"""Campaign activities: what a contact did, as the API records it."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ActivityType(StrEnum):
    OPEN = "OPEN"
    CLICK = "CLICK"
    REPLY = "REPLY"
    POSITIVE_REPLY = "POSITIVE_REPLY"
    NEGATIVE_REPLY = "NEGATIVE_REPLY"
    UNSUBSCRIBE = "UNSUBSCRIBE"
    WEBSITE_SUBSCRIBE = "WEBSITE_SUBSCRIBE"
    REFER_FRIEND = "REFER_FRIEND"


@dataclass(frozen=True)
class Activity:
    type: ActivityType
    campaign_id: str | None
    url: str | None
    occurred_at: datetime
    idempotency_key: str
