"""Resetting every score, with the consequences spelled out, and the reset history."""

import reflex as rx

from dashboard.components.forms import labelled
from dashboard.components.layout import error_callout, notice, page
from dashboard.components.widgets import empty, progress_card
from dashboard.models import ResetRow
from dashboard.states.auth import AuthState
from dashboard.states.reset import ResetState as S

CONSEQUENCES = [
    "Every contact's score goes back to 0; the timeline keeps a reset entry for each.",
    "Unique and multiple counting starts again, so the next open earns the unique points.",
    "The score sheet and the classification thresholds stay as they are.",
    "Scoring is paused afterwards unless you tick 'Enable scoring when done'.",
    "This cannot be undone. Who did it, when and why goes into the reset history.",
]


def reset_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text("Reset all scores", weight="bold", size="4"),
                rx.unordered_list(*[rx.list_item(text) for text in CONSEQUENCES]),
                labelled(
                    "Why? (kept in the reset history)",
                    rx.input(name="reason", id="reset-reason", width="100%"),
                    "reset-reason",
                    width="100%",
                ),
                rx.checkbox("Enable scoring when done", name="enable_scoring"),
                rx.checkbox("I agree: reset every score to 0", name="agree", id="reset-agree"),
                rx.button(
                    "Reset now",
                    type="submit",
                    color_scheme="red",
                    id="reset-now",
                    disabled=S.running_id != "",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.start,
            reset_on_submit=True,
        ),
        width="100%",
    )


def progress() -> rx.Component:
    return progress_card(
        S.running_id != "",
        rx.text("Resetting… ", S.progress_text),
        S.progress,
        "reset-progress",
    )


def history() -> rx.Component:
    def row(reset: rx.Var[ResetRow]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(reset.when),
            rx.table.cell(reset.actor),
            rx.table.cell(reset.reason),
            rx.table.cell(reset.status),
            rx.table.cell(reset.affected.to_string()),
            rx.table.cell(reset.enabled),
            class_name="reset-row",
        )

    return rx.card(
        rx.vstack(
            rx.text("Reset history", weight="bold"),
            rx.cond(
                S.history.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in (
                                        "When",
                                        "Who",
                                        "Why",
                                        "Status",
                                        "Contacts affected",
                                        "Scoring enabled",
                                    )
                                ]
                            )
                        ),
                        rx.table.body(rx.foreach(S.history, row)),
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                ),
                empty("No reset yet."),
            ),
            width="100%",
        ),
        width="100%",
    )


def reset_page() -> rx.Component:
    return page(
        "Reset",
        error_callout(S.error),
        notice(S.done),
        rx.cond(
            AuthState.is_admin,
            reset_form(),
            rx.callout("Only admins can reset scores.", icon="lock", width="100%"),
        ),
        progress(),
        history(),
    )
