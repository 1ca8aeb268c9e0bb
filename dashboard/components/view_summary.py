"""The open view's summary: its email schedule, or (fixed date range) one email now; the PDF."""

import reflex as rx

from dashboard.components.forms import select_of, text_field
from dashboard.enums import NOTIFICATION_FREQUENCIES, WEEKDAYS
from dashboard.states.auth import AuthState
from dashboard.states.views import ViewsState as S


def _status() -> rx.Component:
    n = S.notification
    return rx.cond(
        n.saved,
        rx.text(
            "Summary email: "
            + rx.cond(n.enabled, "On", "Off")
            + " · next "
            + n.next_send_at
            + " UTC · last sent "
            + n.last_sent_at,
            size="2",
            id="notification-status",
        ),
        rx.text("No summary email is set for this view.", size="2", color_scheme="gray"),
    )


def _schedule() -> rx.Component:
    n = S.notification
    return rx.form(
        rx.flex(
            rx.checkbox("Send", name="enabled", default_checked=n.enabled, id="notify-on"),
            select_of(
                "frequency", NOTIFICATION_FREQUENCIES, n.frequency, "notify-frequency", "Frequency"
            ),
            text_field(
                "Time (UTC)",
                "time",
                placeholder="HH:MM (UTC)",
                default_value=n.time,
                width="110px",
                id="notify-time",
            ),
            select_of("weekday", WEEKDAYS, n.weekday, "notify-weekday", "Weekday (weekly)"),
            text_field(
                "Day of the month (monthly)",
                "dayOfMonth",
                placeholder="Day (monthly)",
                type="number",
                default_value=n.day_of_month,
                width="120px",
            ),
            text_field(
                "Recipients, comma separated",
                "recipients",
                default_value=n.recipients,
                min_width="260px",
                id="notify-recipients",
            ),
            rx.button("Save schedule", type="submit", id="save-notification"),
            gap="2",
            wrap="wrap",
            align="center",
        ),
        on_submit=S.save_notification,
        key=S.selected_id + n.frequency + n.saved.to_string(),
    )


def _once() -> rx.Component:
    return rx.form(
        rx.flex(
            text_field(
                "Email the summary now to",
                "recipients",
                placeholder="Email the summary now to…",
                min_width="260px",
                id="email-now-recipients",
            ),
            rx.button("Send now", type="submit", variant="soft", id="email-now"),
            gap="2",
            wrap="wrap",
        ),
        on_submit=S.email_now,
        reset_on_submit=True,
    )


def summary_email() -> rx.Component:
    n = S.notification
    return rx.vstack(
        rx.hstack(
            rx.text("Summary", weight="bold", size="3"),
            rx.spacer(),
            rx.button(
                rx.icon("file-down", size=14),
                "Download PDF",
                variant="soft",
                on_click=S.download_pdf,
                id="download-pdf",
            ),
            width="100%",
            align="center",
        ),
        _status(),
        rx.cond(n.last_error != "", rx.text(n.last_error, color_scheme="red")),
        rx.cond(
            AuthState.can_edit,
            rx.cond(
                S.fixed_range,
                rx.text(
                    "A view over a fixed date range gets no periodic email: send it once instead.",
                    size="2",
                    color_scheme="gray",
                ),
                _schedule(),
            ),
        ),
        rx.cond(AuthState.can_edit, _once()),
        spacing="2",
        width="100%",
    )
