"""Simulations of rule drafts and rescore jobs as clients see them."""

import strawberry

from api.domain.classification import ContactClass
from api.domain.jobs import RescoreJob
from api.services.simulation import Simulation
from graphql_schema.jobs import AS_EVERY_JOB, BackgroundJob, job_fields


@strawberry.type(
    name="RescoreJob", description="A rescore of every contact's history under the current rules"
)
class RescoreJobType(BackgroundJob):
    activities: int = strawberry.field(description="Activities scored again")
    points_delta: int = strawberry.field(description="Points added (or taken, if negative)")

    @classmethod
    def of(cls, job: RescoreJob) -> "RescoreJobType":
        return cls(**job_fields(job), activities=job.activities, points_delta=job.points_delta)

    @strawberry.field(
        description="Contacts given a RESCORE entry",
        deprecation_reason=f"Use affected, {AS_EVERY_JOB}",
    )
    def contacts_changed(self) -> int:
        return self.affected


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
