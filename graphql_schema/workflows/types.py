"""Workflows as clients see them."""

from datetime import datetime

import strawberry

from api.scoring.activities import ActivityType
from api.scoring.workflows import Workflow as WorkflowRecord
from api.scoring.workflows import WorkflowTrigger
from graphql_schema.rules.types import FieldCondition

WorkflowTriggerEnum = strawberry.enum(
    WorkflowTrigger,
    name="WorkflowTrigger",
    description="FIELD_CONDITION: the contact comes to meet a condition; LIST_JOIN: it joins the "
    "workflow's mailing list; ACTIVITY: it performs an activity",
)


@strawberry.type(
    description="For contacts of a mailing list: when the trigger happens, add a score "
    "(once per contact, while active)"
)
class Workflow:
    id: strawberry.ID
    name: str
    mailing_list: str
    trigger: WorkflowTrigger
    condition: FieldCondition | None = strawberry.field(description="FIELD_CONDITION only")
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
    def of(cls, workflow: WorkflowRecord) -> "Workflow":
        condition = workflow.condition
        return cls(
            id=strawberry.ID(workflow.id),
            name=workflow.name,
            mailing_list=workflow.mailing_list,
            trigger=workflow.trigger,
            condition=FieldCondition.of(condition) if condition else None,
            activity_type=workflow.activity_type,
            campaign_id=workflow.campaign_id,
            points=workflow.points,
            active=workflow.active,
            activated_at=workflow.activated_at,
        )
