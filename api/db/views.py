"""The `score_views` collection: saved score-based views, small and read whole."""

from datetime import date
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase

from api.db.named import NamedRepo
from api.domain.rules import FieldCondition, FieldOperator
from api.domain.views import (
    PeriodKind,
    ScoreCondition,
    ScoreConditionKind,
    ScoreView,
    ScoringPeriod,
)

Document = dict[str, Any]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def view_to_doc(view: ScoreView) -> Document:
    return {
        "name": view.name,
        "condition": {
            "kind": view.condition.kind.value,
            "min": view.condition.min,
            "max": view.condition.max,
        },
        "period": {
            "kind": view.period.kind.value,
            "days": view.period.days,
            "start": _day(view.period.start),
            "end": _day(view.period.end),
        },
        "criteria": [
            {"field": c.field, "operator": c.operator.value, "value": c.value}
            for c in view.criteria
        ],
        "mailingLists": list(view.mailing_lists),
    }


def doc_to_view(doc: Document) -> ScoreView:
    condition, period = doc["condition"], doc["period"]
    return ScoreView(
        id=doc["_id"],
        name=doc["name"],
        condition=ScoreCondition(
            ScoreConditionKind(condition["kind"]), condition.get("min"), condition.get("max")
        ),
        period=ScoringPeriod(
            PeriodKind(period["kind"]),
            period.get("days"),
            date.fromisoformat(period["start"]) if period.get("start") else None,
            date.fromisoformat(period["end"]) if period.get("end") else None,
        ),
        criteria=tuple(
            FieldCondition(c["field"], FieldOperator(c["operator"]), c.get("value", ""))
            for c in doc.get("criteria", [])
        ),
        mailing_lists=tuple(doc.get("mailingLists", [])),
    )


class ViewsRepo(NamedRepo):
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        super().__init__(db["score_views"])

    async def all(self) -> list[ScoreView]:
        return [doc_to_view(d) async for d in self.collection.find().sort("name", 1)]

    async def get(self, view_id: str) -> ScoreView | None:
        doc = await self.collection.find_one({"_id": view_id})
        return doc_to_view(doc) if doc else None

    async def create(self, view: ScoreView, actor: str) -> str:
        return await self._insert({**view_to_doc(view), "createdBy": actor})

    async def replace(self, view: ScoreView) -> bool:
        return await self._replace(view.id, view_to_doc(view))
