"""Campaign activities and the unique/multiple rule that decides what each one earns.

Occurrences are counted per contact, per campaign and per action. The 1st occurrence of an open,
click or reply earns the UNIQUE_* points, the 2nd nothing, the 3rd the MULTIPLE_* points and later
ones nothing. Positive replies, negative replies and unsubscribes count once per campaign, a website
subscription once per contact; every referral of a friend counts.
"""

import hashlib
from dataclasses import dataclass

from api.domain.activities import Activity, ActivityType
from api.domain.sheet import NEGATIVE_ENTRIES, ScoreSheet, SheetEntry

_UNIQUE_MULTIPLE = {
    ActivityType.OPEN: (SheetEntry.UNIQUE_OPEN, SheetEntry.MULTIPLE_OPEN),
    ActivityType.CLICK: (SheetEntry.UNIQUE_CLICK, SheetEntry.MULTIPLE_CLICK),
    ActivityType.REPLY: (SheetEntry.UNIQUE_REPLY, SheetEntry.MULTIPLE_REPLY),
}
_ONCE_PER_CAMPAIGN = {
    ActivityType.POSITIVE_REPLY: SheetEntry.POSITIVE_REPLY,
    ActivityType.NEGATIVE_REPLY: SheetEntry.NEGATIVE_REPLY,
    ActivityType.UNSUBSCRIBE: SheetEntry.UNSUBSCRIBE,
}
CAMPAIGN_REQUIRED = frozenset(_UNIQUE_MULTIPLE) | {
    ActivityType.POSITIVE_REPLY,
    ActivityType.NEGATIVE_REPLY,
}

_LABELS = {
    ActivityType.OPEN: "open",
    ActivityType.CLICK: "click",
    ActivityType.REPLY: "reply",
    ActivityType.POSITIVE_REPLY: "positive reply",
    ActivityType.NEGATIVE_REPLY: "negative reply",
    ActivityType.UNSUBSCRIBE: "unsubscribe",
    ActivityType.WEBSITE_SUBSCRIBE: "website subscription",
    ActivityType.REFER_FRIEND: "referral of a friend",
}


@dataclass(frozen=True)
class Award:
    points: int
    reason: str
    sheet_entry: SheetEntry | None


def occurrence_key(activity: Activity) -> str | None:
    """The counter an activity advances, or None when every occurrence counts."""
    if activity.type is ActivityType.REFER_FRIEND:
        return None
    if activity.type is ActivityType.WEBSITE_SUBSCRIBE:
        return "websub"
    campaign = hashlib.sha1((activity.campaign_id or "").encode()).hexdigest()[:20]
    return f"{activity.type.value.lower()}_{campaign}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _subject(activity: Activity) -> str:
    label = _LABELS[activity.type]
    return f"{label} of campaign {activity.campaign_id}" if activity.campaign_id else label


def _earned(activity: Activity, occurrence: int) -> tuple[SheetEntry | None, str]:
    """The sheet entry an occurrence earns (None for nothing) and why."""
    subject = _subject(activity)
    if activity.type in _UNIQUE_MULTIPLE:
        unique, multiple = _UNIQUE_MULTIPLE[activity.type]
        if occurrence == 1:
            return unique, f"1st {subject}"
        if occurrence == 2:
            return None, f"2nd {subject}: no points until the 3rd"
        if occurrence == 3:
            return multiple, f"3rd {subject}"
        return None, f"{_ordinal(occurrence)} {subject}: multiple points already earned"
    if activity.type in _ONCE_PER_CAMPAIGN:
        if occurrence == 1:
            return _ONCE_PER_CAMPAIGN[activity.type], subject.capitalize()
        return None, f"Repeated {subject}: counted once"
    if activity.type is ActivityType.WEBSITE_SUBSCRIBE:
        if occurrence == 1:
            return SheetEntry.WEBSITE_SUBSCRIBE, "Website subscription"
        return None, "Repeated website subscription: counted once"
    return SheetEntry.REFER_FRIEND, "Referral of a friend"


def award(activity: Activity, occurrence: int, sheet: ScoreSheet) -> Award:
    """What an activity earns under the sheet in force, given its occurrence number (1-based)."""
    entry, reason = _earned(activity, occurrence)
    if entry is None:
        return Award(0, reason, None)
    if not sheet.enabled:
        return Award(0, f"{reason}: scoring paused", entry)
    if entry in NEGATIVE_ENTRIES and not sheet.negative_scoring_enabled:
        return Award(0, f"{reason}: negative scoring is off", entry)
    points = sheet.points_for(entry)
    return Award(points, f"{reason} ({entry.value.replace('_', ' ').lower()})", entry)
