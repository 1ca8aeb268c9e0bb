"""Reading the score sheet and the classification."""

import strawberry

from graphql_schema.core.context import Info
from graphql_schema.core.permissions import IsViewer
from graphql_schema.scoring.types import Classification, ScoreSheetType


@strawberry.type
class ScoringQueries:
    @strawberry.field(permission_classes=[IsViewer])
    async def score_sheet(self, info: Info) -> ScoreSheetType:
        return ScoreSheetType.of(await info.context.store.sheet.score_sheet())

    @strawberry.field(permission_classes=[IsViewer])
    async def classification(self, info: Info) -> Classification:
        return Classification.of(await info.context.store.sheet.classification())
