"""Score-based views (segments): which contacts a view holds, decided purely."""

from datetime import date

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
