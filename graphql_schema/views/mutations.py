"""Creating, changing and deleting score-based views (editors and admins)."""

import strawberry

from api.domain.views import PeriodKind, ScoreView, ScoringPeriod
from api.services.views import create_view, delete_view, update_view
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.permissions import IsEditor
from graphql_schema.rules.types import FieldConditionInput
from graphql_schema.views.types import ScoreConditionInput, ScoreViewType, ScoringPeriodInput


@strawberry.input
class ScoreViewInput:
    name: str
    score_condition: ScoreConditionInput
    period: ScoringPeriodInput | None = strawberry.field(
        default=None, description="Default: all time (the total score)"
    )
    criteria: list[FieldConditionInput] = strawberry.field(
        default_factory=list, description="At most 2 conditions on contact fields"
    )
    mailing_lists: list[str] = strawberry.field(default_factory=list)

    def record(self, view_id: str = "") -> ScoreView:
        period = self.period.record() if self.period else ScoringPeriod(PeriodKind.ALL_TIME)
        return ScoreView(
            view_id,
            self.name,
            self.score_condition.record(),
            period,
            tuple(c.record() for c in self.criteria),
            tuple(self.mailing_lists),
        )


@strawberry.input
class ScoreViewUpdateInput(ScoreViewInput):
    id: strawberry.ID


@strawberry.input
class ScoreViewDeleteInput:
    id: strawberry.ID


@strawberry.type
class ScoreViewPayload:
    score_view: ScoreViewType | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class ScoreViewDeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class ViewMutations:
    @strawberry.mutation(permission_classes=[IsEditor])
    async def score_view_create(self, info: Info, input: ScoreViewInput) -> ScoreViewPayload:
        context = info.context
        view = await create_view(context.store, input.record(), context.actor)
        return ScoreViewPayload(score_view=ScoreViewType.of(view))

    @strawberry.mutation(permission_classes=[IsEditor])
    async def score_view_update(self, info: Info, input: ScoreViewUpdateInput) -> ScoreViewPayload:
        view = await update_view(info.context.store, input.record(str(input.id)))
        return ScoreViewPayload(score_view=ScoreViewType.of(view))

    @strawberry.mutation(permission_classes=[IsEditor])
    async def score_view_delete(
        self, info: Info, input: ScoreViewDeleteInput
    ) -> ScoreViewDeletePayload:
        await delete_view(info.context.store, str(input.id))
        return ScoreViewDeletePayload(deleted_id=input.id)
