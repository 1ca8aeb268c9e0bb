"""Counts and score-ordered pages read from the score histogram instead of the contacts.

The embedded server reads a whole index range before it applies a limit, so a page ordered by
score is asked for with a score range that the histogram says holds just enough contacts (the
page and one more), widened while filters leave too few; any range gives the same contacts as a
full sort, only the time differs. Counts of score ranges come from the histogram, exact.
"""

from dataclasses import replace
from functools import partial

from api.db.client import Store
from api.db.contact_docs import ContactQuery
from api.domain.contacts import ContactRecord
from api.domain.histogram import ScoreHistogram
from api.scheduler import run_periodically
from api.scoring.histogram import buckets, score_bound, within

TASK = "histogram-fold"
FOLD_EVERY = 1.0  # seconds: readers add the deltas not folded yet, so fewer is quicker
# The widest narrowed range asked for before the whole range is: beyond it, narrowing saves little.
MAX_NEED = 50_000


async def fold_periodically(store: Store, every: float) -> None:
    """Runs for the life of the process: folds histogram deltas, in one process at a time."""
    await run_periodically(store.leases, TASK, partial(_fold_all, store), every)


async def _fold_all(store: Store) -> None:
    while await store.histogram.fold():
        pass


async def count(store: Store, query: ContactQuery) -> int:
    """How many contacts a query selects: from the histogram when it is only a score range."""
    if query.score_range_only():
        histogram = await _histogram(store, query)
        return within(histogram, query.min_score, query.max_score)
    return await store.contacts.count(query)


async def _histogram(store: Store, query: ContactQuery) -> ScoreHistogram:
    """Read once per query: a page and its count from one snapshot, in fewer round trips."""
    if query.histogram is None:
        query.histogram = await store.histogram.read()
    return query.histogram


async def distribution(store: Store, bucket_size: int) -> list[tuple[int, int]]:
    """(lowest score, contacts) of every non-empty bucket of `bucket_size` scores."""
    return buckets(await store.histogram.read(), bucket_size)


async def score_page(
    store: Store,
    query: ContactQuery,
    first: int,
    descending: bool,
    after: tuple[int, str] | None,
) -> tuple[list[ContactRecord], bool]:
    """A page ordered by score (then id), as `ContactsRepo.page` answers it, reading only a
    score range that holds it."""
    if query.matches is not None:
        return await store.contacts.page(query, first, "score", descending, after)
    histogram = await _histogram(store, query)
    low, high = query.min_score, query.max_score
    if after is not None:  # the rest of the order starts at the cursor's score
        if descending:
            high = after[0] if high is None else min(high, after[0])
        else:
            low = after[0] if low is None else max(low, after[0])
    need = first + 1
    while True:
        bound = score_bound(histogram, need, descending, low, high) if need <= MAX_NEED else None
        narrowed = query
        if bound is not None and descending:
            narrowed = replace(query, min_score=bound)
        elif bound is not None:
            narrowed = replace(query, max_score=bound)
        records, more = await store.contacts.page(narrowed, first, "score", descending, after)
        if more or bound is None:
            return records, more
        # Too few in the range: widen it, by what the filters let through so far.
        need = need * max(2, 2 * (first + 1) // max(len(records), 1))
