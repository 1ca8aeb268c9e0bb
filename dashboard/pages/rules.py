"""Field rules (who a contact is) and custom rules (what it does), for admins to shape."""

from collections.abc import Callable

import reflex as rx

from dashboard.components.layout import error_callout, notice, page
from dashboard.components.widgets import empty
from dashboard.states.auth import AuthState
from dashboard.states.rules import ACTIVITY_TYPES, CONDITION_SLOTS, FIELDS, OPERATORS
from dashboard.states.rules import RulesState as S


def select_of(name: str, options: list[str], value: rx.Var | str, element_id: str) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(option.replace("_", " ").lower(), value=option) for option in options],
        name=name,
        default_value=value,
        id=element_id,
        style={"padding": "6px", "border_radius": "6px", "border": "1px solid var(--gray-7)"},
    )


def _actions(edit: rx.EventHandler, delete: rx.EventHandler, rule: rx.Var, kind: str):
    return rx.cond(
        AuthState.is_admin,
        rx.hstack(
            rx.button(
                "Edit", size="1", variant="soft", on_click=edit(rule), class_name=f"edit-{kind}"
            ),
            rx.button(
                "Delete",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=delete(rule["id"].to(str)),
                class_name=f"delete-{kind}",
            ),
        ),
    )


def rules_card(
    title: str,
    description: str,
    rules: rx.Var,
    headers: tuple[str, ...],
    row: Callable[[rx.Var], rx.Component],
    empty_text: str,
    form: rx.Component,
) -> rx.Component:
    """A kind of rule: what it does, the rules in a table, and the form for admins."""
    table = rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rules, row)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )
    return rx.card(
        rx.vstack(
            rx.text(title, weight="bold", size="4"),
            rx.text(description, size="2", color_scheme="gray"),
            rx.cond(rules.length() > 0, table, empty(empty_text)),
            rx.cond(AuthState.is_admin, form),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def name_and_points(editing: rx.Var, id_prefix: str, points_hint: str) -> list[rx.Component]:
    """The name and points inputs every rule starts with."""
    return [
        rx.input(
            placeholder="Name",
            name="name",
            default_value=editing["name"].to(str),
            id=f"{id_prefix}-name",
            min_width="220px",
        ),
        rx.input(
            placeholder=points_hint,
            name="points",
            type="number",
            default_value=editing["points"].to(str),
            id=f"{id_prefix}-points",
            width="160px",
        ),
    ]


def rule_form(
    kind: str,
    editing: rx.Var,
    fields: list[rx.Component],
    on_submit: rx.EventHandler,
) -> rx.Component:
    """A new or edited rule: its fields, Save, and Cancel while editing."""
    return rx.form(
        rx.vstack(
            rx.text(rx.cond(editing.contains("id"), f"Edit {kind}", f"New {kind}"), weight="bold"),
            *fields,
            rx.hstack(
                rx.button(f"Save {kind}", type="submit", id=f"save-{kind.replace(' ', '-')}"),
                rx.cond(
                    editing.contains("id"),
                    rx.button("Cancel", variant="soft", type="button", on_click=S.cancel_edits),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        key=editing["id"].to(str),
    )


def field_rules() -> rx.Component:
    def row(rule: rx.Var[dict]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rule["name"].to(str)),
            rx.table.cell(rule["points"].to_string()),
            rx.table.cell(rule["summary"].to(str)),
            rx.table.cell(_actions(S.edit_field, S.delete_field, rule, "field")),
            class_name="field-rule-row",
        )

    editing = S.editing_field
    conditions = [
        rx.flex(
            rx.input(
                placeholder=f"Field {i + 1} (e.g. {FIELDS[0]}, fields.plan)",
                name=f"field{i}",
                default_value=editing[f"field{i}"].to(str),
                id=f"field-rule-field{i}",
                list="profile-fields",
                min_width="220px",
            ),
            select_of(
                f"operator{i}",
                OPERATORS,
                editing[f"operator{i}"].to(str),
                f"field-rule-operator{i}",
            ),
            rx.input(
                placeholder="Value",
                name=f"value{i}",
                default_value=editing[f"value{i}"].to(str),
                id=f"field-rule-value{i}",
            ),
            gap="2",
            wrap="wrap",
        )
        for i in range(CONDITION_SLOTS)
    ]
    form = rule_form(
        "field rule",
        editing,
        [
            rx.flex(
                *name_and_points(editing, "field-rule", "Points"),
                gap="2",
                wrap="wrap",
            ),
            rx.text("Conditions (1 to 3, all must hold):", size="2", color_scheme="gray"),
            *conditions,
            rx.el.datalist(*[rx.el.option(value=f) for f in FIELDS], id="profile-fields"),
        ],
        S.save_field,
    )
    return rules_card(
        "Field rules",
        "Points for who a contact is: given when a contact comes to match, taken back when it "
        "stops. They keep scoring while scoring is paused.",
        S.field_rules,
        ("Name", "Points", "Conditions", ""),
        row,
        "No field rule yet.",
        form,
    )


def custom_rules() -> rx.Component:
    def row(rule: rx.Var[dict]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rule["name"].to(str)),
            rx.table.cell(rule["points"].to_string()),
            rx.table.cell(rule["summary"].to(str)),
            rx.table.cell(rule["excluded"].to(str)),
            rx.table.cell(rule["state"].to(str)),
            rx.table.cell(_actions(S.edit_custom, S.delete_custom, rule, "custom")),
            class_name="custom-rule-row",
        )

    editing = S.editing_custom
    form = rule_form(
        "custom rule",
        editing,
        [
            rx.flex(
                *name_and_points(editing, "custom-rule", "Points (-50 to 100)"),
                select_of(
                    "activityType",
                    ACTIVITY_TYPES,
                    editing["activityType"].to(str),
                    "custom-rule-type",
                ),
                gap="2",
                wrap="wrap",
            ),
            rx.flex(
                rx.input(
                    placeholder="URL is",
                    name="urlEquals",
                    default_value=editing["urlEquals"].to(str),
                ),
                rx.input(
                    placeholder="URL contains",
                    name="urlContains",
                    default_value=editing["urlContains"].to(str),
                    id="custom-rule-url",
                ),
                rx.input(
                    placeholder="Campaign",
                    name="campaignId",
                    default_value=editing["campaignId"].to(str),
                ),
                rx.input(
                    placeholder="Campaigns that opt out (comma separated)",
                    name="excluded",
                    default_value=editing["excluded"].to(str),
                    min_width="260px",
                ),
                gap="2",
                wrap="wrap",
            ),
            rx.checkbox(
                "Enabled",
                name="enabled",
                default_checked=rx.cond(editing.contains("id"), editing["enabled"].to(bool), True),
            ),
        ],
        S.save_custom,
    )
    return rules_card(
        "Custom rules",
        "Points for activities that match, once per contact and campaign; every campaign "
        "applies them unless it opts out. They keep scoring while scoring is paused.",
        S.custom_rules,
        ("Name", "Points", "When", "Opted out", "State", ""),
        row,
        "No custom rule yet.",
        form,
    )


def rules_page() -> rx.Component:
    return page("Rules", error_callout(S.error), notice(S.notice), field_rules(), custom_rules())
