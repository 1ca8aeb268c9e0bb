"""Simulating a rule draft (admins), and the rescore jobs."""

import strawberry

from api.services.simulation import Proposal, simulate
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.pagination import page_size
from graphql_schema.core.permissions import IsAdmin, IsViewer
from graphql_schema.http.guard import Expensive
from graphql_schema.rescoring.types import RescoreJobType, ScoringSimulation
from graphql_schema.rules.mutations import CustomRuleInput
from graphql_schema.scoring.mutations import ScoreSheetEntryInput


@strawberry.input
class CustomRuleDraftInput(CustomRuleInput):
    id: strawberry.ID | None = strawberry.field(
        default=None, description="The rule this draft replaces; none for a new rule"
    )


@strawberry.input(description="A proposed change; what is left out stays as it is")
class ScoringSimulateInput:
    entries: list[ScoreSheetEntryInput] | None = strawberry.field(
        default=None, description="Proposed score-sheet points"
    )
    negative_scoring_enabled: bool | None = None
    custom_rule: CustomRuleDraftInput | None = None
    remove_custom_rule_id: strawberry.ID | None = None

    def proposal(self) -> Proposal:
        rule = self.custom_rule
        return Proposal(
            points={e.activity: e.points for e in self.entries or []},
            negative_scoring_enabled=self.negative_scoring_enabled,
            custom_rule=rule.record(str(rule.id or "")) if rule else None,
            removed_rule_id=(
                str(self.remove_custom_rule_id) if self.remove_custom_rule_id is not None else None
            ),
        )


@strawberry.type
class ScoringSimulatePayload:
    simulation: ScoringSimulation | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class RescoringQueries:
    @strawberry.field(
        permission_classes=[IsAdmin],
        extensions=[Expensive()],
        description="What a proposed change to the sheet or the custom rules would do to every "
        "contact's score and class if the stored history were rescored under it. Changes "
        "nothing; an empty proposal tells what scoringRescore would do now.",
    )
    async def scoring_simulate(
        self, info: Info, input: ScoringSimulateInput
    ) -> ScoringSimulatePayload:
        simulation = await simulate(info.context.store, input.proposal())
        return ScoringSimulatePayload(simulation=ScoringSimulation.of(simulation))

    @strawberry.field(permission_classes=[IsViewer])
    async def rescore_job(self, info: Info, id: strawberry.ID) -> RescoreJobType | None:
        job = await info.context.store.rescores.get(str(id))
        return RescoreJobType.of(job) if job else None

    @strawberry.field(permission_classes=[IsViewer], description="Newest first")
    async def rescore_jobs(self, info: Info, first: int | None = None) -> list[RescoreJobType]:
        jobs = await info.context.store.rescores.history(page_size(first))
        return [RescoreJobType.of(job) for job in jobs]
