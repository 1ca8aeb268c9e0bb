"""The score sheet's limits: the points each entry may be given."""

from collections.abc import Mapping

from api.domain.sheet import NEGATIVE_ENTRIES, SheetEntry

NEGATIVE_FLOOR = -50
POSITIVE_CEILING = 100


def points_range(entry: SheetEntry) -> tuple[int, int]:
    """The allowed points of an entry: -50..0 for negative entries, 0..100 for the others."""
    return (NEGATIVE_FLOOR, 0) if entry in NEGATIVE_ENTRIES else (0, POSITIVE_CEILING)


def out_of_range(points: Mapping[SheetEntry, int]) -> list[tuple[SheetEntry, int, int]]:
    """Entries whose points fall outside their range, with the range."""
    problems = []
    for entry, value in points.items():
        low, high = points_range(entry)
        if not low <= value <= high:
            problems.append((entry, low, high))
    return problems
