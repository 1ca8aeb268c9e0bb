"""Views' reports (total, per mailing list, per country) kept exact on write.

`view_counts` holds one document per counted view: the definition counted, the build that counts
it, whether that build is done, and the folded counts. Every transaction that moves a contact in
or out of a counted view (a score crossing its range, a profile edit, a new contact) inserts a
delta in `view_count_deltas` in that same transaction; a leased fold adds them into the counts.

A build counts the contacts that exist: it walks them in _id order, a chunk per transaction, and
marks each contact it counted (`vm`: the build's id) in that transaction. Writers keep a building
view's counts only for marked contacts (the build counts the others when it gets to them), so a
contact is counted once: its writer and the build both write its document, and of two such
transactions that overlap one fails and is retried. A build is done when no contact is unmarked
(contacts inserted behind its cursor are counted by another walk). Writers learn the counted
views from `view_builds` (a version, bumped when a build starts, ends or a view is dropped),
read in their own transaction, so none keeps counting a definition nobody reads any more.

Counts hold for the reset generation their build started in (`gen`), and are read only while it
is in force and its reset has reached every contact: a reset makes every score read 0 at once,
without a write, and its walk rewrites contacts without deltas. After the walk, the views are
built again; meanwhile their reports are counted on read.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from motor.motor_asyncio import AsyncIOMotorClientSession, AsyncIOMotorDatabase
from pymongo import UpdateOne

from api.db.batching import CHUNK
from api.db.contact_docs import PUBLIC_FIELDS, record
from api.db.histogram import GENERATION, generation_of
from api.db.views import doc_to_view, view_to_doc
from api.domain.histogram import Generation
from api.domain.views import CountedView, ScoreView, ViewReport
from api.scoring.view_counts import Seen, crosses, report_moves
from api.scoring.views import ReportCounter

Document = dict[str, Any]
CURRENT = "current"
FOLD_BATCH = 2000
MARKED = {**PUBLIC_FIELDS, "vm": 1}


def definition(view: ScoreView) -> Document:
    """What decides a view's members: its document without the name."""
    doc = view_to_doc(view)
    del doc["name"]
    return doc


def seen(doc: Document | None) -> Seen:
    if doc is None:
        return None
    contact = record(doc)
    return contact.score, contact.profile()


def _pairs(counts: Mapping[str, int]) -> list[list[Any]]:
    """Names as values, not keys: mailing lists and countries may hold dots and dollars."""
    return [[name, n] for name, n in sorted(counts.items())]


