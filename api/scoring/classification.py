"""Classification of contacts into Most engaged / Progressing / Getting started."""

from api.domain.classification import ClassificationSettings

MAX_PERIOD_DAYS = 365


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
