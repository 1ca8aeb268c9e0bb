"""Field rules (who a contact is) and custom rules (what it does), for admins to shape."""

from collections.abc import Callable
from typing import Any

import reflex as rx

from dashboard.components.forms import PROFILE_FIELDS, field_suggestions, select_of, text_field
from dashboard.components.layout import error_callout, notice, page
from dashboard.components.rule_fields import custom_rule_fields, name_and_points
from dashboard.components.widgets import empty
from dashboard.enums import FIELD_OPERATORS
from dashboard.models import CustomRuleRow, FieldRuleRow
from dashboard.states.auth import AuthState
from dashboard.states.rules import CONDITION_SLOTS
from dashboard.states.rules import RulesState as S


def _actions(
    edit: rx.EventHandler, delete: rx.EventHandler, rule_id: rx.Var[str], kind: str
) -> rx.Component:
    return rx.cond(
        AuthState.is_admin,
        rx.hstack(
            rx.button(
                "Edit", size="1", variant="soft", on_click=edit(rule_id), class_name=f"edit-{kind}"
            ),
            rx.button(
                "Delete",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=delete(rule_id),
                class_name=f"delete-{kind}",
            ),
        ),
    )


def rules_card(
    title: str,
    description: str,
    rules: rx.Var[list[Any]],
    headers: tuple[str, ...],
    row: Callable[[rx.Var[Any]], rx.Component],
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


def rule_form(
    kind: str, rule_id: rx.Var[str], fields: list[rx.Component], on_submit: rx.EventHandler
) -> rx.Component:
    """A new or edited rule: its fields, Save, and Cancel while editing."""
    return rx.form(
        rx.vstack(
            rx.text(rx.cond(rule_id != "", f"Edit {kind}", f"New {kind}"), weight="bold"),
            *fields,
            rx.hstack(
                rx.button(f"Save {kind}", type="submit", id=f"save-{kind.replace(' ', '-')}"),
                rx.cond(
                    rule_id != "",
                    rx.button("Cancel", variant="soft", type="button", on_click=S.cancel_edits),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        key=rule_id,
    )


def field_rules() -> rx.Component:
    def row(rule: rx.Var[FieldRuleRow]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rule.name),
            rx.table.cell(rule.points.to_string()),
            rx.table.cell(rule.summary),
            rx.table.cell(_actions(S.edit_field, S.delete_field, rule.id, "field")),
            class_name="field-rule-row",
        )

    editing = S.editing_field
    conditions = [
        rx.flex(
            text_field(
                f"Condition {i + 1} field",
                f"field{i}",
                placeholder=f"Field {i + 1} (e.g. {PROFILE_FIELDS[0]}, fields.plan)",
                default_value=editing.conditions[i].field,
                id=f"field-rule-field{i}",
                list="profile-fields",
                min_width="220px",
            ),
            select_of(
                f"operator{i}",
                FIELD_OPERATORS,
                editing.conditions[i].operator,
                f"field-rule-operator{i}",
                f"Condition {i + 1} operator",
            ),
            text_field(
                f"Condition {i + 1} value",
                f"value{i}",
                placeholder="Value",
                default_value=editing.conditions[i].value,
                id=f"field-rule-value{i}",
            ),
            gap="2",
            wrap="wrap",
        )
        for i in range(CONDITION_SLOTS)
    ]
    form = rule_form(
        "field rule",
        editing.id,
        [
            rx.flex(
                *name_and_points(editing, "field-rule", "Points"),
                gap="2",
                wrap="wrap",
            ),
            rx.text("Conditions (1 to 3, all must hold):", size="2", color_scheme="gray"),
            *conditions,
            field_suggestions("profile-fields"),
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
    def row(rule: rx.Var[CustomRuleRow]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rule.name),
            rx.table.cell(rule.points.to_string()),
            rx.table.cell(rule.summary),
            rx.table.cell(rx.cond(rule.excluded != "", rule.excluded, "—")),
            rx.table.cell(rx.cond(rule.enabled, "On", "Off")),
            rx.table.cell(_actions(S.edit_custom, S.delete_custom, rule.id, "custom")),
            class_name="custom-rule-row",
        )

    editing = S.editing_custom
    form = rule_form(
        "custom rule",
        editing.id,
        custom_rule_fields(editing, "custom-rule"),
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


def field_points_sync() -> rx.Component:
    """How far the contacts' field points are in following the last field-rule change."""
    return rx.cond(
        S.sync_text != "",
        rx.card(
            rx.vstack(
                rx.text(S.sync_text, role="status"),
                rx.cond(
                    S.sync_id != "",
                    rx.progress(value=S.sync_progress, width="100%", aria_label="Field points"),
                ),
                width="100%",
            ),
            id="field-rule-sync",
            width="100%",
        ),
    )


def rules_page() -> rx.Component:
    return page(
        "Rules",
        error_callout(S.error),
        notice(S.notice),
        field_points_sync(),
        field_rules(),
        custom_rules(),
    )
