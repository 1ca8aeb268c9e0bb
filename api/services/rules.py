"""Field rules and custom rules: validated changes; a field-rule change starts a sync of every
contact's field-rule points in the background (api/services/field_rule_sync.py)."""

from dataclasses import replace

from api.db.client import Store
from api.domain.jobs import FieldRuleSyncJob
from api.domain.rules import CustomRule, FieldRule
from api.jobs.tasks import Tasks
from api.scoring.rules import MAX_CONDITIONS, RULE_POINTS_RANGE
from api.services.conditions import conditions_problems
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.field_rule_sync import arm_field_rule_sync
from api.services.validation import MAX_URL, expiry_problem, name_problem, text_problem

MAX_EXCLUDED = 100


def name_and_points_problems(
    name: str, points: int, expires_after_days: int | None = None
) -> list[ServiceError]:
    checks = [
        text_problem("name", name, required=True),
        expiry_problem("expiresAfterDays", expires_after_days),
    ]
    problems = [p for p in checks if p]
    low, high = RULE_POINTS_RANGE
    if not low <= points <= high:
        problems.append(
            ServiceError(
                "points", f"points must be between {low} and {high}", ErrorCode.OUT_OF_RANGE
            )
        )
    return problems


def _field_rule_problems(rule: FieldRule) -> list[ServiceError]:
    problems = name_and_points_problems(rule.name, rule.points, rule.expires_after_days)
    if not 1 <= len(rule.conditions) <= MAX_CONDITIONS:
        problems.append(
            ServiceError("conditions", f"Give 1 to {MAX_CONDITIONS} conditions", ErrorCode.INVALID)
        )
    return problems + conditions_problems(rule.conditions, "conditions")


async def create_field_rule(
    store: Store, tasks: Tasks, rule: FieldRule, actor: str
) -> tuple[FieldRule, FieldRuleSyncJob]:
    problems = _field_rule_problems(rule) or await name_problem(store.field_rules, rule.name, None)
    if problems:
        raise ServiceFailure(problems)
    created = await store.field_rules.create(replace(rule, name=rule.name.strip()))
    reason = f"Field rule '{created.name}' created"
    return created, await arm_field_rule_sync(store, tasks, actor, reason)


async def update_field_rule(
    store: Store, tasks: Tasks, rule: FieldRule, actor: str, keep_expiry: bool = False
) -> tuple[FieldRule, FieldRuleSyncJob]:
    """Replace a rule (`keep_expiry`: but not its expiresAfterDays)."""
    current = await store.field_rules.get(rule.id)
    if current is None:
        raise ServiceFailure(
            [ServiceError("id", f"No field rule with id {rule.id}", ErrorCode.NOT_FOUND)]
        )
    if keep_expiry:
        rule = replace(rule, expires_after_days=current.expires_after_days)
    problems = _field_rule_problems(rule) or await name_problem(
        store.field_rules, rule.name, rule.id
    )
    if problems:
        raise ServiceFailure(problems)
    updated = replace(rule, name=rule.name.strip())
    await store.field_rules.replace(updated)
    reason = f"Field rule '{updated.name}' changed"
    return updated, await arm_field_rule_sync(store, tasks, actor, reason)


async def delete_field_rule(
    store: Store, tasks: Tasks, rule_id: str, actor: str
) -> FieldRuleSyncJob:
    rule = await store.field_rules.get(rule_id)
    missing = ServiceFailure(
        [ServiceError("id", f"No field rule with id {rule_id}", ErrorCode.NOT_FOUND)]
    )
    if rule is None:
        raise missing
    reason = f"Field rule '{rule.name}' deleted"
    deleted = {rule.id: rule.name}
    # The name goes to the sync first: a chunk it walks once the rule is gone needs it for the
    # reason of the points it takes back. The sync armed again after the deletion takes them.
    await arm_field_rule_sync(store, tasks, actor, reason, deleted)
    if not await store.field_rules.delete(rule_id):
        raise missing
    return await arm_field_rule_sync(store, tasks, actor, reason, deleted)


def _custom_rule_problems(rule: CustomRule) -> list[ServiceError]:
    problems = name_and_points_problems(rule.name, rule.points, rule.expires_after_days)
    if not any([rule.activity_type, rule.url_equals, rule.url_contains, rule.campaign_id]):
        problems.append(
            ServiceError(
                "conditions",
                "Give at least one condition: activity type, URL or campaign",
                ErrorCode.REQUIRED,
            )
        )
    for field, value in (("urlEquals", rule.url_equals), ("urlContains", rule.url_contains)):
        problem = text_problem(field, value, limit=MAX_URL)
        if problem:
            problems.append(problem)
    if len(rule.excluded_campaigns) > MAX_EXCLUDED:
        problems.append(
            ServiceError(
                "excludedCampaigns",
                f"At most {MAX_EXCLUDED} excluded campaigns",
                ErrorCode.TOO_MANY,
            )
        )
    return problems


async def checked_custom_rule(
    store: Store, rule: CustomRule, creating: bool, keep_expiry: bool = False
) -> CustomRule:
    """The rule as it would be saved (`keep_expiry`: with its stored expiresAfterDays), or the
    reasons it cannot be."""
    current = None if creating else await store.custom_rules.get(rule.id)
    if not creating and current is None:
        raise ServiceFailure(
            [ServiceError("id", f"No custom rule with id {rule.id}", ErrorCode.NOT_FOUND)]
        )
    if current is not None and keep_expiry:
        rule = replace(rule, expires_after_days=current.expires_after_days)
    problems = _custom_rule_problems(rule) or await name_problem(
        store.custom_rules, rule.name, None if creating else rule.id
    )
    if problems:
        raise ServiceFailure(problems)
    return replace(
        rule,
        name=rule.name.strip(),
        excluded_campaigns=tuple(sorted({c.strip() for c in rule.excluded_campaigns if c.strip()})),
    )


async def save_custom_rule(
    store: Store, rule: CustomRule, creating: bool, keep_expiry: bool = False
) -> CustomRule:
    cleaned = await checked_custom_rule(store, rule, creating, keep_expiry)
    if creating:
        return replace(cleaned, id=await store.custom_rules.create(cleaned))
    await store.custom_rules.replace(cleaned)
    return cleaned


async def delete_custom_rule(store: Store, rule_id: str) -> None:
    if not await store.custom_rules.delete(rule_id):
        raise ServiceFailure(
            [ServiceError("id", f"No custom rule with id {rule_id}", ErrorCode.NOT_FOUND)]
        )
