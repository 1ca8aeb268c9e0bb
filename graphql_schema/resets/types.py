"""Resets as clients see them."""

from datetime import datetime
from enum import Enum

import strawberry

from api.db.resets import ResetRecord


@strawberry.enum
class ResetStatus(Enum):
    RUNNING = "RUNNING"
    DONE = "DONE"


@strawberry.type(description="A reset of every contact's score: who, when, why, and how far")
class ScoreReset:
    id: strawberry.ID
    status: ResetStatus
    actor: str = strawberry.field(description="Who reset the scores")
    reason: str
    started_at: datetime
    finished_at: datetime | None
    contacts_total: int
    contacts_done: int
    contacts_affected: int = strawberry.field(description="Contacts whose score or counts changed")
    scoring_enabled: bool = strawberry.field(
        description="Whether scoring was enabled again when the reset finished"
    )
    progress: float = strawberry.field(description="0..1")

    @classmethod
    def of(cls, record: ResetRecord) -> "ScoreReset":
        return cls(
            id=strawberry.ID(record.id),
            status=ResetStatus(record.status),
            actor=record.actor,
            reason=record.reason,
            started_at=record.started_at,
            finished_at=record.finished_at,
            contacts_total=record.contacts_total,
            contacts_done=record.contacts_done,
            contacts_affected=record.contacts_affected,
            scoring_enabled=record.enable_scoring,
            progress=record.progress,
        )
