"""The planner's commit protocol: atomic, idempotent, safe under retries and crashes.

One transaction per batch (api.db.transactions) inserts the new ledger entries and updates each
contact's score, sequence number and occurrence counters. (contact, sequence number) is unique in
the ledger, so two writers planning from the same state both claim the same one and one of them
fails: that is the optimistic lock. Either all of it is stored or none of it:
  - a crash or lost connection aborts the transaction, so a retry starts clean;
  - an activity's entry is keyed by its idempotency key (points expired: by the expired entry;
    a reset's: by the reset job),
    so one recorded before collides: the transaction is rolled back, the duplicates are looked up
    and answered with their stored entries;
  - a concurrent writer makes the entry insert collide or conflict: rolled back, re-read and
    retried, up to MAX_ROUNDS times with backoff (over ten seconds: longer than a transaction
    left open by a killed process lives on the embedded server); then CommitContention says to
    try again.
Contact states are cached in the process (the unique sequence numbers validate them), so the hot
path reads nothing from the database.
"""

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from api.db.client import Store
from api.db.faults import AlreadyRecorded, CommitContention, retryable
from api.db.transactions import store_entries
from api.domain.changes import ActivityChange, Change, PointsExpiry, ResetChange
from api.domain.contacts import ContactState
from api.domain.histogram import Generation
from api.domain.ledger import Entry, reset_key
from api.domain.rules import CustomRule
from api.domain.sheet import ScoreSheet
from api.scoring.histogram import score_moves
from api.scoring.planner import plan, replay

Planner = Callable[[ContactState, Sequence[Change]], tuple[list[Entry], ContactState]]
BATCH_ROUNDS = 2
MAX_LEDGER_ONLY = 20
MAX_ROUNDS = 100
MAX_BACKOFF = 0.25
# The RESET change of each reset generation met (they never change).
RESETS: dict[str, ResetChange] = {}


@dataclass
class CommitStats:
    """Counted in the process, for its metrics."""

    retries: int = 0


commit_stats = CommitStats()


@dataclass
class CommitOutcome:
    # New entries per contact, in order.
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    # Entries already recorded for an activity or expiry, by (contact id, idempotency key).
    duplicates: dict[tuple[str, str], Entry] = field(default_factory=dict)
    # Contacts that do not exist.
    missing: set[str] = field(default_factory=set)


def _key(change: Change) -> str | None:
    if isinstance(change, ActivityChange):
        return change.activity.idempotency_key
    return change.key if isinstance(change, PointsExpiry | ResetChange) else None


async def commit(store: Store, changes: dict[str, list[Change]], plan: Planner) -> CommitOutcome:
    outcome = CommitOutcome()
    pending: dict[str, list[Change]] = {}
    for contact_id, items in changes.items():
        seen: set[str] = set()
        for change in items:
            key = _key(change)
            if key is not None and key in seen:
                continue  # the same activity twice in one call is recorded once
            if key is not None:
                seen.add(key)
            pending.setdefault(contact_id, []).append(change)

    left = await _commit_with_retries(store, pending, plan, outcome, BATCH_ROUNDS)
    if left:
        # Contention: go contact by contact, so that one busy contact holds back no other.
        stuck = await asyncio.gather(
            *(
                _commit_with_retries(store, {cid: items}, plan, outcome, MAX_ROUNDS)
                for cid, items in left.items()
            )
        )
        if any(stuck):
            raise CommitContention("a contact kept changing under concurrent writers; try again")
    return outcome


async def _commit_with_retries(
    store: Store,
    pending: dict[str, list[Change]],
    plan: Planner,
    outcome: CommitOutcome,
    rounds: int,
) -> dict[str, list[Change]]:
    """Commit with up to `rounds` optimistic attempts; returns what could not be committed."""
    for round_number in range(rounds):
        if not pending:
            break
        if round_number:
            commit_stats.retries += 1
            cap = min(MAX_BACKOFF, 0.002 * 2 ** min(round_number, 10))
            await asyncio.sleep(random.uniform(0, cap))
        try:
            await _commit_once(store, pending, plan, outcome)
            return {}
        except AlreadyRecorded:
            # A RESET this commit applied may have been written by the reset's walk meanwhile.
            store.state_cache.forget(list(pending))
            pending = await _drop_recorded(store, pending, outcome)
        except Exception as error:
            if not retryable(error):
                raise
            store.state_cache.forget(list(pending))
    return pending


async def _states(
    store: Store, contact_ids: list[str], outcome: CommitOutcome
) -> dict[str, ContactState]:
    cache = store.state_cache
    states = {cid: s for cid in contact_ids if (s := cache.get(cid)) is not None}
    unknown = [cid for cid in contact_ids if cid not in states]
    if unknown:
        stored = await store.contacts.states(unknown)
        # Read after the contacts: entries committed since then are in these tails too.
        tails = await store.ledger.sequences({s.contact_id: s.seq + 1 for s in stored})
        for state in stored:
            state = replay(state, tails[state.contact_id])
            cache.put(state)
            states[state.contact_id] = state
        outcome.missing.update(cid for cid in unknown if cid not in states)
    return states


async def _commit_once(
    store: Store, pending: dict[str, list[Change]], plan: Planner, outcome: CommitOutcome
) -> None:
    current = await store.histogram.generation(fresh=True)
    states = await _states(store, list(pending), outcome)
    now = datetime.now(UTC)
    planned: dict[str, tuple[list[Entry], ContactState]] = {}
    rewrites = []
    for contact_id, items in pending.items():
        if contact_id not in states:
            continue
        before = states[contact_id]
        if not current.holds(before.gen):
            # A reset has not reached this contact yet: its RESET first (keyed: exactly once).
            items = [await _reset_change(store, current), *items]
        entries, after = plan(before, items)
        if not entries:
            continue
        if _must_store(before, after):
            after.mark_stored()
            rewrites.append((before, after))
        planned[contact_id] = (entries, after)
    if not planned:
        return
    entries = [e for contact_entries, _ in planned.values() for e in contact_entries]
    await store_entries(store, entries, rewrites, now, _moves(current, rewrites))
    for contact_id, (entries, after) in planned.items():
        store.state_cache.put(after)
        outcome.entries[contact_id] = entries


def _moves(
    current: Generation, rewrites: list[tuple[ContactState, ContactState]]
) -> dict[str | None, dict[int, int]]:
    """The histogram's moves per generation; a contact an older generation holds is at 0 in
    the current one."""
    pairs: dict[str | None, list[tuple[int, int]]] = {}
    for before, after in rewrites:
        score = before.score if current.holds(before.gen) else 0
        pairs.setdefault(after.gen, []).append((score, after.score))
    return {gen: score_moves(changes) for gen, changes in pairs.items()}


async def _reset_change(store: Store, current: Generation) -> ResetChange:
    assert current.id is not None
    if current.id not in RESETS:
        job = await store.resets.get(current.id)
        reason, actor = (job.reason, job.actor) if job else ("", "")
        RESETS[current.id] = ResetChange(reason, actor, reset_key(current.id), current.id)
    return RESETS[current.id]


def _must_store(before: ContactState, after: ContactState) -> bool:
    """Whether the contact document must be rewritten. Entries that change neither the score nor
    the rule points (a second open, anything while paused) live in the ledger only; a state read
    from the database replays them. A bounded tail keeps that replay short."""
    return (
        after.score != before.score
        or after.gen != after.stored_gen
        or after.rule_points != before.rule_points
        or after.rule_expiry != before.rule_expiry
        or after.seq - after.stored_seq > MAX_LEDGER_ONLY
    )


async def _drop_recorded(
    store: Store, pending: dict[str, list[Change]], outcome: CommitOutcome
) -> dict[str, list[Change]]:
    """Answer activities recorded before with their stored entries; keep the rest pending."""
    keys = {
        cid: [k for k in (_key(c) for c in items) if k is not None]
        for cid, items in pending.items()
    }
    recorded = await store.ledger.by_keys(keys)
    remaining: dict[str, list[Change]] = {}
    for contact_id, items in pending.items():
        for change in items:
            key = _key(change)
            if key is not None and (contact_id, key) in recorded:
                outcome.duplicates[(contact_id, key)] = recorded[(contact_id, key)]
            else:
                remaining.setdefault(contact_id, []).append(change)
    return remaining


def planner_for(sheet: ScoreSheet, custom_rules: Sequence[CustomRule] = ()) -> Planner:
    """Plans with the sheet and rules read once per request, and the time of the commit."""

    def run(state: ContactState, changes: Sequence[Change]) -> tuple[list[Entry], ContactState]:
        return plan(state, changes, sheet, datetime.now(UTC), custom_rules)

    return run
