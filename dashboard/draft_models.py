"""The rule drafts screen's rows: what a proposed change would do, and the rescores."""

from dataclasses import dataclass

from dashboard.enums import CLASS_LABELS
from dashboard.models import Json, contacts_text, job_row_fields


@dataclass
class ClassMove:
    """Contacts that would move from one class to another."""

    text: str = ""
    count: int = 0

    @classmethod
    def from_api(cls, change: Json) -> "ClassMove":
        before, after = CLASS_LABELS[change["from"]], CLASS_LABELS[change["to"]]
        return cls(f"{before} → {after}", change["count"])


@dataclass
class SimulatedRow:
    """A contact whose score would move: now, under the proposal, and (once rescored) after."""

    contact_id: str = ""
    email: str = ""
    score: int = 0
    simulated: int = 0
    delta: str = ""
    after: str = "—"

    @classmethod
    def from_api(cls, example: Json) -> "SimulatedRow":
        return cls(
            example["contactId"],
            example["email"],
            example["score"],
            example["simulatedScore"],
            f"{example['delta']:+d}",
        )


@dataclass
class RescoreRow:
    id: str = ""
    running: bool = False
    when: str = ""
    actor: str = ""
    reason: str = ""
    status: str = ""
    walked: str = ""
    affected: int = 0
    activities: int = 0
    points: str = ""

    @classmethod
    def from_api(cls, job: Json) -> "RescoreRow":
        return cls(
            **job_row_fields(job),
            walked=f"{job['done']:,} of {job['total']:,}",
            activities=job["activities"],
            points=f"{job['pointsDelta']:+d}",
        )

    def outcome(self) -> str:
        """What a finished rescore did, in a sentence."""
        return (
            f"Rescore finished: {contacts_text(self.affected)} changed, {self.points} points "
            f"in all, from {self.activities:,} activities scored again"
        )
