"""The score sheet screen: points within their ranges, pause/resume, negative scoring."""

from typing import Any

import reflex as rx

from dashboard.documents import SCORE_SHEET, SCORE_SHEET_UPDATE
from dashboard.graphql_client import ApiError
from dashboard.models import SheetRow
from dashboard.states.auth import call, mutate


class SetupState(rx.State):
    entries: list[SheetRow] = []
    enabled: bool = True
    negative_enabled: bool = False
    loading: bool = True
    error: str = ""
    saved: str = ""

    def _show(self, sheet: dict[str, Any]) -> None:
        self.enabled = sheet["enabled"]
        self.negative_enabled = sheet["negativeScoringEnabled"]
        self.entries = [SheetRow.from_api(e) for e in sheet["entries"]]

    @rx.event
    async def load(self) -> None:
        try:
            self._show((await call(self, SCORE_SHEET))["scoreSheet"])
        except ApiError as error:
            self.error = str(error)
        self.loading = False

    async def _update(self, changes: dict[str, Any], done: str) -> None:
        self.saved = ""
        result = await mutate(self, SCORE_SHEET_UPDATE, {"input": changes}, "scoreSheetUpdate")
        if result is None:
            return
        self._show(result["scoreSheet"])
        self.saved = done

    @rx.event
    async def save_points(self, form: dict[str, Any]) -> None:
        try:
            entries = [
                {"activity": e.activity, "points": int(form[e.activity])}
                for e in self.entries
                if str(form.get(e.activity, "")).strip()
            ]
        except ValueError:
            self.error = "Points must be whole numbers"
            return
        await self._update({"entries": entries}, "Score sheet saved: new points apply from now on")

    @rx.event
    async def set_enabled(self, enabled: bool) -> None:
        await self._update({"enabled": enabled}, "Scoring resumed" if enabled else "Scoring paused")

    @rx.event
    async def set_negative(self, enabled: bool) -> None:
        await self._update(
            {"negativeScoringEnabled": enabled},
            "Negative scoring on" if enabled else "Negative scoring off",
        )
