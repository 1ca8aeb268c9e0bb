"""The score histogram: what commits add to it, and what the dashboard reads from it."""

from collections.abc import Iterable

from api.domain.classification import ClassificationSettings, ContactClass
from api.domain.histogram import ScoreHistogram


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


def score_bound(
    histogram: ScoreHistogram, need: int, descending: bool, low: int | None, high: int | None
) -> int | None:
    """The score that narrows [low, high] to just enough contacts: walking from the start of the
    order (the highest score when descending), the first score at which `need` contacts are
    reached; None when the whole range holds fewer."""
    inside = [
        score
        for score in histogram.counts
        if (low is None or score >= low) and (high is None or score <= high)
    ]
    seen = 0
    for score in sorted(inside, reverse=descending):
        seen += histogram.counts[score]
        if seen >= need:
            return score
    return None
