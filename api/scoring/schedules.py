"""When a view's summary email is due: schedules and the next send time, decided purely (UTC)."""

import re
from datetime import UTC, date, datetime, time, timedelta

from api.domain.notifications import Frequency, Schedule

MAX_DAY_OF_MONTH = 28  # every month has it, so a monthly email never skips a month
MAX_RECIPIENTS = 20
TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_time_of_day(text: str) -> time | None:
    """'HH:MM' (24-hour) as a time, or None when it is not one."""
    found = TIME_OF_DAY.match(text.strip())
    return time(int(found[1]), int(found[2])) if found else None


def format_time_of_day(value: time) -> str:
    return value.strftime("%H:%M")


def next_send_at(schedule: Schedule, now: datetime, last_sent: datetime | None = None) -> datetime:
    """The first scheduled moment strictly after both now and the last send."""
    after = max(now, last_sent) if last_sent else now
    after = after.astimezone(UTC)
    day = after.date()
    while True:
        if _is_send_day(schedule, day):
            moment = datetime.combine(day, schedule.time, UTC)
            if moment > after:
                return moment
        day += timedelta(days=1)


def _is_send_day(schedule: Schedule, day: date) -> bool:
    match schedule.frequency:
        case Frequency.DAILY:
            return True
        case Frequency.WEEKLY:
            assert schedule.weekday is not None
            return day.weekday() == schedule.weekday.number
        case Frequency.MONTHLY:
            assert schedule.day_of_month is not None
            return day.day == schedule.day_of_month
