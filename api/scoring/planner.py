"""Turns changes for one contact into timeline entries, given the contact's current state.

Pure: the MongoDB layer reads the state, calls `plan` and commits the result atomically.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from api.scoring.activities import Activity, award, occurrence_key
from api.scoring.rules import CustomRule
from api.scoring.sheet import ScoreSheet, SheetEntry
from api.scoring.workflows import WorkflowAward


class EntryKind(StrEnum):
    ACTIVITY = "ACTIVITY"
    MANUAL = "MANUAL"
    RULE = "RULE"
    RESET = "RESET"
    EXPIRY = "EXPIRY"
    RESCORE = "RESCORE"
    WORKFLOW = "WORKFLOW"


@dataclass(frozen=True)
class ActivityChange:
    activity: Activity
    # Workflows this activity triggers for its contact: part of the change, so that a retried
    # activity (a duplicate) triggers nothing either.
    workflows: tuple[WorkflowAward, ...] = ()


@dataclass(frozen=True)
class ScoreSet:
    score: int
    reason: str
    actor: str


@dataclass(frozen=True)
class ScoreReset:
    reason: str
    actor: str


@dataclass(frozen=True)
class FieldRulesSync:
    """Bring a contact's field-rule points to what it matches now: rule id -> (points, name)."""

    awards: dict[str, tuple[int, str]]
    # Every rule's name, deleted ones included, for the reasons of points taken back.
    names: dict[str, str] = field(default_factory=dict)
    deleted: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rescore:
    """Bring a contact to the score and occurrence counters recomputed from its history.

    `based_on_seq` is the last entry the recomputation read: a contact that moved on since gets
    nothing planned, and the caller recomputes it from its newer history.
    """

    score: int
    occurrences: Mapping[str, int]
    reason: str
    actor: str
    based_on_seq: int


Change = ActivityChange | ScoreSet | ScoreReset | FieldRulesSync | Rescore | WorkflowAward


@dataclass
class ContactState:
    contact_id: str
    score: int
    seq: int
    occurrences: dict[str, int] = field(default_factory=dict)
    # Points each field rule gave this contact, while it matches.
    rule_points: dict[str, int] = field(default_factory=dict)
    # The sequence number the contact document holds: later entries are only in the ledger.
    stored_seq: int = 0


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

    @property
    def key(self) -> str | None:
        """What makes the entry unique besides its place: its activity's idempotency key."""
        if self.kind is EntryKind.ACTIVITY and self.activity is not None:
            return self.activity.idempotency_key
        return None

    @property
    def id(self) -> str:
        """Unique: an activity's entry by its idempotency key (a repeat collides), any other
        entry by its sequence number."""
        return (
            keyed_entry_id(self.contact_id, self.key)
            if self.key
            else entry_id(self.contact_id, self.seq)
        )

    @property
    def earned_at(self) -> datetime:
        """When the points were earned: an activity's own time, else the time of the change."""
        return self.activity.occurred_at if self.activity else self.at


def entry_id(contact_id: str, seq: int) -> str:
    return f"{contact_id}:{seq:010d}"


def keyed_entry_id(contact_id: str, key: str) -> str:
    return f"{contact_id}:k:{key}"


