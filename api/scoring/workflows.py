"""Workflows: "for contacts of a mailing list, when something happens, add a score". Pure.

A contact goes through a workflow once (the planner keeps an occurrence counter per workflow), and
only while the workflow is active: activation does not look back at what happened before it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from api.scoring.activities import Activity, ActivityType
from api.scoring.rules import FieldCondition, Profile, condition_holds


class WorkflowTrigger(StrEnum):
    FIELD_CONDITION = "FIELD_CONDITION"
    LIST_JOIN = "LIST_JOIN"
    ACTIVITY = "ACTIVITY"


@dataclass(frozen=True)
class WorkflowAward:
    """A workflow adds its score to a contact, unless the contact went through it already."""

    workflow_id: str
    name: str
    points: int

    @property
    def reason(self) -> str:
        action = f"add {self.points}" if self.points > 0 else f"subtract {-self.points}"
        return f"Workflow '{self.name}': {action}"


@dataclass(frozen=True)
class Workflow:
    id: str
    name: str
    mailing_list: str
    trigger: WorkflowTrigger
    points: int
    # FIELD_CONDITION: the condition the contact comes to meet.
    condition: FieldCondition | None = None
    # ACTIVITY: the activity type, and optionally the one campaign.
    activity_type: ActivityType | None = None
    campaign_id: str | None = None
    active: bool = False
    activated_at: datetime | None = None

    def award(self) -> WorkflowAward:
        return WorkflowAward(self.id, self.name, self.points)

    def admits(self, profile: Profile) -> bool:
        """Whether a contact meets this profile-triggered workflow's entry criteria."""
        if self.mailing_list not in profile.mailing_lists:
            return False
        if self.trigger is WorkflowTrigger.FIELD_CONDITION:
            return self.condition is not None and condition_holds(self.condition, profile)
        return self.trigger is WorkflowTrigger.LIST_JOIN

    def reacts_to(self, activity: Activity) -> bool:
        """Whether an activity triggers this workflow (for a contact of its list)."""
        return (
            self.active
            and self.trigger is WorkflowTrigger.ACTIVITY
            and activity.type is self.activity_type
            and (self.campaign_id is None or activity.campaign_id == self.campaign_id)
            and self.activated_at is not None
            and activity.occurred_at >= self.activated_at
        )


def profile_awards(
    workflows: Sequence[Workflow], before: Profile | None, after: Profile
) -> tuple[WorkflowAward, ...]:
    """Awards for a contact created (`before` None) or changed: the active workflows whose entry
    criteria (list membership, and the condition for FIELD_CONDITION) it has come to meet."""
    return tuple(
        workflow.award()
        for workflow in workflows
        if workflow.active
        and workflow.admits(after)
        and (before is None or not workflow.admits(before))
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
