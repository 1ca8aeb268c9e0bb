"""Field rules (who a contact is) and custom rules (what an activity is)."""

from dataclasses import dataclass
from enum import StrEnum

from api.domain.activities import Activity, ActivityType


class FieldOperator(StrEnum):
    EQUALS = "EQUALS"
    NOT_EQUALS = "NOT_EQUALS"
    CONTAINS = "CONTAINS"
    STARTS_WITH = "STARTS_WITH"
    GREATER_THAN = "GREATER_THAN"
    LESS_THAN = "LESS_THAN"
    IS_EMPTY = "IS_EMPTY"
    IS_NOT_EMPTY = "IS_NOT_EMPTY"


@dataclass(frozen=True)
class FieldCondition:
    field: str
    operator: FieldOperator
    value: str = ""


@dataclass(frozen=True)
class FieldRule:
    id: str
    name: str
    points: int
    conditions: tuple[FieldCondition, ...]
    expires_after_days: int | None = None


@dataclass(frozen=True)
class CustomRule:
    id: str
    name: str
    points: int
    activity_type: ActivityType | None = None
    url_equals: str | None = None
    url_contains: str | None = None
    campaign_id: str | None = None
    enabled: bool = True
    excluded_campaigns: tuple[str, ...] = ()
    expires_after_days: int | None = None

    def applies_to(self, activity: Activity) -> bool:
        if not self.enabled or activity.campaign_id in self.excluded_campaigns:
            return False
        if self.activity_type is not None and activity.type is not self.activity_type:
            return False
        if self.campaign_id is not None and activity.campaign_id != self.campaign_id:
            return False
        url = activity.url or ""
        if self.url_equals is not None and url != self.url_equals:
            return False
        return self.url_contains is None or self.url_contains in url
