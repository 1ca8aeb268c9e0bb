"""The typed per-request context, with dataloaders made fresh for every request."""

import asyncio
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from api.db.client import Store
from api.domain.access import Principal
from api.domain.classification import ContactClass
from api.domain.contacts import ContactRecord
from api.domain.ledger import Entry
from api.domain.notifications import ViewNotification
from api.domain.views import ScoreView
from api.jobs.tasks import Tasks
from api.live import LiveHub
from api.services.classifying import basis_scores
from api.services.errors import ServiceFailure
from api.services.pending_resets import pending_resets
from api.services.views import ViewSelection, select

# A timeline page: (contact id, entries asked for, older than this sequence number or None).
PageKey = tuple[str, int, int | None]
# The entries of a timeline page, and whether older ones remain.
Page = tuple[list[Entry], bool]


class Loaders:
    """What the nodes of a list need, read for all of them at once: every resolver of a node
    asks its loader, and each loader answers a batch in one query (or one per distinct
    arguments), so a page of 100 contacts costs the same few queries as a page of 10."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.contacts: DataLoader[str, ContactRecord | None] = DataLoader(self._contacts)
        # Keyed by (contact id, total score): the total basis needs no query beyond the settings.
        self.classes: DataLoader[tuple[str, int], ContactClass] = DataLoader(self._classes)
        self.timelines: DataLoader[PageKey, Page] = DataLoader(self._timelines)
        self.timeline_counts: DataLoader[str, int] = DataLoader(self._timeline_counts)
        # The RESET entry a walking reset has not written yet, per contact (api/services).
        self.owed_resets: DataLoader[str, Entry | None] = DataLoader(self._owed_resets)
        self.notifications: DataLoader[str, ViewNotification | None] = DataLoader(
            self._notifications
        )
        # A view's contacts as of this request, shared by its fields (contacts, report).
        self.selections: DataLoader[ScoreView, ViewSelection] = DataLoader(self._selections)

    async def _contacts(self, ids: list[str]) -> list[ContactRecord | None]:
        found = await self.store.contacts.by_ids(ids)
        return [found.get(contact_id) for contact_id in ids]

    async def _classes(self, keys: list[tuple[str, int]]) -> list[ContactClass]:
        settings = await self.store.sheet.classification()
        return [
            settings.classify(score) for score in await basis_scores(self.store, settings, keys)
        ]

    async def _timelines(self, keys: list[PageKey]) -> list[Page]:
        # One query per distinct (first, before): usually one for the whole page of contacts.
        asked: dict[tuple[int, int | None], list[str]] = {}
        for contact_id, first, before in keys:
            asked.setdefault((first, before), []).append(contact_id)
        found = await asyncio.gather(
            *(self.store.ledger.pages(ids, *args) for args, ids in asked.items())
        )
        pages = {
            (cid, *args): page
            for args, by_contact in zip(asked, found, strict=True)
            for cid, page in by_contact.items()
        }
        owed = await self.owed_resets.load_many([cid for cid, _, before in keys if before is None])
        owing = dict(zip([cid for cid, _, before in keys if before is None], owed, strict=True))
        return [_with_owed(pages[key], owing.get(key[0]), key[1]) for key in keys]

    async def _timeline_counts(self, ids: list[str]) -> list[int]:
        counts = await self.store.ledger.counts(ids)
        owed = await self.owed_resets.load_many(ids)
        return [counts[cid] + (entry is not None) for cid, entry in zip(ids, owed, strict=True)]

    async def _owed_resets(self, ids: list[str]) -> list[Entry | None]:
        owed = await pending_resets(self.store, ids)
        return [owed.get(cid) for cid in ids]

    async def _notifications(self, view_ids: list[str]) -> list[ViewNotification | None]:
        found = await self.store.notifications.by_views(view_ids)
        return [found.get(view_id) for view_id in view_ids]

    async def _selections(self, views: list[ScoreView]) -> list[ViewSelection | ServiceFailure]:
        # Each view has a query of its own; a view that cannot be computed fails alone (a loader
        # raises an exception answered for its key).
        async def one(view: ScoreView) -> ViewSelection | ServiceFailure:
            try:
                return await select(self.store, view)
            except ServiceFailure as failure:
                return failure

        return list(await asyncio.gather(*(one(view) for view in views)))


def _with_owed(page: Page, owed: Entry | None, first: int) -> Page:
    """A first page with the RESET entry owed on top (numbered after the newest entry)."""
    entries, more = page
    if owed is None:
        return page
    if entries and entries[0].seq >= owed.seq:
        owed = replace(owed, seq=entries[0].seq + 1)
    shown = [owed, *entries]
    return shown[:first], more or len(shown) > first


@dataclass
class Context:
    store: Store
    hub: LiveHub
    tasks: Tasks
    principal: Principal | None
    request: Request | WebSocket | None = None
    token_rejected: bool = False
    connection_params: dict[str, Any] | None = None
    # A websocket's key in the rate limiter: each operation sent over it is counted.
    rate_key: str | None = None
    # A websocket's token digest, checked again while the connection is open (api/token_watch).
    token_digest: str | None = None
    _loaders: Loaders | None = field(default=None, init=False, repr=False)

    @property
    def loaders(self) -> Loaders:
        """Made when first asked: a websocket's context, held while it is open, seldom needs
        them (a shared subscription's group has its own)."""
        if self._loaders is None:
            self._loaders = Loaders(self.store)
        return self._loaders

    @loaders.setter
    def loaders(self, loaders: Loaders) -> None:
        self._loaders = loaders

    @property
    def actor(self) -> str:
        return self.principal.name if self.principal else "anonymous"


Info = StrawberryInfo[Context, None]
