"""The rules screen: field rules and custom rules, listed, created, edited and deleted."""

from typing import Any

import reflex as rx

from dashboard.graphql_client import ApiError
from dashboard.states.auth import call, mutate

FIELD = "id name points conditions { field operator value }"
CUSTOM = "id name points activityType urlEquals urlContains campaignId enabled excludedCampaigns"
QUERY = f"{{ fieldRules {{ {FIELD} }} customRules {{ {CUSTOM} }} }}"
OPERATORS = [
    "EQUALS",
    "NOT_EQUALS",
    "CONTAINS",
    "STARTS_WITH",
    "GREATER_THAN",
    "LESS_THAN",
    "IS_EMPTY",
    "IS_NOT_EMPTY",
]
FIELDS = ["country", "email", "firstName", "lastName", "mailingList"]
ACTIVITY_TYPES = [
    "ANY",
    "OPEN",
    "CLICK",
    "REPLY",
    "POSITIVE_REPLY",
    "NEGATIVE_REPLY",
    "UNSUBSCRIBE",
    "WEBSITE_SUBSCRIBE",
    "REFER_FRIEND",
]
CONDITION_SLOTS = 3


def _mutation(name: str, input_type: str, result: str) -> str:
    return (
        f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {result} "
        "errors { field message } } }"
    )


def describe_condition(c: dict[str, Any]) -> str:
    operator = c["operator"].replace("_", " ").lower()
    return f"{c['field']} {operator} {c['value']}".strip()


def _describe_custom(r: dict[str, Any]) -> str:
    parts = []
    if r["activityType"]:
        parts.append(r["activityType"].replace("_", " ").lower())
    if r["urlEquals"]:
        parts.append(f"URL is {r['urlEquals']}")
    if r["urlContains"]:
        parts.append(f"URL contains {r['urlContains']}")
    if r["campaignId"]:
        parts.append(f"campaign {r['campaignId']}")
    return ", ".join(parts)


class RulesState(rx.State):
    field_rules: list[dict[str, Any]] = []
    custom_rules: list[dict[str, Any]] = []
    editing_field: dict[str, Any] = {}
    editing_custom: dict[str, Any] = {}
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self) -> None:
        try:
            data = await call(self, QUERY)
        except ApiError as error:
            self.error = str(error)
            return
        self.field_rules = [
            {**r, "summary": " and ".join(describe_condition(c) for c in r["conditions"])}
            for r in data["fieldRules"]
        ]
        self.custom_rules = [
            {
                **r,
                "summary": _describe_custom(r),
                "excluded": ", ".join(r["excludedCampaigns"]) or "—",
                "state": "On" if r["enabled"] else "Off",
            }
            for r in data["customRules"]
        ]

    async def _run(
        self, name: str, input_type: str, result: str, variables: dict[str, Any], done: str
    ) -> bool:
        self.notice = ""
        query = _mutation(name, input_type, result)
        payload = await mutate(self, query, {"input": variables}, name)
        if payload is None:
            return False
        background = "; updating contacts' field points in the background"
        self.notice = done + (background if payload.get("sync") else "")
        await self.load()
        return True

    @rx.event
    def edit_field(self, rule: dict[str, Any]) -> None:
        flat = {"id": rule["id"], "name": rule["name"], "points": str(rule["points"])}
        for i, condition in enumerate(rule["conditions"]):
            flat |= {
                f"field{i}": condition["field"],
                f"operator{i}": condition["operator"],
                f"value{i}": condition["value"],
            }
        self.editing_field = flat

    @rx.event
    def edit_custom(self, rule: dict[str, Any]) -> None:
        self.editing_custom = {
            "id": rule["id"],
            "name": rule["name"],
            "points": str(rule["points"]),
            "activityType": rule["activityType"] or "ANY",
            "urlEquals": rule["urlEquals"] or "",
            "urlContains": rule["urlContains"] or "",
            "campaignId": rule["campaignId"] or "",
            "excluded": ", ".join(rule["excludedCampaigns"]),
            "enabled": rule["enabled"],
        }

    @rx.event
    def cancel_edits(self) -> None:
        self.editing_field, self.editing_custom = {}, {}

    @rx.event
    async def save_field(self, form: dict[str, Any]) -> None:
        try:
            points = int(str(form.get("points", "")).strip())
        except ValueError:
            self.error = "Points must be a whole number"
            return
        conditions = [
            {
                "field": str(form.get(f"field{i}", "")).strip(),
                "operator": str(form.get(f"operator{i}") or "EQUALS"),
                "value": str(form.get(f"value{i}", "")),
            }
            for i in range(CONDITION_SLOTS)
            if str(form.get(f"field{i}", "")).strip()
        ]
        variables = {"name": str(form.get("name", "")), "points": points, "conditions": conditions}
        if rule_id := self.editing_field.get("id"):
            ok = await self._run(
                "fieldRuleUpdate",
                "FieldRuleUpdateInput",
                "fieldRule { id } sync { id }",
                {**variables, "id": rule_id},
                "Field rule saved",
            )
        else:
            ok = await self._run(
                "fieldRuleCreate",
                "FieldRuleInput",
                "fieldRule { id } sync { id }",
                variables,
                "Field rule created",
            )
        if ok:
            self.editing_field = {}

    @rx.event
    async def delete_field(self, rule_id: str) -> None:
        await self._run(
            "fieldRuleDelete",
            "RuleDeleteInput",
            "deletedId sync { id }",
            {"id": rule_id},
            "Field rule deleted",
        )

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
            "excludedCampaigns": [
                c.strip() for c in str(form.get("excluded", "")).split(",") if c.strip()
            ],
        }
        if rule_id := self.editing_custom.get("id"):
            ok = await self._run(
                "customRuleUpdate",
                "CustomRuleUpdateInput",
                "customRule { id }",
                {**variables, "id": rule_id},
                "Custom rule saved",
            )
        else:
            ok = await self._run(
                "customRuleCreate",
                "CustomRuleInput",
                "customRule { id }",
                variables,
                "Custom rule created",
            )
        if ok:
            self.editing_custom = {}

    @rx.event
    async def delete_custom(self, rule_id: str) -> None:
        await self._run(
            "customRuleDelete",
            "RuleDeleteInput",
            "deletedId",
            {"id": rule_id},
            "Custom rule deleted",
        )
