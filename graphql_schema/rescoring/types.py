"""Simulations of rule drafts and rescore jobs as clients see them."""

from datetime import datetime
from enum import Enum

import strawberry

from api.db.rescores import RescoreRecord
from api.domain.classification import ContactClass
from api.services.simulation import Simulation


@strawberry.enum
class RescoreStatus(Enum):
    RUNNING = "RUNNING"
    DONE = "DONE"


@strawberry.type(description="A rescore of every contact's history under the current rules")
class RescoreJob:
    id: strawberry.ID
    status: RescoreStatus
    actor: str = strawberry.field(description="Who started it")
    reason: str
    started_at: datetime
    finished_at: datetime | None
    done: int = strawberry.field(description="Contacts rescored so far")
    total: int = strawberry.field(description="Contacts when the rescore started")
    progress: float = strawberry.field(description="0..1")
    contacts_changed: int = strawberry.field(description="Contacts given a RESCORE entry")
    activities: int = strawberry.field(description="Activities scored again")
    points_delta: int = strawberry.field(description="Points added (or taken, if negative)")

    @classmethod
    def of(cls, record: RescoreRecord) -> "RescoreJob":
        return cls(
            id=strawberry.ID(record.id),
            status=RescoreStatus(record.status),
            actor=record.actor,
            reason=record.reason,
            started_at=record.started_at,
            finished_at=record.finished_at,
            done=record.contacts_done,
            total=record.contacts_total,
            progress=record.progress,
            contacts_changed=record.contacts_affected,
            activities=record.activities,
            points_delta=record.points_delta,
        )


@strawberry.type(description="How many contacts would move from one class to another")
class ClassChange:
    before: ContactClass = strawberry.field(name="from")
    after: ContactClass = strawberry.field(name="to")
    count: int


@strawberry.type
class SimulatedContact:
    contact_id: strawberry.ID
    email: str
    score: int = strawberry.field(description="The score now")
    simulated_score: int = strawberry.field(description="The score under the proposal")
    delta: int


@strawberry.type(description="What a proposal would do if the stored history were rescored")
class ScoringSimulation:
    contacts_examined: int
    contacts_changed: int = strawberry.field(description="Contacts whose score would change")
    total_delta: int = strawberry.field(description="Points added over all contacts (or taken)")
    class_changes: list[ClassChange] = strawberry.field(
        description="Under the classification in force; most frequent first"
    )
    examples: list[SimulatedContact] = strawberry.field(
        description="The contacts whose score would move most"
    )

    @classmethod
    def of(cls, simulation: Simulation) -> "ScoringSimulation":
        return cls(
            contacts_examined=simulation.contacts_examined,
            contacts_changed=simulation.contacts_changed,
            total_delta=simulation.total_delta,
            class_changes=[
                ClassChange(before=c.before, after=c.after, count=c.count)
                for c in simulation.class_changes
            ],
            examples=[
                SimulatedContact(
                    contact_id=strawberry.ID(e.contact_id),
                    email=e.email,
                    score=e.score,
                    simulated_score=e.simulated,
                    delta=e.simulated - e.score,
                )
                for e in simulation.examples
            ],
        )
