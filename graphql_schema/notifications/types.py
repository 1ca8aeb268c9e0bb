"""View notifications and the SMTP settings, as clients see them (never the SMTP password)."""

from datetime import datetime

import strawberry

from api.domain.notifications import Frequency, SmtpSettings, ViewNotification, Weekday
from api.domain.views import ScoreView
from api.scoring.schedules import format_time_of_day
from api.services.notifications import shown_next_send

FrequencyEnum = strawberry.enum(Frequency, name="NotificationFrequency")
WeekdayEnum = strawberry.enum(Weekday, name="Weekday")


@strawberry.type(
    name="ViewNotification", description="A view's periodic summary email (times in UTC)"
)
class ViewNotificationType:
    enabled: bool
    frequency: Frequency
    time: str = strawberry.field(description="Time of day, HH:MM (UTC)")
    weekday: Weekday | None = strawberry.field(description="WEEKLY: the day it goes out")
    day_of_month: int | None = strawberry.field(description="MONTHLY: the day (1..28)")
    recipients: list[str]
    last_sent_at: datetime | None
    next_send_at: datetime | None = strawberry.field(
        description="Null when disabled, or when the view has a fixed date range (no periodic "
        "email: its schedule stops applying)"
    )
    last_error: str | None = strawberry.field(
        description="Why the last try failed (retried on the next run); null once one succeeds"
    )
    last_error_at: datetime | None

    @classmethod
    def of(cls, view: ScoreView, notification: ViewNotification) -> "ViewNotificationType":
        settings, schedule = notification.settings, notification.settings.schedule
        return cls(
            enabled=settings.enabled,
            frequency=schedule.frequency,
            time=format_time_of_day(schedule.time),
            weekday=schedule.weekday,
            day_of_month=schedule.day_of_month,
            recipients=list(settings.recipients),
            last_sent_at=notification.last_sent_at,
            next_send_at=shown_next_send(view, notification),
            last_error=notification.last_error,
            last_error_at=notification.last_error_at,
        )


@strawberry.type(name="SmtpSettings", description="The SMTP server summary emails go through")
class SmtpSettingsType:
    host: str
    port: int
    sender: str = strawberry.field(description="The From address")
    username: str | None
    password_set: bool = strawberry.field(description="Whether a password is stored (never shown)")
    start_tls: bool

    @classmethod
    def of(cls, settings: SmtpSettings) -> "SmtpSettingsType":
        return cls(
            host=settings.host,
            port=settings.port,
            sender=settings.sender,
            username=settings.username,
            password_set=bool(settings.password),
            start_tls=settings.start_tls,
        )
