"""Committing timeline entries to contacts: atomic, idempotent, safe under retries and crashes.

A contact document holds its score, a sequence number (how many entries it has) and a journal:
the entries of its latest commit. A commit is one conditional update of the contact (matched only
if its sequence number is still the one read), which sets the new score, the sequence number and
the journal in a single atomic write; the entries are then copied to the ledger under ids made of
contact id and sequence number. Whoever finds a journal entry missing from the ledger (a crash in
between) copies it before writing anything else for that contact. So concurrent writers never
lose an update (the loser re-reads and re-plans), and an activity is scored once: before planning,
its idempotency key is looked up in the ledger and in the journal.
"""

import asyncio
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne

from api.db.client import Store
from api.db.ledger import doc_to_entry, entry_to_doc
from api.scoring.planner import (
    ActivityChange,
    Change,
    ContactState,
    Entry,
    occurrence_keys,
)

Document = dict[str, Any]
Planner = Callable[[ContactState, Sequence[Change]], tuple[list[Entry], ContactState]]
MAX_ROUNDS = 200


class CommitContention(RuntimeError):
    """A contact kept changing under us for MAX_ROUNDS rounds."""


@dataclass
class CommitOutcome:
    # New entries per contact, in order.
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    # Entries already recorded for an activity, by (contact id, idempotency key).
    duplicates: dict[tuple[str, str], Entry] = field(default_factory=dict)
    # Contacts that do not exist.
    missing: set[str] = field(default_factory=set)


def _key(change: Change) -> str | None:
    return change.activity.idempotency_key if isinstance(change, ActivityChange) else None


async def commit(store: Store, changes: dict[str, list[Change]], plan: Planner) -> CommitOutcome:
    outcome = CommitOutcome()
    pending = {cid: list(items) for cid, items in changes.items() if items}
    repeated: dict[tuple[str, str], int] = {}
    for contact_id, items in pending.items():
        seen: set[str] = set()
        unique_items = []
        for change in items:
            key = _key(change)
            if key is not None and key in seen:
                repeated[(contact_id, key)] = repeated.get((contact_id, key), 0) + 1
                continue
            if key is not None:
                seen.add(key)
            unique_items.append(change)
        pending[contact_id] = unique_items

    for round_number in range(MAX_ROUNDS):
        if not pending:
            break
        if round_number:
            await asyncio.sleep(random.uniform(0, 0.002 * min(round_number, 20)))
        pending = await _commit_round(store, pending, plan, outcome)
    else:
        raise CommitContention(f"{len(pending)} contacts kept changing; try again")

    for contact_id, key in repeated:
        entry = outcome.duplicates.get((contact_id, key)) or next(
            (
                e
                for e in outcome.entries.get(contact_id, [])
                if e.activity and e.activity.idempotency_key == key
            ),
            None,
        )
        if entry is not None:
            outcome.duplicates[(contact_id, key)] = entry
    return outcome


