"""Summary emails of views: the schedule (editors), one-time sends (editors), SMTP (admins)."""

from datetime import UTC, datetime

import strawberry

from api.domain.notifications import Frequency, SmtpChange, SmtpSettings, Weekday
from api.services.notifications import NotificationChange, update_notification
from api.services.smtp import update_smtp_settings
from api.services.summaries import email_view_once
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.permissions import IsAdmin, IsEditor
from graphql_schema.http.guard import Expensive
from graphql_schema.notifications.types import SmtpSettingsType, ViewNotificationType
from graphql_schema.views.types import ScoreViewType


@strawberry.input(description="Omitted fields keep their value; a new notification is enabled")
class ScoreViewNotificationUpdateInput:
    view_id: strawberry.ID
    enabled: bool | None = None
    frequency: Frequency | None = None
    time: str | None = strawberry.field(default=None, description="HH:MM (24-hour, UTC)")
    weekday: Weekday | None = strawberry.field(default=None, description="WEEKLY only")
    day_of_month: int | None = strawberry.field(default=None, description="MONTHLY only: 1..28")
    recipients: list[str] | None = strawberry.field(default=None, description="1 to 20 emails")

    def change(self) -> NotificationChange:
        return NotificationChange(
            str(self.view_id),
            self.enabled,
            self.frequency,
            self.time,
            self.weekday,
            self.day_of_month,
            self.recipients,
        )


@strawberry.type
class ScoreViewNotificationPayload:
    notification: ViewNotificationType | None = None
    score_view: ScoreViewType | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.input
class ScoreViewEmailSendInput:
    view_id: strawberry.ID
    recipients: list[str] = strawberry.field(description="1 to 20 emails")
    attach_pdf: bool = strawberry.field(default=True, description="Attach the PDF summary")


@strawberry.type
class ScoreViewEmailSendPayload:
    sent_to: list[str] = strawberry.field(default_factory=list)
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.input
class SmtpSettingsUpdateInput:
    host: str
    port: int
    sender: str = strawberry.field(description="The From address")
    username: str | None = strawberry.field(default=None, description="Omitted or empty: no login")
    password: str | None = strawberry.field(
        default=None, description="Omitted: keep the stored one; empty: remove it"
    )
    start_tls: bool = False


@strawberry.type
class SmtpSettingsUpdatePayload:
    smtp_settings: SmtpSettingsType | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        permission_classes=[IsEditor],
        description="Set, change, enable or disable a view's periodic summary email; "
        "refused for a view with a fixed date range",
    )
    async def score_view_notification_update(
        self, info: Info, input: ScoreViewNotificationUpdateInput
    ) -> ScoreViewNotificationPayload:
        context = info.context
        view, notification = await update_notification(
            context.store, input.change(), context.actor, datetime.now(UTC)
        )
        return ScoreViewNotificationPayload(
            notification=ViewNotificationType.of(view, notification),
            score_view=ScoreViewType.of(view),
        )

    @strawberry.mutation(
        permission_classes=[IsEditor],
        description="Email a view's summary once, now",
        extensions=[Expensive()],
    )
    async def score_view_email_send(
        self, info: Info, input: ScoreViewEmailSendInput
    ) -> ScoreViewEmailSendPayload:
        sent_to = await email_view_once(
            info.context.store,
            str(input.view_id),
            input.recipients,
            input.attach_pdf,
            datetime.now(UTC),
        )
        return ScoreViewEmailSendPayload(sent_to=list(sent_to))

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def smtp_settings_update(
        self, info: Info, input: SmtpSettingsUpdateInput
    ) -> SmtpSettingsUpdatePayload:
        given = SmtpSettings(
            input.host, input.port, input.sender, input.username, input.password, input.start_tls
        )
        change = SmtpChange(given, keep_password=input.password is None)
        settings = await update_smtp_settings(info.context.store, change, info.context.actor)
        return SmtpSettingsUpdatePayload(smtp_settings=SmtpSettingsType.of(settings))
