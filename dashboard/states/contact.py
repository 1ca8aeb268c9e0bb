"""The contact screen: score, class, score over time, and the timeline with every reason."""

from typing import Any

import reflex as rx

from dashboard.documents import CONTACT, CONTACT_SCORE_SET
from dashboard.enums import CLASS_LABELS
from dashboard.graphql_client import ApiError
from dashboard.models import ScorePoint, TimelineRow, full_name
from dashboard.states.auth import call, mutate


class ContactPageState(rx.State):
    contact_id: str = ""
    email: str = ""
    name: str = ""
    country: str = ""
    lists: str = ""
    score: int = 0
    class_key: str = "GETTING_STARTED"
    entries: list[TimelineRow] = []
    total_entries: int = 0
    loading: bool = True
    error: str = ""
    notice: str = ""

    @rx.var
    def class_label(self) -> str:
        return CLASS_LABELS.get(self.class_key, self.class_key)

    @rx.var
    def history(self) -> list[ScorePoint]:
        """Score after each change, oldest first, for the chart."""
        return [ScorePoint(e.when[5:16], e.total) for e in reversed(self.entries)]

    @rx.event
    async def open(self) -> None:
        self.contact_id = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        self.notice = ""
        await self._load()

    async def _load(self) -> None:
        self.loading = True
        try:
            contact = (await call(self, CONTACT, {"id": self.contact_id}))["contact"]
        except ApiError as error:
            self.error, self.loading = str(error), False
            return
        self.loading = False
        if contact is None:
            self.error = "No such contact"
            return
        self.email = contact["email"]
        self.name = full_name(contact)
        self.country = contact["country"] or "—"
        self.lists = ", ".join(contact["mailingLists"]) or "—"
        self.score, self.class_key = contact["score"], contact["classification"]
        self.entries = [TimelineRow.from_api(e) for e in contact["timeline"]["entries"]]
        self.total_entries = contact["timeline"]["totalCount"]
        self.error = ""

    def add_live(self, change: dict[str, Any]) -> None:
        if change["contactId"] != self.contact_id:
            return
        row = TimelineRow.from_api(change["entry"])
        if any(e.id == row.id for e in self.entries):
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
        if await mutate(self, CONTACT_SCORE_SET, variables, "contactScoreSet") is None:
            return
        self.notice = f"Score set to {score}"
        await self._load()
