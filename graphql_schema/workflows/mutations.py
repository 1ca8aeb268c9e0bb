"""Creating, changing, deleting, activating and deactivating workflows (admins)."""

import strawberry

from api.domain.activities import ActivityType
from api.domain.workflows import Workflow, WorkflowTrigger
from api.services.workflows import create_workflow, delete_workflow, set_active, update_workflow
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.permissions import IsAdmin
from graphql_schema.rules.types import FieldConditionInput
from graphql_schema.workflows.types import WorkflowType


@strawberry.input
class WorkflowInput:
    name: str
    mailing_list: str = strawberry.field(description="The list whose contacts it applies to")
    trigger: WorkflowTrigger
    condition: FieldConditionInput | None = strawberry.field(
        default=None, description="Required for FIELD_CONDITION, else left out"
    )
    activity_type: ActivityType | None = strawberry.field(
        default=None, description="Required for ACTIVITY, else left out"
    )
    campaign_id: str | None = strawberry.field(
        default=None, description="ACTIVITY only, optional: just this campaign's activities"
    )
    points: int = strawberry.field(description="The score to add: -50..100, not 0")

    def record(self, workflow_id: str = "", active: bool = False) -> Workflow:
        condition = self.condition
        return Workflow(
            id=workflow_id,
            name=self.name,
            mailing_list=self.mailing_list,
            trigger=self.trigger,
            points=self.points,
            condition=condition.record() if condition else None,
            activity_type=self.activity_type,
            campaign_id=self.campaign_id or None,
            active=active,
        )


@strawberry.input
class WorkflowCreateInput(WorkflowInput):
    active: bool = strawberry.field(default=False, description="Activate it at once")


@strawberry.input
class WorkflowUpdateInput(WorkflowInput):
    id: strawberry.ID


@strawberry.input
class WorkflowIdInput:
    id: strawberry.ID


@strawberry.type
class WorkflowPayload:
    workflow: WorkflowType | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type(description="Like every *Delete: the id deleted, or errors")
class WorkflowDeletePayload:
    deleted_id: strawberry.ID | None = None
    workflow: WorkflowType | None = strawberry.field(
        default=None,
        description="The workflow as it was",
        deprecation_reason="Use deletedId, as every *Delete answers",
    )
    errors: list[Error] = strawberry.field(default_factory=list)


def _payload(workflow: Workflow) -> WorkflowPayload:
    return WorkflowPayload(workflow=WorkflowType.of(workflow))


@strawberry.type
class WorkflowMutations:
    @strawberry.mutation(permission_classes=[IsAdmin])
    async def workflow_create(self, info: Info, input: WorkflowCreateInput) -> WorkflowPayload:
        created = await create_workflow(info.context.store, input.record("", input.active))
        return _payload(created)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Changes what it does; it stays active or inactive, and contacts that went "
        "through it do not go through it again",
    )
    async def workflow_update(self, info: Info, input: WorkflowUpdateInput) -> WorkflowPayload:
        return _payload(await update_workflow(info.context.store, input.record(str(input.id))))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Deletes the workflow; the points it gave stay",
    )
    async def workflow_delete(self, info: Info, input: WorkflowIdInput) -> WorkflowDeletePayload:
        deleted = await delete_workflow(info.context.store, str(input.id))
        return WorkflowDeletePayload(deleted_id=input.id, workflow=WorkflowType.of(deleted))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="From now on: events before activation never trigger it",
    )
    async def workflow_activate(self, info: Info, input: WorkflowIdInput) -> WorkflowPayload:
        return _payload(await set_active(info.context.store, str(input.id), True))

    @strawberry.mutation(permission_classes=[IsAdmin], description="The points it gave stay")
    async def workflow_deactivate(self, info: Info, input: WorkflowIdInput) -> WorkflowPayload:
        return _payload(await set_active(info.context.store, str(input.id), False))
