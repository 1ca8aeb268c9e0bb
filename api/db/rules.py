"""The `field_rules` and `custom_rules` collections: small, read whole."""

from dataclasses import replace
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase

from api.db.named import NamedRepo
from api.domain.activities import ActivityType
from api.domain.rules import CustomRule, FieldCondition, FieldOperator, FieldRule

Document = dict[str, Any]


class FieldRulesRepo(NamedRepo):
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        super().__init__(db["field_rules"])

    async def all(self) -> list[FieldRule]:
        return [_field_rule(d) async for d in self.collection.find().sort("createdAt", 1)]

    async def get(self, rule_id: str) -> FieldRule | None:
        doc = await self.collection.find_one({"_id": rule_id})
        return _field_rule(doc) if doc else None

    async def create(self, rule: FieldRule) -> FieldRule:
        return replace(rule, id=await self._insert(_field_doc(rule)))

    async def replace(self, rule: FieldRule) -> bool:
        return await self._replace(rule.id, _field_doc(rule))


class CustomRulesRepo(NamedRepo):
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        super().__init__(db["custom_rules"])

    async def all(self) -> list[CustomRule]:
        return [_custom_rule(d) async for d in self.collection.find().sort("createdAt", 1)]

    async def get(self, rule_id: str) -> CustomRule | None:
        doc = await self.collection.find_one({"_id": rule_id})
        return _custom_rule(doc) if doc else None

    async def create(self, rule: CustomRule) -> str:
        return await self._insert(_custom_doc(rule))

    async def replace(self, rule: CustomRule) -> bool:
        return await self._replace(rule.id, _custom_doc(rule))


def _field_doc(rule: FieldRule) -> Document:
    return {
        "name": rule.name,
        "points": rule.points,
        "conditions": [condition_doc(c) for c in rule.conditions],
        "expiresAfterDays": rule.expires_after_days,
    }


def condition_doc(condition: FieldCondition) -> Document:
    return {
        "field": condition.field,
        "operator": condition.operator.value,
        "value": condition.value,
    }


def condition_of(doc: Document) -> FieldCondition:
    return FieldCondition(doc["field"], FieldOperator(doc["operator"]), doc.get("value", ""))


def _field_rule(doc: Document) -> FieldRule:
    return FieldRule(
        id=doc["_id"],
        name=doc["name"],
        points=int(doc["points"]),
        conditions=tuple(condition_of(c) for c in doc["conditions"]),
        expires_after_days=doc.get("expiresAfterDays"),
    )


def _custom_doc(rule: CustomRule) -> Document:
    return {
        "name": rule.name,
        "points": rule.points,
        "activityType": rule.activity_type.value if rule.activity_type else None,
        "urlEquals": rule.url_equals,
        "urlContains": rule.url_contains,
        "campaignId": rule.campaign_id,
        "enabled": rule.enabled,
        "excludedCampaigns": list(rule.excluded_campaigns),
        "expiresAfterDays": rule.expires_after_days,
    }


def _custom_rule(doc: Document) -> CustomRule:
    return CustomRule(
        id=doc["_id"],
        name=doc["name"],
        points=int(doc["points"]),
        activity_type=ActivityType(doc["activityType"]) if doc.get("activityType") else None,
        url_equals=doc.get("urlEquals"),
        url_contains=doc.get("urlContains"),
        campaign_id=doc.get("campaignId"),
        enabled=bool(doc.get("enabled", True)),
        excluded_campaigns=tuple(doc.get("excludedCampaigns", [])),
        expires_after_days=doc.get("expiresAfterDays"),
    )
