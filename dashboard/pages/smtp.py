"""The SMTP server summary emails go through (admins); its password is never shown."""

import reflex as rx

from dashboard.components.forms import labelled
from dashboard.components.layout import error_callout, loading_or, notice, page
from dashboard.states.auth import AuthState
from dashboard.states.smtp import PASSWORD_FIELD
from dashboard.states.smtp import SmtpState as S


def field(label: str, name: str, value: rx.Var[str], **props: object) -> rx.Component:
    element_id = f"smtp-{name}"
    return labelled(
        label,
        rx.input(name=name, id=element_id, default_value=value, width="100%", **props),
        element_id,
        width="100%",
    )


def smtp_form() -> rx.Component:
    form = S.settings
    return rx.card(
        rx.form(
            rx.vstack(
                rx.cond(
                    form.saved,
                    rx.fragment(),
                    rx.text("Not set yet: summary emails cannot be sent.", color_scheme="gray"),
                ),
                rx.flex(
                    field("Host", "host", form.host, placeholder="smtp.example.com"),
                    field("Port", "port", form.port, type="number", min="1", max="65535"),
                    gap="4",
                    width="100%",
                ),
                field("Sender (the From address)", "sender", form.sender),
                field("Username (empty: no login)", "username", form.username),
                labelled(
                    "Password (leave empty to keep the stored one)",
                    rx.input(
                        name="password",
                        id=PASSWORD_FIELD,
                        type="password",
                        auto_complete="new-password",
                        placeholder="Leave empty to keep",
                        width="100%",
                    ),
                    PASSWORD_FIELD,
                    width="100%",
                ),
                rx.text(
                    rx.cond(
                        form.password_set,
                        "A password is stored (never shown).",
                        "No password stored.",
                    ),
                    size="2",
                    color_scheme="gray",
                    id="smtp-password-state",
                ),
                rx.cond(
                    form.password_set,
                    rx.checkbox("Remove the stored password", name="remove_password"),
                ),
                rx.checkbox(
                    "Use STARTTLS", name="start_tls", default_checked=form.start_tls, id="smtp-tls"
                ),
                rx.button("Save SMTP settings", type="submit", id="save-smtp"),
                spacing="3",
                width="100%",
                max_width="560px",
            ),
            on_submit=S.save,
            reset_on_submit=False,
        ),
        width="100%",
    )


def smtp_page() -> rx.Component:
    return page(
        "SMTP settings",
        rx.cond(
            AuthState.is_admin,
            rx.vstack(
                error_callout(S.error),
                notice(S.saved),
                loading_or(S.loading, smtp_form()),
                width="100%",
            ),
            rx.callout(
                "Only admins can see and change the SMTP settings.", icon="lock", width="100%"
            ),
        ),
    )
