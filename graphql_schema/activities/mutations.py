"""Recording campaign activities, one at a time or in batches."""

from datetime import datetime

import strawberry

from api.domain.activities import ActivityType
from api.services.activities import MAX_BATCH, ActivityInput, ActivityResult, record_activities
from graphql_schema.activities.types import TimelineEntry
from graphql_schema.contacts.types import Contact
from graphql_schema.core.context import Info
from graphql_schema.core.errors import Error
from graphql_schema.core.permissions import IsEditor


@strawberry.input(name="ActivityInput")
class ActivityRecordInput:
    contact_email: str
    type: ActivityType
    campaign_id: str | None = strawberry.field(
        default=None, description="Required for opens, clicks and replies"
    )
    url: str | None = None
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When it happened; now if left out"
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Send the same key again and the activity is scored once"
    )

    def to_service(self) -> ActivityInput:
        return ActivityInput(
            contact_email=self.contact_email,
            type=self.type,
            campaign_id=self.campaign_id,
            url=self.url,
            occurred_at=self.occurred_at,
            idempotency_key=self.idempotency_key,
        )


@strawberry.type
class ActivityRecordPayload:
    entry: TimelineEntry | None = None
    duplicate: bool = strawberry.field(
        default=False, description="True when this idempotency key was already recorded"
    )
    errors: list[Error] = strawberry.field(default_factory=list)

    @strawberry.field
    async def contact(self, info: Info) -> Contact | None:
        if self.entry is None:
            return None
        record = await info.context.loaders.contacts.load(str(self.entry.contact_id))
        return Contact.of(record) if record else None


@strawberry.type
class ActivitiesRecordPayload:
    results: list[ActivityRecordPayload] = strawberry.field(default_factory=list)
    recorded_count: int = 0
    duplicate_count: int = 0
    errors: list[Error] = strawberry.field(default_factory=list)


def _payload(result: ActivityResult) -> ActivityRecordPayload:
    return ActivityRecordPayload(entry=TimelineEntry.of(result.entry), duplicate=result.duplicate)


@strawberry.type
class ActivityMutations:
    @strawberry.mutation(permission_classes=[IsEditor])
    async def activity_record(
        self, info: Info, input: ActivityRecordInput
    ) -> ActivityRecordPayload:
        [result] = await record_activities(info.context.store, [input.to_service()], batch=False)
        return _payload(result)

    @strawberry.mutation(
        permission_classes=[IsEditor],
        description=f"Up to {MAX_BATCH} activities, all valid or none recorded",
    )
    async def activities_record(
        self, info: Info, input: list[ActivityRecordInput]
    ) -> ActivitiesRecordPayload:
        results = await record_activities(info.context.store, [item.to_service() for item in input])
        duplicates = sum(1 for r in results if r.duplicate)
        return ActivitiesRecordPayload(
            results=[_payload(r) for r in results],
            recorded_count=len(results) - duplicates,
            duplicate_count=duplicates,
        )
