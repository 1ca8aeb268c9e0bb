"""The score histogram, kept exact on write without a hot counter document.

Every transaction that changes scores (or creates a contact) inserts one delta document in
`score_deltas`: the contacts it moved between scores, and how many it created. Inserts never
conflict, so writers do not wait on each other. A leased periodic fold (`fold`) adds deltas into
`score_totals` and deletes them in one transaction; a reader reads the totals and the deltas not
folded yet in one transaction (one snapshot), so it counts every delta exactly once.

Scores count per reset generation (the id of the reset that started it, None before any): every
contact is at 0 at the start of a generation, so `score_totals` holds the population (contacts
ever created) once, and per generation the net moves since its start.
"""

import contextlib
import time
from collections.abc import Mapping
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClientSession, AsyncIOMotorDatabase
from pymongo.errors import DuplicateKeyError

from api.domain.histogram import Generation, ScoreHistogram
from api.observability.current import current

Document = dict[str, Any]
POPULATION = "population"
GENERATION = "generation"
# An HTTP request reads the generation once (api/observability/current.py); other reads take it
# from the process for this long (writes read it afresh): every process sees a reset well within
# a second.
GENERATION_FRESH_FOR = 0.25
FOLD_BATCH = 2000
# Starts of a generation that lose a race with another start before giving way to it.
START_ATTEMPTS = 5
READ_BATCH = 10_000


def _moves_id(gen: str | None) -> str:
    return f"moves:{gen or ''}"


def generation_of(doc: Document | None) -> Generation:
    """The generation a `score_totals` generation document holds (none: before any reset)."""
    if not doc:
        return Generation()
    older = doc.get("older")
    known = tuple(older) if isinstance(older, list) else None
    return Generation(doc["id"], bool(doc.get("walking")), known)


