"""The rules screen: field rules and custom rules, listed, created, edited and deleted."""

from typing import Any

import reflex as rx

from dashboard.documents import (
    CUSTOM_RULE_CREATE,
    CUSTOM_RULE_DELETE,
    CUSTOM_RULE_UPDATE,
    FIELD_RULE_CREATE,
    FIELD_RULE_DELETE,
    FIELD_RULE_UPDATE,
    RULES,
)
from dashboard.graphql_client import ApiError
from dashboard.models import (
    CustomRuleRow,
    FieldRuleRow,
    comma_list,
    conditions_from_form,
    padded,
)
from dashboard.states.auth import call, mutate

CONDITION_SLOTS = 3


class RulesState(rx.State):
    field_rules: list[FieldRuleRow] = []
    custom_rules: list[CustomRuleRow] = []
    # The rules in the forms: an empty id for a new one.
    editing_field: FieldRuleRow = FieldRuleRow(conditions=padded([], CONDITION_SLOTS))
    editing_custom: CustomRuleRow = CustomRuleRow()
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self) -> None:
        await self._load()

    async def _load(self) -> None:
        try:
            data = await call(self, RULES)
        except ApiError as error:
            self.error = str(error)
            return
        self.field_rules = [FieldRuleRow.from_api(r) for r in data["fieldRules"]]
        self.custom_rules = [CustomRuleRow.from_api(r) for r in data["customRules"]]

    async def _run(self, document: str, field: str, variables: dict[str, Any], done: str) -> bool:
        self.notice = ""
        payload = await mutate(self, document, {"input": variables}, field)
        if payload is None:
            return False
        background = "; updating contacts' field points in the background"
        self.notice = done + (background if payload.get("sync") else "")
        await self._load()
        return True

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
    async def save_field(self, form: dict[str, Any]) -> None:
        try:
            points = int(str(form.get("points", "")).strip())
        except ValueError:
            self.error = "Points must be a whole number"
            return
        variables = {
            "name": str(form.get("name", "")),
            "points": points,
            "conditions": [c.as_input() for c in conditions_from_form(form, CONDITION_SLOTS)],
        }
        if rule_id := self.editing_field.id:
            variables["id"] = rule_id
            ok = await self._run(
                FIELD_RULE_UPDATE, "fieldRuleUpdate", variables, "Field rule saved"
            )
        else:
            ok = await self._run(
                FIELD_RULE_CREATE, "fieldRuleCreate", variables, "Field rule created"
            )
        if ok:
            self.editing_field = FieldRuleRow(conditions=padded([], CONDITION_SLOTS))

    @rx.event
    async def delete_field(self, rule_id: str) -> None:
        await self._run(FIELD_RULE_DELETE, "fieldRuleDelete", {"id": rule_id}, "Field rule deleted")

    @rx.event
    async def save_custom(self, form: dict[str, Any]) -> None:
        try:
            points = int(str(form.get("points", "")).strip())
        except ValueError:
            self.error = "Points must be a whole number"
            return
        activity = str(form.get("activityType") or "ANY")
        variables = {
            "name": str(form.get("name", "")),
            "points": points,
            "activityType": None if activity == "ANY" else activity,
            "urlEquals": str(form.get("urlEquals", "")) or None,
            "urlContains": str(form.get("urlContains", "")) or None,
            "campaignId": str(form.get("campaignId", "")) or None,
            "enabled": form.get("enabled") == "on",
            "excludedCampaigns": comma_list(form.get("excluded")),
        }
        if rule_id := self.editing_custom.id:
            variables["id"] = rule_id
            ok = await self._run(
                CUSTOM_RULE_UPDATE, "customRuleUpdate", variables, "Custom rule saved"
            )
        else:
            ok = await self._run(
                CUSTOM_RULE_CREATE, "customRuleCreate", variables, "Custom rule created"
            )
        if ok:
            self.editing_custom = CustomRuleRow()

    @rx.event
    async def delete_custom(self, rule_id: str) -> None:
        await self._run(
            CUSTOM_RULE_DELETE, "customRuleDelete", {"id": rule_id}, "Custom rule deleted"
        )
