"""Points that expire: a score-sheet entry or a rule may say its points last N days.

The points of an entry earned under such a setting expire N days after they were earned (an
activity's own time, else the time of the change); an EXPIRY timeline entry then takes them back.
"""

from datetime import datetime, timedelta

EXPIRY_DAYS_RANGE = (1, 3650)


def expiry_time(earned_at: datetime, days: int | None) -> datetime | None:
    """When points earned at `earned_at` expire; None when they never do."""
    return None if days is None else earned_at + timedelta(days=days)


def expiry_reason(points: int, reason: str, earned_at: datetime, expires_at: datetime) -> str:
    days = round((expires_at - earned_at) / timedelta(days=1))
    unit = "day" if days == 1 else "days"
    return f'{points} points from "{reason}" expired after {days} {unit}'
