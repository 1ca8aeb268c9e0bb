"""The RESET entry of a contact that a reset's walk has not written yet.

From the moment a reset starts, every score of an older generation reads 0, while the walk writes
the RESET entries in the background (api/services/reset_job.py). Until it reaches a contact, that
contact's timeline shows the entry the walk will write (planned from its stored state, with the
same key), so its score is the sum of its timeline at every moment.
"""

from collections.abc import Sequence

from api.db.client import Store
from api.domain.changes import ResetChange
from api.domain.ledger import Entry, EntryKind, reset_key
from api.scoring.planner import plan


async def pending_resets(store: Store, contact_ids: Sequence[str]) -> dict[str, Entry]:
    """The RESET entries these contacts are owed by the reset walking now (none when no reset
    walks), by contact id."""
    current = await store.histogram.generation()
    if not current.walking or current.id is None or not contact_ids:
        return {}
    job = await store.resets.get(current.id)
    if job is None:
        return {}
    key = reset_key(job.id)
    stale = [s for s in await store.contacts.states(contact_ids) if not current.holds(s.stored_gen)]
    if not stale:
        return {}
    done = await store.ledger.keyed([s.contact_id for s in stale], key)
    sheet = await store.sheet.score_sheet()
    change = ResetChange(job.reason, job.actor, key, job.id)
    owed: dict[str, Entry] = {}
    for state in stale:
        if state.contact_id in done:
            continue
        entries, _ = plan(state, [change], sheet, job.started_at)
        resets = [entry for entry in entries if entry.kind is EntryKind.RESET]
        if resets:
            owed[state.contact_id] = resets[-1]
    return owed
