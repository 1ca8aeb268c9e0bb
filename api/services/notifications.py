"""Periodic summary emails of views: their settings, and sending those that are due.

`send_due_notifications` is safe to call every minute from several API processes at once, and to
retry: each (view, due time) is claimed in MongoDB before its email is sent, so it goes out once.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from api.db.client import Store
from api.domain.notifications import (
    Frequency,
    NotificationSettings,
    Schedule,
    ViewNotification,
    Weekday,
)
from api.domain.views import ScoreView
from api.scheduler import run_periodically
from api.scoring.schedules import (
    MAX_DAY_OF_MONTH,
    MAX_RECIPIENTS,
    format_time_of_day,
    next_send_at,
    parse_time_of_day,
)
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.summaries import send_summary
from api.services.validation import email_list_problems, unique_emails
from api.services.views import not_found

log = logging.getLogger(__name__)
NOTIFY_TASK = "view-notifications"
# Longer than building a summary and an SMTP conversation take: a claim older than this is
# taken to belong to a process that died while sending, and the email is sent again.
CLAIM_TTL = timedelta(minutes=15)
HEADINGS = {
    Frequency.DAILY: "Daily summary",
    Frequency.WEEKLY: "Weekly summary",
    Frequency.MONTHLY: "Monthly summary",
}
FIXED_RANGE = (
    "'{name}' covers a fixed date range, so it gets no periodic email: "
    "send it once with scoreViewEmailSend or download its PDF summary"
)


@dataclass(frozen=True)
class NotificationChange:
    """What an editor sends; None keeps the value set before."""

    view_id: str
    enabled: bool | None = None
    frequency: Frequency | None = None
    time: str | None = None
    weekday: Weekday | None = None
    day_of_month: int | None = None
    recipients: list[str] | None = None

    def over(self, old: ViewNotification | None) -> "NotificationChange":
        if old is None:
            return self
        settings, schedule = old.settings, old.settings.schedule
        return NotificationChange(
            self.view_id,
            settings.enabled if self.enabled is None else self.enabled,
            self.frequency or schedule.frequency,
            format_time_of_day(schedule.time) if self.time is None else self.time,
            self.weekday or schedule.weekday,
            self.day_of_month if self.day_of_month is not None else schedule.day_of_month,
            list(settings.recipients) if self.recipients is None else self.recipients,
        )


def _schedule_problems(change: NotificationChange) -> list[ServiceError]:
    problems = []
    if change.frequency is None:
        problems.append(ServiceError("frequency", "frequency is required", ErrorCode.REQUIRED))
    if change.time is None:
        problems.append(ServiceError("time", "time is required", ErrorCode.REQUIRED))
    elif parse_time_of_day(change.time) is None:
        message = f"'{change.time}' is not a time of day as HH:MM (24-hour, UTC)"
        problems.append(ServiceError("time", message, ErrorCode.INVALID))
    if change.frequency is Frequency.WEEKLY and change.weekday is None:
        problems.append(ServiceError("weekday", "WEEKLY needs a weekday", ErrorCode.REQUIRED))
    if change.frequency is Frequency.MONTHLY:
        day = change.day_of_month
        if day is None:
            message = "MONTHLY needs a dayOfMonth"
            problems.append(ServiceError("dayOfMonth", message, ErrorCode.REQUIRED))
        elif not 1 <= day <= MAX_DAY_OF_MONTH:
            message = f"dayOfMonth must be between 1 and {MAX_DAY_OF_MONTH}"
            problems.append(ServiceError("dayOfMonth", message, ErrorCode.OUT_OF_RANGE))
    return problems


def _settings(change: NotificationChange) -> NotificationSettings:
    """The settings of a change without problems, keeping only what its frequency uses."""
    assert change.frequency is not None and change.time is not None
    time_of_day = parse_time_of_day(change.time)
    assert time_of_day is not None
    schedule = Schedule(
        change.frequency,
        time_of_day,
        change.weekday if change.frequency is Frequency.WEEKLY else None,
        change.day_of_month if change.frequency is Frequency.MONTHLY else None,
    )
    enabled = True if change.enabled is None else change.enabled
    return NotificationSettings(enabled, schedule, unique_emails(change.recipients or []))


async def update_notification(
    store: Store, change: NotificationChange, actor: str, now: datetime
) -> tuple[ScoreView, ViewNotification]:
    """Create, change, enable or disable a view's periodic summary email."""
    view = await store.views.get(change.view_id)
    if view is None:
        raise ServiceFailure([not_found(change.view_id, "viewId")])
    old = await store.notifications.get(view.id)
    change = change.over(old)
    problems = _schedule_problems(change)
    problems += email_list_problems("recipients", change.recipients or [], MAX_RECIPIENTS)
    if change.enabled is not False and view.period.is_fixed:
        message = FIXED_RANGE.format(name=view.name)
        problems.insert(0, ServiceError("frequency", message, ErrorCode.INVALID))
    if problems:
        raise ServiceFailure(problems)
    settings = _settings(change)
    saved = await store.notifications.save(
        view.id, settings, _next_send(settings, old, now), actor, now
    )
    return view, saved


def _next_send(
    settings: NotificationSettings, old: ViewNotification | None, now: datetime
) -> datetime | None:
    if not settings.enabled:
        return None
    if old is None:
        return next_send_at(settings.schedule, now)
    if old.settings.enabled and old.settings.schedule == settings.schedule and old.next_send_at:
        return old.next_send_at  # an email still due (say, a failed one) stays due
    return next_send_at(settings.schedule, now, old.last_sent_at)


def shown_next_send(view: ScoreView, notification: ViewNotification) -> datetime | None:
    """When the next email goes out: never for a view that has a fixed date range now."""
    return None if view.period.is_fixed else notification.next_send_at


async def send_due_notifications(store: Store, now: datetime) -> int:
    """Send every summary email that is due at `now`; how many went out. A failed delivery is
    recorded on its notification (`lastError`) and retried on the next call, not raised."""
    sent = 0
    for due in await store.notifications.due(now):
        assert due.next_send_at is not None
        claimed = await store.notifications.claim(due.view_id, due.next_send_at, now, CLAIM_TTL)
        if claimed is not None and await _send_claimed(store, claimed, now):
            sent += 1
    return sent


async def _send_claimed(store: Store, claimed: ViewNotification, now: datetime) -> bool:
    settings = claimed.settings
    view = await store.views.get(claimed.view_id)
    if view is None:  # deleted while its notification was due
        await store.notifications.delete(claimed.view_id)
        return False
    following = next_send_at(settings.schedule, now)
    if view.period.is_fixed:
        await store.notifications.skipped(claimed, following)
        return False
    heading = HEADINGS[settings.schedule.frequency]
    try:
        await send_summary(store, view, settings.recipients, heading, now)
    except ServiceFailure as failure:
        await store.notifications.failed(claimed, str(failure), now)
        return False
    except Exception as error:  # one broken summary must not stop the others
        log.exception("Summary email of view %s failed", view.id)
        await store.notifications.failed(claimed, f"Unexpected error: {error!r}", now)
        return False
    await store.notifications.sent(claimed, now, following)
    return True


async def notify_periodically(store: Store, every: float) -> None:
    """Runs for the life of the process: due emails every `every` seconds, in one process at a
    time (the claims make an overlap harmless anyway)."""

    async def send_now() -> int:
        return await send_due_notifications(store, datetime.now(UTC))

    await run_periodically(store.leases, NOTIFY_TASK, send_now, every)
