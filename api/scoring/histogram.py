"""The score histogram: what commits add to it, and what the dashboard reads from it."""

import math
from collections.abc import Iterable

from api.domain.classification import ClassificationSettings, ContactClass
from api.domain.contacts import TIES
from api.domain.histogram import ScoreHistogram

# Tie buckets hold about as many contacts each, not exactly: a stretch of the order is asked for
# with this much more than it should need, so that one read mostly suffices.
TIE_MARGIN = 1.5
# A group of equal scores this small is read whole: one range of scores costs one query, a range
# that ends inside a group two (the scores before it, then the group's buckets).
WHOLE_GROUP = 200


def score_moves(changes: Iterable[tuple[int, int]]) -> dict[int, int]:
    """The net moves of contacts between scores for these (score before, score after)."""
    moves: dict[int, int] = {}
    for before, after in changes:
        if before != after:
            moves[before] = moves.get(before, 0) - 1
            moves[after] = moves.get(after, 0) + 1
    return {score: n for score, n in moves.items() if n}


def within(histogram: ScoreHistogram, low: int | None, high: int | None) -> int:
    """Contacts with a score in [low, high] (None: unbounded)."""
    return sum(
        n
        for score, n in histogram.counts.items()
        if (low is None or score >= low) and (high is None or score <= high)
    )


def buckets(histogram: ScoreHistogram, size: int) -> list[tuple[int, int]]:
    """(lowest score of the bucket, contacts) for every non-empty bucket of `size` scores, the
    buckets starting at multiples of `size` (so -5 is in the bucket -10..-1)."""
    found: dict[int, int] = {}
    for score, n in histogram.counts.items():
        low = score - score % size
        found[low] = found.get(low, 0) + n
    return sorted((low, n) for low, n in found.items() if n)


def class_counts(
    histogram: ScoreHistogram, settings: ClassificationSettings
) -> dict[ContactClass, int]:
    """Contacts per class when the basis is the total score."""
    counts = dict.fromkeys(ContactClass, 0)
    for score, n in histogram.counts.items():
        counts[settings.classify(score)] += n
    return counts


def window_end(
    histogram: ScoreHistogram,
    need: int,
    descending: bool,
    low: int | None,
    high: int | None,
    start: tuple[int, int] | None = None,
) -> tuple[int, int] | None:
    """(score, tie bucket): the far end of the shortest stretch of the (score, tie, id) order
    that holds about `need` contacts, from `start` (a cursor's score and tie bucket, its bucket
    included) or from the start of [low, high] (the highest score when descending). The
    histogram gives each score's contacts, spread about evenly over the TIES buckets, so the
    stretch is widened by a margin. None when the rest of the range holds fewer."""
    inside = [
        score
        for score in histogram.counts
        if (low is None or score >= low)
        and (high is None or score <= high)
        and (start is None or (score <= start[0] if descending else score >= start[0]))
    ]
    seen = 0.0
    for score in sorted(inside, reverse=descending):
        n = histogram.counts[score]
        if n <= 0:
            continue
        first_tie = TIES - 1 if descending else 0
        if start is not None and score == start[0]:
            first_tie = start[1]
        left = first_tie + 1 if descending else TIES - first_tie
        if seen + n * left / TIES >= need:
            if n <= WHOLE_GROUP:  # one read of the whole group rather than two of its parts
                return score, 0 if descending else TIES - 1
            buckets = min(left, math.ceil((need - seen) * TIE_MARGIN * TIES / n) + 1)
            return score, first_tie - buckets + 1 if descending else first_tie + buckets - 1
        seen += n * left / TIES
    return None
