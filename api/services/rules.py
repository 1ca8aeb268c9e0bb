"""Field rules and custom rules: validated changes, and field-rule points kept in step."""

from collections.abc import Sequence
from dataclasses import replace

from api.db.client import Store
from api.db.commits import commit
from api.db.contacts import ContactRecord
from api.db.rules import RulesRepo
from api.scoring.planner import Change, FieldRulesSync
from api.scoring.rules import (
    MAX_CONDITIONS,
    NUMERIC,
    PROFILE_FIELDS,
    RULE_POINTS_RANGE,
    VALUELESS,
    CustomRule,
    FieldRule,
    Profile,
    field_awards,
    field_expiry,
)
from api.services.activities import planner_for
from api.services.contacts import FIELD_NAME
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.validation import MAX_URL, expiry_problem, text_problem

CHUNK = 500
MAX_EXCLUDED = 100


def _common_problems(name: str, points: int, expires_after_days: int | None) -> list[ServiceError]:
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
    problems = _common_problems(rule.name, rule.points, rule.expires_after_days)
    if not 1 <= len(rule.conditions) <= MAX_CONDITIONS:
        problems.append(
            ServiceError("conditions", f"Give 1 to {MAX_CONDITIONS} conditions", ErrorCode.INVALID)
        )
    for i, condition in enumerate(rule.conditions):
        where = f"conditions.{i}"
        custom = condition.field.removeprefix("fields.")
        if condition.field not in PROFILE_FIELDS and not (
            condition.field.startswith("fields.") and FIELD_NAME.match(custom)
        ):
            problems.append(
                ServiceError(
                    f"{where}.field",
                    f"Unknown field '{condition.field}': use one of "
                    f"{', '.join(PROFILE_FIELDS)} or fields.<custom field>",
                    ErrorCode.INVALID,
                )
            )
        if condition.operator not in VALUELESS:
            problem = text_problem(f"{where}.value", condition.value, required=True)
            if problem:
                problems.append(problem)
        if condition.operator in NUMERIC:
            try:
                float(condition.value)
            except ValueError:
                problems.append(
                    ServiceError(
                        f"{where}.value", f"'{condition.value}' is not a number", ErrorCode.INVALID
                    )
                )
    return problems


async def _name_problem(repo: RulesRepo, name: str, rule_id: str | None) -> list[ServiceError]:
    if await repo.name_taken(name.strip(), rule_id):
        return [
            ServiceError(
                "name", f"A rule named '{name.strip()}' exists already", ErrorCode.CONFLICT
            )
        ]
    return []


def _profile(contact: ContactRecord) -> Profile:
    return Profile(
        contact.email,
        contact.first_name,
        contact.last_name,
        contact.country,
        contact.mailing_lists,
        contact.fields,
    )


async def sync_field_rules(store: Store, deleted: dict[str, str] | None = None) -> int:
    """Give or take back field-rule points so that every contact holds exactly the rules it
    matches, a chunk at a time. Returns how many contacts changed."""
    changed = 0
    async for ids in store.contacts.id_batches("", CHUNK):
        changed += await sync_contacts(store, ids, deleted)
    return changed


async def sync_contacts(
    store: Store, contact_ids: Sequence[str], deleted: dict[str, str] | None = None
) -> int:
    """The same for these contacts (after they were created or changed)."""
    rules = await store.field_rules.all()
    plan = planner_for(await store.settings.score_sheet())
    contacts = await store.contacts.by_ids(contact_ids)
    names = {**(deleted or {}), **{rule.id: rule.name for rule in rules}}
    gone = frozenset(deleted or {})
    expiry = field_expiry(rules)
    changes: dict[str, list[Change]] = {
        cid: [FieldRulesSync(field_awards(rules, _profile(c)), names, gone, expiry)]
        for cid, c in contacts.items()
    }
    return len((await commit(store, changes, plan)).entries)


async def create_field_rule(store: Store, rule: FieldRule) -> tuple[FieldRule, int]:
    problems = _field_rule_problems(rule) or await _name_problem(store.field_rules, rule.name, None)
    if problems:
        raise ServiceFailure(problems)
    created = await store.field_rules.create(replace(rule, name=rule.name.strip()))
    return created, await sync_field_rules(store)


async def update_field_rule(
    store: Store, rule: FieldRule, keep_expiry: bool = False
) -> tuple[FieldRule, int]:
    """Replace a rule (`keep_expiry`: but not its expiresAfterDays)."""
    current = await store.field_rules.get(rule.id)
    if current is None:
        raise ServiceFailure(
            [ServiceError("id", f"No field rule with id {rule.id}", ErrorCode.NOT_FOUND)]
        )
    if keep_expiry:
        rule = replace(rule, expires_after_days=current.expires_after_days)
    problems = _field_rule_problems(rule) or await _name_problem(
        store.field_rules, rule.name, rule.id
    )
    if problems:
        raise ServiceFailure(problems)
    updated = replace(rule, name=rule.name.strip())
    await store.field_rules.replace(updated)
    return updated, await sync_field_rules(store)


async def delete_field_rule(store: Store, rule_id: str) -> int:
    rule = await store.field_rules.get(rule_id)
    if rule is None or not await store.field_rules.delete(rule_id):
        raise ServiceFailure(
            [ServiceError("id", f"No field rule with id {rule_id}", ErrorCode.NOT_FOUND)]
        )
    return await sync_field_rules(store, deleted={rule.id: rule.name})


def _custom_rule_problems(rule: CustomRule) -> list[ServiceError]:
    problems = _common_problems(rule.name, rule.points, rule.expires_after_days)
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


async def save_custom_rule(
    store: Store, rule: CustomRule, creating: bool, keep_expiry: bool = False
) -> CustomRule:
    """Create or replace a rule (`keep_expiry`: but not its expiresAfterDays)."""
    current = None if creating else await store.custom_rules.get(rule.id)
    if not creating and current is None:
        raise ServiceFailure(
            [ServiceError("id", f"No custom rule with id {rule.id}", ErrorCode.NOT_FOUND)]
        )
    if current is not None and keep_expiry:
        rule = replace(rule, expires_after_days=current.expires_after_days)
    problems = _custom_rule_problems(rule) or await _name_problem(
        store.custom_rules, rule.name, None if creating else rule.id
    )
    if problems:
        raise ServiceFailure(problems)
    cleaned = replace(
        rule,
        name=rule.name.strip(),
        excluded_campaigns=tuple(sorted({c.strip() for c in rule.excluded_campaigns if c.strip()})),
    )
    if creating:
        return replace(cleaned, id=await store.custom_rules.create(cleaned))
    await store.custom_rules.replace(cleaned)
    return cleaned


async def delete_custom_rule(store: Store, rule_id: str) -> None:
    if not await store.custom_rules.delete(rule_id):
        raise ServiceFailure(
            [ServiceError("id", f"No custom rule with id {rule_id}", ErrorCode.NOT_FOUND)]
        )
