"""Score-based views (segments): which contacts a view holds, decided purely."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from api.scoring.rules import FieldCondition, Profile, condition_holds

MAX_CRITERIA = 2
MAX_MAILING_LISTS = 20
SCORE_LIMIT = 1_000_000
MAX_PERIOD_DAYS = 3650
# The days a DATE_RANGE may cover: beyond them a window is nonsense, and near date.max it overflows.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


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

    def holds_profile(self, profile: Profile) -> bool:
        """Lists (any of them) and criteria (all of them): the part that is not the score."""
        if self.mailing_lists and not set(self.mailing_lists) & set(profile.mailing_lists):
            return False
        return all(condition_holds(c, profile) for c in self.criteria)

    def holds(self, profile: Profile, points: int) -> bool:
        return self.condition.holds(points) and self.holds_profile(profile)


@dataclass(frozen=True)
class ViewReport:
    total: int
    by_mailing_list: Sequence[tuple[str, int]]
    by_country: Sequence[tuple[str, int]]


class ReportCounter:
    """Counts per mailing list and per country, one contact at a time."""

    def __init__(self) -> None:
        self.total = 0
        self.lists: dict[str, int] = {}
        self.countries: dict[str, int] = {}

    def add(self, profile: Profile) -> None:
        self.total += 1
        for name in set(profile.mailing_lists):
            self.lists[name] = self.lists.get(name, 0) + 1
        country = (profile.country or "").strip() or "Unknown"
        self.countries[country] = self.countries.get(country, 0) + 1

    def report(self) -> ViewReport:
        return ViewReport(self.total, _largest_first(self.lists), _largest_first(self.countries))


def _largest_first(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
