"""Score-based views (segments): which contacts a view holds, decided purely."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from api.domain.contacts import Profile
from api.domain.views import ScoreView, ViewReport
from api.scoring.rules import condition_holds

MAX_CRITERIA = 2
MAX_MAILING_LISTS = 20
SCORE_LIMIT = 1_000_000
MAX_PERIOD_DAYS = 3650
# The days a DATE_RANGE may cover: beyond them a window is nonsense, and near date.max it overflows.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def holds_profile(view: ScoreView, profile: Profile) -> bool:
    """Lists (any of them) and criteria (all of them): the part of a view that is not the score."""
    if view.mailing_lists and not set(view.mailing_lists) & set(profile.mailing_lists):
        return False
    return all(condition_holds(c, profile) for c in view.criteria)


class ReportCounter:
    """Counts per mailing list and per country, one contact at a time."""

    def __init__(self) -> None:
        self.total = 0
        self.lists: dict[str, int] = {}
        self.countries: dict[str, int] = {}

    def add(self, profile: Profile, sign: int = 1) -> None:
        """Count a contact in (sign 1) or out (-1)."""
        self.total += sign
        for name in set(profile.mailing_lists):
            _bump(self.lists, name, sign)
        _bump(self.countries, (profile.country or "").strip() or "Unknown", sign)

    def merge(
        self, total: int, lists: Iterable[Sequence[Any]], countries: Iterable[Sequence[Any]]
    ) -> None:
        """Add counts kept elsewhere: (name, count) pairs."""
        self.total += total
        for name, n in lists:
            _bump(self.lists, str(name), int(n))
        for name, n in countries:
            _bump(self.countries, str(name), int(n))

    def is_empty(self) -> bool:
        return not (self.total or self.lists or self.countries)

    def report(self) -> ViewReport:
        return ViewReport(self.total, _largest_first(self.lists), _largest_first(self.countries))


def _bump(counts: dict[str, int], name: str, n: int) -> None:
    counts[name] = counts.get(name, 0) + n
    if not counts[name]:
        del counts[name]


def _largest_first(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
