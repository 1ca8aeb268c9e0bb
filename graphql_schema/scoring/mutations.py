"""Changing the score sheet and the classification (admins)."""

import strawberry

from api.domain.classification import ClassificationBasis
from api.domain.sheet import SheetEntry
from api.services.sheet import ClassificationChange, update_classification, update_sheet
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.permissions import IsAdmin
from graphql_schema.scoring.types import Classification, ScoreSheetType


@strawberry.input
class ScoreSheetEntryInput:
    activity: SheetEntry
    points: int
    expires_after_days: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Days after which points earned from now on expire (1..3650); "
        "null: never; left out: unchanged",
    )


@strawberry.input
class ScoreSheetUpdateInput:
    entries: list[ScoreSheetEntryInput] | None = strawberry.field(
        default=None, description="New points; they apply to activities scored from now on"
    )
    enabled: bool | None = strawberry.field(default=None, description="Pause or resume scoring")
    negative_scoring_enabled: bool | None = None


@strawberry.type
class ScoreSheetUpdatePayload:
    score_sheet: ScoreSheetType | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.input
class ClassificationUpdateInput:
    most_engaged_min: int | None = None
    progressing_min: int | None = None
    basis: ClassificationBasis | None = None
    period_days: int | None = None


@strawberry.type
class ClassificationUpdatePayload:
    classification: Classification | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class ScoringMutations:
    @strawberry.mutation(permission_classes=[IsAdmin])
    async def score_sheet_update(
        self, info: Info, input: ScoreSheetUpdateInput
    ) -> ScoreSheetUpdatePayload:
        entries = input.entries or []
        points = {e.activity: e.points for e in entries}
        expiry = {
            e.activity: e.expires_after_days
            for e in entries
            if e.expires_after_days is not strawberry.UNSET
        }
        sheet = await update_sheet(
            info.context.store,
            points,
            input.enabled,
            input.negative_scoring_enabled,
            info.context.actor,
            expiry,
        )
        return ScoreSheetUpdatePayload(score_sheet=ScoreSheetType.of(sheet))

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def classification_update(
        self, info: Info, input: ClassificationUpdateInput
    ) -> ClassificationUpdatePayload:
        change = ClassificationChange(
            most_engaged_min=input.most_engaged_min,
            progressing_min=input.progressing_min,
            basis=input.basis,
            period_days=input.period_days,
        )
        settings = await update_classification(info.context.store, change, info.context.actor)
        return ClassificationUpdatePayload(classification=Classification.of(settings))
