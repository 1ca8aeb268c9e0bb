"""Listing the rules."""

import strawberry

from graphql_schema.context import Info
from graphql_schema.permissions import IsViewer
from graphql_schema.rules.types import CustomRule, FieldRule


@strawberry.type
class RuleQueries:
    @strawberry.field(permission_classes=[IsViewer])
    async def field_rules(self, info: Info) -> list[FieldRule]:
        return [FieldRule.of(r) for r in await info.context.store.field_rules.all()]

    @strawberry.field(permission_classes=[IsViewer])
    async def custom_rules(self, info: Info) -> list[CustomRule]:
        return [CustomRule.of(r) for r in await info.context.store.custom_rules.all()]
