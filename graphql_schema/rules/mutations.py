"""Creating, changing and deleting rules (admins)."""

from typing import Any

import strawberry

from api.domain.activities import ActivityType
from api.domain.rules import CustomRule, FieldRule
from api.services.rules import (
    create_field_rule,
    delete_custom_rule,
    delete_field_rule,
    save_custom_rule,
    update_field_rule,
)
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.permissions import IsAdmin
from graphql_schema.rules.types import (
    CustomRuleType,
    FieldConditionInput,
    FieldRuleSync,
    FieldRuleType,
)


def _expiry_input() -> Any:
    """The input field for expiresAfterDays (a fresh one for each input type)."""
    return strawberry.field(
        default=strawberry.UNSET,
        description="Days after which the points it gives expire (1..3650), for points given "
        "from now on; null: never; left out: never for a new rule, unchanged on update",
    )


def _days(value: int | None) -> int | None:
    return None if value is strawberry.UNSET else value


@strawberry.input
class FieldRuleInput:
    name: str
    points: int
    conditions: list[FieldConditionInput] = strawberry.field(description="1 to 3, all must hold")
    expires_after_days: int | None = _expiry_input()

    def record(self, rule_id: str = "") -> FieldRule:
        conditions = tuple(c.record() for c in self.conditions)
        return FieldRule(
            rule_id, self.name, self.points, conditions, _days(self.expires_after_days)
        )


@strawberry.input
class FieldRuleUpdateInput(FieldRuleInput):
    id: strawberry.ID


@strawberry.input
class RuleDeleteInput:
    id: strawberry.ID


SYNC = "The sync that brings every contact's field-rule points to the rules, in the background"


@strawberry.type
class FieldRulePayload:
    field_rule: FieldRuleType | None = None
    sync: FieldRuleSync | None = strawberry.field(default=None, description=SYNC)
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class FieldRuleDeletePayload:
    deleted_id: strawberry.ID | None = None
    sync: FieldRuleSync | None = strawberry.field(default=None, description=SYNC)
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class RuleDeletePayload:
    deleted_id: strawberry.ID | None = None
    contacts_affected: int = strawberry.field(
        default=0,
        deprecation_reason="Always 0: a custom rule's points stay when it is deleted",
    )
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.input
class CustomRuleInput:
    name: str
    points: int = strawberry.field(description="-50..100")
    activity_type: ActivityType | None = None
    url_equals: str | None = None
    url_contains: str | None = None
    campaign_id: str | None = None
    enabled: bool = True
    excluded_campaigns: list[str] = strawberry.field(default_factory=list)
    expires_after_days: int | None = _expiry_input()

    def record(self, rule_id: str = "") -> CustomRule:
        return CustomRule(
            rule_id,
            self.name,
            self.points,
            self.activity_type,
            self.url_equals or None,
            self.url_contains or None,
            self.campaign_id or None,
            self.enabled,
            tuple(self.excluded_campaigns),
            _days(self.expires_after_days),
        )


@strawberry.input
class CustomRuleUpdateInput(CustomRuleInput):
    id: strawberry.ID


@strawberry.type
class CustomRulePayload:
    custom_rule: CustomRuleType | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class RuleMutations:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Also gives its points to every contact that matches, in the background: "
        "follow fieldRuleSyncProgress(jobId: sync.id)",
    )
    async def field_rule_create(self, info: Info, input: FieldRuleInput) -> FieldRulePayload:
        context = info.context
        rule, sync = await create_field_rule(
            context.store, context.tasks, input.record(), context.actor
        )
        return FieldRulePayload(field_rule=FieldRuleType.of(rule), sync=FieldRuleSync.of(sync))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Contacts' points follow in the background: follow "
        "fieldRuleSyncProgress(jobId: sync.id)",
    )
    async def field_rule_update(self, info: Info, input: FieldRuleUpdateInput) -> FieldRulePayload:
        context = info.context
        rule, sync = await update_field_rule(
            context.store,
            context.tasks,
            input.record(str(input.id)),
            context.actor,
            keep_expiry=input.expires_after_days is strawberry.UNSET,
        )
        return FieldRulePayload(field_rule=FieldRuleType.of(rule), sync=FieldRuleSync.of(sync))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Also takes its points back from the contacts that had them, in the "
        "background: follow fieldRuleSyncProgress(jobId: sync.id)",
    )
    async def field_rule_delete(self, info: Info, input: RuleDeleteInput) -> FieldRuleDeletePayload:
        context = info.context
        sync = await delete_field_rule(context.store, context.tasks, str(input.id), context.actor)
        return FieldRuleDeletePayload(deleted_id=input.id, sync=FieldRuleSync.of(sync))

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def custom_rule_create(self, info: Info, input: CustomRuleInput) -> CustomRulePayload:
        rule = await save_custom_rule(info.context.store, input.record(), creating=True)
        return CustomRulePayload(custom_rule=CustomRuleType.of(rule))

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def custom_rule_update(
        self, info: Info, input: CustomRuleUpdateInput
    ) -> CustomRulePayload:
        rule = await save_custom_rule(
            info.context.store,
            input.record(str(input.id)),
            creating=False,
            keep_expiry=input.expires_after_days is strawberry.UNSET,
        )
        return CustomRulePayload(custom_rule=CustomRuleType.of(rule))

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def custom_rule_delete(self, info: Info, input: RuleDeleteInput) -> RuleDeletePayload:
        await delete_custom_rule(info.context.store, str(input.id))
        return RuleDeletePayload(deleted_id=input.id)
