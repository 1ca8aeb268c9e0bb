"""Pages in score order, (score, tie bucket, id), read through index ranges the server narrows.

The embedded server (SecantusDB) reads a query's whole candidate list before it sorts and limits,
and it narrows the candidates by an index only for a filter of top-level fields: equalities on
the index's leading fields, then one range (an `$and`, an `$or` or a `$ne` makes it read every
contact). So a stretch of the order between two keys is asked for as a few such filters
(`split`), one after the other until the page is full, and the query's other conditions follow in
a second `$match`, applied to those candidates only.

While a reset walks, the current generation's contacts are read through the (gen, score, tie,
_id) index (the score index would read the older ones' stored scores too), and those of older
generations, which read as 0, as a stretch of (tie, id) per older generation through the (gen,
tie, _id) index; the caller merges them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from motor.motor_asyncio import AsyncIOMotorCollection
from pymongo import ASCENDING, DESCENDING

from api.db.contact_docs import PUBLIC_FIELDS, ContactQuery
from api.domain.contacts import TIES, tie_of
from api.domain.histogram import Generation

Document = dict[str, Any]
# A prefix of a key and whether keys that start with it are in.
Bound = tuple[tuple[Any, ...], bool]
SCORE_KEY = ("score", "tie", "_id")
ZERO_KEY = ("tie", "_id")
BY_SCORE = [("score", DESCENDING), ("tie", DESCENDING), ("_id", DESCENDING)]
BY_COUNTRY = [("country", ASCENDING), *BY_SCORE]
# While a reset walks: the current generation's contacts by score (the score index would read the
# older ones' stored scores too), and the older generations' zeros.
BY_GENERATION = [("gen", ASCENDING), *BY_SCORE]
ZEROS_BY_GENERATION = [("gen", ASCENDING), ("tie", DESCENDING), ("_id", DESCENDING)]
SCORE_INDEXES = (BY_SCORE, BY_COUNTRY, BY_GENERATION, ZEROS_BY_GENERATION)


def split(fields: Sequence[str], lo: Bound | None, hi: Bound | None) -> list[Document]:
    """Filters that together select exactly the keys (values of `fields`, compared in order)
    between `lo` and `hi` (None: unbounded), each of equalities on leading fields then one range,
    in ascending order of their keys."""
    if lo is None and hi is None:
        return [{}]
    name = fields[0]
    if lo is not None and hi is not None:
        a, b = lo[0][0], hi[0][0]
        if a > b:
            return []
        if a == b:
            if (len(lo[0]) == 1 and not lo[1]) or (len(hi[0]) == 1 and not hi[1]):
                return []
            return [{name: a, **part} for part in split(fields[1:], _tail(lo), _tail(hi))]
    below: list[Document] = []
    above: list[Document] = []
    middle: Document = {}
    if lo is not None:
        a = lo[0][0]
        if len(lo[0]) == 1:
            middle["$gte" if lo[1] else "$gt"] = a
        else:
            below = [{name: a, **part} for part in split(fields[1:], _tail(lo), None)]
            middle["$gt"] = a
    if hi is not None:
        b = hi[0][0]
        if len(hi[0]) == 1:
            middle["$lte" if hi[1] else "$lt"] = b
        else:
            above = [{name: b, **part} for part in split(fields[1:], None, _tail(hi))]
            middle["$lt"] = b
    return [*below, {name: middle}, *above]


def _tail(bound: Bound) -> Bound | None:
    values, inclusive = bound
    return (values[1:], inclusive) if len(values) > 1 else None


@dataclass(frozen=True)
class Stretch:
    """The keys of the (score, tie, id) order between `lo` and `hi`."""

    lo: Bound | None
    hi: Bound | None

    @classmethod
    def of(
        cls,
        query: ContactQuery,
        descending: bool,
        after: tuple[int, str] | None,
        end: tuple[int, int] | None,
    ) -> "Stretch":
        """The query's score range, after a cursor (score, id), up to `end` (score, tie) when
        given: the stretch a page is read from."""
        lo: Bound | None = ((query.min_score,), True) if query.min_score is not None else None
        hi: Bound | None = ((query.max_score,), True) if query.max_score is not None else None
        if after is not None:
            key: Bound = ((after[0], tie_of(after[1]), after[1]), False)
            if descending and (query.max_score is None or after[0] <= query.max_score):
                hi = key
            elif not descending and (query.min_score is None or after[0] >= query.min_score):
                lo = key
        if end is not None:
            # A whole group of equal scores is one range of scores rather than two reads.
            whole = end[1] == (0 if descending else TIES - 1)
            bound: Bound = ((end[0],) if whole else end, True)
            lo, hi = (bound, hi) if descending else (lo, bound)
        return cls(lo, hi)

    def parts(self, descending: bool) -> list[Document]:
        parts = split(SCORE_KEY, self.lo, self.hi)
        return parts[::-1] if descending else parts

    def zeros(self, descending: bool) -> list[Document]:
        """The same stretch over contacts whose score reads 0, by (tie, id)."""
        lo, lo_empty = _at_zero(self.lo, low=True)
        hi, hi_empty = _at_zero(self.hi, low=False)
        if lo_empty or hi_empty:
            return []
        parts = split(ZERO_KEY, lo, hi)
        return parts[::-1] if descending else parts


def _at_zero(bound: Bound | None, low: bool) -> tuple[Bound | None, bool]:
    """A bound of the score order as a bound of the (tie, id) order at score 0; whether it
    leaves no key at score 0."""
    if bound is None:
        return None, False
    values, inclusive = bound
    if values[0] != 0:
        return None, (values[0] > 0) == low
    if len(values) == 1:
        return None, not inclusive
    return _tail(bound), False


async def by_score(
    collection: AsyncIOMotorCollection[Document],
    query: ContactQuery,
    current: Generation,
    first: int,
    descending: bool,
    after: tuple[int, str] | None,
    end: tuple[int, int] | None,
) -> list[Document]:
    """The first `first` + 1 contacts of the stretch, or all it holds when fewer (while a reset
    walks, as many again per older generation: the caller sorts them by score as read)."""
    stretch = Stretch.of(query, descending, after, end)
    rest = query.to_mongo()
    rest.pop("score", None)
    country = {"country": rest.pop("country")} if "country" in rest else {}
    direction = -1 if descending else 1
    if not current.walking:
        parts = [{**country, **part} for part in stretch.parts(descending)]
        return await _read(collection, parts, rest, SCORE_KEY, direction, first + 1)
    parts = [{**country, "gen": current.id, **part} for part in stretch.parts(descending)]
    docs = await _read(collection, parts, rest, SCORE_KEY, direction, first + 1)
    zeros = stretch.zeros(descending)
    if current.older is None:  # not known: every contact of another generation (slow)
        older = [{**country, "gen": {"$ne": current.id}, **part} for part in zeros]
        return docs + await _read(collection, older, rest, ZERO_KEY, direction, first + 1)
    for gen in current.older:
        of_gen = [{**country, "gen": gen, **part} for part in zeros]
        docs += await _read(collection, of_gen, rest, ZERO_KEY, direction, first + 1)
    return docs


async def _read(
    collection: AsyncIOMotorCollection[Document],
    parts: list[Document],
    rest: Document,
    key: Sequence[str],
    direction: int,
    limit: int,
) -> list[Document]:
    """The first `limit` documents of these parts, read in turn, that also match `rest`. A part
    holds every indexed field of its filter (the country with the generation and the score):
    SecantusDB's plan for {gen, score range} followed by a second `$match` on the country missed
    about half of the matches (tests/test_score_counts.py), and a hint there walks the whole
    index (every contact, whatever the filter)."""
    docs: list[Document] = []
    for part in parts:
        stages: list[Document] = [
            {"$match": part},
            *([{"$match": rest}] if rest else []),
            {"$sort": dict.fromkeys(key, direction)},
            {"$limit": limit - len(docs)},
            {"$project": PUBLIC_FIELDS},
        ]
        # One batch: no getMore to learn that the cursor is done.
        cursor = collection.aggregate(stages, batchSize=limit + 1)
        docs += await cursor.to_list(None)
        if len(docs) >= limit:
            break
    return docs
