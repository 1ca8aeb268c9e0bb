"""One contact: score, class, score over time, and why: the timeline with every point's reason."""

from typing import Any

import reflex as rx

from dashboard.components.forms import text_field
from dashboard.components.layout import error_callout, loading_or, notice, page
from dashboard.components.widgets import class_badge, empty, points_badge
from dashboard.models import TimelineRow
from dashboard.states.auth import AuthState
from dashboard.states.contact import ContactPageState as S


def header() -> rx.Component:
    return rx.flex(
        rx.card(
            rx.vstack(
                rx.text(S.name, size="4", weight="bold"),
                rx.text(S.email, color_scheme="gray"),
                rx.text("Country: ", S.country, size="2"),
                rx.text("Lists: ", S.lists, size="2"),
                spacing="1",
            ),
            flex="1",
            min_width="240px",
        ),
        rx.card(
            rx.vstack(
                rx.text("Score", size="2", color_scheme="gray"),
                rx.heading(S.score.to_string(), size="9", id="contact-score"),
                class_badge(S.class_key, S.class_label),
                spacing="2",
                align="center",
            ),
            min_width="180px",
        ),
        gap="4",
        wrap="wrap",
        width="100%",
    )


def chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Score over time", weight="bold"),
            rx.recharts.line_chart(
                rx.recharts.line(
                    data_key="score", stroke="var(--accent-9)", type_="stepAfter", dot=False
                ),
                rx.recharts.x_axis(data_key="when"),
                rx.recharts.y_axis(),
                rx.recharts.graphing_tooltip(),
                data=S.history.to(list[dict[str, Any]]),  # recharts takes plain objects
                width="100%",
                height=220,
            ),
            width="100%",
        ),
        width="100%",
    )


def entry(item: rx.Var[TimelineRow]) -> rx.Component:
    return rx.hstack(
        points_badge(item.points, item.points_text),
        rx.vstack(
            rx.text(item.reason, size="2", weight="medium"),
            rx.text(
                item.kind,
                " · ",
                item.when,
                " · total ",
                item.total.to_string(),
                rx.cond(item.by != "", " · by " + item.by, ""),
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
        ),
        class_name="timeline-entry",
        padding="8px 0",
        border_bottom="1px solid var(--gray-4)",
        width="100%",
        align="center",
    )


def manual_score() -> rx.Component:
    return rx.card(
        rx.form(
            rx.flex(
                text_field("New score", "score", type="number", id="manual-score", width="130px"),
                text_field(
                    "Reason",
                    "reason",
                    placeholder="Reason (required)",
                    id="manual-reason",
                    flex="1",
                    min_width="200px",
                ),
                rx.button("Set score", type="submit", id="set-score"),
                gap="2",
                wrap="wrap",
                width="100%",
            ),
            on_submit=S.set_score,
            reset_on_submit=True,
        ),
        width="100%",
    )


def contact_page() -> rx.Component:
    return page(
        "Contact",
        error_callout(S.error),
        notice(S.notice),
        loading_or(
            S.loading,
            rx.vstack(
                header(),
                chart(),
                rx.cond(AuthState.can_edit, manual_score()),
                rx.card(
                    rx.vstack(
                        rx.text(
                            "Timeline (" + S.total_entries.to_string() + " entries)", weight="bold"
                        ),
                        rx.cond(
                            S.entries.length() > 0,
                            rx.vstack(
                                rx.foreach(S.entries, entry),
                                spacing="0",
                                width="100%",
                                id="timeline",
                            ),
                            empty("No activity yet."),
                        ),
                        width="100%",
                    ),
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )
