"""Reading the SMTP settings (admins); view notifications are read on `ScoreView.notification`."""

import strawberry

from graphql_schema.core.context import Info
from graphql_schema.core.permissions import IsAdmin
from graphql_schema.notifications.types import SmtpSettingsType


@strawberry.type
class NotificationQueries:
    @strawberry.field(permission_classes=[IsAdmin], description="Null until an admin sets them")
    async def smtp_settings(self, info: Info) -> SmtpSettingsType | None:
        settings = await info.context.store.smtp.get()
        return SmtpSettingsType.of(settings) if settings else None
