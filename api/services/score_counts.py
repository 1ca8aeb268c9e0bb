"""Counts and score-ordered pages read from the score histogram instead of the contacts.

The embedded server reads a whole index range before it applies a limit, so a page ordered by
score is asked for with a stretch of the (score, tie bucket, id) order that the histogram says
holds just enough contacts (the page and one more; inside a large group of equal scores, a range
of tie buckets), widened while filters leave too few; any stretch gives the same contacts as a
full sort, only the time differs. Counts of score ranges come from the histogram, exact.
"""

from functools import partial

from api.db.client import Store
from api.db.contact_docs import ContactQuery
from api.domain.contacts import ContactRecord, tie_of
from api.domain.histogram import ScoreHistogram
from api.scheduler import run_periodically
from api.scoring.histogram import buckets, window_end, within

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
    """A page ordered by score (then tie bucket and id), as `ContactsRepo.page` answers it,
    reading only a stretch of the order that holds it."""
    if query.matches is not None:
        return await store.contacts.page(query, first, "score", descending, after)
    histogram = await _histogram(store, query)
    start = None if after is None else (after[0], tie_of(after[1]))
    need = first + 1
    while True:
        end = None
        if need <= MAX_NEED:
            end = window_end(histogram, need, descending, query.min_score, query.max_score, start)
        records, more = await store.contacts.page(query, first, "score", descending, after, end)
        if more or end is None:
            return records, more
        # Too few in the stretch: widen it, by what the filters let through so far.
        need = need * max(2, 2 * (first + 1) // max(len(records), 1))