class _Plan:
    """Entries accumulated for one contact, with its running state."""

    def __init__(self, state: ContactState, now: datetime) -> None:
        self.contact_id = state.contact_id
        self.score, self.seq = state.score, state.seq
        self.occurrences = dict(state.occurrences)
        self.rule_points = dict(state.rule_points)
        self.stored_seq = state.stored_seq
        self.now = now
        self.entries: list[Entry] = []

    def add(
        self,
        points: int,
        kind: EntryKind,
        reason: str,
        activity: Activity | None = None,
        sheet_entry: SheetEntry | None = None,
        actor: str | None = None,
        counted: tuple[str, ...] = (),
        paused: bool = False,
        counters_set: Mapping[str, int] | None = None,
    ) -> None:
        self.seq += 1
        self.score += points
        self.entries.append(
            Entry(
                self.contact_id,
                self.seq,
                points,
                self.score,
                kind,
                reason,
                self.now,
                activity,
                sheet_entry,
                actor,
                counted,
                paused,
                counters_set,
            )
        )

    def count(self, key: str) -> int:
        self.occurrences[key] = self.occurrences.get(key, 0) + 1
        return self.occurrences[key]

    def activity(self, activity: Activity, sheet: ScoreSheet, rules: Sequence[CustomRule]) -> None:
        key = occurrence_key(activity)
        counted = [key] if key else []
        earned = award(activity, self.count(key) if key else 1, sheet)
        # Custom rules score while scoring is paused, once per contact, rule and campaign.
        fired = []
        for rule in rules:
            if rule.applies_to(activity):
                rule_key = custom_rule_key(rule, activity)
                counted.append(rule_key)
                if self.count(rule_key) == 1:
                    fired.append(rule)
        self.add(
            earned.points,
            EntryKind.ACTIVITY,
            earned.reason,
            activity,
            earned.sheet_entry,
            counted=tuple(counted),
            paused=not sheet.enabled,
        )
        for rule in fired:
            self.add(rule.points, EntryKind.RULE, f"Custom rule '{rule.name}'", activity)

    def workflow(self, award: WorkflowAward, activity: Activity | None = None) -> None:
        key = workflow_key(award.workflow_id)
        if self.occurrences.get(key):
            return  # a contact goes through a workflow once
        self.count(key)
        self.add(award.points, EntryKind.WORKFLOW, award.reason, activity, counted=(key,))

    def reset(self, change: ScoreReset) -> None:
        if self.score == 0 and not self.occurrences and not self.rule_points:
            return
        self.occurrences, self.rule_points = {}, {}
        self.add(-self.score, EntryKind.RESET, f"Scores reset: {change.reason}", actor=change.actor)

    def rescore(self, change: Rescore) -> None:
        if self.seq != change.based_on_seq:
            return  # moved on since the recomputation read it
        if change.score == self.score and change.occurrences == self.occurrences:
            return
        self.occurrences = dict(change.occurrences)
        self.add(
            change.score - self.score,
            EntryKind.RESCORE,
            change.reason,
            actor=change.actor,
            counters_set=dict(change.occurrences),
        )

    def field_rules(self, change: FieldRulesSync) -> None:
        for rule_id in sorted(set(self.rule_points) | set(change.awards)):
            held = self.rule_points.get(rule_id, 0)
            points, name = change.awards.get(rule_id, (0, change.names.get(rule_id, rule_id)))
            if rule_id in change.awards and rule_id in self.rule_points and points == held:
                continue
            if rule_id not in change.awards:
                reason = f"No longer matches field rule '{name}'"
                if rule_id in change.deleted:
                    reason = f"Field rule '{name}' was deleted"
                del self.rule_points[rule_id]
            elif rule_id not in self.rule_points:
                reason = f"Matches field rule '{name}'"
                self.rule_points[rule_id] = points
            else:
                reason = f"Field rule '{name}' now gives {points} points"
                self.rule_points[rule_id] = points
            self.add(points - held, EntryKind.RULE, reason)

    def state(self) -> ContactState:
        return ContactState(
            self.contact_id,
            self.score,
            self.seq,
            self.occurrences,
            self.rule_points,
            self.stored_seq,
        )


def custom_rule_key(rule: CustomRule, activity: Activity) -> str:
    campaign = hashlib.sha1((activity.campaign_id or "").encode()).hexdigest()[:20]
    return f"rule_{rule.id}_{campaign}"


def workflow_key(workflow_id: str) -> str:
    return f"workflow_{workflow_id}"


def plan(
    state: ContactState,
    changes: Sequence[Change],
    sheet: ScoreSheet,
    now: datetime,
    custom_rules: Sequence[CustomRule] = (),
) -> tuple[list[Entry], ContactState]:
    """Entries for the changes in order, and the state after them."""
    planned = _Plan(state, now)
    for change in changes:
        if isinstance(change, ActivityChange):
            planned.activity(change.activity, sheet, custom_rules)
            for award in change.workflows:
                planned.workflow(award, change.activity)
        elif isinstance(change, ScoreReset):
            planned.reset(change)
        elif isinstance(change, FieldRulesSync):
            planned.field_rules(change)
        elif isinstance(change, Rescore):
            planned.rescore(change)
        elif isinstance(change, WorkflowAward):
            planned.workflow(change)
        else:
            planned.add(
                change.score - planned.score, EntryKind.MANUAL, change.reason, actor=change.actor
            )
    return planned.entries, planned.state()


def replay(state: ContactState, entries: Sequence[Entry]) -> ContactState:
    """The state after entries that followed it (in order); how a stored state catches up with
    entries committed without rewriting the contact (they changed neither score nor rules)."""
    occurrences, rule_points = dict(state.occurrences), dict(state.rule_points)
    score, seq = state.score, state.seq
    for entry in entries:
        if entry.kind is EntryKind.RESET:
            occurrences, rule_points = {}, {}
        if entry.counters_set is not None:
            occurrences = dict(entry.counters_set)
        for key in entry.counted:
            occurrences[key] = occurrences.get(key, 0) + 1
        score, seq = entry.total_after, entry.seq
    return ContactState(state.contact_id, score, seq, occurrences, rule_points, state.stored_seq)