class ViewCountsRepo:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.counts = db["view_counts"]
        self.deltas = db["view_count_deltas"]
        self.builds = db["view_builds"]
        self.contacts = db["contacts"]
        self.totals = db["score_totals"]
        # The counted views as of a version of `view_builds`: re-read when it changes.
        self.cache: tuple[int, list[CountedView]] = (-1, [])

    async def ensure_indexes(self) -> None:
        await self.deltas.create_index("view")

    async def counted(
        self, session: AsyncIOMotorClientSession
    ) -> tuple[list[CountedView], str | None]:
        """Inside a writer's transaction: the views counted and the build running (if any)."""
        state = await self.builds.find_one({"_id": CURRENT}, session=session) or {}
        version = int(state.get("version", 0))
        if self.cache[0] != version:
            docs = await self.counts.find({}, session=session).to_list(None)
            self.cache = (version, [_counted(doc) for doc in docs])
        return self.cache[1], state.get("build")

    async def record(
        self,
        views: Sequence[CountedView],
        before: Seen,
        after: Seen,
        marker: str | None,
        session: AsyncIOMotorClientSession,
    ) -> None:
        """Inside the writer's transaction: a contact went from `before` to `after`."""
        await self._insert(views, report_moves(views, before, after, marker), session)

    async def record_scores(
        self, moved: Sequence[tuple[str, int, int]], session: AsyncIOMotorClientSession
    ) -> None:
        """Inside the commit's transaction: contacts (id, score before, score after) whose score
        changed. Their profiles are read only when a score crosses a counted view's range."""
        views, _ = await self.counted(session)
        crossing = {cid: (b, a) for cid, b, a in moved if crosses(views, b, a)}
        if not crossing:
            return
        ids = sorted(crossing)
        docs = []
        for start in range(0, len(ids), CHUNK):  # long `$in` lists are slow on some servers
            query = {"_id": {"$in": ids[start : start + CHUNK]}}
            docs += await self.contacts.find(query, MARKED, session=session).to_list(None)
        moves: dict[str, ReportCounter] = {}
        for doc in docs:
            score_before, score_after = crossing[doc["_id"]]
            profile = record(doc).profile()
            before, after = (score_before, profile), (score_after, profile)
            for view_id, counter in report_moves(views, before, after, doc.get("vm")).items():
                _sum(moves, view_id, counter)
        await self._insert(views, moves, session)

    async def _insert(
        self,
        views: Sequence[CountedView],
        moves: Mapping[str, ReportCounter],
        session: AsyncIOMotorClientSession,
    ) -> None:
        builds = {v.view.id: v.build for v in views}
        docs = [
            {
                "view": view_id,
                "build": builds[view_id],
                "total": counter.total,
                "lists": _pairs(counter.lists),
                "countries": _pairs(counter.countries),
            }
            for view_id, counter in moves.items()
        ]
        if docs:
            await self.deltas.insert_many(docs, session=session)

    async def read(self, view: ScoreView) -> ViewReport | None:
        """The view's report, exact as of one moment; None while its counts are not built for
        its definition (being built, or edited since)."""
        client = self.counts.database.client
        async with await client.start_session() as session, session.start_transaction():
            doc = await self.counts.find_one({"_id": view.id}, session=session)
            if doc is None or not doc["done"] or doc["definition"] != definition(view):
                return None
            current = await self.generation(session)
            if current.walking or doc.get("gen") != current.id:
                return None
            query = {"view": view.id, "build": doc["build"]}
            deltas = await self.deltas.find(query, session=session).to_list(None)
        counter = ReportCounter()
        for part in [doc, *deltas]:
            counter.merge(part["total"], part["lists"], part["countries"])
        return counter.report()

    async def fold(self, batch: int = FOLD_BATCH) -> int:
        """Fold the oldest deltas into the counts (those of builds replaced or views dropped are
        only deleted); how many. Read and delete see one snapshot, as the histogram's fold."""
        client = self.counts.database.client
        async with await client.start_session() as session, session.start_transaction():
            oldest = self.deltas.find({}, session=session).sort("_id", 1).limit(batch)
            deltas = await oldest.to_list(None)
            if not deltas:
                return 0
            ids = sorted({d["view"] for d in deltas})
            query = {"_id": {"$in": ids}}
            for doc in await self.counts.find(query, session=session).to_list(None):
                counter = ReportCounter()
                mine = [d for d in deltas if d["view"] == doc["_id"] and d["build"] == doc["build"]]
                for part in [doc, *mine]:
                    counter.merge(part["total"], part["lists"], part["countries"])
                if mine:
                    update = {
                        "total": counter.total,
                        "lists": _pairs(counter.lists),
                        "countries": _pairs(counter.countries),
                    }
                    await self.counts.update_one(
                        {"_id": doc["_id"]}, {"$set": update}, session=session
                    )
            await self.deltas.delete_many({"_id": {"$lte": deltas[-1]["_id"]}}, session=session)
        return len(deltas)

    async def generation(self, session: AsyncIOMotorClientSession | None = None) -> Generation:
        """The reset generation in force, read now (in the session's snapshot if given)."""
        doc = await self.totals.find_one({"_id": GENERATION}, session=session)
        return generation_of(doc)

    async def state(self) -> tuple[str | None, str, dict[str, Document]]:
        """The build running and its cursor, and per view id what was counted: its definition
        and the reset generation it was counted in."""
        state = await self.builds.find_one({"_id": CURRENT}) or {}
        stored = {
            doc["_id"]: {"definition": doc["definition"], "gen": doc.get("gen")}
            async for doc in self.counts.find({})
        }
        return state.get("build"), str(state.get("cursor", "")), stored

    async def start(self, views: Sequence[ScoreView]) -> str | None:
        """Start a build of these views' counts (from zero); its id, or None when one runs."""
        build = str(ObjectId())
        client = self.counts.database.client
        async with await client.start_session() as session, session.start_transaction():
            state = await self.builds.find_one({"_id": CURRENT}, session=session) or {}
            current = await self.generation(session)
            if state.get("build") or current.walking:
                return None
            for view in views:
                doc = {
                    "definition": definition(view),
                    "gen": current.id,
                    "build": build,
                    "done": False,
                }
                zero = {"total": 0, "lists": [], "countries": []}
                await self.counts.replace_one(
                    {"_id": view.id}, doc | zero, upsert=True, session=session
                )
            started = datetime.now(UTC)
            await self._bump({"build": build, "cursor": "", "startedAt": started}, session)
        return build

    async def started_at(self, build: str) -> datetime | None:
        """When this build started (None: it is not the one running)."""
        state = await self.builds.find_one({"_id": CURRENT, "build": build})
        found = state.get("startedAt") if state else None
        return found.replace(tzinfo=UTC) if isinstance(found, datetime) else None

    async def walk(self, build: str, ids: Sequence[str]) -> bool:
        """Count the contacts of `ids` (the next of the walk) that the build has not counted
        yet, and mark them; False when the build ended meanwhile."""
        client = self.counts.database.client
        async with await client.start_session() as session, session.start_transaction():
            state = await self.builds.find_one({"_id": CURRENT}, session=session) or {}
            if state.get("build") != build:
                return False
            query = {"build": build, "done": False}
            building = await self.counts.find(query, session=session).to_list(None)
            views = [_counted(doc) for doc in building]
            # Each by key (a range or a long `$in` reads far more on the embedded server).
            join = {"from": "contacts", "localField": "_id", "foreignField": "_id", "as": "c"}
            stages: list[Document] = [
                {"$documents": [{"_id": cid} for cid in ids]},
                {"$lookup": join},
                {"$unwind": "$c"},
                {"$replaceRoot": {"newRoot": "$c"}},
                {"$project": MARKED},
            ]
            db = self.contacts.database
            docs = await db.aggregate(stages, session=session).to_list(None)
            fresh = [doc for doc in docs if doc.get("vm") != build]
            moves: dict[str, ReportCounter] = {}
            for doc in fresh:
                for view_id, counter in report_moves(views, None, seen(doc), build).items():
                    _sum(moves, view_id, counter)
            if fresh:
                mark = {"$set": {"vm": build}}
                marking = [UpdateOne({"_id": doc["_id"]}, mark) for doc in fresh]
                await self.contacts.bulk_write(marking, ordered=False, session=session)
            await self._insert(views, moves, session)
            await self.builds.update_one(
                {"_id": CURRENT, "build": build}, {"$set": {"cursor": ids[-1]}}, session=session
            )
        return True

    async def finish(self, build: str) -> bool:
        """Mark the build's views done if every contact is counted (True); else walk again from
        the start (contacts inserted behind the cursor by writers that did not see the build)."""
        client = self.counts.database.client
        async with await client.start_session() as session, session.start_transaction():
            state = await self.builds.find_one({"_id": CURRENT}, session=session) or {}
            if state.get("build") != build:
                return True  # finished (or replaced) by another process
            unmarked = {"vm": {"$ne": build}}
            if await self.contacts.find_one(unmarked, {"_id": 1}, session=session):
                await self.builds.update_one(
                    {"_id": CURRENT, "build": build}, {"$set": {"cursor": ""}}, session=session
                )
                return False
            marked = {"build": build}
            await self.counts.update_many(marked, {"$set": {"done": True}}, session=session)
            await self._bump({"build": None, "cursor": ""}, session)
        return True

    async def drop(self, view_ids: Sequence[str]) -> None:
        """Forget these views' counts (deleted views, or no longer counted); their deltas go with
        the next fold."""
        client = self.counts.database.client
        async with await client.start_session() as session, session.start_transaction():
            query = {"_id": {"$in": sorted(view_ids)}}
            await self.counts.delete_many(query, session=session)
            await self._bump({}, session)

    async def _bump(self, changes: Document, session: AsyncIOMotorClientSession) -> None:
        update: Document = {"$inc": {"version": 1}}
        if changes:
            update["$set"] = changes
        await self.builds.update_one({"_id": CURRENT}, update, upsert=True, session=session)


def _counted(doc: Document) -> CountedView:
    view = doc_to_view({"_id": doc["_id"], "name": "", **doc["definition"]})
    return CountedView(view, doc["build"], bool(doc["done"]))


def _sum(moves: dict[str, ReportCounter], view_id: str, counter: ReportCounter) -> None:
    total = moves.setdefault(view_id, ReportCounter())
    total.merge(counter.total, counter.lists.items(), counter.countries.items())
