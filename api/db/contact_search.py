"""The contact search index (`contact_search`): one document per (contact, term), written only
when a contact's email or names change, so score updates never rewrite it.

A contact's terms are the lowercased email and full name ("first last") from each word on: for
"ada.lovelace@example.com" and "Ada Lovelace", "ada.lovelace@example.com", "lovelace@example.com",
"example.com", "com" and "ada lovelace" ("lovelace" and "ada" start other terms of the contact:
they would match nothing more). A search text matches the contacts with a term
that starts with it, read as one range of the term index, never a scan of the contacts.

The embedded server reads a whole index range before applying a limit, so a range is read only
when it is known to be short: first one bucket of the index (a 1/BUCKETS sample, by a hash of the
contact id), and only if that sample predicts at most about twice MAX_MATCHES contacts, the range.
"""

import zlib
from collections.abc import Iterable
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClientSession, AsyncIOMotorDatabase
from pymongo import ASCENDING, DeleteMany, ReplaceOne
from pymongo.errors import BulkWriteError

Document = dict[str, Any]
BUCKETS = 64
# Each match costs about 0.1 ms to read its contact on the embedded server (0.2 ms under load):
# the bound that keeps a search within 300 ms.
MAX_MATCHES = 1_000
# A search is at most this long (graphql_schema/contacts/queries.py), so longer terms are cut.
MAX_TERM = 100
DUPLICATE_KEY = 11000


class SearchTooBroad(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text
        self.limit = MAX_MATCHES


def normalize(text: str) -> str:
    """Lowercased, with runs of whitespace as one space and none around."""
    return " ".join(text.lower().split())


def search_text(text: str) -> str:
    """What a search looks for: normalized, from its first letter or digit ("@example.com" looks
    for "example.com"; "--" for nothing)."""
    text = normalize(text)
    start = next((i for i, ch in enumerate(text) if ch.isalnum()), len(text))
    return text[start:MAX_TERM]


def terms(email: str, first_name: str | None, last_name: str | None) -> set[str]:
    name = " ".join(part for part in (first_name, last_name) if part)
    found: set[str] = set()
    for value in filter(None, (normalize(email), normalize(name))):
        # The whole value, and from each word on.
        starts = [i for i in range(1, len(value)) if _word_starts(value, i)]
        found |= {value[i:][:MAX_TERM] for i in [0, *starts]}
    return {t for t in found if not any(o != t and o.startswith(t) for o in found)}


def _word_starts(value: str, i: int) -> bool:
    return value[i].isalnum() and not value[i - 1].isalnum()


def doc_terms(doc: Document | None) -> set[str]:
    """The terms of a contact document (none for no document)."""
    if doc is None:
        return set()
    return terms(doc["email"], doc.get("firstName"), doc.get("lastName"))


def bucket(contact_id: str) -> int:
    return zlib.crc32(contact_id.encode()) % BUCKETS


def _rewrite(contact_id: str, new_terms: Iterable[str]) -> list[DeleteMany | ReplaceOne[Document]]:
    """The writes that make the index hold exactly these terms for a contact (idempotent)."""
    kept = sorted(new_terms)
    own = {"$gte": f"{contact_id} ", "$lt": f"{contact_id}!"}  # every "<id> <term>"
    writes: list[DeleteMany | ReplaceOne[Document]] = [
        DeleteMany({"_id": own, "term": {"$nin": kept}})
    ]
    for term in kept:
        doc = _term_doc(contact_id, term)
        writes.append(ReplaceOne({"_id": doc["_id"]}, doc, upsert=True))
    return writes


def _term_doc(contact_id: str, term: str) -> Document:
    return {
        "_id": f"{contact_id} {term}",
        "term": term,
        "contactId": contact_id,
        "bucket": bucket(contact_id),
    }


def _after_prefix(text: str) -> str | None:
    """The least string greater than every string starting with `text` (None: no such string)."""
    while text:
        code = ord(text[-1]) + 1
        code = 0xE000 if 0xD800 <= code < 0xE000 else code  # surrogates are not valid UTF-8
        if code <= 0x10FFFF:
            return text[:-1] + chr(code)
        text = text[:-1]
    return None


class ContactSearch:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.collection = db["contact_search"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("term", ASCENDING)])
        await self.collection.create_index([("bucket", ASCENDING), ("term", ASCENDING)])

    async def reindex(
        self,
        contact_id: str,
        before: Document | None,
        after: Document,
        session: AsyncIOMotorClientSession | None = None,
    ) -> None:
        """Make the index match a contact's new email and names (nothing to do if unchanged)."""
        new_terms = doc_terms(after)
        if before is None or doc_terms(before) != new_terms:
            await self.collection.bulk_write(_rewrite(contact_id, new_terms), session=session)

    async def add_terms(self, docs: list[Document]) -> None:
        """Index contacts that were written without their terms (terms already there stay)."""
        rows = [_term_doc(doc["_id"], term) for doc in docs for term in doc_terms(doc)]
        try:
            if rows:
                await self.collection.insert_many(rows, ordered=False)
        except BulkWriteError as error:
            if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise

    async def matching(self, text: str) -> set[str]:
        """The ids of the contacts with a term starting with `text` (a `search_text`).
        Raises SearchTooBroad when more than MAX_MATCHES contacts match."""
        if not text:
            return set()
        upper = _after_prefix(text)
        bounds = {"$gte": text} | ({"$lt": upper} if upper else {})
        sample = await self._contact_ids({"bucket": 0, "term": bounds})
        # Twice the cap: a sample near it says little, the exact count below decides.
        if len(sample) * BUCKETS > 2 * MAX_MATCHES:
            raise SearchTooBroad(text)
        found = await self._contact_ids({"term": bounds})
        if len(found) > MAX_MATCHES:
            raise SearchTooBroad(text)
        return found

    async def _contact_ids(self, query: Document) -> set[str]:
        docs = await self.collection.find(query, {"contactId": 1, "_id": 0}).to_list(None)
        return {doc["contactId"] for doc in docs}
