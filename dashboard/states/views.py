"""The views screen: saved score-based views, one open with its contacts and report."""

import base64
import dataclasses
from typing import Any

import reflex as rx

from dashboard.documents import (
    SCORE_VIEW,
    SCORE_VIEW_CREATE,
    SCORE_VIEW_DELETE,
    SCORE_VIEW_EMAIL_SEND,
    SCORE_VIEW_NOTIFICATION_UPDATE,
    SCORE_VIEW_PDF,
    SCORE_VIEW_UPDATE,
    SCORE_VIEWS,
)
from dashboard.graphql_client import ApiError
from dashboard.models import Share, comma_list, conditions_from_form, padded
from dashboard.states.auth import call, mutate
from dashboard.view_models import SummaryEmail, ViewContactRow, ViewRow

CRITERIA_SLOTS = 2


def _number(form: dict[str, Any], name: str) -> int | None:
    text = str(form.get(name, "")).strip()
    return int(text) if text else None


def _view_input(form: dict[str, Any]) -> dict[str, Any]:
    """The form's view as the API takes it; ValueError when a number is not one."""
    low, high, days = _number(form, "min"), _number(form, "max"), _number(form, "days")
    period = str(form.get("period") or "ALL_TIME")
    dated = period == "DATE_RANGE"
    return {
        "name": str(form.get("name", "")),
        "scoreCondition": {"kind": str(form.get("kind") or "AT_LEAST"), "min": low, "max": high},
        "period": {
            "kind": period,
            "days": days if period == "LAST_DAYS" else None,
            "start": (str(form.get("start") or "") or None) if dated else None,
            "end": (str(form.get("end") or "") or None) if dated else None,
        },
        "criteria": [c.as_input() for c in conditions_from_form(form, CRITERIA_SLOTS)],
        "mailingLists": comma_list(form.get("lists")),
    }


