"""Workflows as clients see them."""

from datetime import datetime

import strawberry

from api.domain.activities import ActivityType
from api.domain.workflows import Workflow, WorkflowTrigger
from graphql_schema.rules.types import FieldConditionType

WorkflowTriggerEnum = strawberry.enum(
    WorkflowTrigger,
    name="WorkflowTrigger",
    description="FIELD_CONDITION: the contact comes to meet a condition; LIST_JOIN: it joins the "
    "workflow's mailing list; ACTIVITY: it performs an activity",
)


@strawberry.type(
    name="Workflow",
    description="For contacts of a mailing list: when the trigger happens, add a score "
    "(once per contact, while active)",
)
class WorkflowType:
    id: strawberry.ID
    name: str
    mailing_list: str
    trigger: WorkflowTrigger
    condition: FieldConditionType | None = strawberry.field(description="FIELD_CONDITION only")
    activity_type: ActivityType | None = strawberry.field(description="ACTIVITY only")
    campaign_id: str | None = strawberry.field(
        description="ACTIVITY only: just this campaign's activities"
    )
    points: int = strawberry.field(description="The score the action adds: -50..100, not 0")
    active: bool
    activated_at: datetime | None = strawberry.field(
        description="Since when it is active: earlier events never trigger it"
    )

    @classmethod
    def of(cls, workflow: Workflow) -> "WorkflowType":
        condition = workflow.condition
        return cls(
            id=strawberry.ID(workflow.id),
            name=workflow.name,
            mailing_list=workflow.mailing_list,
            trigger=workflow.trigger,
            condition=FieldConditionType.of(condition) if condition else None,
            activity_type=workflow.activity_type,
            campaign_id=workflow.campaign_id,
            points=workflow.points,
            active=workflow.active,
            activated_at=workflow.activated_at,
        )
