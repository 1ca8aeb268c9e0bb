"""Score-based views: the saved segments, and one open with its report and contacts."""

import reflex as rx

from dashboard.components.layout import error_callout, loading_or, notice, page
from dashboard.components.widgets import empty
from dashboard.pages.rules import select_of
from dashboard.states.auth import AuthState
from dashboard.states.rules import FIELDS, OPERATORS
from dashboard.states.views import CONDITIONS, CRITERIA_SLOTS, FREQUENCIES, PERIODS, WEEKDAYS
from dashboard.states.views import ViewsState as S


def table(headers: list[str], rows: rx.Var, row, **props) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, row)),
            width="100%",
            variant="surface",
        ),
        overflow_x="auto",
        width="100%",
        **props,
    )


def view_row(view: rx.Var[dict]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(
                view["name"].to(str),
                variant="ghost",
                on_click=S.open_view(view["id"].to(str)),
                class_name="open-view",
            )
        ),
        rx.table.cell(view["score_text"].to(str)),
        rx.table.cell(view["period_text"].to(str)),
        rx.table.cell(view["criteria_text"].to(str)),
        rx.table.cell(view["lists_text"].to(str)),
        rx.table.cell(
            rx.cond(
                AuthState.can_edit,
                rx.hstack(
                    rx.button("Edit", size="1", variant="soft", on_click=S.edit_view(view)),
                    rx.button(
                        "Delete",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.delete_view(view["id"].to(str)),
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


def _field(name: str, placeholder: str, element_id: str, **props) -> rx.Component:
    return rx.input(
        placeholder=placeholder,
        name=name,
        default_value=S.editing[name].to(str),
        id=element_id,
        **props,
    )


def view_form() -> rx.Component:
    editing = S.editing
    criteria = [
        rx.flex(
            _field(
                f"field{i}", f"Field {i + 1} (e.g. country)", f"view-field{i}", list="view-fields"
            ),
            select_of(
                f"operator{i}", OPERATORS, editing[f"operator{i}"].to(str), f"view-operator{i}"
            ),
            _field(f"value{i}", "Value", f"view-value{i}"),
            gap="2",
            wrap="wrap",
        )
        for i in range(CRITERIA_SLOTS)
    ]
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text(rx.cond(editing.contains("id"), "Edit view", "New view"), weight="bold"),
                _field("name", "Name", "view-name", min_width="260px"),
                rx.flex(
                    select_of("kind", CONDITIONS, editing["kind"].to(str), "view-kind"),
                    _field("min", "Min score", "view-min", type="number", width="120px"),
                    _field("max", "Max score", "view-max", type="number", width="120px"),
                    gap="2",
                    wrap="wrap",
                    align="center",
                ),
                rx.flex(
                    select_of("period", PERIODS, editing["period"].to(str), "view-period"),
                    _field("days", "Days", "view-days", type="number", width="90px"),
                    _field("start", "From", "view-start", type="date", width="160px"),
                    _field("end", "To", "view-end", type="date", width="160px"),
                    gap="2",
                    wrap="wrap",
                    align="center",
                ),
                rx.text("Criteria (at most 2, all must hold):", size="2", color_scheme="gray"),
                *criteria,
                _field(
                    "lists",
                    "Mailing lists, comma separated (any of them)",
                    "view-lists",
                    width="100%",
                ),
                rx.el.datalist(*[rx.el.option(value=f) for f in FIELDS], id="view-fields"),
                rx.hstack(
                    rx.button("Save view", type="submit", id="save-view"),
                    rx.button("Cancel", variant="soft", type="button", on_click=S.cancel),
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=S.save,
            reset_on_submit=True,
            key=editing["id"].to(str),
        ),
        width="100%",
    )


def breakdown(title: str, rows: rx.Var, element_id: str) -> rx.Component:
    def row(item: rx.Var[dict]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(item["name"].to(str)),
            rx.table.cell(item["count"].to_string(), class_name="count"),
            rx.table.cell(rx.progress(value=item["share"].to(int), width="120px")),
        )

    return rx.box(
        rx.text(title, weight="bold", size="3"),
        rx.cond(rows.length() > 0, table(["", "Contacts", "Share"], rows, row), empty("—")),
        id=element_id,
        flex="1",
        min_width="260px",
    )


def contact_row(contact: rx.Var[dict]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(contact["email"].to(str), href="/contacts/" + contact["id"].to(str))),
        rx.table.cell(contact["name"].to(str)),
        rx.table.cell(contact["country"].to(str)),
        rx.table.cell(rx.text(contact["score"].to_string(), weight="bold"), class_name="score"),
        class_name="view-contact-row",
    )


def summary_email() -> rx.Component:
    """The open view's summary email: a schedule, or (fixed date range) one email now; the PDF."""
    n = S.notification
    status = rx.cond(
        n.contains("status"),
        rx.text(
            "Summary email: "
            + n["status"].to(str)
            + " · next "
            + n["nextSendAt"].to(str)
            + " UTC · last sent "
            + n["lastSentAt"].to(str),
            size="2",
            id="notification-status",
        ),
        rx.text("No summary email is set for this view.", size="2", color_scheme="gray"),
    )
    schedule = rx.form(
        rx.flex(
            rx.checkbox(
                "Send",
                name="enabled",
                # A new schedule is meant to send; a saved one shows what it is.
                default_checked=rx.cond(n.contains("enabled"), n["enabled"].to(str) == "on", True),
                id="notify-on",
            ),
            select_of("frequency", FREQUENCIES, n["frequency"].to(str), "notify-frequency"),
            rx.input(
                name="time",
                placeholder="HH:MM (UTC)",
                default_value=rx.cond(n.contains("time"), n["time"].to(str), "09:00"),
                width="110px",
                id="notify-time",
            ),
            select_of("weekday", WEEKDAYS, n["weekday"].to(str), "notify-weekday"),
            rx.input(
                name="dayOfMonth",
                type="number",
                placeholder="Day (monthly)",
                default_value=n["dayOfMonth"].to(str),
                width="120px",
            ),
            rx.input(
                name="recipients",
                placeholder="Recipients, comma separated",
                default_value=n["recipients"].to(str),
                min_width="260px",
                id="notify-recipients",
            ),
            rx.button("Save schedule", type="submit", id="save-notification"),
            gap="2",
            wrap="wrap",
            align="center",
        ),
        on_submit=S.save_notification,
        key=S.selected_id + n["frequency"].to(str),
    )
    once = rx.form(
        rx.flex(
            rx.input(
                name="recipients",
                placeholder="Email the summary now to…",
                min_width="260px",
                id="email-now-recipients",
            ),
            rx.button("Send now", type="submit", variant="soft", id="email-now"),
            gap="2",
            wrap="wrap",
        ),
        on_submit=S.email_now,
        reset_on_submit=True,
    )
    return rx.vstack(
        rx.hstack(
            rx.text("Summary", weight="bold", size="3"),
            rx.spacer(),
            rx.button(
                rx.icon("file-down", size=14),
                "Download PDF",
                variant="soft",
                on_click=S.download_pdf,
                id="download-pdf",
            ),
            width="100%",
            align="center",
        ),
        status,
        rx.cond(n["lastError"].to(str) != "", rx.text(n["lastError"].to(str), color_scheme="red")),
        rx.cond(
            AuthState.can_edit,
            rx.cond(
                S.fixed_range,
                rx.text(
                    "A view over a fixed date range gets no periodic email: send it once instead.",
                    size="2",
                    color_scheme="gray",
                ),
                schedule,
            ),
        ),
        rx.cond(AuthState.can_edit, once),
        spacing="2",
        width="100%",
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
