"""Small pieces shared by the screens."""

import reflex as rx

from dashboard.enums import CLASS_COLORS


def class_badge(key: rx.Var[str], label: rx.Var[str]) -> rx.Component:
    return rx.match(
        key,
        *[(k, rx.badge(label, color_scheme=color, size="2")) for k, color in CLASS_COLORS.items()],
        rx.badge(label, color_scheme="gray", size="2"),
    )


def points_badge(points: rx.Var[int], text: rx.Var[str]) -> rx.Component:
    return rx.cond(
        points > 0,
        rx.badge(text, color_scheme="grass", variant="solid"),
        rx.cond(
            points < 0,
            rx.badge(text, color_scheme="red", variant="solid"),
            rx.badge(text, color_scheme="gray"),
        ),
    )


def empty(message: str) -> rx.Component:
    return rx.center(rx.text(message, color_scheme="gray"), padding="32px", width="100%")


def confirm_dialog(
    title: rx.Component,
    description: str,
    is_open: rx.Var[bool],
    cancel: rx.EventHandler,
    action: str,
    confirm: rx.EventHandler,
    confirm_id: str,
) -> rx.Component:
    """Asks before something that cannot be undone: `action` (a red button) or Cancel."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", on_click=cancel)
                ),
                rx.alert_dialog.action(
                    rx.button(action, color_scheme="red", on_click=confirm, id=confirm_id)
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
        ),
        open=is_open,
    )


def progress_card(
    shown: rx.Var[bool], status: rx.Component, value: rx.Var[int], element_id: str
) -> rx.Component:
    """A background job's progress: what it is at (`status`) over a bar of `value` percent."""
    return rx.cond(
        shown,
        rx.card(
            rx.vstack(status, rx.progress(value=value, width="100%", id=element_id), width="100%"),
            width="100%",
        ),
    )
