"""The page shell: navigation, who is signed in, live status, and the API's messages."""

import reflex as rx

from dashboard.states.auth import AuthState
from dashboard.states.live import LiveState

LINKS = [
    ("Classification", "/"),
    ("Contacts", "/contacts"),
    ("Views", "/views"),
    ("Scoring setup", "/setup"),
    ("Rules", "/rules"),
    ("Workflows", "/workflows"),
    ("Rule drafts", "/drafts"),
    ("Reset", "/reset"),
    ("Tokens", "/tokens"),
    ("SMTP", "/smtp"),
]


def live_badge() -> rx.Component:
    # Started on mount, not on load: Reflex cancels a page's unfinished load events when the
    # next page loads, and this one runs for as long as the page is open.
    return rx.box(
        rx.cond(
            LiveState.connected,
            rx.badge(rx.icon("radio", size=14), "Live", color_scheme="grass", id="live-status"),
            rx.badge("Connecting…", color_scheme="gray", id="live-status"),
        ),
        on_mount=LiveState.watch,
    )


def navbar() -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.icon("gauge", size=22),
            rx.heading("Contact scoring", size="5"),
            spacing="2",
            align="center",
        ),
        rx.flex(
            *[rx.link(label, href=href, size="3", weight="medium") for label, href in LINKS],
            spacing="4",
            wrap="wrap",
        ),
        rx.hstack(
            live_badge(),
            rx.badge(AuthState.role, variant="outline", id="role-badge"),
            rx.text(AuthState.name, size="2", color_scheme="gray"),
            rx.button("Sign out", variant="soft", size="1", on_click=AuthState.sign_out),
            spacing="2",
            align="center",
        ),
        justify="between",
        align="center",
        wrap="wrap",
        gap="3",
        padding="12px 20px",
        border_bottom="1px solid var(--gray-5)",
        width="100%",
    )


def error_callout(message: rx.Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle_alert",
            color_scheme="red",
            role="alert",
            class_name="api-error",
            width="100%",
        ),
    )


def notice(message: rx.Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="check", color_scheme="grass", class_name="notice", width="100%"),
    )


def page(title: str, *children: rx.Component) -> rx.Component:
    return rx.box(
        navbar(),
        rx.vstack(
            rx.heading(title, size="7"),
            *children,
            spacing="5",
            padding="20px",
            max_width="1200px",
            margin="0 auto",
            width="100%",
        ),
        width="100%",
    )


def loading_or(loading: rx.Var[bool], content: rx.Component) -> rx.Component:
    return rx.cond(loading, rx.center(rx.spinner(size="3"), padding="40px", width="100%"), content)
