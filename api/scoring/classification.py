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


MAX_PERIOD_DAYS = 365


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


def validation_problems(settings: ClassificationSettings) -> list[tuple[str, str]]:
    """(field, message) for every rule the settings break."""
    problems = []
    if settings.progressing_min >= settings.most_engaged_min:
        problems.append(("progressingMin", "progressingMin must be lower than mostEngagedMin"))
    if settings.progressing_min < 0:
        problems.append(("progressingMin", "progressingMin must be 0 or more"))
    if not 1 <= settings.period_days <= MAX_PERIOD_DAYS:
        problems.append(("periodDays", f"periodDays must be between 1 and {MAX_PERIOD_DAYS}"))
    return problems
