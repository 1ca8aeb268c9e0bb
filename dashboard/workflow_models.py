"""The workflows screen's rows: a workflow as the table shows it and as its form edits it."""

from dataclasses import dataclass, field

from dashboard.enums import TRIGGER_LABELS, words
from dashboard.models import Condition, Json, short_time


def points_action(points: int) -> str:
    """What a workflow does to the score, in words: `add 10 points`."""
    amount = abs(points)
    return f"{'add' if points > 0 else 'subtract'} {amount} point{'' if amount == 1 else 's'}"


@dataclass
class WorkflowRow:
    id: str = ""
    name: str = ""
    mailing_list: str = ""
    trigger: str = "LIST_JOIN"
    condition: Condition = field(default_factory=Condition)
    activity_type: str = "OPEN"
    campaign_id: str = ""
    points: int = 0
    active: bool = False
    since: str = ""
    trigger_text: str = ""
    when: str = ""
    action: str = ""

    @classmethod
    def from_api(cls, workflow: Json) -> "WorkflowRow":
        found = workflow["condition"]
        row = cls(
            id=workflow["id"],
            name=workflow["name"],
            mailing_list=workflow["mailingList"],
            trigger=workflow["trigger"],
            condition=Condition.from_api(found) if found else Condition(),
            activity_type=workflow["activityType"] or "OPEN",
            campaign_id=workflow["campaignId"] or "",
            points=workflow["points"],
            active=workflow["active"],
            since=short_time(workflow["activatedAt"], "—") if workflow["active"] else "—",
            trigger_text=TRIGGER_LABELS[workflow["trigger"]],
            action=points_action(workflow["points"]),
        )
        row.when = row.describe()
        return row

    def describe(self) -> str:
        """When it acts, as a marketer would say it."""
        who = f"a contact of {self.mailing_list}"
        if self.trigger == "LIST_JOIN":
            return f"When a contact joins {self.mailing_list}"
        if self.trigger == "FIELD_CONDITION":
            return f"When {who} comes to have {self.condition.text()}"
        campaign = f" in campaign {self.campaign_id}" if self.campaign_id else ""
        return f"When {who} does an activity: {words(self.activity_type)}{campaign}"
