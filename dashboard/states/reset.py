"""The reset screen: agreement, reason, progress of the running reset, and the history."""

from typing import Any

import reflex as rx

from dashboard.documents import RESET_HISTORY, RESET_PROGRESS, SCORES_RESET
from dashboard.graphql_client import ApiError
from dashboard.models import JobStep, ResetRow, contacts_text
from dashboard.states.auth import call, mutate
from dashboard.states.jobs import follow_job


class ResetState(rx.State):
    history: list[ResetRow] = []
    # The reset followed live: empty when none is.
    running_id: str = ""
    progress: int = 0
    progress_text: str = ""
    error: str = ""
    done: str = ""

    @rx.event
    async def load(self) -> Any:
        """The history; and the latest reset followed live while it runs (opened mid-reset)."""
        await self._load()
        latest = self.history[0] if self.history else None
        if latest is not None and latest.running:
            return self._follow(latest.id)
        return None

    async def _load(self) -> None:
        try:
            rows = (await call(self, RESET_HISTORY))["resetHistory"]
        except ApiError as error:
            self.error = str(error)
            return
        self.history = [ResetRow.from_api(r) for r in rows]

    @rx.event
    async def start(self, form: dict[str, Any]) -> Any:
        self.done = ""
        variables = {
            "input": {
                "reason": str(form.get("reason", "")),
                "agree": form.get("agree") == "on",
                "enableScoring": form.get("enable_scoring") == "on",
            }
        }
        result = await mutate(self, SCORES_RESET, variables, "scoresReset")
        if result is None:
            return None
        return self._follow(result["reset"]["id"])

    def _follow(self, reset_id: str) -> Any:
        """Follow the reset live, unless it is followed already."""
        if reset_id == self.running_id:
            return None
        self.running_id, self.progress, self.progress_text = reset_id, 0, ""
        return ResetState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        async with self:
            reset_id = self.running_id
        finished = await follow_job(self, RESET_PROGRESS, reset_id, self._show)
        async with self:
            if self.running_id != reset_id:
                return
            self.running_id = ""
            if not finished:
                self.error = "Lost the reset's progress: reload the page"
            await self._load()

    def _show(self, step: JobStep) -> None:
        if step.id != self.running_id:
            return
        self.progress = step.percent
        self.progress_text = f"{step.walked()} contacts"
        if not step.running:
            self.done = f"Reset finished: every score is 0 ({contacts_text(step.affected)} changed)"
