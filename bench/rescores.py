"""Rescore throughput: contacts with a stored history, a sheet change, then the rescore job."""

import time
from datetime import UTC, datetime

from bson import ObjectId

from api.db.client import Store
from api.db.ledger import entry_to_doc
from api.domain.activities import Activity, ActivityType
from api.domain.changes import ActivityChange
from api.domain.contacts import ContactState, tie_of
from api.domain.sheet import ScoreSheet, SheetEntry
from api.scoring.planner import plan
from api.services.rescore_job import run_rescore
from bench.population import scratch_store

BATCH = 500
KINDS = [ActivityType.OPEN, ActivityType.OPEN, ActivityType.CLICK, ActivityType.OPEN]


async def _histories(store: Store, contacts: int, per_contact: int) -> None:
    """Contacts and their ledgers as activity scoring leaves them (written in bulk: the setup
    is not what is measured)."""
    sheet, now = ScoreSheet(), datetime.now(UTC)
    for start in range(0, contacts, BATCH):
        contact_docs, entry_docs = [], []
        for i in range(start, min(contacts, start + BATCH)):
            contact_id = str(ObjectId())
            changes = [
                ActivityChange(
                    Activity(KINDS[j % len(KINDS)], f"campaign-{j % 7}", None, now, f"{i}-{j}")
                )
                for j in range(per_contact)
            ]
            entries, state = plan(ContactState(contact_id, 0, 0), changes, sheet, now)
            entry_docs += [entry_to_doc(e) for e in entries]
            contact_docs.append(
                {
                    "_id": contact_id,
                    "email": f"rescore{i}@example.com",
                    "score": state.score,
                    "seq": state.seq,
                    "tie": tie_of(contact_id),
                    "occ": state.occurrences,
                    "rules": {},
                    "mailingLists": [],
                    "fields": {},
                    "createdAt": now,
                    "updatedAt": now,
                }
            )
        await store.contacts.collection.insert_many(contact_docs)
        await store.ledger.collection.insert_many(entry_docs)


async def measure_rescore(uri: str, contacts: int, per_contact: int) -> tuple[int, float]:
    """(activities rescored, seconds) after doubling the open points."""
    async with scratch_store(uri, "rescore") as store:
        await _histories(store, contacts, per_contact)
        doubled = {SheetEntry.UNIQUE_OPEN: 20, SheetEntry.MULTIPLE_OPEN: 40}
        await store.sheet.change_score_sheet("bench", doubled)
        record = await store.rescores.start("bench", "benchmark", contacts)
        assert record is not None
        started = time.perf_counter()
        await run_rescore(store, record)
        seconds = time.perf_counter() - started
        done = await store.rescores.get(record.id)
        assert done is not None and done.done == contacts
        assert done.activities == contacts * per_contact
        assert done.affected == contacts
        return done.activities, seconds
