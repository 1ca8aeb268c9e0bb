"""Numbered migrations of databases written by earlier versions, each run once, in order.

The `migrations` collection records them: one document per migration (`_id` its number, `name`,
`appliedAt`). A process claims a migration by inserting its document (the unique `_id` lets one of
several processes starting at once win), runs it, then sets `appliedAt`; the others wait for it.
A claim is renewed while its migration runs and lapses CLAIM_SECONDS after its process died, so a
process that crashed between a migration's work and its record leaves it to the next one, which
runs it again: every migration is idempotent.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from motor.motor_asyncio import AsyncIOMotorCollection, AsyncIOMotorDatabase
from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from api.db.batching import in_batches
from api.db.contact_search import ContactSearch
from api.db.histogram import HistogramRepo
from api.db.ledger import doc_to_entry
from api.domain.contacts import tie_of
from api.domain.ledger import KEYED, EntryKind

Document = dict[str, Any]
Database = AsyncIOMotorDatabase[Document]
Records = AsyncIOMotorCollection[Document]
# Renewed while the migration runs: only a dead process's claim lapses, after this long.
CLAIM_SECONDS = 30
log = logging.getLogger(__name__)
WAIT_SECONDS = 0.2


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    run: Callable[[Database], Awaitable[None]]


async def move_email_index(db: Database) -> None:
    """Contacts from before the email directory: fill it, then drop the unique email index."""
    contacts, emails = db["contacts"], db["contact_emails"]
    if "email_1" not in await contacts.index_information():
        return
    async for doc in contacts.find({}, {"email": 1}):
        await emails.update_one(
            {"_id": doc["email"]}, {"$setOnInsert": {"contactId": doc["_id"]}}, upsert=True
        )
    await contacts.drop_index("email_1")


async def key_activity_entries(db: Database) -> None:
    """Ledgers from before activity entries were keyed by idempotency key: re-key them (an entry
    already copied under its new id, by a run that crashed, is only deleted under its old one)."""
    ledger = db["ledger"]
    old_index = "contactId_1_idempotencyKey_1"
    if old_index in await ledger.index_information():
        await ledger.drop_index(old_index)
    query = {"kind": EntryKind.ACTIVITY.value, "_id": {"$not": {"$regex": KEYED}}}
    async for doc in ledger.find(query):
        entry = doc_to_entry(doc)
        with contextlib.suppress(DuplicateKeyError):
            await ledger.insert_one({**doc, "_id": entry.id})
        await ledger.delete_one({"_id": doc["_id"]})


async def index_contact_search(db: Database) -> None:
    """Contacts from before the search index: write the terms of each (those of a run that
    crashed are already there, and stay)."""
    search = ContactSearch(db)
    names = {"email": 1, "firstName": 1, "lastName": 1}
    async for docs in in_batches(db["contacts"].find({}, names), 1000):
        await search.add_terms(docs)


async def count_scores(db: Database) -> None:
    """Contacts from before the score histogram: count them once (before serving)."""
    await HistogramRepo(db).rebuild()


async def tie_contacts(db: Database) -> None:
    """Contacts from before tie buckets: give each its bucket (a transaction per chunk: one sync
    each), then drop the score indexes without them."""
    contacts = db["contacts"]
    missing = contacts.find({"tie": {"$exists": False}}, {"_id": 1})
    async for docs in in_batches(missing, 1000):
        updates = [UpdateOne({"_id": d["_id"]}, {"$set": {"tie": tie_of(d["_id"])}}) for d in docs]
        async with await db.client.start_session() as session, session.start_transaction():
            await contacts.bulk_write(updates, ordered=False, session=session)
    held = await contacts.index_information()
    for name in ("score_-1__id_-1", "country_1_score_-1__id_-1"):
        if name in held:
            await contacts.drop_index(name)


MIGRATIONS = (
    Migration(1, "contact emails move to the email directory", move_email_index),
    Migration(2, "activity entries keyed by idempotency key", key_activity_entries),
    Migration(3, "contact search index", index_contact_search),
    Migration(4, "score histogram", count_scores),
    Migration(5, "contacts' tie buckets", tie_contacts),
)


async def migrate(db: Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Run the migrations not applied yet, in order; the numbers of those this call ran."""
    ran = []
    for migration in migrations:
        if await _run_once(db, migration):
            ran.append(migration.number)
    return ran


async def applied(db: Database) -> list[Document]:
    """The migrations recorded as applied, in order."""
    query = {"appliedAt": {"$exists": True}}
    return await db["migrations"].find(query).sort("_id", 1).to_list(None)


async def _run_once(db: Database, migration: Migration) -> bool:
    """Run a migration unless it was applied; wait while another process runs it."""
    records = db["migrations"]
    waited = False
    while True:
        record = await records.find_one({"_id": migration.number})
        if record is not None and "appliedAt" in record:
            return False
        claim = await _claim(records, migration, record)
        if claim is not None:
            renewing = asyncio.create_task(_renew(records, migration.number, claim))
            try:
                await migration.run(db)
            finally:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
            await records.update_one(
                {"_id": migration.number, "claimId": claim},
                {
                    "$set": {"appliedAt": datetime.now(UTC)},
                    "$unset": {"claimId": "", "claimedUntil": ""},
                },
            )
            return True
        if not waited:
            log.warning(
                "waiting for migration %s (%s), which another process is running",
                migration.number,
                migration.name,
            )
            waited = True
        await asyncio.sleep(WAIT_SECONDS)


async def _renew(records: Records, number: int, claim: str) -> None:
    """Keep the claim while the migration runs, so that only a dead process's claim lapses."""
    while True:
        await asyncio.sleep(max(CLAIM_SECONDS / 3, 0.1))
        until = datetime.now(UTC) + timedelta(seconds=CLAIM_SECONDS)
        await records.update_one(
            {"_id": number, "claimId": claim}, {"$set": {"claimedUntil": until}}
        )


async def _claim(records: Records, migration: Migration, record: Document | None) -> str | None:
    """Claim a migration for this process: its claim id, or None when another process holds it."""
    claim = uuid.uuid4().hex
    now = datetime.now(UTC)
    until = now + timedelta(seconds=CLAIM_SECONDS)
    if record is None:
        try:
            await records.insert_one(
                {
                    "_id": migration.number,
                    "name": migration.name,
                    "claimId": claim,
                    "claimedUntil": until,
                }
            )
        except DuplicateKeyError:
            return None
        return claim
    lapsed = {
        "_id": migration.number,
        "appliedAt": {"$exists": False},
        "claimedUntil": {"$lt": now},
    }
    taken = await records.update_one(lapsed, {"$set": {"claimId": claim, "claimedUntil": until}})
    return claim if taken.modified_count else None
