"""The write path's one transaction: new ledger entries and contact states, all stored or none.

A crash or lost connection aborts it, so a retry starts clean. See api.writes for the protocol.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime

from api.db.client import Store
from api.db.faults import StaleState
from api.domain.contacts import ContactState
from api.domain.ledger import Entry


async def store_entries(
    store: Store,
    entries: Sequence[Entry],
    states: Sequence[tuple[ContactState, ContactState]],
    now: datetime,
    moves: Mapping[str | None, Mapping[int, int]],
) -> None:
    """Insert the entries, rewrite these contacts (state before, state after) and record their
    moves between scores in the histogram and in or out of counted views, in one transaction.
    Raises StaleState when another writer got there first, AlreadyRecorded when keyed entries
    were recorded before."""
    async with await store.client.start_session() as session, session.start_transaction():
        await store.ledger.insert(entries, session)
        if states and await store.contacts.store_states(states, now, session) < len(states):
            raise StaleState
        await store.histogram.record(moves, 0, session)
        moved = [(a.contact_id, b.score, a.score) for b, a in states if a.score != b.score]
        if moved:
            await store.view_counts.record_scores(moved, session)
