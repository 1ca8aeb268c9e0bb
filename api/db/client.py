"""Connecting to MongoDB, migrating and creating the indexes the product relies on."""

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qsl, urlsplit

from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorDatabase
from pymongo.monitoring import CommandListener

from api.db.contacts import ContactsRepo
from api.db.histogram import HistogramRepo
from api.db.jobs import FieldRuleSyncsRepo, RescoresRepo, ResetsRepo
from api.db.leases import LeasesRepo
from api.db.ledger import LedgerRepo
from api.db.migrations import migrate
from api.db.notifications import NotificationsRepo
from api.db.reset_walk import ResetWalk
from api.db.rules import CustomRulesRepo, FieldRulesRepo
from api.db.sheet import SheetRepo
from api.db.smtp import SmtpRepo
from api.db.tokens import TokensRepo
from api.db.view_counts import ViewCountsRepo
from api.db.views import ViewsRepo
from api.db.workflows import WorkflowsRepo
from api.writes.state_cache import StateCache

Document = dict[str, Any]
# The driver's command listeners: they see every command sent (tests count round trips).
Listeners = Sequence[CommandListener]
# An answered write is durable: acknowledged by a majority of the replica set and journaled. A
# database that cannot be reached is reported after seconds (clients retry), not after 30.
# Options the URI names win.
CLIENT_DEFAULTS: dict[str, Any] = {
    "w": "majority",
    "journal": True,
    "serverSelectionTimeoutMS": 5000,
}


def client_options(uri: str) -> dict[str, Any]:
    named = {key.lower() for key, _ in parse_qsl(urlsplit(uri).query)}
    return {key: value for key, value in CLIENT_DEFAULTS.items() if key.lower() not in named}


@runtime_checkable
class HasIndexes(Protocol):
    async def ensure_indexes(self) -> None: ...


class Store:
    """The database and its repositories; one per process, shared by all requests."""

    def __init__(self, uri: str, database: str, event_listeners: Listeners = ()) -> None:
        self.client: AsyncIOMotorClient[Document] = AsyncIOMotorClient(
            uri, tz_aware=True, event_listeners=list(event_listeners), **client_options(uri)
        )
        self.db: AsyncIOMotorDatabase[Document] = self.client[database]
        self.histogram = HistogramRepo(self.db)
        # One of each: the contacts' writes and the store's readers share their caches.
        self.view_counts = ViewCountsRepo(self.db)
        self.contacts = ContactsRepo(self.db, self.histogram, self.view_counts)
        self.ledger = LedgerRepo(self.db)
        self.reset_walk = ResetWalk(self.db)
        self.sheet = SheetRepo(self.db)
        self.tokens = TokensRepo(self.db)
        self.resets = ResetsRepo(self.db)
        self.rescores = RescoresRepo(self.db)
        self.field_rule_syncs = FieldRuleSyncsRepo(self.db)
        self.field_rules = FieldRulesRepo(self.db)
        self.custom_rules = CustomRulesRepo(self.db)
        self.views = ViewsRepo(self.db)
        self.notifications = NotificationsRepo(self.db)
        self.smtp = SmtpRepo(self.db)
        self.workflows = WorkflowsRepo(self.db)
        self.leases = LeasesRepo(self.db)
        self.state_cache = StateCache()

    async def ensure_indexes(self) -> None:
        """Migrate a database written by an earlier version, then create the indexes."""
        await migrate(self.db)
        # Every repository this store holds, so that a new one cannot be left out (the driver's
        # objects answer any attribute: they are not ours).
        repos = [
            repo
            for repo in vars(self).values()
            if type(repo).__module__.startswith("api.") and isinstance(repo, HasIndexes)
        ]
        for repo in repos:
            await repo.ensure_indexes()

    async def ping(self) -> None:
        await self.db.command("ping")

    def close(self) -> None:
        self.client.close()
