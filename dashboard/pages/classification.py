"""Who is most engaged: the three classes, the score distribution and the thresholds."""

from typing import Any

import reflex as rx

from dashboard.components.forms import labelled
from dashboard.components.layout import error_callout, loading_or, notice, page
from dashboard.enums import BASIS_LABELS, CLASSIFICATION_BASES
from dashboard.models import ClassTile
from dashboard.states.auth import AuthState
from dashboard.states.classification import ClassificationState as S


def class_card(item: rx.Var[ClassTile]) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.text(item.label, size="3", weight="bold"),
                rx.heading(item.count.to_string(), size="8", class_name="class-count"),
                rx.progress(
                    value=item.share,
                    color_scheme=item.color,
                    width="100%",
                    aria_label=item.label + " share of contacts",
                ),
                rx.text(item.share.to_string() + "% of contacts", size="2", color_scheme="gray"),
                spacing="2",
                width="100%",
            ),
            width="100%",
            id="class-" + item.key,
        ),
        href="/contacts?class=" + item.key,
        underline="none",
        width="100%",
    )


def distribution() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Score distribution", weight="bold"),
            rx.recharts.bar_chart(
                rx.recharts.bar(data_key="contacts", fill="var(--accent-9)"),
                rx.recharts.x_axis(data_key="range"),
                rx.recharts.y_axis(allow_decimals=False),
                rx.recharts.graphing_tooltip(),
                data=S.buckets.to(list[dict[str, Any]]),  # recharts takes plain objects
                width="100%",
                height=260,
            ),
            width="100%",
        ),
        width="100%",
    )


def thresholds() -> rx.Component:
    summary = rx.text(
        "Most engaged from ",
        rx.code(S.most_engaged_min.to_string()),
        " points, progressing from ",
        rx.code(S.progressing_min.to_string()),
        ", ",
        S.basis_text,
        ".",
        id="thresholds",
    )
    form = rx.form(
        rx.flex(
            labelled(
                "Most engaged from",
                rx.input(
                    name="most_engaged_min",
                    default_value=S.most_engaged_min.to_string(),
                    id="most-engaged-min",
                    type="number",
                ),
                "most-engaged-min",
            ),
            labelled(
                "Progressing from",
                rx.input(
                    name="progressing_min",
                    default_value=S.progressing_min.to_string(),
                    id="progressing-min",
                    type="number",
                ),
                "progressing-min",
            ),
            labelled(
                "Classify by",
                rx.select.root(
                    rx.select.trigger(id="basis"),
                    rx.select.content(
                        *[
                            rx.select.item(BASIS_LABELS[basis], value=basis)
                            for basis in CLASSIFICATION_BASES
                        ]
                    ),
                    name="basis",
                    default_value=S.basis,
                ),
                "basis",
            ),
            labelled(
                "N days",
                rx.input(
                    name="period_days",
                    default_value=S.period_days.to_string(),
                    type="number",
                    id="period-days",
                ),
                "period-days",
            ),
            rx.button("Save thresholds", type="submit", id="save-thresholds"),
            gap="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=S.save,
        reset_on_submit=False,
        key=S.most_engaged_min.to_string() + S.progressing_min.to_string() + S.basis,
    )
    return rx.card(
        rx.vstack(
            rx.text("Thresholds", weight="bold"),
            summary,
            rx.cond(
                AuthState.is_admin,
                form,
                rx.text("Only admins can change the thresholds.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def classification_page() -> rx.Component:
    return page(
        "Classification",
        error_callout(S.error),
        notice(S.saved),
        loading_or(
            S.loading,
            rx.vstack(
                rx.grid(
                    rx.foreach(S.classes, class_card),
                    columns=rx.breakpoints(initial="1", sm="3"),
                    spacing="4",
                    width="100%",
                ),
                rx.text(
                    S.total.to_string() + " contacts in all. Pick a class to see its contacts.",
                    color_scheme="gray",
                    size="2",
                ),
                distribution(),
                thresholds(),
                spacing="4",
                width="100%",
            ),
        ),
    )
