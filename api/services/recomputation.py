"""Every contact's timeline scored again under given rules, read a chunk of contacts at a time.

Shared by the simulation (which only counts) and the rescore job (which commits): both see the
same recomputation. Contacts are walked in id order with one cursor, and each chunk's timelines are
read by entry id: nothing holds every contact or every entry.
"""

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from api.db.client import Store
from api.domain.contacts import ContactState
from api.domain.ledger import Entry
from api.domain.rules import CustomRule
from api.domain.sheet import ScoreSheet
from api.scoring.planner import replay
from api.scoring.recompute import Recomputed, recompute

CHUNK = 500


@dataclass(frozen=True)
class Recomputation:
    # The contact's scoring state as read, up to date with its ledger-only entries.
    state: ContactState
    result: Recomputed


async def recomputed_chunks(
    store: Store, sheet: ScoreSheet, rules: Sequence[CustomRule], after: str = ""
) -> AsyncIterator[tuple[list[str], list[Recomputation]]]:
    """For each chunk of contacts after the id `after`: their ids, and the recomputation of
    those that have a timeline."""
    async for states in store.contacts.state_batches(after, CHUNK):
        ids = [state.contact_id for state in states]
        yield ids, await _recomputed(store, states, sheet, rules)


async def recompute_contacts(
    store: Store, contact_ids: Sequence[str], sheet: ScoreSheet, rules: Sequence[CustomRule]
) -> list[Recomputation]:
    """The same for these contacts, from their timelines as they are now."""
    return await _recomputed(store, await store.contacts.states(contact_ids), sheet, rules)


async def _recomputed(
    store: Store, states: Sequence[ContactState], sheet: ScoreSheet, rules: Sequence[CustomRule]
) -> list[Recomputation]:
    # Read after the contacts: entries committed since then are in these timelines too.
    timelines = await store.ledger.sequences({s.contact_id: 1 for s in states})
    # Pure CPU work on a chunk: in a worker thread, so that other requests are served meanwhile.
    return await asyncio.to_thread(_replayed, states, timelines, sheet, rules)


def _replayed(
    states: Sequence[ContactState],
    timelines: Mapping[str, Sequence[Entry]],
    sheet: ScoreSheet,
    rules: Sequence[CustomRule],
) -> list[Recomputation]:
    now = datetime.now(UTC)
    recomputations = []
    for stored in states:
        entries = timelines[stored.contact_id]
        if entries:
            state = replay(stored, [e for e in entries if e.seq > stored.seq])
            recomputations.append(Recomputation(state, recompute(entries, sheet, rules, now)))
    return recomputations
