"""When a summary email is next due: fixed clocks, day, week, month and year boundaries."""

from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from api.domain.notifications import Frequency, Schedule, Weekday
from api.scoring.schedules import next_send_at, parse_time_of_day

DAILY_9 = Schedule(Frequency.DAILY, time(9, 0))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-25 08:59", "2026-11-25 09:00"),
        ("2026-11-25 09:00", "2026-11-26 09:00"),  # strictly after: not the moment it was sent
        ("2026-11-25 17:00", "2026-11-26 09:00"),
        ("2026-12-31 23:30", "2027-01-01 09:00"),
        ("2028-02-28 10:00", "2028-02-29 09:00"),
    ],
)
def test_daily(now, expected):
    assert next_send_at(DAILY_9, at(now)) == at(expected)


@pytest.mark.parametrize(
    ("weekday", "now", "expected"),
    [
        (Weekday.MONDAY, "2026-11-29 10:00", "2026-11-30 07:15"),  # Sunday rolls over to Monday
        (Weekday.MONDAY, "2026-11-30 07:00", "2026-11-30 07:15"),
        (Weekday.MONDAY, "2026-11-30 07:15", "2026-12-07 07:15"),
        (Weekday.SUNDAY, "2026-11-30 07:00", "2026-12-06 07:15"),
        (Weekday.FRIDAY, "2026-12-31 12:00", "2027-01-01 07:15"),
    ],
)
def test_weekly(weekday, now, expected):
    schedule = Schedule(Frequency.WEEKLY, time(7, 15), weekday=weekday)
    assert next_send_at(schedule, at(now)) == at(expected)


@pytest.mark.parametrize(
    ("day", "now", "expected"),
    [
        (28, "2026-01-31 12:00", "2026-02-28 18:00"),  # past the end of January
        (28, "2026-02-28 18:00", "2026-03-28 18:00"),
        (28, "2026-02-28 17:59", "2026-02-28 18:00"),
        (1, "2026-12-15 00:00", "2027-01-01 18:00"),
        (1, "2026-11-30 23:59", "2026-12-01 18:00"),
    ],
)
def test_monthly(day, now, expected):
    schedule = Schedule(Frequency.MONTHLY, time(18, 0), day_of_month=day)
    assert next_send_at(schedule, at(now)) == at(expected)


def test_after_the_last_send_even_when_a_clock_lags_behind():
    last_sent = at("2026-11-25 09:00")
    assert next_send_at(DAILY_9, at("2026-11-25 08:59"), last_sent) == at("2026-11-26 09:00")
    assert next_send_at(DAILY_9, at("2026-11-27 10:00"), last_sent) == at("2026-11-28 09:00")


def test_other_time_zones_are_read_as_the_same_instant():
    paris = timezone(timedelta(hours=1))
    now = datetime(2026, 11, 25, 9, 30, tzinfo=paris)  # 08:30 UTC
    found = next_send_at(DAILY_9, now)
    assert found == at("2026-11-25 09:00") and found.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:30", time(9, 30)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        (" 07:05 ", time(7, 5)),
    ],
)
def test_time_of_day(text, expected):
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize(
    "text", ["24:00", "9:30", "09:60", "0930", "", "09:30:00", "ab:cd", " 7:05"]
)
def test_bad_time_of_day(text):
    assert parse_time_of_day(text) is None
