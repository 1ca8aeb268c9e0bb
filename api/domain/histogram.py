"""How many contacts hold each exact score: kept on write, read instead of counting contacts."""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ScoreHistogram:
    """Contacts per exact total score (scores no contact holds are left out)."""

    counts: Mapping[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, population: int, moves: Mapping[int, int]) -> "ScoreHistogram":
        """Every contact starts at 0; `moves` are the net arrivals (+) and departures (-) of
        contacts at each score since then."""
        counts = dict(moves)
        counts[0] = counts.get(0, 0) + population
        return cls({score: n for score, n in counts.items() if n})

    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Generation:
    """The reset generation in force (the id of the reset that started it; None before any):
    the score of a contact of an older generation reads as 0 until the reset reaches it."""

    id: str | None = None
    # Its reset has not reached every contact yet: queries by score must mind older ones.
    walking: bool = False
    # While walking: the older generations contacts may still hold (None before any reset);
    # None when not known (a reset started by an earlier version).
    older: tuple[str | None, ...] | None = None

    def holds(self, gen: str | None) -> bool:
        """Whether a score of generation `gen` is current."""
        return self.id is None or (gen is not None and gen >= self.id)
