"""Listing the rules."""

import strawberry

from graphql_schema.core.context import Info
from graphql_schema.core.permissions import IsViewer
from graphql_schema.rules.types import CustomRuleType, FieldRuleType


@strawberry.type
class RuleQueries:
    @strawberry.field(permission_classes=[IsViewer])
    async def field_rules(self, info: Info) -> list[FieldRuleType]:
        return [FieldRuleType.of(r) for r in await info.context.store.field_rules.all()]

    @strawberry.field(permission_classes=[IsViewer])
    async def custom_rules(self, info: Info) -> list[CustomRuleType]:
        return [CustomRuleType.of(r) for r in await info.context.store.custom_rules.all()]
