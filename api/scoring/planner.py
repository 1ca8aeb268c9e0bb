"""Turns changes for one contact into timeline entries, given the contact's current state.

Pure: the MongoDB layer reads the state, calls `plan` and commits the result atomically.
"""

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from api.domain.activities import Activity
from api.domain.changes import (
    ActivityChange,
    Change,
    FieldRulesSync,
    PointsExpiry,
    Rescore,
    ResetChange,
)
from api.domain.contacts import EXPIRED, ContactState
from api.domain.ledger import Entry, EntryKind, reset_generation
from api.domain.rules import CustomRule
from api.domain.sheet import ScoreSheet, SheetEntry
from api.domain.workflows import WorkflowAward
from api.scoring.activities import award, occurrence_key
from api.scoring.expiry import expiry_reason, expiry_time


class _Plan:
    """Entries accumulated for one contact, with its running state."""

    def __init__(self, state: ContactState, now: datetime) -> None:
        self.contact_id = state.contact_id
        self.score, self.seq = state.score, state.seq
        self.occurrences = dict(state.occurrences)
        self.rule_points = dict(state.rule_points)
        self.stored_seq = state.stored_seq
        self.reset_seq = state.reset_seq
        self.rule_expiry = dict(state.rule_expiry)
        self.gen = state.gen
        self.stored_gen = state.stored_gen
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
        expires_at: datetime | None = None,
        key: str | None = None,
        field_rule_id: str | None = None,
        earned: datetime | None = None,
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
                expires_at if points else None,
                key,
                field_rule_id,
                earned,
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
        days = sheet.expires_after(earned.sheet_entry) if earned.sheet_entry else None
        self.add(
            earned.points,
            EntryKind.ACTIVITY,
            earned.reason,
            activity,
            earned.sheet_entry,
            counted=tuple(counted),
            paused=not sheet.enabled,
            expires_at=expiry_time(activity.occurred_at, days),
            key=activity.idempotency_key,
        )
        for rule in fired:
            self.add(
                rule.points,
                EntryKind.RULE,
                f"Custom rule '{rule.name}'",
                activity,
                expires_at=expiry_time(activity.occurred_at, rule.expires_after_days),
            )

    def workflow(self, award: WorkflowAward, activity: Activity | None = None) -> None:
        key = workflow_key(award.workflow_id)
        if self.occurrences.get(key):
            return  # a contact goes through a workflow once
        self.count(key)
        self.add(award.points, EntryKind.WORKFLOW, award.reason, activity, counted=(key,))

    def reset(self, change: ResetChange) -> None:
        if change.generation is not None:
            if self.gen is not None and self.gen >= change.generation:
                # Applied already (a contact with nothing to reset moves without an entry):
                # everything since counts in this generation.
                return
            self.gen = change.generation
        # A contact with entries since its last reset gets one even at 0 points: it marks that
        # the points earned before it can no longer expire.
        untouched = self.score == 0 and not self.occurrences and not self.rule_points
        if untouched and self.seq == self.reset_seq:
            return
        self.occurrences, self.rule_points, self.rule_expiry = {}, {}, {}
        reason = f"Scores reset: {change.reason}"
        self.add(-self.score, EntryKind.RESET, reason, actor=change.actor, key=change.key)
        self.reset_seq = self.seq

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
            # Unchanged, or expired: expired points come back only when the contact stops
            # matching and comes to match again.
            unchanged = points == held or self.rule_expiry.get(rule_id) == EXPIRED
            if rule_id in change.awards and rule_id in self.rule_points and unchanged:
                continue
            expires_at = None
            if rule_id not in change.awards:
                reason = f"No longer matches field rule '{name}'"
                if rule_id in change.deleted:
                    reason = f"Field rule '{name}' was deleted"
                del self.rule_points[rule_id]
                self.rule_expiry.pop(rule_id, None)
            elif rule_id not in self.rule_points:
                reason = f"Matches field rule '{name}'"
                self.rule_points[rule_id] = points
                expires_at = expiry_time(self.now, change.expiry.get(rule_id)) if points else None
            else:
                # The award keeps its expiry time: then all the rule holds expires.
                reason = f"Field rule '{name}' now gives {points} points"
                self.rule_points[rule_id] = points
            self.add(
                points - held,
                EntryKind.RULE,
                reason,
                expires_at=expires_at,
                field_rule_id=rule_id,
            )
            if expires_at is not None:
                self.rule_expiry[rule_id] = self.seq

    def expire(self, change: PointsExpiry) -> None:
        expired = change.expired
        if expired.expires_at is None or expired.seq <= self.reset_seq:
            return  # a reset took these points already
        points = expired.points
        rule_id = expired.field_rule_id
        if rule_id is not None:
            if self.rule_expiry.get(rule_id) != expired.seq:
                return  # taken back since: the contact stopped matching, or a reset
            points = self.rule_points[rule_id]
            self.rule_points[rule_id] = 0
            self.rule_expiry[rule_id] = EXPIRED
        self.add(
            -points,
            EntryKind.EXPIRY,
            expiry_reason(points, expired.reason, expired.earned_at, expired.expires_at),
            expired.activity,
            expired.sheet_entry,
            key=change.key,
            field_rule_id=rule_id,
            earned=expired.earned_at,
        )

    def state(self) -> ContactState:
        return ContactState(
            self.contact_id,
            self.score,
            self.seq,
            self.occurrences,
            self.rule_points,
            self.stored_seq,
            self.reset_seq,
            self.rule_expiry,
            self.gen,
            self.stored_gen,
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
        elif isinstance(change, ResetChange):
            planned.reset(change)
        elif isinstance(change, FieldRulesSync):
            planned.field_rules(change)
        elif isinstance(change, Rescore):
            planned.rescore(change)
        elif isinstance(change, WorkflowAward):
            planned.workflow(change)
        elif isinstance(change, PointsExpiry):
            planned.expire(change)
        else:
            planned.add(
                change.score - planned.score, EntryKind.MANUAL, change.reason, actor=change.actor
            )
    return planned.entries, planned.state()


def replay(state: ContactState, entries: Sequence[Entry]) -> ContactState:
    """The state after entries that followed it (in order); how a stored state catches up with
    entries committed without rewriting the contact (they changed neither score nor rules)."""
    occurrences, rule_points = dict(state.occurrences), dict(state.rule_points)
    rule_expiry, reset_seq = dict(state.rule_expiry), state.reset_seq
    score, seq, gen = state.score, state.seq, state.gen
    for entry in entries:
        if entry.kind is EntryKind.RESET:
            occurrences, rule_points, rule_expiry = {}, {}, {}
            reset_seq = entry.seq
            gen = reset_generation(entry.key) or gen
        if entry.counters_set is not None:
            occurrences = dict(entry.counters_set)
        for key in entry.counted:
            occurrences[key] = occurrences.get(key, 0) + 1
        score, seq = entry.total_after, entry.seq
    return ContactState(
        state.contact_id,
        score,
        seq,
        occurrences,
        rule_points,
        state.stored_seq,
        reset_seq,
        rule_expiry,
        gen,
        state.stored_gen,
    )
