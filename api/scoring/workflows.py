"""Workflows: "for contacts of a mailing list, when something happens, add a score". Pure.

A contact goes through a workflow once (the planner keeps an occurrence counter per workflow), and
only while the workflow is active: activation does not look back at what happened before it.
"""

from collections.abc import Sequence

from api.domain.activities import Activity
from api.domain.contacts import Profile
from api.domain.workflows import Workflow, WorkflowAward, WorkflowTrigger
from api.scoring.rules import condition_holds


def admits(workflow: Workflow, profile: Profile) -> bool:
    """Whether a contact meets this profile-triggered workflow's entry criteria."""
    if workflow.mailing_list not in profile.mailing_lists:
        return False
    if workflow.trigger is WorkflowTrigger.FIELD_CONDITION:
        return workflow.condition is not None and condition_holds(workflow.condition, profile)
    return workflow.trigger is WorkflowTrigger.LIST_JOIN


def profile_awards(
    workflows: Sequence[Workflow], before: Profile | None, after: Profile
) -> tuple[WorkflowAward, ...]:
    """Awards for a contact created (`before` None) or changed: the active workflows whose entry
    criteria (list membership, and the condition for FIELD_CONDITION) it has come to meet."""
    return tuple(
        workflow.award()
        for workflow in workflows
        if workflow.active
        and admits(workflow, after)
        and (before is None or not admits(workflow, before))
    )


def activity_awards(
    workflows: Sequence[Workflow], activity: Activity, mailing_lists: Sequence[str]
) -> tuple[WorkflowAward, ...]:
    """Awards for an activity of a contact in these mailing lists."""
    return tuple(
        workflow.award()
        for workflow in workflows
        if workflow.reacts_to(activity) and workflow.mailing_list in mailing_lists
    )
