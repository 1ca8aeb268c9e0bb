"""Turns changes for one contact into timeline entries, given the contact's current state.

Pure: the MongoDB layer reads the state, calls `plan` and commits the result atomically.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from api.scoring.activities import Activity, award, occurrence_key
from api.scoring.sheet import ScoreSheet, SheetEntry


class EntryKind(StrEnum):
    ACTIVITY = "ACTIVITY"
    MANUAL = "MANUAL"
    RULE = "RULE"
    RESET = "RESET"
    EXPIRY = "EXPIRY"


@dataclass(frozen=True)
class ActivityChange:
    activity: Activity


@dataclass(frozen=True)
class ScoreSet:
    score: int
    reason: str
    actor: str


@dataclass(frozen=True)
class ScoreReset:
    reason: str
    actor: str


Change = ActivityChange | ScoreSet | ScoreReset


@dataclass
class ContactState:
    contact_id: str
    score: int
    seq: int
    occurrences: dict[str, int] = field(default_factory=dict)


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

    @property
    def id(self) -> str:
        return entry_id(self.contact_id, self.seq)


def entry_id(contact_id: str, seq: int) -> str:
    return f"{contact_id}:{seq:010d}"


def occurrence_keys(changes: Sequence[Change]) -> set[str]:
    keys = set()
    for change in changes:
        if isinstance(change, ActivityChange):
            key = occurrence_key(change.activity)
            if key is not None:
                keys.add(key)
    return keys


def plan(
    state: ContactState, changes: Sequence[Change], sheet: ScoreSheet, now: datetime
) -> tuple[list[Entry], ContactState]:
    """Entries for the changes in order, and the state after them."""
    score, seq = state.score, state.seq
    occurrences = dict(state.occurrences)
    entries = []
    for change in changes:
        seq += 1
        if isinstance(change, ActivityChange):
            key = occurrence_key(change.activity)
            occurrence = 1
            if key is not None:
                occurrence = occurrences.get(key, 0) + 1
                occurrences[key] = occurrence
            earned = award(change.activity, occurrence, sheet)
            score += earned.points
            entries.append(
                Entry(
                    contact_id=state.contact_id,
                    seq=seq,
                    points=earned.points,
                    total_after=score,
                    kind=EntryKind.ACTIVITY,
                    reason=earned.reason,
                    at=now,
                    activity=change.activity,
                    sheet_entry=earned.sheet_entry,
                )
            )
        elif isinstance(change, ScoreReset):
            if score == 0 and not occurrences:
                seq -= 1
                continue  # nothing to reset: no entry
            points, score = -score, 0
            occurrences = {}
            entries.append(
                Entry(
                    contact_id=state.contact_id,
                    seq=seq,
                    points=points,
                    total_after=0,
                    kind=EntryKind.RESET,
                    reason=f"Scores reset: {change.reason}",
                    at=now,
                    actor=change.actor,
                )
            )
        else:
            points = change.score - score
            score = change.score
            entries.append(
                Entry(
                    contact_id=state.contact_id,
                    seq=seq,
                    points=points,
                    total_after=score,
                    kind=EntryKind.MANUAL,
                    reason=change.reason,
                    at=now,
                    actor=change.actor,
                )
            )
    return entries, ContactState(state.contact_id, score, seq, occurrences)
