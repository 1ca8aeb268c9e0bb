"""The reset screen: agreement, reason, progress of the running reset, and the history."""

import contextlib
from typing import Any

import reflex as rx
import websockets

from dashboard.graphql_client import ApiError, subscribe
from dashboard.states.auth import AuthState, call, mutate

RESET = """mutation($input: ScoresResetInput!) { scoresReset(input: $input) {
  reset { id } errors { field message } } }"""
PROGRESS = """subscription($id: ID!) { resetProgress(jobId: $id) {
  status progress done total } }"""
HISTORY = """{ resetHistory(first: 50) { id status actor reason startedAt finishedAt
  affected scoringEnabled } }"""


class ResetState(rx.State):
    history: list[dict[str, Any]] = []
    running_id: str = ""
    progress: int = 0
    progress_text: str = ""
    error: str = ""
    done: str = ""

    @rx.event
    async def load(self) -> None:
        try:
            rows = (await call(self, HISTORY))["resetHistory"]
        except ApiError as error:
            self.error = str(error)
            return
        self.history = [
            {
                "when": r["startedAt"][:16].replace("T", " "),
                "actor": r["actor"],
                "reason": r["reason"],
                "status": r["status"].capitalize(),
                "affected": r["affected"],
                "enabled": "Yes" if r["scoringEnabled"] else "No",
            }
            for r in rows
        ]

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
        result = await mutate(self, RESET, variables, "scoresReset")
        if result is None:
            return None
        self.running_id, self.progress = result["reset"]["id"], 0
        return ResetState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        """Follow the running reset live (resetProgress) for the progress bar until it is done."""
        async with self:
            reset_id = self.running_id
            token = (await self.get_state(AuthState))._token()
        finished = False
        try:
            updates = subscribe(PROGRESS, {"id": reset_id}, token)
            async with contextlib.aclosing(updates) as progress:
                async for data in progress:
                    if data is None:  # subscribed
                        continue
                    finished = await self._show(data["resetProgress"])
        except (ApiError, OSError, websockets.WebSocketException) as error:
            async with self:
                self.error = f"Lost the reset's progress: {error}"
            return
        async with self:
            if not finished:
                self.error = "Lost the reset's progress: reload the page"
            await self.load()

    async def _show(self, state: dict[str, Any]) -> bool:
        """Show one step of the reset's progress; whether it is done."""
        async with self:
            self.progress = round(100 * state["progress"])
            self.progress_text = f"{state['done']} of {state['total']} contacts"
            if state["status"] == "DONE":
                self.running_id = ""
                self.done = "Reset finished: every score is 0"
        return bool(state["status"] == "DONE")
