"""The `workflows` collection: small, read whole (the active ones once per request)."""

from dataclasses import replace
from datetime import UTC, datetime

from motor.motor_asyncio import AsyncIOMotorDatabase

from api.db.named import NamedRepo
from api.db.rules import Document, condition_doc, condition_of
from api.domain.activities import ActivityType
from api.domain.workflows import Workflow, WorkflowTrigger


class WorkflowsRepo(NamedRepo):
    """Named like rules (unique names, created and updated times), hence the shared base."""

    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        super().__init__(db["workflows"])

    async def all(self) -> list[Workflow]:
        return [_workflow(d) async for d in self.collection.find().sort("createdAt", 1)]

    async def active(self, *triggers: WorkflowTrigger) -> list[Workflow]:
        """The active workflows with one of these triggers (any trigger if none given)."""
        query: Document = {"active": True}
        if triggers:
            query["trigger"] = {"$in": [t.value for t in triggers]}
        return [_workflow(d) async for d in self.collection.find(query).sort("createdAt", 1)]

    async def get(self, workflow_id: str) -> Workflow | None:
        doc = await self.collection.find_one({"_id": workflow_id})
        return _workflow(doc) if doc else None

    async def create(self, workflow: Workflow) -> Workflow:
        """Stored with its id, and active from now on if `workflow.active`."""
        activated_at = _now() if workflow.active else None
        doc = {**_doc(workflow), "active": workflow.active, "activatedAt": activated_at}
        return replace(workflow, id=await self._insert(doc), activated_at=activated_at)

    async def replace(self, workflow: Workflow) -> bool:
        """Change what a workflow does; whether it is active stays as it is."""
        return await self._replace(workflow.id, _doc(workflow))

    async def set_active(self, workflow_id: str, active: bool) -> Workflow | None:
        """Activate (from now on, unless active already) or deactivate; None if unknown."""
        if active:
            query: Document = {"_id": workflow_id, "active": {"$ne": True}}
            change: Document = {"active": True, "activatedAt": _now()}
        else:
            query, change = {"_id": workflow_id}, {"active": False, "activatedAt": None}
        await self.collection.update_one(query, {"$set": change})
        return await self.get(workflow_id)


def _now() -> datetime:
    """Now, as precise as MongoDB stores it (milliseconds), so it reads back the same."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _doc(workflow: Workflow) -> Document:
    return {
        "name": workflow.name,
        "mailingList": workflow.mailing_list,
        "trigger": workflow.trigger.value,
        "points": workflow.points,
        "condition": condition_doc(workflow.condition) if workflow.condition else None,
        "activityType": workflow.activity_type.value if workflow.activity_type else None,
        "campaignId": workflow.campaign_id,
    }


def _workflow(doc: Document) -> Workflow:
    return Workflow(
        id=doc["_id"],
        name=doc["name"],
        mailing_list=doc["mailingList"],
        trigger=WorkflowTrigger(doc["trigger"]),
        points=int(doc["points"]),
        condition=condition_of(doc["condition"]) if doc.get("condition") else None,
        activity_type=ActivityType(doc["activityType"]) if doc.get("activityType") else None,
        campaign_id=doc.get("campaignId"),
        active=bool(doc.get("active", False)),
        activated_at=doc.get("activatedAt"),
    )
