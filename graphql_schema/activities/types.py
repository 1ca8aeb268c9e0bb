"""Activities and timeline entries: what happened and what it earned."""

from datetime import datetime

import strawberry

from api.domain.activities import Activity, ActivityType
from api.domain.ledger import Entry, EntryKind
from api.domain.sheet import SheetEntry
from graphql_schema.core.context import Info, PageKey
from graphql_schema.core.pagination import PageInfo, encode_cursor

ActivityTypeEnum = strawberry.enum(ActivityType, name="ActivityType")
EntryKindEnum = strawberry.enum(
    EntryKind, name="EntryKind", description="What caused a timeline entry"
)
ScoreActivityEnum = strawberry.enum(
    SheetEntry, name="ScoreActivity", description="An entry of the score sheet"
)


@strawberry.type(name="Activity")
class ActivityObjectType:
    type: ActivityType
    campaign_id: str | None
    url: str | None
    occurred_at: datetime
    idempotency_key: str

    @classmethod
    def of(cls, activity: Activity) -> "ActivityObjectType":
        return cls(
            type=activity.type,
            campaign_id=activity.campaign_id,
            url=activity.url,
            occurred_at=activity.occurred_at,
            idempotency_key=activity.idempotency_key,
        )


@strawberry.type(description="One change of a contact's score, with its reason")
class TimelineEntry:
    id: strawberry.ID
    contact_id: strawberry.ID
    points: int
    total_after: int
    reason: str
    kind: EntryKind
    activity: ActivityObjectType | None
    score_activity: SheetEntry | None = strawberry.field(
        description="The score sheet entry that applied, if any"
    )
    actor: str | None
    at: datetime
    expires_at: datetime | None = strawberry.field(
        description="When these points expire: an EXPIRY entry then takes them back; null: never"
    )

    @classmethod
    def of(cls, entry: Entry) -> "TimelineEntry":
        return cls(
            id=strawberry.ID(entry.id),
            contact_id=strawberry.ID(entry.contact_id),
            points=entry.points,
            total_after=entry.total_after,
            reason=entry.reason,
            kind=entry.kind,
            activity=ActivityObjectType.of(entry.activity) if entry.activity else None,
            score_activity=entry.sheet_entry,
            actor=entry.actor,
            at=entry.at,
            expires_at=entry.expires_at,
        )


@strawberry.type
class Timeline:
    """A page of a contact's timeline; each field is read (for all contacts at once) only when
    asked."""

    key: strawberry.Private[PageKey]

    @strawberry.field
    async def entries(self, info: Info) -> list[TimelineEntry]:
        entries, _ = await info.context.loaders.timelines.load(self.key)
        return [TimelineEntry.of(e) for e in entries]

    @strawberry.field
    async def page_info(self, info: Info) -> PageInfo:
        entries, has_next = await info.context.loaders.timelines.load(self.key)
        end = encode_cursor("entry", entries[-1].seq) if entries else None
        return PageInfo(has_next_page=has_next, end_cursor=end)

    @strawberry.field
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.timeline_counts.load(self.key[0])
