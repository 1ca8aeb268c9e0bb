"""Workflows: "for contacts of a mailing list, when something happens, add a score"."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from api.domain.activities import Activity, ActivityType
from api.domain.rules import FieldCondition


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
