"""Field rules (who a contact is) and custom rules (what an activity is): pure matching."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from api.scoring.activities import Activity, ActivityType

MAX_CONDITIONS = 3
RULE_POINTS_RANGE = (-50, 100)
PROFILE_FIELDS = ("email", "firstName", "lastName", "country", "mailingList")


class FieldOperator(StrEnum):
    EQUALS = "EQUALS"
    NOT_EQUALS = "NOT_EQUALS"
    CONTAINS = "CONTAINS"
    STARTS_WITH = "STARTS_WITH"
    GREATER_THAN = "GREATER_THAN"
    LESS_THAN = "LESS_THAN"
    IS_EMPTY = "IS_EMPTY"
    IS_NOT_EMPTY = "IS_NOT_EMPTY"


NUMERIC = frozenset({FieldOperator.GREATER_THAN, FieldOperator.LESS_THAN})
VALUELESS = frozenset({FieldOperator.IS_EMPTY, FieldOperator.IS_NOT_EMPTY})


@dataclass(frozen=True)
class Profile:
    email: str
    first_name: str | None
    last_name: str | None
    country: str | None
    mailing_lists: Sequence[str]
    fields: dict[str, str]

    def values(self, field: str) -> list[str]:
        """A field's values: mailing lists are several, custom fields are `fields.<name>`."""
        if field == "mailingList":
            return list(self.mailing_lists)
        if field.startswith("fields."):
            value = self.fields.get(field.removeprefix("fields."))
        else:
            value = {
                "email": self.email,
                "firstName": self.first_name,
                "lastName": self.last_name,
                "country": self.country,
            }.get(field)
        return [value] if value else []


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


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _holds_for(value: str, condition: FieldCondition) -> bool:
    wanted = condition.value.strip().lower()
    given = value.strip().lower()
    match condition.operator:
        case FieldOperator.EQUALS:
            return given == wanted
        case FieldOperator.CONTAINS:
            return wanted in given
        case FieldOperator.STARTS_WITH:
            return given.startswith(wanted)
        case FieldOperator.GREATER_THAN | FieldOperator.LESS_THAN:
            left, right = _number(given), _number(wanted)
            if left is None or right is None:
                return False
            return (
                left > right if condition.operator is FieldOperator.GREATER_THAN else left < right
            )
    return False


def condition_holds(condition: FieldCondition, profile: Profile) -> bool:
    values = profile.values(condition.field)
    if condition.operator is FieldOperator.IS_EMPTY:
        return not values
    if condition.operator is FieldOperator.IS_NOT_EMPTY:
        return bool(values)
    if condition.operator is FieldOperator.NOT_EQUALS:
        wanted = condition.value.strip().lower()
        return all(v.strip().lower() != wanted for v in values)
    return any(_holds_for(v, condition) for v in values)


def matches(rule: FieldRule, profile: Profile) -> bool:
    return all(condition_holds(c, profile) for c in rule.conditions)


def field_awards(rules: Sequence[FieldRule], profile: Profile) -> dict[str, tuple[int, str]]:
    """The field rules a contact matches: rule id -> (points, rule name)."""
    return {r.id: (r.points, r.name) for r in rules if matches(r, profile)}


def field_expiry(rules: Sequence[FieldRule]) -> dict[str, int]:
    """The field rules whose points expire: rule id -> days."""
    return {r.id: r.expires_after_days for r in rules if r.expires_after_days is not None}


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
