"""All contacts: search, filter, sort by score, page through; a row opens the contact."""

import reflex as rx

from dashboard.components.forms import text_field
from dashboard.components.layout import error_callout, loading_or, page
from dashboard.components.widgets import class_badge, empty
from dashboard.enums import CLASS_LABELS, CONTACT_CLASSES
from dashboard.models import ContactRow
from dashboard.states.contacts import ContactsState as S


def filters() -> rx.Component:
    return rx.form(
        rx.flex(
            text_field(
                "Search email or name",
                "search",
                id="search",
                default_value=S.search,
                min_width="200px",
            ),
            rx.select.root(
                rx.select.trigger(placeholder="Any class", aria_label="Class"),
                rx.select.content(
                    rx.select.item("Any class", value="ALL"),
                    *[rx.select.item(CLASS_LABELS[c], value=c) for c in CONTACT_CLASSES],
                ),
                name="class_filter",
                default_value=rx.cond(S.class_filter == "", "ALL", S.class_filter),
            ),
            text_field("Min score", "min_score", type="number", width="110px"),
            text_field("Max score", "max_score", type="number", width="110px"),
            text_field("Mailing list", "mailing_list", width="150px"),
            text_field("Country", "country", width="130px"),
            rx.button(rx.icon("search", size=16), "Apply", type="submit", id="apply-filters"),
            gap="2",
            wrap="wrap",
        ),
        on_submit=S.apply,
        reset_on_submit=False,
        key=S.class_filter,
    )


def row(contact: rx.Var[ContactRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(contact.email, href="/contacts/" + contact.id)),
        rx.table.cell(contact.name),
        rx.table.cell(contact.country),
        rx.table.cell(contact.lists),
        rx.table.cell(rx.text(contact.score.to_string(), weight="bold"), class_name="score"),
        rx.table.cell(class_badge(contact.class_key, contact.class_label)),
        class_name="contact-row",
        style={"cursor": "pointer"},
        on_click=rx.redirect("/contacts/" + contact.id),
    )


def table() -> rx.Component:
    return rx.cond(
        S.rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Email"),
                        rx.table.column_header_cell("Name"),
                        rx.table.column_header_cell("Country"),
                        rx.table.column_header_cell("Lists"),
                        rx.table.column_header_cell(
                            rx.button(
                                "Score ",
                                rx.cond(
                                    S.descending,
                                    rx.icon("arrow-down", size=14),
                                    rx.icon("arrow-up", size=14),
                                ),
                                variant="ghost",
                                on_click=S.toggle_order,
                                id="sort-score",
                            )
                        ),
                        rx.table.column_header_cell("Class"),
                    )
                ),
                rx.table.body(rx.foreach(S.rows, row)),
                width="100%",
                variant="surface",
            ),
            overflow_x="auto",
            width="100%",
        ),
        empty("No contact matches these filters."),
    )


def pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            "Previous", on_click=S.previous_page, disabled=S.page_number <= 1, variant="soft"
        ),
        rx.text("Page " + S.page_number.to_string(), size="2"),
        rx.button(
            "Next", on_click=S.next_page, disabled=~S.has_next, variant="soft", id="next-page"
        ),
        rx.spacer(),
        rx.text(S.total.to_string() + " contacts", size="2", color_scheme="gray", id="total"),
        width="100%",
        align="center",
    )


def contacts_page() -> rx.Component:
    return page(
        "Contacts",
        filters(),
        error_callout(S.error),
        loading_or(S.loading, rx.vstack(table(), pager(), width="100%", spacing="3")),
    )
