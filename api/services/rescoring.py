"""Every contact's timeline scored again under given rules, read a chunk of contacts at a time.

Shared by the simulation (which only counts) and the rescore job (which commits): both see the
same recomputation. Contacts are walked in id order with one cursor, and each chunk's timelines
with one ledger cursor in _id order, one contact at a time: nothing holds every contact or entry.
"""

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

from api.db.client import Store
from api.scoring.rescoring import Recomputed, recompute
from api.scoring.rules import CustomRule
from api.scoring.sheet import ScoreSheet

CHUNK = 500


async def recomputed_chunks(
    store: Store,
    sheet: ScoreSheet,
    rules: Sequence[CustomRule],
    after: str = "",
) -> AsyncIterator[tuple[list[str], list[Recomputed]]]:
    """For each chunk of contacts after the id `after`: their ids, and the recomputation of
    those that have a timeline."""
    async for ids in store.contacts.id_batches(after, CHUNK):
        now = datetime.now(UTC)
        results = [
            recompute(entries, sheet, rules, now)
            async for entries in store.ledger.histories(ids[0], ids[-1])
        ]
        yield ids, results


async def recompute_contact(
    store: Store, contact_id: str, sheet: ScoreSheet, rules: Sequence[CustomRule]
) -> Recomputed | None:
    """One contact's recomputation from its timeline as it is now (None: no timeline)."""
    entries = await store.ledger.after(contact_id, 0)
    return recompute(entries, sheet, rules, datetime.now(UTC)) if entries else None
