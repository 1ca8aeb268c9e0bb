"""Listing the rules, and the field-rule syncs."""

import strawberry

from graphql_schema.core.context import Info
from graphql_schema.core.pagination import page_size
from graphql_schema.core.permissions import IsViewer
from graphql_schema.rules.types import CustomRuleType, FieldRuleSync, FieldRuleType


@strawberry.type
class RuleQueries:
    @strawberry.field(permission_classes=[IsViewer])
    async def field_rules(self, info: Info) -> list[FieldRuleType]:
        return [FieldRuleType.of(r) for r in await info.context.store.field_rules.all()]

    @strawberry.field(permission_classes=[IsViewer])
    async def custom_rules(self, info: Info) -> list[CustomRuleType]:
        return [CustomRuleType.of(r) for r in await info.context.store.custom_rules.all()]

    @strawberry.field(permission_classes=[IsViewer])
    async def field_rule_sync(self, info: Info, id: strawberry.ID) -> FieldRuleSync | None:
        job = await info.context.store.field_rule_syncs.get(str(id))
        return FieldRuleSync.of(job) if job else None

    @strawberry.field(permission_classes=[IsViewer], description="Newest first")
    async def field_rule_syncs(self, info: Info, first: int | None = None) -> list[FieldRuleSync]:
        jobs = await info.context.store.field_rule_syncs.history(page_size(first))
        return [FieldRuleSync.of(job) for job in jobs]
