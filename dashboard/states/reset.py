"""The reset screen: agreement, reason, progress of the running reset, and the history."""

import asyncio
from typing import Any

import reflex as rx

from dashboard.graphql_client import ApiError
from dashboard.states.auth import call, mutate

RESET = """mutation($input: ScoresResetInput!) { scoresReset(input: $input) {
  reset { id } errors { field message } } }"""
STATE = "query($id: ID!) { scoreReset(id: $id) { status progress contactsDone contactsTotal } }"
HISTORY = """{ resetHistory(first: 50) { id status actor reason startedAt finishedAt
  contactsAffected scoringEnabled } }"""


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
                "affected": r["contactsAffected"],
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
        """Poll the running reset for the progress bar until it is done."""
        while True:
            async with self:
                reset_id = self.running_id
                try:
                    state = (await call(self, STATE, {"id": reset_id}))["scoreReset"]
                except ApiError as error:
                    self.error = str(error)
                    return
                self.progress = round(100 * state["progress"])
                self.progress_text = f"{state['contactsDone']} of {state['contactsTotal']} contacts"
                if state["status"] == "DONE":
                    self.running_id = ""
                    self.done = "Reset finished: every score is 0"
            if state["status"] == "DONE":
                break
            await asyncio.sleep(0.3)
        async with self:
            await self.load()
