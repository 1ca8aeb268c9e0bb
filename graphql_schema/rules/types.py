"""Field rules, custom rules and field-rule syncs as clients see them."""

import strawberry

from api.domain.activities import ActivityType
from api.domain.jobs import FieldRuleSyncJob
from api.domain.rules import CustomRule, FieldCondition, FieldOperator, FieldRule
from graphql_schema.jobs import BackgroundJob, job_fields

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


@strawberry.type(
    description="Every contact's field-rule points brought to the rules after a rule change. "
    "One runs at a time: a change while it runs makes it walk every contact once more"
)
class FieldRuleSync(BackgroundJob):
    walks_again: bool = strawberry.field(
        description="A rule changed during this walk: every contact is walked once more"
    )

    @classmethod
    def of(cls, job: FieldRuleSyncJob) -> "FieldRuleSync":
        return cls(**job_fields(job), walks_again=job.again)
