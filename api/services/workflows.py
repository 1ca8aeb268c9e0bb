"""Workflows: validated changes, activation, and the awards a changed contact earns.

Activities trigger workflows in api/services/activities.py, inside the activity's own commit.
"""

from dataclasses import replace

from api.db.client import Store
from api.domain.changes import Change
from api.domain.contacts import ContactRecord
from api.domain.workflows import Workflow, WorkflowTrigger
from api.scoring.workflows import profile_awards
from api.services.conditions import condition_problems
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.rules import name_and_points_problems
from api.services.validation import name_problem, text_problem

# The parts each trigger needs, and those it may have (by their GraphQL input field names).
_NEEDS = {
    WorkflowTrigger.FIELD_CONDITION: {"condition"},
    WorkflowTrigger.LIST_JOIN: set(),
    WorkflowTrigger.ACTIVITY: {"activityType"},
}
_MAY_HAVE = {WorkflowTrigger.ACTIVITY: {"campaignId"}}


def _trigger_problems(workflow: Workflow) -> list[ServiceError]:
    trigger = workflow.trigger
    needs, may_have = _NEEDS[trigger], _NEEDS[trigger] | _MAY_HAVE.get(trigger, set())
    given = {
        "condition": workflow.condition is not None,
        "activityType": workflow.activity_type is not None,
        "campaignId": workflow.campaign_id is not None,
    }
    problems = [
        ServiceError(part, f"A {trigger} trigger needs {part}", ErrorCode.REQUIRED)
        for part in sorted(needs)
        if not given[part]
    ]
    problems += [
        ServiceError(part, f"{part} does not apply to a {trigger} trigger", ErrorCode.INVALID)
        for part in sorted(given)
        if given[part] and part not in may_have
    ]
    if workflow.condition is not None and "condition" in may_have:
        problems += condition_problems(workflow.condition, "condition")
    return problems


def _problems(workflow: Workflow) -> list[ServiceError]:
    problems = name_and_points_problems(workflow.name, workflow.points)
    if workflow.points == 0:
        problems.append(ServiceError("points", "points must not be 0", ErrorCode.INVALID))
    checks = [
        text_problem("mailingList", workflow.mailing_list, required=True),
        text_problem("campaignId", workflow.campaign_id),
    ]
    return problems + [p for p in checks if p is not None] + _trigger_problems(workflow)


def _cleaned(workflow: Workflow) -> Workflow:
    return replace(
        workflow,
        name=workflow.name.strip(),
        mailing_list=workflow.mailing_list.strip(),
        campaign_id=(workflow.campaign_id or "").strip() or None,
    )


def _not_found(workflow_id: str) -> ServiceFailure:
    return ServiceFailure(
        [ServiceError("id", f"No workflow with id {workflow_id}", ErrorCode.NOT_FOUND)]
    )


async def _validated(store: Store, workflow: Workflow, workflow_id: str | None) -> Workflow:
    problems = _problems(workflow)
    problems = problems or await name_problem(
        store.workflows, workflow.name, workflow_id, "workflow"
    )
    if problems:
        raise ServiceFailure(problems)
    return _cleaned(workflow)


async def create_workflow(store: Store, workflow: Workflow) -> Workflow:
    """Created inactive unless `workflow.active`; activation looks only forward."""
    return await store.workflows.create(await _validated(store, workflow, None))


async def update_workflow(store: Store, workflow: Workflow) -> Workflow:
    """What it does changes; whether it is active does not. Contacts that went through it stay
    through it."""
    current = await store.workflows.get(workflow.id)
    if current is None:
        raise _not_found(workflow.id)
    cleaned = await _validated(store, workflow, workflow.id)
    await store.workflows.replace(cleaned)
    return replace(cleaned, active=current.active, activated_at=current.activated_at)


async def delete_workflow(store: Store, workflow_id: str) -> Workflow:
    """Points it gave stay: adding a score is an action done, not a condition kept."""
    workflow = await store.workflows.get(workflow_id)
    if workflow is None or not await store.workflows.delete(workflow_id):
        raise _not_found(workflow_id)
    return workflow


async def set_active(store: Store, workflow_id: str, active: bool) -> Workflow:
    workflow = await store.workflows.set_active(workflow_id, active)
    if workflow is None:
        raise _not_found(workflow_id)
    return workflow


async def upsert_awards(
    store: Store, previous: ContactRecord | None, contact: ContactRecord
) -> list[Change]:
    """Awards of the active workflows a created or changed contact has come to enter."""
    workflows = await store.workflows.active(
        WorkflowTrigger.FIELD_CONDITION, WorkflowTrigger.LIST_JOIN
    )
    before = previous.profile() if previous else None
    return list(profile_awards(workflows, before, contact.profile()))