class HistogramRepo:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.deltas = db["score_deltas"]
        self.totals = db["score_totals"]
        self.contacts = db["contacts"]
        self.known: tuple[float, Generation] | None = None

    async def ensure_indexes(self) -> None:
        """Only _id reads and ranges: nothing to create."""

    async def generation(self, fresh: bool = False) -> Generation:
        """The reset generation in force; `fresh`: read now rather than a moment ago."""
        memo = _request_memo()
        if not fresh and memo is not None:
            held = memo.get(GENERATION)
            if isinstance(held, Generation):
                return held
        elif not fresh and self.known is not None and self._recent(self.known[0]):
            return self.known[1]
        return self._remember(await self.totals.find_one({"_id": GENERATION}))

    @staticmethod
    def _recent(read_at: float) -> bool:
        return time.monotonic() - read_at <= GENERATION_FRESH_FOR

    def _remember(self, doc: Document | None) -> Generation:
        """The generation a document read just now holds, kept for the reads that follow."""
        found = generation_of(doc)
        self.known = (time.monotonic(), found)
        memo = _request_memo()
        if memo is not None:
            memo[GENERATION] = found
        return found

    async def start_generation(self, gen: str) -> None:
        """A reset starts generation `gen` (unless it or a later one started already). It notes
        the older generations that contacts may hold until its walk ends: the one before it, and
        those that one's unfinished walk still had (none after a finished walk)."""
        for _ in range(START_ATTEMPTS):
            doc = await self.totals.find_one({"_id": GENERATION})
            previous = doc["id"] if doc else None
            if previous is not None and previous >= gen:
                break
            older: list[str | None] | None = [previous]
            if doc and doc.get("walking"):
                held = doc.get("older")
                older = (
                    None
                    if not isinstance(held, list)
                    else sorted(set(held) | {previous}, key=lambda g: g or "")
                )
            fields = {"id": gen, "walking": True, "older": older}
            if doc is None:
                with contextlib.suppress(DuplicateKeyError):  # another start came first
                    await self.totals.insert_one({"_id": GENERATION, **fields})
                    break
            elif (
                await self.totals.update_one({"_id": GENERATION, "id": previous}, {"$set": fields})
            ).matched_count:
                break
        await self.generation(fresh=True)

    async def walked(self, gen: str) -> None:
        """Every contact holds generation `gen` (or a later one) now."""
        await self.totals.update_one({"_id": GENERATION, "id": gen}, {"$set": {"walking": False}})
        await self.generation(fresh=True)

    async def record(
        self,
        moves: Mapping[str | None, Mapping[int, int]],
        born: int,
        session: AsyncIOMotorClientSession,
    ) -> None:
        """Inside the writer's transaction: its moves between scores, per generation, and the
        contacts it created."""
        deltas = [
            {"gen": gen, "moves": {str(score): n for score, n in scores.items()}, "born": 0}
            for gen, scores in moves.items()
            if scores
        ]
        if born:
            deltas.append({"gen": None, "moves": {}, "born": born})
        if deltas:
            await self.deltas.insert_many(deltas, session=session)

    async def read(self) -> ScoreHistogram:
        """The histogram of the generation in force, exact as of one moment. The generation is
        read with it (every generation's totals are: one document each), unless the request read
        it already."""
        memo = _request_memo()
        held = memo.get(GENERATION) if memo is not None else None
        client = self.deltas.database.client
        async with await client.start_session() as session, session.start_transaction():
            found = await self.totals.find({}, session=session).to_list(None)
            # One batch: the deltas of a second of writes (the fold takes them every second).
            unfolded = self.deltas.find({}, session=session).batch_size(READ_BATCH)
            deltas = await unfolded.to_list(None)
        totals = {doc["_id"]: doc for doc in found}
        in_force = held if isinstance(held, Generation) else self._remember(totals.get(GENERATION))
        gen = in_force.id
        population = int(totals.get(POPULATION, {}).get("n", 0))
        moves: dict[int, int] = {}
        _add(moves, totals.get(_moves_id(gen), {}).get("moves", {}))
        for delta in deltas:
            population += int(delta.get("born", 0))
            if delta.get("gen") == gen:
                _add(moves, delta["moves"])
        return ScoreHistogram.of(population, moves)

    async def fold(self, batch: int = FOLD_BATCH) -> int:
        """Fold the oldest deltas into the totals; how many. The read and the delete see one
        snapshot: a delta committed meanwhile is neither read nor deleted (the next fold has it)."""
        client = self.deltas.database.client
        async with await client.start_session() as session, session.start_transaction():
            oldest = self.deltas.find({}, session=session).sort("_id", 1).limit(batch)
            deltas = await oldest.to_list(None)
            if not deltas:
                return 0
            born = sum(int(delta.get("born", 0)) for delta in deltas)
            per_gen: dict[str | None, dict[int, int]] = {}
            for delta in deltas:
                _add(per_gen.setdefault(delta.get("gen"), {}), delta["moves"])
            if born:
                await self.totals.update_one(
                    {"_id": POPULATION}, {"$inc": {"n": born}}, upsert=True, session=session
                )
            for gen, moves in per_gen.items():
                increments = {f"moves.{score}": n for score, n in moves.items() if n}
                if increments:
                    await self.totals.update_one(
                        {"_id": _moves_id(gen)}, {"$inc": increments}, upsert=True, session=session
                    )
            await self.deltas.delete_many({"_id": {"$lte": deltas[-1]["_id"]}}, session=session)
        return len(deltas)

    async def rebuild(self) -> None:
        """Recount from the contacts (a database from before the histogram, or contacts written
        around the API). Exact only while nothing else writes: run it before serving."""
        gen = (await self.generation(fresh=True)).id
        rows = await self.contacts.aggregate(
            [{"$match": {"gen": gen}}, {"$group": {"_id": "$score", "n": {"$sum": 1}}}]
        ).to_list(None)
        population = await self.contacts.count_documents({})
        moves = {str(row["_id"]): int(row["n"]) for row in rows if row["_id"] != 0}
        moves["0"] = -sum(moves.values())
        await self.deltas.delete_many({})
        await self.totals.delete_many({"_id": {"$ne": GENERATION}})
        await self.totals.insert_many(
            [{"_id": POPULATION, "n": population}, {"_id": _moves_id(gen), "moves": moves}]
        )


def _add(moves: dict[int, int], stored: Mapping[str, Any]) -> None:
    for score, n in stored.items():
        moves[int(score)] = moves.get(int(score), 0) + int(n)


def _request_memo() -> dict[str, object] | None:
    """Values read once per HTTP request, when serving one (a websocket lives too long)."""
    record = current.get()
    return record.memo if record is not None and not record.websocket else None
