"""The score sheet and the classification as clients see them."""

import strawberry

from api.domain.classification import ClassificationBasis, ClassificationSettings, ContactClass
from api.domain.sheet import NEGATIVE_ENTRIES, ScoreSheet, SheetEntry
from api.scoring.sheet import points_range
from api.services.errors import ErrorCode
from api.services.score_counts import distribution
from api.services.sheet import class_counts
from graphql_schema.contacts.types import ContactClassEnum  # noqa: F401  (registers the enum)
from graphql_schema.core.context import Info
from graphql_schema.core.errors import InputRefused
from graphql_schema.http.guard import Expensive

MAX_BUCKET_SIZE = 10_000

ClassificationBasisEnum = strawberry.enum(
    ClassificationBasis,
    name="ClassificationBasis",
    description="Classify by total score, or by points earned in the last periodDays days",
)


@strawberry.type
class ScoreSheetEntry:
    activity: SheetEntry
    points: int
    min_points: int
    max_points: int
    negative: bool
    expires_after_days: int | None = strawberry.field(
        description="Days after which the points it gives expire; null: never"
    )


@strawberry.type(name="ScoreSheet")
class ScoreSheetType:
    enabled: bool = strawberry.field(description="False while scoring is paused")
    negative_scoring_enabled: bool
    entries: list[ScoreSheetEntry]

    @classmethod
    def of(cls, sheet: ScoreSheet) -> "ScoreSheetType":
        return cls(
            enabled=sheet.enabled,
            negative_scoring_enabled=sheet.negative_scoring_enabled,
            entries=[
                ScoreSheetEntry(
                    activity=entry,
                    points=sheet.points_for(entry),
                    min_points=points_range(entry)[0],
                    max_points=points_range(entry)[1],
                    negative=entry in NEGATIVE_ENTRIES,
                    expires_after_days=sheet.expires_after(entry),
                )
                for entry in SheetEntry
            ],
        )


@strawberry.type
class ClassCount:
    classification: ContactClass
    count: int
    share: float = strawberry.field(description="Fraction of all contacts, 0..1")


@strawberry.type
class ScoreBucket:
    low: int = strawberry.field(description="Lowest score in the bucket")
    high: int = strawberry.field(description="Highest score in the bucket")
    count: int


@strawberry.type
class Classification:
    most_engaged_min: int
    progressing_min: int
    basis: ClassificationBasis
    period_days: int

    @classmethod
    def of(cls, settings: ClassificationSettings) -> "Classification":
        return cls(
            most_engaged_min=settings.most_engaged_min,
            progressing_min=settings.progressing_min,
            basis=settings.basis,
            period_days=settings.period_days,
        )

    @strawberry.field(
        description="Contacts per class, with their share of all contacts", extensions=[Expensive()]
    )
    async def counts(self, info: Info) -> list[ClassCount]:
        counts = await class_counts(info.context.store)
        total = sum(counts.values())
        return [
            ClassCount(classification=cls, count=n, share=n / total if total else 0.0)
            for cls, n in counts.items()
        ]

    @strawberry.field(
        description="How many contacts have each range of total scores", extensions=[Expensive()]
    )
    async def score_distribution(self, info: Info, bucket_size: int = 10) -> list[ScoreBucket]:
        if not 1 <= bucket_size <= MAX_BUCKET_SIZE:
            message = f"bucketSize must be between 1 and {MAX_BUCKET_SIZE}, got {bucket_size}"
            raise InputRefused("bucketSize", message, ErrorCode.OUT_OF_RANGE)
        size = bucket_size
        rows = await distribution(info.context.store, size)
        return [ScoreBucket(low=low, high=low + size - 1, count=n) for low, n in rows]
