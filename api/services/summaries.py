"""A view's summary: made from its report and top contacts, sent by email or rendered as a PDF."""

import asyncio
from collections.abc import Sequence
from datetime import datetime

from api.db.client import Store
from api.domain.views import ScoreView
from api.mailer import DeliveryError, send_email
from api.reports.email import summary_email
from api.reports.pdf import summary_pdf
from api.reports.summary import TOP_CONTACTS, TopContact, ViewSummary
from api.scoring.schedules import MAX_RECIPIENTS
from api.services.errors import ErrorCode, ServiceError, ServiceFailure
from api.services.validation import email_list_problems, unique_emails
from api.services.views import not_found, select

NO_SMTP = "No SMTP settings yet: an admin sets them with smtpSettingsUpdate"


async def view_summary(store: Store, view: ScoreView, now: datetime) -> ViewSummary:
    selection = await select(store, view)
    report = await selection.report()
    records, _ = await selection.page(TOP_CONTACTS, None)
    top = [
        TopContact(r.email, " ".join(n for n in (r.first_name, r.last_name) if n), r.score)
        for r in records
    ]
    return ViewSummary(view, report, top, now)


async def render_summary_pdf(store: Store, view: ScoreView, now: datetime) -> tuple[str, bytes]:
    """The view's PDF summary: its file name and its bytes (rendered off the event loop)."""
    summary = await view_summary(store, view, now)
    return summary.pdf_filename, await asyncio.to_thread(summary_pdf, summary)


async def send_summary(
    store: Store,
    view: ScoreView,
    recipients: Sequence[str],
    heading: str,
    now: datetime,
    attach_pdf: bool = False,
) -> None:
    """Email the view's summary; a ServiceFailure (DELIVERY_FAILED) when it cannot go out."""
    smtp = await store.smtp.get()
    if smtp is None:
        raise ServiceFailure([ServiceError(None, NO_SMTP, ErrorCode.DELIVERY_FAILED)])
    summary = await view_summary(store, view, now)
    pdf = await asyncio.to_thread(summary_pdf, summary) if attach_pdf else None
    message = summary_email(summary, heading, smtp.sender, recipients, pdf)
    try:
        await send_email(smtp, message)
    except DeliveryError as error:
        reason = f"The mail server at {smtp.host}:{smtp.port} did not take the email: {error!r}"
        raise ServiceFailure([ServiceError(None, reason, ErrorCode.DELIVERY_FAILED)]) from error


async def email_view_once(
    store: Store, view_id: str, recipients: Sequence[str], attach_pdf: bool, now: datetime
) -> tuple[str, ...]:
    """Send the view's summary now (any view; the one way for a fixed date range); to whom."""
    problems = email_list_problems("recipients", recipients, MAX_RECIPIENTS)
    if problems:
        raise ServiceFailure(problems)
    view = await store.views.get(view_id)
    if view is None:
        raise ServiceFailure([not_found(view_id, "viewId")])
    to = unique_emails(recipients)
    await send_summary(store, view, to, "Summary", now, attach_pdf)
    return to
