"""The ledger: one entry per change of a contact's score, the reason for every point.

An entry's id says what makes it unique: an entry with a key (an activity's idempotency key, an
expiry's) is `<contact id>:k:<key>`, so a repeat collides; any other `<contact id>:<seq>`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from api.domain.activities import Activity
from api.domain.sheet import SheetEntry


class EntryKind(StrEnum):
    ACTIVITY = "ACTIVITY"
    MANUAL = "MANUAL"
    RULE = "RULE"
    RESET = "RESET"
    EXPIRY = "EXPIRY"
    RESCORE = "RESCORE"
    WORKFLOW = "WORKFLOW"


@dataclass(frozen=True)
class Entry:
    """One line of a contact's timeline: every point has one."""

    contact_id: str
    seq: int
    points: int
    total_after: int
    kind: EntryKind
    reason: str
    at: datetime
    activity: Activity | None = None
    sheet_entry: SheetEntry | None = None
    actor: str | None = None
    # Occurrence counters this entry's activity advanced (to rebuild a state from the ledger).
    counted: tuple[str, ...] = ()
    # Scored while scoring was paused: a rescore keeps such an activity's sheet points at 0.
    paused: bool = False
    # The occurrence counters a rescore set, replacing the ones before it.
    counters_set: Mapping[str, int] | None = None
    # When these points expire (None: never).
    expires_at: datetime | None = None
    # Unique per contact: an activity's idempotency key, or an expiry's "expiry:<entry id>".
    key: str | None = None
    # The field rule that gave or took these points.
    field_rule_id: str | None = None
    # When the points were earned, if not the activity's time or `at`: an expiry's are the
    # expired points' own (so sums of points earned in a period leave expired points out).
    earned: datetime | None = None

    @property
    def id(self) -> str:
        """Unique: an entry with a key (an activity's idempotency key, an expiry's) by that key,
        so a repeat collides; any other entry by its sequence number."""
        return (
            keyed_entry_id(self.contact_id, self.key)
            if self.key
            else entry_id(self.contact_id, self.seq)
        )

    @property
    def earned_at(self) -> datetime:
        if self.earned is not None:
            return self.earned
        return self.activity.occurred_at if self.activity else self.at


def entry_id(contact_id: str, seq: int) -> str:
    return f"{contact_id}:{seq:010d}"


KEYED = ":k:"


def keyed_entry_id(contact_id: str, key: str) -> str:
    return f"{contact_id}{KEYED}{key}"


def is_keyed(entry_id: str) -> bool:
    """Whether an entry id is a key's (a repeat of it is a duplicate, not a conflict)."""
    return KEYED in entry_id


# Idempotency keys of EXPIRY entries: "expiry:<id of the entry whose points expired>".
EXPIRY_KEY_PREFIX = "expiry:"


def expiry_key(entry_id: str) -> str:
    return f"{EXPIRY_KEY_PREFIX}{entry_id}"


# Idempotency keys of RESET entries: "reset:<id of the reset job>", one per contact and reset.
RESET_KEY_PREFIX = "reset:"
RESERVED_KEY_PREFIXES = (EXPIRY_KEY_PREFIX, RESET_KEY_PREFIX)


def reset_key(job_id: str) -> str:
    return f"{RESET_KEY_PREFIX}{job_id}"


def reset_generation(key: str | None) -> str | None:
    """The reset generation a RESET entry's key starts (its reset job's id)."""
    if key is None or not key.startswith(RESET_KEY_PREFIX):
        return None
    return key[len(RESET_KEY_PREFIX) :]
