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
