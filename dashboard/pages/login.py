"""Sign in with an API token."""

import reflex as rx

from dashboard.components.layout import error_callout
from dashboard.states.auth import AuthState


def login() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.icon("gauge", size=28),
                        rx.heading("Contact scoring", size="6"),
                        align="center",
                    ),
                    rx.text(
                        "Sign in with an API token. Your role decides what you can change.",
                        color_scheme="gray",
                    ),
                    error_callout(AuthState.error),
                    rx.input(
                        placeholder="cs_…",
                        aria_label="API token",
                        name="token",
                        type="password",
                        id="token",
                        size="3",
                        width="100%",
                    ),
                    rx.button("Sign in", type="submit", size="3", width="100%", id="sign-in"),
                    rx.cond(
                        AuthState.dev_signin,
                        rx.button(
                            "Sign in with the dev token (this machine only)",
                            type="button",
                            variant="soft",
                            size="3",
                            width="100%",
                            id="dev-sign-in",
                            on_click=AuthState.sign_in_dev,
                        ),
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=AuthState.sign_in,
                reset_on_submit=False,
            ),
            width="min(420px, 92vw)",
            size="4",
        ),
        height="100vh",
        background="var(--gray-2)",
    )
