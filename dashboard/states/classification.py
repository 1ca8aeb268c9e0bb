"""The classification screen: classes with counts and share, distribution, thresholds."""

from typing import Any

import reflex as rx

from dashboard.graphql_client import ApiError
from dashboard.states.auth import call, mutate

LABELS = {
    "MOST_ENGAGED": "Most engaged",
    "PROGRESSING": "Progressing",
    "GETTING_STARTED": "Getting started",
}
COLORS = {"MOST_ENGAGED": "grass", "PROGRESSING": "amber", "GETTING_STARTED": "gray"}
QUERY = """{ classification { mostEngagedMin progressingMin basis periodDays
  counts { classification count share } scoreDistribution(bucketSize: 25) { low high count } } }"""
UPDATE = """mutation($input: ClassificationUpdateInput!) { classificationUpdate(input: $input) {
  classification { mostEngagedMin } errors { field message } } }"""


class ClassificationState(rx.State):
    classes: list[dict[str, Any]] = []
    buckets: list[dict[str, Any]] = []
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
        try:
            data = (await call(self, QUERY))["classification"]
        except ApiError as error:
            self.error, self.loading = str(error), False
            return
        self.most_engaged_min = data["mostEngagedMin"]
        self.progressing_min = data["progressingMin"]
        self.basis, self.period_days = data["basis"], data["periodDays"]
        self.total = sum(c["count"] for c in data["counts"])
        self.classes = [
            {
                "key": c["classification"],
                "label": LABELS[c["classification"]],
                "color": COLORS[c["classification"]],
                "count": c["count"],
                "share": round(c["share"] * 100),
            }
            for c in data["counts"]
        ]
        self.buckets = [
            {"range": f"{b['low']}..{b['high']}", "contacts": b["count"]}
            for b in data["scoreDistribution"]
        ]
        self.loading, self.error = False, ""

    def count_change(self, before: str, after: str) -> None:
        """A contact moved from one class to another (live)."""
        for item in self.classes:
            if item["key"] == before:
                item["count"] -= 1
            if item["key"] == after:
                item["count"] += 1
        for item in self.classes:
            item["share"] = round(100 * item["count"] / self.total) if self.total else 0
        self.classes = list(self.classes)

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
        if await mutate(self, UPDATE, {"input": changes}, "classificationUpdate") is None:
            return
        self.saved = "Classification saved"
        await self.load()
