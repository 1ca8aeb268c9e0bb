"""The score sheet: points per activity within their ranges, pause/resume, negative scoring."""

import reflex as rx

from dashboard.components.layout import error_callout, loading_or, notice, page
from dashboard.models import SheetRow
from dashboard.states.auth import AuthState
from dashboard.states.setup import SetupState as S


def entry_field(item: rx.Var[SheetRow]) -> rx.Component:
    element_id = "points-" + item.activity
    return rx.hstack(
        rx.vstack(
            rx.el.label(
                item.label,
                html_for=element_id,
                style={"font_size": "var(--font-size-2)", "font_weight": "500"},
            ),
            rx.text("Allowed: " + item.allowed, size="1", color_scheme="gray"),
            spacing="0",
            flex="1",
        ),
        rx.input(
            name=item.activity,
            default_value=item.points.to_string(),
            type="number",
            min=item.min_points.to_string(),
            max=item.max_points.to_string(),
            width="90px",
            disabled=~AuthState.is_admin,
            id=element_id,
        ),
        width="100%",
        align="center",
        padding="6px 0",
        border_bottom="1px solid var(--gray-4)",
    )


def switches() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.switch(
                    checked=S.enabled,
                    on_change=S.set_enabled,
                    disabled=~AuthState.is_admin,
                    id="scoring-enabled",
                    aria_label="Scoring",
                ),
                rx.text(
                    rx.cond(
                        S.enabled,
                        "Scoring is on",
                        "Scoring is paused: activities are "
                        "stored but earn nothing; scores stay as they are",
                    )
                ),
                align="center",
            ),
            rx.hstack(
                rx.switch(
                    checked=S.negative_enabled,
                    on_change=S.set_negative,
                    disabled=~AuthState.is_admin,
                    id="negative-enabled",
                    aria_label="Negative scoring",
                ),
                rx.text(
                    rx.cond(
                        S.negative_enabled,
                        "Negative scoring is on: unsubscribes and negative replies subtract",
                        "Negative scoring is off",
                    )
                ),
                align="center",
            ),
            spacing="3",
        ),
        width="100%",
    )


def setup_page() -> rx.Component:
    return page(
        "Scoring setup",
        error_callout(S.error),
        notice(S.saved),
        loading_or(
            S.loading,
            rx.vstack(
                switches(),
                rx.card(
                    rx.form(
                        rx.vstack(
                            rx.text("Score sheet", weight="bold"),
                            rx.text(
                                "New points apply to activities scored from now on.",
                                size="2",
                                color_scheme="gray",
                            ),
                            rx.foreach(S.entries, entry_field),
                            rx.cond(
                                AuthState.is_admin,
                                rx.button("Save score sheet", type="submit", id="save-sheet"),
                            ),
                            width="100%",
                        ),
                        on_submit=S.save_points,
                        reset_on_submit=False,
                    ),
                    width="100%",
                ),
                width="100%",
                spacing="4",
            ),
        ),
    )
