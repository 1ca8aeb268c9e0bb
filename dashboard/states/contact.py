"""The contact screen: score, class, score over time, and the timeline with every reason."""

from typing import Any

import reflex as rx

from dashboard.graphql_client import ApiError
from dashboard.states.auth import call, mutate
from dashboard.states.classification import LABELS

ENTRY = "id points totalAfter reason kind at actor activity { type campaignId url }"
QUERY = f"""query($id: ID!) {{ contact(id: $id) {{
  id email firstName lastName country mailingLists score classification
  timeline(first: 100) {{ totalCount entries {{ {ENTRY} }} }} }} }}"""
SCORE_SET = f"""mutation($input: ContactScoreSetInput!) {{ contactScoreSet(input: $input) {{
  contact {{ score classification }} entry {{ {ENTRY} }} errors {{ field message }} }} }}"""
KIND_LABELS = {
    "ACTIVITY": "Activity",
    "MANUAL": "Manual",
    "RULE": "Rule",
    "RESET": "Reset",
    "EXPIRY": "Expiry",
    "RESCORE": "Rescore",
    "WORKFLOW": "Workflow",
}


def entry_row(entry: dict[str, Any]) -> dict[str, Any]:
    activity = entry.get("activity") or {}
    return {
        "id": entry["id"],
        "points": entry["points"],
        "points_text": f"{entry['points']:+d}",
        "total": entry["totalAfter"],
        "reason": entry["reason"],
        "kind": KIND_LABELS.get(entry["kind"], entry["kind"]),
        "when": entry["at"][:19].replace("T", " "),
        "by": entry.get("actor") or "",
        "url": activity.get("url") or "",
    }


class ContactState(rx.State):
    contact_id: str = ""
    email: str = ""
    name: str = ""
    country: str = ""
    lists: str = ""
    score: int = 0
    class_key: str = "GETTING_STARTED"
    entries: list[dict[str, Any]] = []
    total_entries: int = 0
    loading: bool = True
    error: str = ""
    notice: str = ""

    @rx.var
    def class_label(self) -> str:
        return LABELS.get(self.class_key, self.class_key)

    @rx.var
    def history(self) -> list[dict[str, Any]]:
        """Score after each change, oldest first, for the chart."""
        return [{"when": e["when"][5:16], "score": e["total"]} for e in reversed(self.entries)]

    @rx.event
    async def open(self) -> None:
        self.contact_id = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        self.notice = ""
        await self.load()

    async def load(self) -> None:
        self.loading = True
        try:
            contact = (await call(self, QUERY, {"id": self.contact_id}))["contact"]
        except ApiError as error:
            self.error, self.loading = str(error), False
            return
        self.loading = False
        if contact is None:
            self.error = "No such contact"
            return
        self.email = contact["email"]
        self.name = " ".join(p for p in (contact["firstName"], contact["lastName"]) if p)
        self.country = contact["country"] or "—"
        self.lists = ", ".join(contact["mailingLists"]) or "—"
        self.score, self.class_key = contact["score"], contact["classification"]
        self.entries = [entry_row(e) for e in contact["timeline"]["entries"]]
        self.total_entries = contact["timeline"]["totalCount"]
        self.error = ""

    def add_live(self, change: dict[str, Any]) -> None:
        if change["contactId"] != self.contact_id:
            return
        row = entry_row(change["entry"])
        if any(e["id"] == row["id"] for e in self.entries):
            return
        self.entries = [row, *self.entries]
        self.total_entries += 1
        self.score, self.class_key = change["score"], change["classification"]

    @rx.event
    async def set_score(self, form: dict[str, Any]) -> None:
        self.notice = ""
        try:
            score = int(str(form.get("score", "")).strip())
        except ValueError:
            self.error = "The score must be a whole number"
            return
        variables = {
            "input": {
                "contactId": self.contact_id,
                "score": score,
                "reason": str(form.get("reason", "")),
            }
        }
        if await mutate(self, SCORE_SET, variables, "contactScoreSet") is None:
            return
        self.notice = f"Score set to {score}"
        await self.load()
