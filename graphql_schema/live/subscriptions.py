"""`scoreChanged`: every score change, live, over graphql-transport-ws."""

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from api.live import ScoreEvent
from api.scoring.classification import ContactClass
from graphql_schema.activities.types import TimelineEntry
from graphql_schema.contacts.types import Contact
from graphql_schema.context import Info, Loaders
from graphql_schema.permissions import IsViewer


@strawberry.type
class ScoreChange:
    contact_id: strawberry.ID
    delta: int
    score: int
    previous_score: int
    classification: ContactClass
    previous_classification: ContactClass
    reason: str
    at: datetime
    entry: TimelineEntry

    @classmethod
    def of(cls, event: ScoreEvent) -> "ScoreChange":
        entry = event.entry
        return cls(
            contact_id=strawberry.ID(entry.contact_id),
            delta=entry.points,
            score=entry.total_after,
            previous_score=event.previous_score,
            classification=event.classification,
            previous_classification=event.previous_classification,
            reason=entry.reason,
            at=entry.at,
            entry=TimelineEntry.of(entry),
        )

    @strawberry.field
    async def contact(self, info: Info) -> Contact | None:
        record = await info.context.loaders.contacts.load(str(self.contact_id))
        return Contact.of(record) if record else None


@strawberry.type
class LiveSubscriptions:
    @strawberry.subscription(permission_classes=[IsViewer])
    async def score_changed(
        self,
        info: Info,
        contact_id: strawberry.ID | None = None,
        class_changes_only: bool = False,
    ) -> AsyncGenerator[ScoreChange, None]:
        async for event in info.context.hub.events():
            if contact_id is not None and event.entry.contact_id != str(contact_id):
                continue
            if class_changes_only and not event.class_changed:
                continue
            # A websocket connection lives long: give every event fresh loaders.
            info.context.loaders = Loaders(info.context.store)
            yield ScoreChange.of(event)
