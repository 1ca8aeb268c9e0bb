"""The rules screen: field rules and custom rules, listed, created, edited and deleted; the
contacts' field points following a field-rule change live (its field-rule sync)."""

from typing import Any

import reflex as rx

from dashboard.documents import (
    CUSTOM_RULE_CREATE,
    CUSTOM_RULE_DELETE,
    CUSTOM_RULE_UPDATE,
    FIELD_RULE_CREATE,
    FIELD_RULE_DELETE,
    FIELD_RULE_SYNC_PROGRESS,
    FIELD_RULE_UPDATE,
    RULES,
)
from dashboard.graphql_client import ApiError
from dashboard.models import (
    CustomRuleRow,
    FieldRuleRow,
    JobStep,
    Json,
    conditions_from_form,
    contacts_text,
    padded,
)
from dashboard.rule_inputs import custom_rule_input
from dashboard.states.auth import call, mutate
from dashboard.states.jobs import follow_job

CONDITION_SLOTS = 3


class RulesState(rx.State):
    field_rules: list[FieldRuleRow] = []
    custom_rules: list[CustomRuleRow] = []
    # The rules in the forms: an empty id for a new one.
    editing_field: FieldRuleRow = FieldRuleRow(conditions=padded([], CONDITION_SLOTS))
    editing_custom: CustomRuleRow = CustomRuleRow()
    error: str = ""
    notice: str = ""
    # The field-rule sync followed live (empty when none is), and how far it is or what it did.
    sync_id: str = ""
    sync_progress: int = 0
    sync_text: str = ""

    @rx.event
    async def load(self) -> Any:
        """The rules; and the latest field-rule sync followed live while it runs."""
        latest = await self._load()
        if latest is not None and latest.running:
            return self._follow(latest.id)
        return None

    async def _load(self) -> JobStep | None:
        """The rules; the latest field-rule sync, if any."""
        try:
            data = await call(self, RULES)
        except ApiError as error:
            self.error = str(error)
            return None
        self.field_rules = [FieldRuleRow.from_api(r) for r in data["fieldRules"]]
        self.custom_rules = [CustomRuleRow.from_api(r) for r in data["customRules"]]
        return next((JobStep.from_api(s) for s in data["fieldRuleSyncs"]), None)

    async def _run(
        self, document: str, field: str, variables: dict[str, Any], done: str
    ) -> Json | None:
        """The mutation's payload, the rules reloaded; None when it failed."""
        self.notice = ""
        payload = await mutate(self, document, {"input": variables}, field)
        if payload is None:
            return None
        background = "; updating contacts' field points in the background"
        self.notice = done + (background if payload.get("sync") else "")
        await self._load()
        return payload

    def _follow(self, sync_id: str) -> Any:
        """Follow the field-rule sync live, unless it is followed already (a rule change while
        one runs makes the running one walk again: the same sync)."""
        if sync_id == self.sync_id:
            return None
        self.sync_id, self.sync_progress = sync_id, 0
        self.sync_text = "Updating contacts' field points…"
        return RulesState.follow_sync

    def _follow_payload(self, payload: Json | None) -> Any:
        sync = payload.get("sync") if payload else None
        return self._follow(sync["id"]) if sync else None

    @rx.event(background=True)
    async def follow_sync(self) -> None:
        async with self:
            sync_id = self.sync_id
        finished = await follow_job(self, FIELD_RULE_SYNC_PROGRESS, sync_id, self._show_sync)
        async with self:
            if self.sync_id != sync_id:
                return
            self.sync_id = ""
            if not finished:
                self.sync_text = ""
                self.error = "Lost the progress of the contacts' field points: reload the page"
            await self._load()

    def _show_sync(self, step: JobStep) -> None:
        if step.id != self.sync_id:
            return
        self.sync_progress = step.percent
        if step.running:
            self.sync_text = f"Updating contacts' field points: {step.walked()}"
        else:
            self.sync_text = f"Field points updated: {contacts_text(step.affected)} changed"

    @rx.event
    def edit_field(self, rule_id: str) -> None:
        for rule in self.field_rules:
            if rule.id == rule_id:
                conditions = padded(rule.conditions, CONDITION_SLOTS)
                self.editing_field = FieldRuleRow(rule.id, rule.name, rule.points, conditions)

    @rx.event
    def edit_custom(self, rule_id: str) -> None:
        for rule in self.custom_rules:
            if rule.id == rule_id:
                self.editing_custom = rule

    @rx.event
    def cancel_edits(self) -> None:
        self.editing_field = FieldRuleRow(conditions=padded([], CONDITION_SLOTS))
        self.editing_custom = CustomRuleRow()

    @rx.event
    async def save_field(self, form: dict[str, Any]) -> Any:
        try:
            points = int(str(form.get("points", "")).strip())
        except ValueError:
            self.error = "Points must be a whole number"
            return None
        variables = {
            "name": str(form.get("name", "")),
            "points": points,
            "conditions": [c.as_input() for c in conditions_from_form(form, CONDITION_SLOTS)],
        }
        if rule_id := self.editing_field.id:
            variables["id"] = rule_id
            payload = await self._run(
                FIELD_RULE_UPDATE, "fieldRuleUpdate", variables, "Field rule saved"
            )
        else:
            payload = await self._run(
                FIELD_RULE_CREATE, "fieldRuleCreate", variables, "Field rule created"
            )
        if payload is not None:
            self.editing_field = FieldRuleRow(conditions=padded([], CONDITION_SLOTS))
        return self._follow_payload(payload)

    @rx.event
    async def delete_field(self, rule_id: str) -> Any:
        payload = await self._run(
            FIELD_RULE_DELETE, "fieldRuleDelete", {"id": rule_id}, "Field rule deleted"
        )
        return self._follow_payload(payload)

    @rx.event
    async def save_custom(self, form: dict[str, Any]) -> None:
        try:
            variables = custom_rule_input(form)
        except ValueError:
            self.error = "Points must be a whole number"
            return
        if rule_id := self.editing_custom.id:
            variables["id"] = rule_id
            payload = await self._run(
                CUSTOM_RULE_UPDATE, "customRuleUpdate", variables, "Custom rule saved"
            )
        else:
            payload = await self._run(
                CUSTOM_RULE_CREATE, "customRuleCreate", variables, "Custom rule created"
            )
        if payload is not None:
            self.editing_custom = CustomRuleRow()

    @rx.event
    async def delete_custom(self, rule_id: str) -> None:
        await self._run(
            CUSTOM_RULE_DELETE, "customRuleDelete", {"id": rule_id}, "Custom rule deleted"
        )
