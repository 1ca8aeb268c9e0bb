"""The score sheet: what each campaign activity is worth, and whether scoring runs."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum


class SheetEntry(StrEnum):
    UNIQUE_OPEN = "UNIQUE_OPEN"
    MULTIPLE_OPEN = "MULTIPLE_OPEN"
    UNIQUE_CLICK = "UNIQUE_CLICK"
    MULTIPLE_CLICK = "MULTIPLE_CLICK"
    WEBSITE_SUBSCRIBE = "WEBSITE_SUBSCRIBE"
    REFER_FRIEND = "REFER_FRIEND"
    UNIQUE_REPLY = "UNIQUE_REPLY"
    MULTIPLE_REPLY = "MULTIPLE_REPLY"
    POSITIVE_REPLY = "POSITIVE_REPLY"
    UNSUBSCRIBE = "UNSUBSCRIBE"
    NEGATIVE_REPLY = "NEGATIVE_REPLY"


DEFAULT_POINTS: Mapping[SheetEntry, int] = {
    SheetEntry.UNIQUE_OPEN: 10,
    SheetEntry.MULTIPLE_OPEN: 20,
    SheetEntry.UNIQUE_CLICK: 10,
    SheetEntry.MULTIPLE_CLICK: 30,
    SheetEntry.WEBSITE_SUBSCRIBE: 20,
    SheetEntry.REFER_FRIEND: 30,
    SheetEntry.UNIQUE_REPLY: 20,
    SheetEntry.MULTIPLE_REPLY: 30,
    SheetEntry.POSITIVE_REPLY: 40,
    SheetEntry.UNSUBSCRIBE: -20,
    SheetEntry.NEGATIVE_REPLY: -20,
}

NEGATIVE_ENTRIES = frozenset({SheetEntry.UNSUBSCRIBE, SheetEntry.NEGATIVE_REPLY})


@dataclass(frozen=True)
class ScoreSheet:
    enabled: bool = True
    negative_scoring_enabled: bool = False
    points: Mapping[SheetEntry, int] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    # Entries whose points expire, with the days they last; the others never expire.
    expiry_days: Mapping[SheetEntry, int] = field(default_factory=dict)

    def points_for(self, entry: SheetEntry) -> int:
        return self.points.get(entry, DEFAULT_POINTS[entry])

    def expires_after(self, entry: SheetEntry) -> int | None:
        return self.expiry_days.get(entry)

    def with_changes(
        self,
        points: Mapping[SheetEntry, int] | None = None,
        enabled: bool | None = None,
        negative_scoring_enabled: bool | None = None,
        expiry_days: Mapping[SheetEntry, int | None] | None = None,
    ) -> "ScoreSheet":
        """A copy with these changes; in `expiry_days`, None means the entry never expires."""
        merged = {**self.points, **(points or {})}
        expiry = {**self.expiry_days, **(expiry_days or {})}
        return replace(
            self,
            points=merged,
            expiry_days={entry: days for entry, days in expiry.items() if days is not None},
            enabled=self.enabled if enabled is None else enabled,
            negative_scoring_enabled=(
                self.negative_scoring_enabled
                if negative_scoring_enabled is None
                else negative_scoring_enabled
            ),
        )
