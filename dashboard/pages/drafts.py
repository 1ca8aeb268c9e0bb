"""Rule drafts: try a change to the score sheet or the custom rules against every contact's
stored history, see what it would do, then apply it and rescore, followed live."""

import reflex as rx

from dashboard.components.forms import SELECT_STYLE, checked_field, field_error
from dashboard.components.layout import error_callout, loading_or, notice, page
from dashboard.components.rule_fields import custom_rule_fields
from dashboard.components.tables import table
from dashboard.components.widgets import empty, progress_card
from dashboard.draft_models import ClassMove, RescoreRow, SimulatedRow
from dashboard.models import CustomRuleRow, SheetRow
from dashboard.states.auth import AuthState
from dashboard.states.drafts import DraftsState as S

ABOUT = (
    "Changing the score sheet or a custom rule applies to activities scored from now on. Draft "
    "a change here to see what it would do to the scores everyone has earned so far; apply it "
    "and rescore to score the stored history under it."
)


def _simulate_button(element_id: str) -> rx.Component:
    return rx.button("Simulate", type="submit", id=element_id, variant="soft")


def sheet_draft() -> rx.Component:
    def entry(item: rx.Var[SheetRow]) -> rx.Component:
        element_id = "draft-points-" + item.activity
        return rx.vstack(
            rx.hstack(
                rx.el.label(
                    item.label, html_for=element_id, style={"font_size": "var(--font-size-2)"}
                ),
                rx.text("now " + item.points.to_string(), size="1", color_scheme="gray"),
                rx.spacer(),
                rx.input(
                    name=item.activity,
                    default_value=item.points.to_string(),
                    type="number",
                    min=item.min_points.to_string(),
                    max=item.max_points.to_string(),
                    width="90px",
                    id=element_id,
                ),
                width="100%",
                align="center",
            ),
            field_error(S.field_errors, "entries." + item.activity, element_id),
            spacing="1",
            width="100%",
            border_bottom="1px solid var(--gray-4)",
            padding="4px 0",
        )

    return rx.form(
        rx.vstack(
            rx.foreach(S.entries, entry),
            rx.checkbox(
                "Negative scoring (unsubscribes and negative replies subtract)",
                name="negative",
                default_checked=S.negative_enabled,
            ),
            _simulate_button("simulate-sheet"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.simulate_sheet,
        reset_on_submit=False,
        key=S.form_key.to_string(),
    )


def rule_option(rule: rx.Var[CustomRuleRow]) -> rx.Component:
    return rx.el.option(rule.name, value=rule.id)


def rule_draft() -> rx.Component:
    return rx.vstack(
        rx.el.label("Rule to draft", html_for="draft-rule-pick"),
        rx.el.select(
            rx.el.option("A new rule", value=""),
            rx.foreach(S.custom_rules, rule_option),
            value=S.rule.id,
            on_change=S.pick_rule,
            id="draft-rule-pick",
            style=SELECT_STYLE,
        ),
        rx.form(
            rx.vstack(
                *custom_rule_fields(S.rule, "draft-rule", S.field_errors, "customRule."),
                _simulate_button("simulate-rule"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.simulate_rule,
            reset_on_submit=False,
            key=S.rule.id + S.form_key.to_string(),
        ),
        spacing="2",
        width="100%",
    )


def removal_draft() -> rx.Component:
    return rx.cond(
        S.custom_rules.length() > 0,
        rx.form(
            rx.vstack(
                checked_field(
                    "Rule to remove",
                    rx.el.select(
                        rx.foreach(S.custom_rules, rule_option),
                        name="rule",
                        id="draft-remove",
                        style=SELECT_STYLE,
                    ),
                    "draft-remove",
                    S.field_errors,
                    "removeCustomRuleId",
                ),
                _simulate_button("simulate-removal"),
                spacing="2",
            ),
            on_submit=S.simulate_removal,
            reset_on_submit=False,
        ),
        empty("No custom rule to remove."),
    )


def _tab(label: str, value: str) -> rx.Component:
    # A tab's text names it, but named explicitly as the other controls are.
    return rx.tabs.trigger(label, value=value, id=f"tab-{value}", aria_label=label)


def draft_card() -> rx.Component:
    return rx.card(
        rx.tabs.root(
            rx.tabs.list(
                _tab("Score sheet", "sheet"),
                _tab("Custom rule", "rule"),
                _tab("Remove a rule", "remove"),
                flex_wrap="wrap",
            ),
            rx.tabs.content(sheet_draft(), value="sheet", padding_top="12px"),
            rx.tabs.content(rule_draft(), value="rule", padding_top="12px"),
            rx.tabs.content(removal_draft(), value="remove", padding_top="12px"),
            value=S.kind,
            on_change=S.set_kind,
        ),
        width="100%",
    )


def apply_form() -> rx.Component:
    return rx.form(
        rx.flex(
            checked_field(
                "Why? (shown on every rescored contact's timeline)",
                rx.input(name="reason", id="rescore-reason", width="100%"),
                "rescore-reason",
                S.field_errors,
                "reason",
                flex="1",
                min_width="220px",
            ),
            rx.button(
                "Apply and rescore",
                type="submit",
                id="apply-draft",
                disabled=S.running_id != "",
            ),
            gap="3",
            align="end",
            wrap="wrap",
            width="100%",
        ),
        on_submit=S.apply,
        reset_on_submit=True,
        width="100%",
    )


def simulation() -> rx.Component:
    def move(item: rx.Var[ClassMove]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(item.text), rx.table.cell(item.count.to_string()), class_name="class-move"
        )

    def example(item: rx.Var[SimulatedRow]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(item.email),
            rx.table.cell(item.score.to_string()),
            rx.table.cell(item.simulated.to_string()),
            rx.table.cell(item.delta),
            rx.table.cell(item.after, class_name="score-after"),
            class_name="example-row",
        )

    return rx.cond(
        S.simulated,
        rx.card(
            rx.vstack(
                rx.text("What it would do", weight="bold", size="4"),
                rx.text(S.proposal_text, id="proposal-text"),
                rx.text(
                    rx.text.strong(S.changed.to_string(), id="sim-changed"),
                    " of ",
                    S.examined.to_string(),
                    " contacts would change score, ",
                    rx.text.strong(S.total_delta, id="sim-delta"),
                    " points in all.",
                    id="sim-summary",
                ),
                rx.cond(
                    S.moves.length() > 0,
                    table(["Class change", "Contacts"], S.moves, move),
                    rx.text("No contact would change class.", size="2", color_scheme="gray"),
                ),
                rx.cond(
                    S.examples.length() > 0,
                    table(
                        ["Contact", "Score before", "Under the draft", "Change", "After rescore"],
                        S.examples,
                        example,
                    ),
                ),
                rx.cond(AuthState.is_admin & ~S.applied, apply_form()),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="simulation",
        ),
    )


def rescore_progress() -> rx.Component:
    return progress_card(
        S.progress_text != "",
        rx.text(
            rx.cond(S.running_id != "", "Rescoring… ", "Rescored: "),
            S.progress_text,
            role="status",
            id="rescore-status",
        ),
        S.progress,
        "rescore-progress",
    )


def rescore_jobs() -> rx.Component:
    def row(job: rx.Var[RescoreRow]) -> rx.Component:
        return rx.table.row(
            rx.table.cell(job.when),
            rx.table.cell(job.actor),
            rx.table.cell(job.reason),
            rx.table.cell(job.status, class_name="rescore-status"),
            rx.table.cell(job.walked),
            rx.table.cell(job.affected.to_string()),
            rx.table.cell(job.activities.to_string()),
            rx.table.cell(job.points),
            class_name="rescore-row",
        )

    headers = ["When", "Who", "Why", "Status", "Walked", "Changed", "Activities", "Points"]
    return rx.card(
        rx.vstack(
            rx.text("Recent rescores", weight="bold"),
            rx.cond(S.jobs.length() > 0, table(headers, S.jobs, row), empty("No rescore yet.")),
            width="100%",
        ),
        width="100%",
    )


def drafts_page() -> rx.Component:
    return page(
        "Rule drafts",
        rx.text(ABOUT, size="2", color_scheme="gray"),
        error_callout(S.error),
        notice(S.notice),
        loading_or(
            S.loading,
            rx.vstack(
                rx.cond(
                    AuthState.is_admin,
                    draft_card(),
                    rx.callout(
                        "Only admins can draft and apply changes; the rescores are listed below.",
                        icon="lock",
                        width="100%",
                        id="drafts-read-only",
                    ),
                ),
                simulation(),
                rescore_progress(),
                rescore_jobs(),
                spacing="4",
                width="100%",
                id="drafts",
            ),
        ),
    )