class ViewsState(rx.State):
    views: list[ViewRow] = []
    selected_id: str = ""
    selected_name: str = ""
    contacts: list[ViewContactRow] = []
    total: int = 0
    next_cursor: str = ""
    by_list: list[Share] = []
    by_country: list[Share] = []
    changes_since_load: int = 0
    fixed_range: bool = False
    notification: SummaryEmail = SummaryEmail()
    # The view in the form: an empty id for a new one.
    editing: ViewRow = ViewRow(criteria=padded([], CRITERIA_SLOTS))
    form_open: bool = False
    loading: bool = True
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self) -> None:
        await self._load()

    async def _load(self) -> None:
        try:
            data = await call(self, SCORE_VIEWS)
        except ApiError as error:
            self.error, self.loading = str(error), False
            return
        self.views = [ViewRow.from_api(v) for v in data["scoreViews"]]
        self.loading = False
        known = {v.id: v.name for v in self.views}
        if self.selected_id in known:
            self.selected_name = known[self.selected_id]
            await self._load_detail()
        else:
            self.selected_id = ""

    @rx.event
    async def open_view(self, view_id: str) -> None:
        self.selected_id = view_id
        self.selected_name = next((v.name for v in self.views if v.id == view_id), "")
        await self._load_detail()

    @rx.event
    async def refresh(self) -> None:
        await self._load_detail()

    @rx.event
    async def more(self) -> None:
        await self._load_detail(self.next_cursor)

    async def _load_detail(self, after: str = "") -> None:
        variables = {"id": self.selected_id, "after": after or None}
        try:
            view = (await call(self, SCORE_VIEW, variables))["scoreView"]
        except ApiError as error:
            self.error = str(error)
            return
        if view is None:
            self.selected_id = ""
            return
        page = view["contacts"]
        rows = [ViewContactRow.from_api(edge["node"]) for edge in page["edges"]]
        self.contacts = self.contacts + rows if after else rows
        self.total = page["totalCount"]
        self.next_cursor = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else ""
        report = view["report"]
        self.by_list = Share.rows(report["byMailingList"], report["total"])
        self.by_country = Share.rows(report["byCountry"], report["total"])
        self.changes_since_load = 0
        self.fixed_range = view["period"]["kind"] == "DATE_RANGE"
        self.notification = SummaryEmail.from_api(view["notification"])

    def score_change(self, contact_id: str, score: int) -> None:
        """A score changed (live): update its row; the counts may be out of date now."""
        if not self.selected_id:
            return
        self.changes_since_load += 1
        if any(row.id == contact_id for row in self.contacts):
            self.contacts = [
                dataclasses.replace(row, score=score) if row.id == contact_id else row
                for row in self.contacts
            ]

    @rx.event
    def new_view(self) -> None:
        self.editing = ViewRow(criteria=padded([], CRITERIA_SLOTS))
        self.form_open, self.notice = True, ""

    @rx.event
    def edit_view(self, view_id: str) -> None:
        for view in self.views:
            if view.id == view_id:
                self.editing = dataclasses.replace(
                    view, criteria=padded(view.criteria, CRITERIA_SLOTS)
                )
                self.form_open, self.notice = True, ""

    @rx.event
    def cancel(self) -> None:
        self.editing, self.form_open = ViewRow(criteria=padded([], CRITERIA_SLOTS)), False

    @rx.event
    async def save(self, form: dict[str, Any]) -> None:
        try:
            variables = _view_input(form)
        except ValueError:
            self.error = "Scores and days must be whole numbers"
            return
        if view_id := self.editing.id:
            document, field, done = SCORE_VIEW_UPDATE, "scoreViewUpdate", "View saved"
            variables["id"] = view_id
        else:
            document, field, done = SCORE_VIEW_CREATE, "scoreViewCreate", "View created"
        payload = await mutate(self, document, {"input": variables}, field)
        if payload is None:
            return
        self.editing = ViewRow(criteria=padded([], CRITERIA_SLOTS))
        self.form_open, self.notice = False, done
        self.selected_id = payload["scoreView"]["id"]
        await self._load()

    @rx.event
    async def delete_view(self, view_id: str) -> None:
        variables = {"input": {"id": view_id}}
        if await mutate(self, SCORE_VIEW_DELETE, variables, "scoreViewDelete") is None:
            return
        self.notice = "View deleted"
        await self._load()

    @rx.event
    async def save_notification(self, form: dict[str, Any]) -> None:
        frequency = str(form.get("frequency") or "DAILY")
        try:
            day = int(str(form.get("dayOfMonth") or "1"))
        except ValueError:
            self.error = "The day of the month must be a whole number"
            return
        variables = {
            "viewId": self.selected_id,
            "enabled": form.get("enabled") == "on",
            "frequency": frequency,
            "time": str(form.get("time", "")),
            "weekday": str(form.get("weekday")) if frequency == "WEEKLY" else None,
            "dayOfMonth": day if frequency == "MONTHLY" else None,
            "recipients": comma_list(form.get("recipients")),
        }
        field = "scoreViewNotificationUpdate"
        if await mutate(self, SCORE_VIEW_NOTIFICATION_UPDATE, {"input": variables}, field) is None:
            return
        self.notice = "Summary email saved"
        await self._load_detail()

    @rx.event
    async def email_now(self, form: dict[str, Any]) -> None:
        variables = {"viewId": self.selected_id, "recipients": comma_list(form.get("recipients"))}
        field = "scoreViewEmailSend"
        payload = await mutate(self, SCORE_VIEW_EMAIL_SEND, {"input": variables}, field)
        if payload is not None:
            self.notice = "Summary sent to " + ", ".join(payload["sentTo"])

    @rx.event
    async def download_pdf(self) -> Any:
        try:
            view = (await call(self, SCORE_VIEW_PDF, {"id": self.selected_id}))["scoreView"]
        except ApiError as error:
            self.error = str(error)
            return None
        pdf = view["summaryPdf"]
        return rx.download(data=base64.b64decode(pdf["base64"]), filename=pdf["filename"])
