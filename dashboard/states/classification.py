"""The classification screen: classes with counts and share, distribution, thresholds."""

from typing import Any

import reflex as rx

from dashboard.documents import CLASSIFICATION, CLASSIFICATION_UPDATE
from dashboard.graphql_client import ApiError
from dashboard.models import Bucket, ClassTile
from dashboard.states.auth import call, mutate


class ClassificationState(rx.State):
    classes: list[ClassTile] = []
    buckets: list[Bucket] = []
    total: int = 0
    most_engaged_min: int = 0
    progressing_min: int = 0
    basis: str = "TOTAL_SCORE"
    period_days: int = 30
    loading: bool = True
    error: str = ""
    saved: str = ""

    @rx.var
    def basis_text(self) -> str:
        if self.basis == "TOTAL_SCORE":
            return "by total score"
        return f"by points earned in the last {self.period_days} days"

    @rx.event
    async def load(self) -> None:
        await self._load()

    async def _load(self) -> None:
        try:
            data = (await call(self, CLASSIFICATION))["classification"]
        except ApiError as error:
            self.error, self.loading = str(error), False
            return
        self.most_engaged_min = data["mostEngagedMin"]
        self.progressing_min = data["progressingMin"]
        self.basis, self.period_days = data["basis"], data["periodDays"]
        self.total = sum(c["count"] for c in data["counts"])
        self.classes = [ClassTile.from_api(c) for c in data["counts"]]
        self.buckets = [Bucket.from_api(b) for b in data["scoreDistribution"]]
        self.loading, self.error = False, ""

    async def reload_shown(self) -> None:
        """Counted again (live changes were missed), if the screen was loaded."""
        if self.classes:
            await self._load()

    def count_change(self, before: str, after: str) -> None:
        """A contact moved from one class to another (live)."""
        classes = [
            ClassTile(c.key, c.label, c.color, c.count - (c.key == before) + (c.key == after))
            for c in self.classes
        ]
        for tile in classes:
            tile.share = round(100 * tile.count / self.total) if self.total else 0
        self.classes = classes

    @rx.event
    async def save(self, form: dict[str, Any]) -> None:
        self.saved = ""
        try:
            changes = {
                "mostEngagedMin": int(form["most_engaged_min"]),
                "progressingMin": int(form["progressing_min"]),
                "basis": form.get("basis") or self.basis,
                "periodDays": int(form.get("period_days") or self.period_days),
            }
        except ValueError:
            self.error = "Thresholds and days must be whole numbers"
            return
        field = "classificationUpdate"
        if await mutate(self, CLASSIFICATION_UPDATE, {"input": changes}, field) is None:
            return
        self.saved = "Classification saved"
        await self._load()
