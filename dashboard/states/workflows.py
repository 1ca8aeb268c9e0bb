"""The workflows screen: listed, created, edited, activated and deactivated, deleted after a
confirmation; the API's errors shown next to the field they name."""

from typing import Any

import reflex as rx

from dashboard.documents import (
    WORKFLOW_ACTIVATE,
    WORKFLOW_CREATE,
    WORKFLOW_DEACTIVATE,
    WORKFLOW_DELETE,
    WORKFLOW_UPDATE,
    WORKFLOWS,
)
from dashboard.graphql_client import ApiError
from dashboard.models import Json
from dashboard.states.auth import call, mutate, mutate_fields
from dashboard.workflow_models import WorkflowRow

# The input fields the form shows errors next to; errors naming others go above the page.
FORM_FIELDS = {
    "name",
    "mailingList",
    "trigger",
    "points",
    "condition",
    "condition.field",
    "condition.value",
    "activityType",
    "campaignId",
}


def _input(form: Json, trigger: str, points: int) -> Json:
    """The workflowCreate/workflowUpdate input from the form: only the parts of its trigger."""
    variables: Json = {
        "name": str(form.get("name", "")),
        "mailingList": str(form.get("mailingList", "")),
        "trigger": trigger,
        "points": points,
    }
    if trigger == "FIELD_CONDITION":
        variables["condition"] = {
            "field": str(form.get("field", "")).strip(),
            "operator": str(form.get("operator") or "EQUALS"),
            "value": str(form.get("value", "")),
        }
    if trigger == "ACTIVITY":
        variables["activityType"] = str(form.get("activityType") or "OPEN")
        variables["campaignId"] = str(form.get("campaignId", "")).strip() or None
    return variables


class WorkflowsState(rx.State):
    workflows: list[WorkflowRow] = []
    # The workflow in the form: an empty id for a new one; `trigger` decides the parts it shows.
    editing: WorkflowRow = WorkflowRow()
    trigger: str = "LIST_JOIN"
    # Changed after each save, so that the form starts again empty.
    form_key: int = 0
    field_errors: dict[str, str] = {}
    loading: bool = True
    error: str = ""
    notice: str = ""
    # The workflow asked about in the delete confirmation: empty when none is.
    confirm_id: str = ""
    confirm_name: str = ""

    @rx.event
    async def load(self) -> None:
        await self._load()
        self.loading = False

    async def _load(self) -> None:
        try:
            rows = (await call(self, WORKFLOWS))["workflows"]
        except ApiError as error:
            self.error = str(error)
            return
        self.workflows = [WorkflowRow.from_api(w) for w in rows]

    def _clear_form(self) -> None:
        self.editing, self.trigger, self.field_errors = WorkflowRow(), "LIST_JOIN", {}
        self.form_key += 1

    @rx.event
    def edit(self, workflow_id: str) -> None:
        for row in self.workflows:
            if row.id == workflow_id:
                self.editing, self.trigger, self.field_errors = row, row.trigger, {}
                self.notice = ""

    @rx.event
    def cancel_edit(self) -> None:
        self._clear_form()

    @rx.event
    def set_trigger(self, trigger: str) -> None:
        self.trigger = trigger

    @rx.event
    async def save(self, form: dict[str, Any]) -> None:
        self.notice = ""
        try:
            points = int(str(form.get("points", "")).strip())
        except ValueError:
            self.field_errors = {"points": "Give the points as a whole number, -50 to 100"}
            return
        variables = _input(form, self.trigger, points)
        if workflow_id := self.editing.id:
            variables["id"] = workflow_id
            document, field, done = WORKFLOW_UPDATE, "workflowUpdate", "saved"
        else:
            variables["active"] = form.get("active") == "on"
            document, field, done = WORKFLOW_CREATE, "workflowCreate", "created"
        payload, self.field_errors = await mutate_fields(
            self, document, {"input": variables}, field, FORM_FIELDS
        )
        if payload is None:
            return
        self.notice = f"Workflow '{payload['workflow']['name']}' {done}"
        self._clear_form()
        await self._load()

    @rx.event
    async def set_active(self, workflow_id: str, active: bool) -> None:
        self.notice = ""
        document, field = (
            (WORKFLOW_ACTIVATE, "workflowActivate")
            if active
            else (WORKFLOW_DEACTIVATE, "workflowDeactivate")
        )
        payload = await mutate(self, document, {"input": {"id": workflow_id}}, field)
        if payload is not None:
            name = payload["workflow"]["name"]
            self.notice = (
                f"Workflow '{name}' active: it acts on what happens from now on"
                if active
                else f"Workflow '{name}' deactivated: the points it gave stay"
            )
        await self._load()

    @rx.event
    def ask_delete(self, workflow_id: str, name: str) -> None:
        self.confirm_id, self.confirm_name, self.notice = workflow_id, name, ""

    @rx.event
    def cancel_delete(self) -> None:
        self.confirm_id, self.confirm_name = "", ""

    @rx.event
    async def delete(self) -> None:
        workflow_id, name = self.confirm_id, self.confirm_name
        self.confirm_id, self.confirm_name = "", ""
        payload = await mutate(
            self, WORKFLOW_DELETE, {"input": {"id": workflow_id}}, "workflowDelete"
        )
        if payload is not None:
            self.notice = f"Workflow '{name}' deleted: the points it gave stay"
            if self.editing.id == workflow_id:
                self._clear_form()
        await self._load()
