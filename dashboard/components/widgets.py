"""Small pieces shared by the screens."""

import reflex as rx

COLORS = {"MOST_ENGAGED": "grass", "PROGRESSING": "amber", "GETTING_STARTED": "gray"}


def class_badge(key: rx.Var[str], label: rx.Var[str]) -> rx.Component:
    return rx.match(
        key,
        ("MOST_ENGAGED", rx.badge(label, color_scheme="grass", size="2")),
        ("PROGRESSING", rx.badge(label, color_scheme="amber", size="2")),
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
