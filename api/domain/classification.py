"""Classification of contacts into Most engaged / Progressing / Getting started."""

from dataclasses import dataclass
from enum import StrEnum


class ContactClass(StrEnum):
    MOST_ENGAGED = "MOST_ENGAGED"
    PROGRESSING = "PROGRESSING"
    GETTING_STARTED = "GETTING_STARTED"


class ClassificationBasis(StrEnum):
    TOTAL_SCORE = "TOTAL_SCORE"
    RECENT_POINTS = "RECENT_POINTS"


@dataclass(frozen=True)
class ClassificationSettings:
    most_engaged_min: int = 100
    progressing_min: int = 40
    basis: ClassificationBasis = ClassificationBasis.TOTAL_SCORE
    period_days: int = 30

    def classify(self, basis_score: int) -> ContactClass:
        if basis_score >= self.most_engaged_min:
            return ContactClass.MOST_ENGAGED
        if basis_score >= self.progressing_min:
            return ContactClass.PROGRESSING
        return ContactClass.GETTING_STARTED

    def score_bounds(self, cls: ContactClass) -> tuple[int | None, int | None]:
        """The half-open range [low, high) of basis scores that fall in a class."""
        if cls is ContactClass.MOST_ENGAGED:
            return self.most_engaged_min, None
        if cls is ContactClass.PROGRESSING:
            return self.progressing_min, self.most_engaged_min
        return None, self.progressing_min
