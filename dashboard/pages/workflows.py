"""Workflows: for the contacts of a mailing list, when something happens, add (or subtract) a
score; admins create, edit, activate, deactivate and delete them."""

import reflex as rx

from dashboard.components.forms import (
    PROFILE_FIELDS,
    checked_field,
    field_suggestions,
    select_of,
)
from dashboard.components.layout import error_callout, loading_or, notice, page
from dashboard.components.tables import table
from dashboard.components.widgets import confirm_dialog, empty
from dashboard.enums import ACTIVITY_TYPES, FIELD_OPERATORS, TRIGGER_LABELS, WORKFLOW_TRIGGERS
from dashboard.states.auth import AuthState
from dashboard.states.workflows import WorkflowsState as S
from dashboard.workflow_models import WorkflowRow

ABOUT = (
    "A workflow adds a score to the contacts of one mailing list when something happens: they "
    "join the list, a field of theirs comes to match, or they do an activity. Each contact goes "
    "through a workflow once; only what happens while it is active counts, and the points it "
    "gave stay when it is deactivated or deleted."
)


def _input(label: str, element_id: str, field: str, **props: object) -> rx.Component:
    return checked_field(
        label,
        rx.input(id=element_id, **{"width": "100%", **props}),
        element_id,
        S.field_errors,
        field,
        min_width="220px",
    )


def condition_parts() -> rx.Component:
    condition = S.editing.condition
    return rx.flex(
        _input(
            "Contact field",
            "wf-field",
            "condition.field",
            name="field",
            default_value=condition.field,
            list="workflow-fields",
            placeholder=f"e.g. {PROFILE_FIELDS[0]} or fields.plan",
        ),
        checked_field(
            "Comparison",
            select_of("operator", FIELD_OPERATORS, condition.operator, "wf-operator", "Comparison"),
            "wf-operator",
            S.field_errors,
            "condition",
        ),
        _input("Value", "wf-value", "condition.value", name="value", default_value=condition.value),
        field_suggestions("workflow-fields"),
        gap="3",
        wrap="wrap",
    )


def activity_parts() -> rx.Component:
    return rx.flex(
        checked_field(
            "Activity",
            select_of(
                "activityType", ACTIVITY_TYPES, S.editing.activity_type, "wf-activity", "Activity"
            ),
            "wf-activity",
            S.field_errors,
            "activityType",
        ),
        _input(
            "Only in campaign (optional)",
            "wf-campaign",
            "campaignId",
            name="campaignId",
            default_value=S.editing.campaign_id,
        ),
        gap="3",
        wrap="wrap",
    )


def workflow_form() -> rx.Component:
    editing = S.editing
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text(
                    rx.cond(editing.id != "", "Edit workflow", "New workflow"),
                    weight="bold",
                    size="4",
                ),
                rx.flex(
                    _input("Name", "wf-name", "name", name="name", default_value=editing.name),
                    _input(
                        "For contacts of the mailing list",
                        "wf-list",
                        "mailingList",
                        name="mailingList",
                        default_value=editing.mailing_list,
                    ),
                    checked_field(
                        "When",
                        select_of(
                            "trigger",
                            WORKFLOW_TRIGGERS,
                            S.trigger,
                            "wf-trigger",
                            "When",
                            TRIGGER_LABELS,
                            on_change=S.set_trigger,
                        ),
                        "wf-trigger",
                        S.field_errors,
                        "trigger",
                    ),
                    gap="3",
                    wrap="wrap",
                ),
                rx.match(
                    S.trigger,
                    ("FIELD_CONDITION", condition_parts()),
                    ("ACTIVITY", activity_parts()),
                    rx.text(
                        "It acts when a contact is added to the list (or created on it).",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                _input(
                    "Points to add (-50 to 100; negative subtracts)",
                    "wf-points",
                    "points",
                    name="points",
                    type="number",
                    default_value=rx.cond(editing.id != "", editing.points.to_string(), ""),
                    width="160px",
                ),
                rx.cond(
                    editing.id == "",
                    rx.checkbox("Activate at once", name="active", id="wf-active"),
                ),
                rx.hstack(
                    rx.button("Save workflow", type="submit", id="save-workflow"),
                    rx.cond(
                        editing.id != "",
                        rx.button("Cancel", variant="soft", type="button", on_click=S.cancel_edit),
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save,
            reset_on_submit=False,
            key=editing.id + S.form_key.to_string(),
        ),
        width="100%",
    )


def row_actions(workflow: rx.Var[WorkflowRow]) -> rx.Component:
    return rx.flex(
        rx.button(
            "Edit",
            size="1",
            variant="soft",
            on_click=S.edit(workflow.id),
            class_name="edit-workflow",
        ),
        rx.cond(
            workflow.active,
            rx.button(
                "Deactivate",
                size="1",
                variant="soft",
                color_scheme="amber",
                on_click=S.set_active(workflow.id, False),
                class_name="deactivate-workflow",
            ),
            rx.button(
                "Activate",
                size="1",
                variant="soft",
                color_scheme="grass",
                on_click=S.set_active(workflow.id, True),
                class_name="activate-workflow",
            ),
        ),
        rx.button(
            "Delete",
            size="1",
            variant="soft",
            color_scheme="red",
            on_click=S.ask_delete(workflow.id, workflow.name),
            class_name="delete-workflow",
        ),
        gap="2",
        wrap="wrap",
    )


def workflow_list() -> rx.Component:
    def row(workflow: rx.Var[WorkflowRow]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(workflow.name, class_name="workflow-name"),
            rx.table.cell(workflow.when),
            rx.table.cell(workflow.action),
            rx.table.cell(
                rx.cond(
                    workflow.active,
                    rx.badge("Active", color_scheme="grass"),
                    rx.badge("Inactive", color_scheme="gray"),
                ),
                class_name="workflow-state",
            ),
            rx.table.cell(workflow.since),
            rx.table.cell(rx.cond(AuthState.is_admin, row_actions(workflow))),
            class_name="workflow-row",
        )

    return rx.cond(
        S.workflows.length() > 0,
        table(["Name", "When", "Does", "State", "Active since", ""], S.workflows, row),
        empty("No workflow yet."),
    )


def confirm_delete() -> rx.Component:
    return confirm_dialog(
        rx.fragment("Delete workflow '", S.confirm_name, "'?"),
        "It stops acting at once. The points it gave stay on the contacts' timelines.",
        S.confirm_id != "",
        S.cancel_delete,
        "Delete",
        S.delete,
        "confirm-delete-workflow",
    )


def workflows_page() -> rx.Component:
    return page(
        "Workflows",
        rx.text(ABOUT, size="2", color_scheme="gray"),
        error_callout(S.error),
        notice(S.notice),
        loading_or(
            S.loading,
            rx.vstack(
                rx.cond(
                    AuthState.is_admin,
                    workflow_form(),
                    rx.callout(
                        "Only admins can change workflows.",
                        icon="lock",
                        width="100%",
                        id="workflows-read-only",
                    ),
                ),
                workflow_list(),
                confirm_delete(),
                spacing="4",
                width="100%",
                id="workflows",
            ),
        ),
    )
