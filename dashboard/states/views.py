"""The views screen: saved score-based views, one open with its contacts and report."""

import base64
from typing import Any

import reflex as rx

from dashboard.graphql_client import ApiError
from dashboard.states.auth import call, mutate
from dashboard.states.rules import describe_condition

VIEW = (
    "id name scoreCondition { kind min max } period { kind days start end } "
    "criteria { field operator value } mailingLists"
)
LIST = f"{{ scoreViews {{ {VIEW} }} }}"
DETAIL = """query($id: ID!, $after: String) { scoreView(id: $id) {
  contacts(first: 25, after: $after) {
    totalCount edges { node { id email firstName lastName country score } }
    pageInfo { hasNextPage endCursor } }
  report { total byMailingList { name count } byCountry { name count } }
  period { kind }
  notification { enabled frequency time weekday dayOfMonth recipients lastSentAt nextSendAt
    lastError } } }"""
NOTIFY = """mutation($input: ScoreViewNotificationUpdateInput!) {
  scoreViewNotificationUpdate(input: $input) {
    notification { enabled } errors { field message } } }"""
EMAIL = """mutation($input: ScoreViewEmailSendInput!) {
  scoreViewEmailSend(input: $input) { sentTo errors { field message } } }"""
PDF = "query($id: ID!) { scoreView(id: $id) { summaryPdf { filename base64 } } }"
FREQUENCIES = ["DAILY", "WEEKLY", "MONTHLY"]
WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
CRITERIA_SLOTS = 2
CONDITIONS = ["AT_LEAST", "AT_MOST", "BETWEEN"]
PERIODS = ["ALL_TIME", "LAST_DAYS", "DATE_RANGE"]


def describe_score(condition: dict[str, Any]) -> str:
    low, high = condition["min"], condition["max"]
    return {
        "AT_LEAST": f"score at least {low}",
        "AT_MOST": f"score at most {high}",
        "BETWEEN": f"score between {low} and {high}",
    }[condition["kind"]]


def describe_period(period: dict[str, Any]) -> str:
    if period["kind"] == "LAST_DAYS":
        return f"points of the last {period['days']} days"
    if period["kind"] == "DATE_RANGE":
        return f"points earned {period['start']} to {period['end']}"
    return "total score"


def _number(form: dict[str, Any], name: str) -> int | None:
    text = str(form.get(name, "")).strip()
    return int(text) if text else None


