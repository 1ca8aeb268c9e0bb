"""The SMTP server that summary emails go through (admins)."""

import re

from api.db.client import Store
from api.domain.notifications import SmtpChange, SmtpSettings
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.validation import email_problem, text_problem

HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$")
MAX_PASSWORD = 500


def _problems(change: SmtpSettings) -> list[ServiceError]:
    problems = []
    host = change.host.strip()
    if not host:
        problems.append(ServiceError("host", "host is required", ErrorCode.REQUIRED))
    elif not HOST.match(host):
        message = f"'{host}' is not a host name or IP address"
        problems.append(ServiceError("host", message, ErrorCode.INVALID))
    if not 1 <= change.port <= 65535:
        message = "port must be between 1 and 65535"
        problems.append(ServiceError("port", message, ErrorCode.OUT_OF_RANGE))
    problems += [p for p in [email_problem("sender", change.sender)] if p]
    problems += [p for p in [text_problem("username", change.username)] if p]
    if change.password is not None and len(change.password) > MAX_PASSWORD:
        message = f"password must be at most {MAX_PASSWORD} characters"
        problems.append(ServiceError("password", message, ErrorCode.INVALID))
    if change.password and not (change.username or "").strip():
        message = "A password needs a username"
        problems.append(ServiceError("username", message, ErrorCode.REQUIRED))
    return problems


async def update_smtp_settings(store: Store, change: SmtpChange, actor: str) -> SmtpSettings:
    given = change.settings
    problems = _problems(given)
    if problems:
        raise ServiceFailure(problems)
    username = (given.username or "").strip() or None
    password = given.password
    if change.keep_password:
        old = await store.smtp.get()
        password = old.password if old else None
    settings = SmtpSettings(
        host=given.host.strip(),
        port=given.port,
        sender=given.sender.strip(),
        username=username,
        password=(password or None) if username else None,
        start_tls=given.start_tls,
    )
    await store.smtp.save(settings, actor)
    return settings
