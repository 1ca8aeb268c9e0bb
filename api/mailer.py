"""Sending email through the SMTP server an admin configured (stdlib smtplib, in a thread)."""

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from api.domain.notifications import SmtpSettings

TIMEOUT_SECONDS = 30
# What a failed delivery raises: refusals, protocol errors, and network errors and time-outs.
DeliveryError = (smtplib.SMTPException, OSError)


@dataclass
class Deliveries:
    """Counted in the process, for its metrics."""

    sent: int = 0
    failed: int = 0


deliveries = Deliveries()


async def send_email(settings: SmtpSettings, message: EmailMessage) -> None:
    """Deliver one message; raises one of `DeliveryError` when the server cannot take it."""
    try:
        await asyncio.to_thread(_send, settings, message)
    except DeliveryError:
        deliveries.failed += 1
        raise
    deliveries.sent += 1


def _send(settings: SmtpSettings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as smtp:
        if settings.start_tls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)
