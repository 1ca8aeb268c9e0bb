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
