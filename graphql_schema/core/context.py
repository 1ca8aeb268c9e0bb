"""The typed per-request context, with dataloaders made fresh for every request."""

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from api.db.client import Store
from api.domain.access import Principal
from api.domain.classification import ContactClass
from api.domain.contacts import ContactRecord
from api.jobs.tasks import Tasks
from api.live import LiveHub
from api.services.classifying import basis_scores


class Loaders:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.contacts: DataLoader[str, ContactRecord | None] = DataLoader(self._contacts)
        # Keyed by (contact id, total score): the total basis needs no query beyond the settings.
        self.classes: DataLoader[tuple[str, int], ContactClass] = DataLoader(self._classes)

    async def _contacts(self, ids: list[str]) -> list[ContactRecord | None]:
        found = await self.store.contacts.by_ids(ids)
        return [found.get(contact_id) for contact_id in ids]

    async def _classes(self, keys: list[tuple[str, int]]) -> list[ContactClass]:
        settings = await self.store.sheet.classification()
        return [
            settings.classify(score) for score in await basis_scores(self.store, settings, keys)
        ]


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
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.store)

    @property
    def actor(self) -> str:
        return self.principal.name if self.principal else "anonymous"


Info = StrawberryInfo[Context, None]
