"""Field rules (who a contact is) and custom rules (what an activity is): pure matching."""

from collections.abc import Sequence

from api.domain.contacts import Profile
from api.domain.rules import FieldCondition, FieldOperator, FieldRule

MAX_CONDITIONS = 3
RULE_POINTS_RANGE = (-50, 100)
PROFILE_FIELDS = ("email", "firstName", "lastName", "country", "mailingList")


NUMERIC = frozenset({FieldOperator.GREATER_THAN, FieldOperator.LESS_THAN})
VALUELESS = frozenset({FieldOperator.IS_EMPTY, FieldOperator.IS_NOT_EMPTY})


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
