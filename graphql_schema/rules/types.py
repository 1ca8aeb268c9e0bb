"""Field rules and custom rules as clients see them."""

import strawberry

from api.domain.activities import ActivityType
from api.domain.rules import CustomRule, FieldCondition, FieldOperator, FieldRule

EXPIRES_AFTER_DAYS = "Days after which the points it gives expire (1..3650); null: never"
FieldOperatorEnum = strawberry.enum(FieldOperator, name="FieldOperator")


@strawberry.type(name="FieldCondition")
class FieldConditionType:
    field: str = strawberry.field(
        description="email, firstName, lastName, country, mailingList, or fields.<custom field>"
    )
    operator: FieldOperator
    value: str

    @classmethod
    def of(cls, condition: FieldCondition) -> "FieldConditionType":
        return cls(field=condition.field, operator=condition.operator, value=condition.value)


@strawberry.input
class FieldConditionInput:
    field: str
    operator: FieldOperator
    value: str = ""

    def record(self) -> FieldCondition:
        return FieldCondition(self.field, self.operator, self.value)


@strawberry.type(
    name="FieldRule", description="Points for who a contact is: given while all conditions hold"
)
class FieldRuleType:
    id: strawberry.ID
    name: str
    points: int
    conditions: list[FieldConditionType]
    expires_after_days: int | None = strawberry.field(description=EXPIRES_AFTER_DAYS)

    @classmethod
    def of(cls, rule: FieldRule) -> "FieldRuleType":
        return cls(
            id=strawberry.ID(rule.id),
            name=rule.name,
            points=rule.points,
            conditions=[FieldConditionType.of(c) for c in rule.conditions],
            expires_after_days=rule.expires_after_days,
        )


@strawberry.type(
    name="CustomRule", description="Points for an activity matching conditions, once per campaign"
)
class CustomRuleType:
    id: strawberry.ID
    name: str
    points: int
    activity_type: ActivityType | None
    url_equals: str | None
    url_contains: str | None
    campaign_id: str | None
    enabled: bool
    excluded_campaigns: list[str] = strawberry.field(
        description="Campaigns that opted out of this rule"
    )
    expires_after_days: int | None = strawberry.field(description=EXPIRES_AFTER_DAYS)

    @classmethod
    def of(cls, rule: CustomRule) -> "CustomRuleType":
        return cls(
            id=strawberry.ID(rule.id),
            name=rule.name,
            points=rule.points,
            activity_type=rule.activity_type,
            url_equals=rule.url_equals,
            url_contains=rule.url_contains,
            campaign_id=rule.campaign_id,
            enabled=rule.enabled,
            excluded_campaigns=list(rule.excluded_campaigns),
            expires_after_days=rule.expires_after_days,
        )
