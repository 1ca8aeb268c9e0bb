"""Views' periodic summary emails: their schedules, and the SMTP server they go through."""

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum


class Frequency(StrEnum):
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


class Weekday(StrEnum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"

    @property
    def number(self) -> int:
        """As `date.weekday()` counts: Monday 0 .. Sunday 6."""
        return list(Weekday).index(self)


@dataclass(frozen=True)
class Schedule:
    frequency: Frequency
    time: time
    weekday: Weekday | None = None
    day_of_month: int | None = None


@dataclass(frozen=True)
class NotificationSettings:
    """What an editor sets for a view's periodic summary email."""

    enabled: bool
    schedule: Schedule
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class ViewNotification:
    view_id: str
    settings: NotificationSettings
    next_send_at: datetime | None
    last_sent_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    claim_id: str | None = None


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    start_tls: bool = False


@dataclass(frozen=True)
class SmtpChange:
    """SMTP settings an admin gives; `keep_password` keeps the password set before."""

    settings: SmtpSettings
    keep_password: bool = False
