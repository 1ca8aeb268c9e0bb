"""Score views (segments): saved conditions on score, period, fields and mailing lists."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from api.domain.rules import FieldCondition


class ScoreConditionKind(StrEnum):
    AT_LEAST = "AT_LEAST"
    AT_MOST = "AT_MOST"
    BETWEEN = "BETWEEN"


class PeriodKind(StrEnum):
    ALL_TIME = "ALL_TIME"
    LAST_DAYS = "LAST_DAYS"
    DATE_RANGE = "DATE_RANGE"


@dataclass(frozen=True)
class ScoreCondition:
    kind: ScoreConditionKind
    min: int | None = None
    max: int | None = None

    @property
    def low(self) -> int | None:
        return None if self.kind is ScoreConditionKind.AT_MOST else self.min

    @property
    def high(self) -> int | None:
        return None if self.kind is ScoreConditionKind.AT_LEAST else self.max

    def holds(self, points: int) -> bool:
        low, high = self.low, self.high
        return (low is None or points >= low) and (high is None or points <= high)


@dataclass(frozen=True)
class ScoringPeriod:
    """Which points count: the total score, or the points earned in a window."""

    kind: PeriodKind = PeriodKind.ALL_TIME
    days: int | None = None
    start: date | None = None
    end: date | None = None

    def window(self, now: datetime) -> tuple[datetime, datetime] | None:
        """[since, until) of the points that count; None for the total score."""
        if self.kind is PeriodKind.LAST_DAYS and self.days is not None:
            return now - timedelta(days=self.days), now
        if self.kind is PeriodKind.DATE_RANGE and self.start and self.end:
            return _day_start(self.start), _day_start(self.end, after=True)
        return None

    @property
    def is_fixed(self) -> bool:
        return self.kind is PeriodKind.DATE_RANGE


def _day_start(day: date, after: bool = False) -> datetime:
    """Midnight UTC at the start of the day (of the next day: `after`), never overflowing."""
    if after:
        if day >= date.max:
            return datetime.max.replace(tzinfo=UTC)
        day += timedelta(days=1)
    return datetime.combine(day, time.min, UTC)


@dataclass(frozen=True)
class ScoreView:
    id: str
    name: str
    condition: ScoreCondition
    period: ScoringPeriod
    criteria: tuple[FieldCondition, ...] = ()
    mailing_lists: tuple[str, ...] = ()


@dataclass(frozen=True)
class ViewReport:
    total: int
    by_mailing_list: Sequence[tuple[str, int]]
    by_country: Sequence[tuple[str, int]]


@dataclass(frozen=True)
class CountedView:
    """A view whose report is kept on write: the definition counted (as when its counts began
    to be built), the build that counts it, and whether that build has counted every contact
    (until then only the contacts it marked are kept up to date)."""

    view: ScoreView
    build: str
    done: bool


class ViewChange(StrEnum):
    ENTERED = "ENTERED"
    LEFT = "LEFT"
