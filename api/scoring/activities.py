"""Campaign activities and the unique/multiple rule that decides what each one earns.

Occurrences are counted per contact, per campaign and per action. The 1st occurrence of an open,
click or reply earns the UNIQUE_* points, the 2nd nothing, the 3rd the MULTIPLE_* points and later
ones nothing. Positive replies, negative replies and unsubscribes count once per campaign, a website
subscription once per contact; every referral of a friend counts.
"""

import hashlib
from dataclasses import dataclass
from enum import Enum, auto

from api.domain.activities import Activity, ActivityType
from api.domain.sheet import NEGATIVE_ENTRIES, ScoreSheet, SheetEntry


class Counting(Enum):
    UNIQUE_MULTIPLE = auto()  # per campaign: the 1st earns unique points, the 3rd multiple ones
    ONCE_PER_CAMPAIGN = auto()
    ONCE_PER_CONTACT = auto()
    EVERY_TIME = auto()


@dataclass(frozen=True)
class ActivityRule:
    counting: Counting
    # What an earning occurrence is worth: (unique, multiple) for UNIQUE_MULTIPLE, else one entry.
    entries: tuple[SheetEntry, ...]
    label: str
    campaign_required: bool


RULES: dict[ActivityType, ActivityRule] = {
    ActivityType.OPEN: ActivityRule(
        Counting.UNIQUE_MULTIPLE, (SheetEntry.UNIQUE_OPEN, SheetEntry.MULTIPLE_OPEN), "open", True
    ),
    ActivityType.CLICK: ActivityRule(
        Counting.UNIQUE_MULTIPLE,
        (SheetEntry.UNIQUE_CLICK, SheetEntry.MULTIPLE_CLICK),
        "click",
        True,
    ),
    ActivityType.REPLY: ActivityRule(
        Counting.UNIQUE_MULTIPLE,
        (SheetEntry.UNIQUE_REPLY, SheetEntry.MULTIPLE_REPLY),
        "reply",
        True,
    ),
    ActivityType.POSITIVE_REPLY: ActivityRule(
        Counting.ONCE_PER_CAMPAIGN, (SheetEntry.POSITIVE_REPLY,), "positive reply", True
    ),
    ActivityType.NEGATIVE_REPLY: ActivityRule(
        Counting.ONCE_PER_CAMPAIGN, (SheetEntry.NEGATIVE_REPLY,), "negative reply", True
    ),
    ActivityType.UNSUBSCRIBE: ActivityRule(
        Counting.ONCE_PER_CAMPAIGN, (SheetEntry.UNSUBSCRIBE,), "unsubscribe", False
    ),
    ActivityType.WEBSITE_SUBSCRIBE: ActivityRule(
        Counting.ONCE_PER_CONTACT, (SheetEntry.WEBSITE_SUBSCRIBE,), "website subscription", False
    ),
    ActivityType.REFER_FRIEND: ActivityRule(
        Counting.EVERY_TIME, (SheetEntry.REFER_FRIEND,), "referral of a friend", False
    ),
}
# An activity type without a rule would be scored as nothing sensible: refuse to start instead.
if set(RULES) != set(ActivityType):
    raise RuntimeError(f"No scoring rule for {set(ActivityType) - set(RULES)}")
CAMPAIGN_REQUIRED = frozenset(t for t, rule in RULES.items() if rule.campaign_required)


@dataclass(frozen=True)
class Award:
    points: int
    reason: str
    sheet_entry: SheetEntry | None


def occurrence_key(activity: Activity) -> str | None:
    """The counter an activity advances, or None when every occurrence counts."""
    counting = RULES[activity.type].counting
    if counting is Counting.EVERY_TIME:
        return None
    if counting is Counting.ONCE_PER_CONTACT:
        # "websub": the key stored counters already use for website subscriptions.
        return "websub" if activity.type is ActivityType.WEBSITE_SUBSCRIBE else activity.type.value
    campaign = hashlib.sha1((activity.campaign_id or "").encode()).hexdigest()[:20]
    return f"{activity.type.value.lower()}_{campaign}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _earned(activity: Activity, occurrence: int) -> tuple[SheetEntry | None, str]:
    """The sheet entry an occurrence earns (None for nothing) and why."""
    rule = RULES[activity.type]
    if rule.counting is Counting.ONCE_PER_CONTACT:
        if occurrence == 1:
            return rule.entries[0], rule.label.capitalize()
        return None, f"Repeated {rule.label}: counted once"
    if rule.counting is Counting.EVERY_TIME:
        return rule.entries[0], rule.label.capitalize()
    subject = (
        f"{rule.label} of campaign {activity.campaign_id}" if activity.campaign_id else rule.label
    )
    if rule.counting is Counting.ONCE_PER_CAMPAIGN:
        if occurrence == 1:
            return rule.entries[0], subject.capitalize()
        return None, f"Repeated {subject}: counted once"
    unique, multiple = rule.entries
    if occurrence == 1:
        return unique, f"1st {subject}"
    if occurrence == 2:
        return None, f"2nd {subject}: no points until the 3rd"
    if occurrence == 3:
        return multiple, f"3rd {subject}"
    return None, f"{_ordinal(occurrence)} {subject}: multiple points already earned"


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
