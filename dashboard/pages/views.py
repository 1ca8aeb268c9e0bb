"""Score-based views: the saved segments, and one open with its report and contacts."""

from typing import Any

import reflex as rx

from dashboard.components.forms import field_suggestions, select_of, text_field
from dashboard.components.layout import error_callout, loading_or, notice, page
from dashboard.components.tables import table
from dashboard.components.view_summary import summary_email
from dashboard.components.widgets import empty
from dashboard.enums import FIELD_OPERATORS, SCORE_CONDITION_KINDS, SCORING_PERIOD_KINDS
from dashboard.models import Share
from dashboard.states.auth import AuthState
from dashboard.states.views import CRITERIA_SLOTS
from dashboard.states.views import ViewsState as S
from dashboard.view_models import ViewContactRow, ViewRow


def view_row(view: rx.Var[ViewRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(
                view.name, variant="ghost", on_click=S.open_view(view.id), class_name="open-view"
            )
        ),
        rx.table.cell(view.score_text),
        rx.table.cell(view.period_text),
        rx.table.cell(view.criteria_text),
        rx.table.cell(rx.cond(view.lists != "", view.lists, "All lists")),
        rx.table.cell(
            rx.cond(
                AuthState.can_edit,
                rx.hstack(
                    rx.button("Edit", size="1", variant="soft", on_click=S.edit_view(view.id)),
                    rx.button(
                        "Delete",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.delete_view(view.id),
                        class_name="delete-view",
                    ),
                ),
            )
        ),
        class_name="view-row",
    )


def views_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Saved views", weight="bold", size="4"),
                rx.spacer(),
                rx.cond(
                    AuthState.can_edit,
                    rx.button(
                        rx.icon("plus", size=16), "New view", on_click=S.new_view, id="new-view"
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.text(
                "Segments by score: contacts whose total score, or whose points in a period, "
                "meet a condition, narrowed by contact fields and mailing lists.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                S.views.length() > 0,
                table(
                    ["Name", "Score", "Points counted", "Criteria", "Lists", ""], S.views, view_row
                ),
                empty("No view yet."),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _field(
    label: str, name: str, value: rx.Var[str], element_id: str, **props: Any
) -> rx.Component:
    return text_field(label, name, default_value=value, id=element_id, **props)


def view_form() -> rx.Component:
    editing = S.editing
    criteria = [
        rx.flex(
            _field(
                f"Criterion {i + 1} field",
                f"field{i}",
                editing.criteria[i].field,
                f"view-field{i}",
                placeholder=f"Field {i + 1} (e.g. country)",
                list="view-fields",
            ),
            select_of(
                f"operator{i}",
                FIELD_OPERATORS,
                editing.criteria[i].operator,
                f"view-operator{i}",
                f"Criterion {i + 1} operator",
            ),
            _field(
                f"Criterion {i + 1} value",
                f"value{i}",
                editing.criteria[i].value,
                f"view-value{i}",
                placeholder="Value",
            ),
            gap="2",
            wrap="wrap",
        )
        for i in range(CRITERIA_SLOTS)
    ]
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text(rx.cond(editing.id != "", "Edit view", "New view"), weight="bold"),
                _field("Name", "name", editing.name, "view-name", min_width="260px"),
                rx.flex(
                    select_of(
                        "kind", SCORE_CONDITION_KINDS, editing.kind, "view-kind", "Score condition"
                    ),
                    _field(
                        "Min score", "min", editing.min, "view-min", type="number", width="120px"
                    ),
                    _field(
                        "Max score", "max", editing.max, "view-max", type="number", width="120px"
                    ),
                    gap="2",
                    wrap="wrap",
                    align="center",
                ),
                rx.flex(
                    select_of(
                        "period",
                        SCORING_PERIOD_KINDS,
                        editing.period,
                        "view-period",
                        "Points counted",
                    ),
                    _field("Days", "days", editing.days, "view-days", type="number", width="90px"),
                    _field(
                        "From", "start", editing.start, "view-start", type="date", width="160px"
                    ),
                    _field("To", "end", editing.end, "view-end", type="date", width="160px"),
                    gap="2",
                    wrap="wrap",
                    align="center",
                ),
                rx.text("Criteria (at most 2, all must hold):", size="2", color_scheme="gray"),
                *criteria,
                _field(
                    "Mailing lists, comma separated (any of them)",
                    "lists",
                    editing.lists,
                    "view-lists",
                    width="100%",
                ),
                field_suggestions("view-fields"),
                rx.hstack(
                    rx.button("Save view", type="submit", id="save-view"),
                    rx.button("Cancel", variant="soft", type="button", on_click=S.cancel),
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=S.save,
            reset_on_submit=True,
            key=editing.id,
        ),
        width="100%",
    )


def breakdown(title: str, rows: rx.Var[list[Share]], element_id: str) -> rx.Component:
    def row(item: rx.Var[Share]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(item.name),
            rx.table.cell(item.count.to_string(), class_name="count"),
            rx.table.cell(
                rx.progress(value=item.share, width="120px", aria_label=item.name + " share")
            ),
        )

    return rx.box(
        rx.text(title, weight="bold", size="3"),
        rx.cond(rows.length() > 0, table(["", "Contacts", "Share"], rows, row), empty("—")),
        id=element_id,
        flex="1",
        min_width="260px",
    )


def contact_row(contact: rx.Var[ViewContactRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(contact.email, href="/contacts/" + contact.id)),
        rx.table.cell(contact.name),
        rx.table.cell(contact.country),
        rx.table.cell(rx.text(contact.score.to_string(), weight="bold"), class_name="score"),
        class_name="view-contact-row",
    )


def selected_view() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(S.selected_name, size="5", id="view-title"),
                rx.badge(S.total.to_string() + " contacts", size="2", id="view-total"),
                rx.spacer(),
                rx.button(
                    rx.icon("refresh-cw", size=14), "Refresh", variant="soft", on_click=S.refresh
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                S.changes_since_load > 0,
                rx.callout(
                    S.changes_since_load.to_string()
                    + " score changes since these numbers were loaded: refresh to update them.",
                    icon="radio",
                    color_scheme="blue",
                    id="view-changes",
                    width="100%",
                ),
            ),
            rx.flex(
                breakdown("By mailing list", S.by_list, "view-by-list"),
                breakdown("By country", S.by_country, "view-by-country"),
                gap="4",
                wrap="wrap",
                width="100%",
            ),
            summary_email(),
            rx.cond(
                S.contacts.length() > 0,
                table(["Email", "Name", "Country", "Score"], S.contacts, contact_row),
                empty("No contact is in this view now."),
            ),
            rx.cond(
                S.next_cursor != "",
                rx.button("Load more", variant="soft", on_click=S.more, id="view-more"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def views_page() -> rx.Component:
    return page(
        "Views",
        error_callout(S.error),
        notice(S.notice),
        loading_or(
            S.loading,
            rx.vstack(
                views_card(),
                rx.cond(S.form_open, view_form()),
                rx.cond(S.selected_id != "", selected_view()),
                spacing="4",
                width="100%",
            ),
        ),
    )