def _shares(rows: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    return [{**r, "share": round(100 * r["count"] / total) if total else 0} for r in rows]


def _flat_notification(found: dict[str, Any] | None) -> dict[str, str]:
    if found is None:
        return {}
    return {
        "enabled": "on" if found["enabled"] else "",
        "status": "On" if found["enabled"] else "Off",
        "frequency": found["frequency"],
        "time": found["time"],
        "weekday": found["weekday"] or "MONDAY",
        "dayOfMonth": str(found["dayOfMonth"] or 1),
        "recipients": ", ".join(found["recipients"]),
        "lastSentAt": (found["lastSentAt"] or "never")[:16].replace("T", " "),
        "nextSendAt": (found["nextSendAt"] or "—")[:16].replace("T", " "),
        "lastError": found["lastError"] or "",
    }


def _emails(text: Any) -> list[str]:
    return [e.strip() for e in str(text or "").split(",") if e.strip()]


class ViewsState(rx.State):
    views: list[dict[str, Any]] = []
    selected_id: str = ""
    selected_name: str = ""
    contacts: list[dict[str, Any]] = []
    total: int = 0
    next_cursor: str = ""
    by_list: list[dict[str, Any]] = []
    by_country: list[dict[str, Any]] = []
    changes_since_load: int = 0
    # The open view's summary email: as the API shows it, and flat for the form.
    fixed_range: bool = False
    notification: dict[str, str] = {}
    editing: dict[str, Any] = {}
    form_open: bool = False
    loading: bool = True
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self) -> None:
        try:
            data = await call(self, LIST)
        except ApiError as error:
            self.error, self.loading = str(error), False
            return
        self.views = [
            {
                **v,
                "score_text": describe_score(v["scoreCondition"]),
                "period_text": describe_period(v["period"]),
                "criteria_text": " and ".join(describe_condition(c) for c in v["criteria"]) or "—",
                "lists_text": ", ".join(v["mailingLists"]) or "All lists",
            }
            for v in data["scoreViews"]
        ]
        self.loading = False
        known = {v["id"]: v["name"] for v in self.views}
        if self.selected_id in known:
            self.selected_name = known[self.selected_id]
            await self._load_detail()
        else:
            self.selected_id = ""

    @rx.event
    async def open_view(self, view_id: str) -> None:
        self.selected_id = view_id
        self.selected_name = next((v["name"] for v in self.views if v["id"] == view_id), "")
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
            view = (await call(self, DETAIL, variables))["scoreView"]
        except ApiError as error:
            self.error = str(error)
            return
        if view is None:
            self.selected_id = ""
            return
        page = view["contacts"]
        rows = [
            {
                **edge["node"],
                "name": " ".join(
                    p for p in (edge["node"]["firstName"], edge["node"]["lastName"]) if p
                ),
                "country": edge["node"]["country"] or "—",
            }
            for edge in page["edges"]
        ]
        self.contacts = self.contacts + rows if after else rows
        self.total = page["totalCount"]
        self.next_cursor = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else ""
        report = view["report"]
        self.by_list = _shares(report["byMailingList"], report["total"])
        self.by_country = _shares(report["byCountry"], report["total"])
        self.changes_since_load = 0
        self.fixed_range = view["period"]["kind"] == "DATE_RANGE"
        self.notification = _flat_notification(view["notification"])

    def score_change(self, contact_id: str, score: int) -> None:
        """A score changed (live): update its row; the counts may be out of date now."""
        if not self.selected_id:
            return
        self.changes_since_load += 1
        for row in self.contacts:
            if row["id"] == contact_id:
                row["score"] = score
                self.contacts = list(self.contacts)

    @rx.event
    def new_view(self) -> None:
        self.editing, self.form_open, self.notice = {}, True, ""

    @rx.event
    def edit_view(self, view: dict[str, Any]) -> None:
        condition, period = view["scoreCondition"], view["period"]
        flat = {
            "id": view["id"],
            "name": view["name"],
            "kind": condition["kind"],
            "min": "" if condition["min"] is None else str(condition["min"]),
            "max": "" if condition["max"] is None else str(condition["max"]),
            "period": period["kind"],
            "days": str(period["days"] or ""),
            "start": period["start"] or "",
            "end": period["end"] or "",
            "lists": ", ".join(view["mailingLists"]),
        }
        for i, c in enumerate(view["criteria"]):
            flat |= {
                f"field{i}": c["field"],
                f"operator{i}": c["operator"],
                f"value{i}": c["value"],
            }
        self.editing, self.form_open, self.notice = flat, True, ""

    @rx.event
    def cancel(self) -> None:
        self.editing, self.form_open = {}, False

    @rx.event
    async def save(self, form: dict[str, Any]) -> None:
        try:
            low, high, days = _number(form, "min"), _number(form, "max"), _number(form, "days")
        except ValueError:
            self.error = "Scores and days must be whole numbers"
            return
        period_kind = str(form.get("period") or "ALL_TIME")
        variables: dict[str, Any] = {
            "name": str(form.get("name", "")),
            "scoreCondition": {
                "kind": str(form.get("kind") or "AT_LEAST"),
                "min": low,
                "max": high,
            },
            "period": {
                "kind": period_kind,
                "days": days if period_kind == "LAST_DAYS" else None,
                "start": (str(form.get("start") or "") or None)
                if period_kind == "DATE_RANGE"
                else None,
                "end": (str(form.get("end") or "") or None)
                if period_kind == "DATE_RANGE"
                else None,
            },
            "criteria": [
                {
                    "field": str(form.get(f"field{i}", "")).strip(),
                    "operator": str(form.get(f"operator{i}") or "EQUALS"),
                    "value": str(form.get(f"value{i}", "")),
                }
                for i in range(CRITERIA_SLOTS)
                if str(form.get(f"field{i}", "")).strip()
            ],
            "mailingLists": [
                name.strip() for name in str(form.get("lists", "")).split(",") if name.strip()
            ],
        }
        view_id = self.editing.get("id")
        if view_id:
            name, input_type, done = "scoreViewUpdate", "ScoreViewUpdateInput", "View saved"
            variables["id"] = view_id
        else:
            name, input_type, done = "scoreViewCreate", "ScoreViewInput", "View created"
        query = (
            f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ scoreView {{ id }} "
            "errors { field message } } }"
        )
        payload = await mutate(self, query, {"input": variables}, name)
        if payload is None:
            return
        self.editing, self.form_open, self.notice = {}, False, done
        self.selected_id = payload["scoreView"]["id"]
        await self.load()

    @rx.event
    async def delete_view(self, view_id: str) -> None:
        query = """mutation($input: ScoreViewDeleteInput!) { scoreViewDelete(input: $input) {
          deletedId errors { field message } } }"""
        if await mutate(self, query, {"input": {"id": view_id}}, "scoreViewDelete") is None:
            return
        self.notice = "View deleted"
        await self.load()

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
            "recipients": _emails(form.get("recipients")),
        }
        field = "scoreViewNotificationUpdate"
        if await mutate(self, NOTIFY, {"input": variables}, field) is None:
            return
        self.notice = "Summary email saved"
        await self._load_detail()

    @rx.event
    async def email_now(self, form: dict[str, Any]) -> None:
        variables = {"viewId": self.selected_id, "recipients": _emails(form.get("recipients"))}
        payload = await mutate(self, EMAIL, {"input": variables}, "scoreViewEmailSend")
        if payload is not None:
            self.notice = "Summary sent to " + ", ".join(payload["sentTo"])

    @rx.event
    async def download_pdf(self) -> Any:
        try:
            view = (await call(self, PDF, {"id": self.selected_id}))["scoreView"]
        except ApiError as error:
            self.error = str(error)
            return None
        pdf = view["summaryPdf"]
        return rx.download(data=base64.b64decode(pdf["base64"]), filename=pdf["filename"])
