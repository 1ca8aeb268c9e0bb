"""`scoreChanged`: every score change, live, over graphql-transport-ws."""

import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime

import strawberry

from api.db.client import Store
from api.domain.classification import ContactClass
from api.domain.views import ScoreView, ViewChange
from api.live import (
    CursorExpired,
    CursorInvalid,
    FellBehind,
    ScoreEvent,
    StreamInterrupted,
    is_cursor,
)
from api.services.errors import ErrorCode, ServiceFailure
from api.services.views import check_stored, view_change
from graphql_schema.activities.types import TimelineEntry
from graphql_schema.contacts.types import Contact
from graphql_schema.core.context import Info, Loaders
from graphql_schema.core.errors import InputRefused, refusal
from graphql_schema.core.permissions import IsViewer
from graphql_schema.live.gaps import cursor_invalid, fell_behind, replay_refused
from graphql_schema.live.shared import sharing

ViewChangeEnum = strawberry.enum(ViewChange, name="ViewChange")
VIEW_REFRESH_SECONDS = 5.0


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
    cursor: str = strawberry.field(
        description="This change's position in the ledger: `scoreChanged(after:)` resumes here"
    )
    view_change: ViewChange | None = strawberry.field(
        default=None, description="With viewId: whether the contact entered or left the view"
    )

    @classmethod
    def of(cls, event: ScoreEvent, view_change: ViewChange | None = None) -> "ScoreChange":
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
            cursor=event.cursor,
            view_change=view_change,
        )

    @strawberry.field
    async def contact(self, info: Info) -> Contact | None:
        record = await info.context.loaders.contacts.load(str(self.contact_id))
        return Contact.of(record) if record else None


@strawberry.type
class LiveSubscriptions:
    @strawberry.subscription(
        permission_classes=[IsViewer],
        description=(
            "Every score change; with viewId only contacts entering or leaving that view; with "
            "after, first every change after that cursor, then the live ones"
        ),
    )
    async def score_changed(
        self,
        info: Info,
        contact_id: strawberry.ID | None = None,
        view_id: strawberry.ID | None = None,
        class_changes_only: bool = False,
        after: str | None = None,
    ) -> AsyncGenerator[ScoreChange, None]:
        context = info.context
        if after is not None and not is_cursor(after):
            raise cursor_invalid()
        followed = FollowedView(context.store, str(view_id)) if view_id is not None else None
        if followed is not None:
            await followed.load()
        wanted = Wanted(
            None if contact_id is None else str(contact_id), class_changes_only, followed
        )
        share = sharing.get()
        if share is not None:  # a websocket operation: one execution per event for its group
            await share.registry.serve(share, info._raw_info, wanted.change, after)
            return
        try:
            async for event in context.hub.events(after):
                # A websocket connection lives long: give every event fresh loaders.
                context.loaders = Loaders(context.store)
                change = await wanted.change(event, context.loaders)
                if change is not None:
                    yield change
        except FellBehind as gap:
            raise fell_behind(gap.cursor) from None
        except (CursorExpired, CursorInvalid, StreamInterrupted) as error:
            raise replay_refused(error) from None


@dataclass(frozen=True)
class Wanted:
    """A subscriber's filter: the change it gets for an event, or None."""

    contact_id: str | None
    class_changes_only: bool
    followed: "FollowedView | None"

    async def change(self, event: ScoreEvent, loaders: Loaders) -> ScoreChange | None:
        if self.contact_id is not None and event.entry.contact_id != self.contact_id:
            return None
        if self.class_changes_only and not event.class_changed:
            return None
        view_change = None
        if self.followed is not None:
            view_change = await self.followed.change(loaders, event)
            if view_change is None:
                return None
        return ScoreChange.of(event, view_change)


class FollowedView:
    """The view a subscriber follows, re-read now and then so that edits take effect."""

    def __init__(self, store: Store, view_id: str) -> None:
        self.store = store
        self.view_id = view_id
        self.view: ScoreView | None = None
        self.loaded_at = 0.0

    async def load(self) -> ScoreView:
        view = await self.store.views.get(self.view_id)
        if view is None:
            message = f"No view with id {self.view_id}"
            raise InputRefused("viewId", message, ErrorCode.NOT_FOUND)
        try:
            check_stored(view)
        except ServiceFailure as failure:
            raise refusal(failure) from None
        self.view, self.loaded_at = view, time.monotonic()
        return view

    async def change(self, loaders: Loaders, event: ScoreEvent) -> ViewChange | None:
        view = self.view
        if view is None or time.monotonic() - self.loaded_at > VIEW_REFRESH_SECONDS:
            view = await self.load()
        contact = await loaders.contacts.load(event.entry.contact_id)
        if contact is None:
            return None
        return await view_change(self.store, view, contact, event.entry, event.previous_score)