async def _commit_round(
    store: Store, pending: dict[str, list[Change]], plan: Planner, outcome: CommitOutcome
) -> dict[str, list[Change]]:
    """One optimistic attempt for every pending contact; returns those that must try again."""
    keys = set().union(*(occurrence_keys(items) for items in pending.values()))
    projection: Document = {"score": 1, "seq": 1, "journal": 1}
    projection.update({f"occ.{key}": 1 for key in keys})
    docs = await store.contacts.collection.find(
        {"_id": {"$in": list(pending)}}, projection
    ).to_list(None)
    by_id = {doc["_id"]: doc for doc in docs}
    for contact_id in set(pending) - set(by_id):
        outcome.missing.add(contact_id)
        del pending[contact_id]

    # Activity keys already recorded, and journals not yet copied to the ledger.
    journal_ids = [entry["_id"] for doc in docs for entry in doc.get("journal", [])]
    keys_by_contact = {
        cid: {k for k in (_key(c) for c in items) if k is not None}
        for cid, items in pending.items()
    }
    stored = await store.ledger.existing(journal_ids, keys_by_contact)
    stored_ids = {doc["_id"] for doc in stored}
    unflushed = [e for doc in docs for e in doc.get("journal", []) if e["_id"] not in stored_ids]
    await store.ledger.insert_missing(unflushed)
    recorded: dict[tuple[str, str], Document] = {}
    for entry_doc in [*stored, *(e for doc in docs for e in doc.get("journal", []))]:
        if "idempotencyKey" in entry_doc:
            recorded[(entry_doc["contactId"], entry_doc["idempotencyKey"])] = entry_doc

    now = datetime.now(UTC)
    updates = []
    planned: dict[str, list[Entry]] = {}
    tokens: dict[str, str] = {}
    for contact_id, items in pending.items():
        fresh = []
        for change in items:
            key = _key(change)
            if key is not None and (contact_id, key) in recorded:
                outcome.duplicates[(contact_id, key)] = doc_to_entry(recorded[(contact_id, key)])
            else:
                fresh.append(change)
        if not fresh:
            continue
        doc = by_id[contact_id]
        state = ContactState(
            contact_id, int(doc["score"]), int(doc["seq"]), dict(doc.get("occ", {}))
        )
        entries, after = plan(state, fresh)
        planned[contact_id] = entries
        token = uuid.uuid4().hex
        tokens[contact_id] = token
        changes: Document = {
            "score": after.score,
            "seq": after.seq,
            "journal": [{**entry_to_doc(e), "commit": token} for e in entries],
            "updatedAt": now,
        }
        for key, count in after.occurrences.items():
            if state.occurrences.get(key) != count:
                changes[f"occ.{key}"] = count
        updates.append(UpdateOne({"_id": contact_id, "seq": state.seq}, {"$set": changes}))

    retry: dict[str, list[Change]] = {}
    if updates:
        result = await store.contacts.collection.bulk_write(updates, ordered=False)
        if result.matched_count < len(updates):
            applied = await _applied(store, planned, tokens)
            retry = {cid: pending[cid] for cid in planned if cid not in applied}
    committed = [
        {**entry_to_doc(e), "commit": tokens[cid]}
        for cid, entries in planned.items()
        if cid not in retry
        for e in entries
    ]
    await store.ledger.insert_missing(committed)
    for contact_id, entries in planned.items():
        if contact_id not in retry:
            outcome.entries.setdefault(contact_id, []).extend(entries)
    return retry


async def _applied(
    store: Store, planned: dict[str, list[Entry]], tokens: dict[str, str]
) -> set[str]:
    """Contacts whose conditional update won. A commit is found in the contact's journal or, once a
    later commit replaced that journal, in the ledger (copied there before the replacement): so the
    journals are read first."""
    first_ids = {entries[0].id: cid for cid, entries in planned.items()}
    docs = await store.contacts.collection.find(
        {"_id": {"$in": list(planned)}}, {"journal": 1}
    ).to_list(None)
    found = {(e["_id"], e.get("commit")) for doc in docs for e in doc.get("journal", [])}
    stored = store.ledger.collection.find({"_id": {"$in": list(first_ids)}}, {"commit": 1})
    found.update([(doc["_id"], doc.get("commit")) async for doc in stored])
    return {cid for first_id, cid in first_ids.items() if (first_id, tokens[cid]) in found}


async def flush_journal(store: Store, contact_id: str) -> None:
    """Copy a contact's latest commit to the ledger if a crash left it only in the journal."""
    doc = await store.contacts.collection.find_one({"_id": contact_id}, {"journal": 1})
    journal = doc.get("journal", []) if doc else []
    if not journal:
        return
    stored = await store.ledger.existing([e["_id"] for e in journal], {})
    stored_ids = {d["_id"] for d in stored}
    await store.ledger.insert_missing([e for e in journal if e["_id"] not in stored_ids])
