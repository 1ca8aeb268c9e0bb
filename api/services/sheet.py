"""The score sheet and the classification: reading, changing (validated) and counting."""

from collections.abc import Mapping
from dataclasses import dataclass, replace

from api.db.client import Store
from api.domain.classification import ClassificationBasis, ClassificationSettings, ContactClass
from api.domain.sheet import ScoreSheet, SheetEntry
from api.scoring.classification import validation_problems
from api.scoring.histogram import class_counts as counts_by_score
from api.scoring.sheet import out_of_range
from api.services.classifying import recent_points
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.validation import expiry_problem


def sheet_problems(
    points: Mapping[SheetEntry, int],
    expiry_days: Mapping[SheetEntry, int | None] | None = None,
) -> list[ServiceError]:
    problems = [
        ServiceError(
            f"entries.{entry.value}",
            f"{entry.value} must be between {low} and {high}",
            ErrorCode.OUT_OF_RANGE,
        )
        for entry, low, high in out_of_range(points)
    ]
    for entry, days in (expiry_days or {}).items():
        field = f"entries.{entry.value}.expiresAfterDays"
        problem = expiry_problem(field, days, f"{entry.value} expiresAfterDays")
        if problem:
            problems.append(problem)
    return problems


async def update_sheet(
    store: Store,
    points: Mapping[SheetEntry, int],
    enabled: bool | None,
    negative_scoring_enabled: bool | None,
    actor: str,
    expiry_days: Mapping[SheetEntry, int | None] | None = None,
) -> ScoreSheet:
    """Change the sheet; in `expiry_days`, None means the entry's points never expire. Both
    apply to points earned from now on."""
    problems = sheet_problems(points, expiry_days)
    if problems:
        raise ServiceFailure(problems)
    return await store.sheet.change_score_sheet(
        actor, points, enabled, negative_scoring_enabled, expiry_days
    )


@dataclass(frozen=True)
class ClassificationChange:
    most_engaged_min: int | None = None
    progressing_min: int | None = None
    basis: ClassificationBasis | None = None
    period_days: int | None = None


async def update_classification(
    store: Store, change: ClassificationChange, actor: str
) -> ClassificationSettings:
    current = await store.sheet.classification()
    updated = replace(
        current,
        **{name: value for name, value in vars(change).items() if value is not None},
    )
    problems = [
        ServiceError(field, message, ErrorCode.OUT_OF_RANGE)
        for field, message in validation_problems(updated)
    ]
    if problems:
        raise ServiceFailure(problems)
    await store.sheet.save_classification(updated, actor)
    return updated


async def class_counts(store: Store) -> dict[ContactClass, int]:
    settings = await store.sheet.classification()
    histogram = await store.histogram.read()
    if settings.basis is ClassificationBasis.TOTAL_SCORE:
        return counts_by_score(histogram, settings)
    # Points earned lately change with time alone, without a write: counted on read.
    recent = await recent_points(store, settings, None)
    total = histogram.total()
    counts = dict.fromkeys(ContactClass, 0)
    for points in recent.values():
        counts[settings.classify(points)] += 1
    counts[settings.classify(0)] += total - len(recent)
    return counts
