"""The `leases` collection: named leases, so that one process at a time does a task.

A lease is one document, {_id: task name, holder, until}. `acquire` takes it with one atomic
conditional upsert: the update matches only a lease that is ours or has run out; when the lease is
someone else's and still running, the upsert's insert collides on _id and we do not get it. The
holder renews it by acquiring again before `until`; a holder that dies stops renewing and another
process takes over once the lease has run out. Clocks of the processes are compared through
`until`, so keep leases much longer than the clocks can drift apart.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo.errors import DuplicateKeyError

Document = dict[str, Any]


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    until: datetime


class LeasesRepo:
    def __init__(self, db: AsyncIOMotorDatabase[Document]) -> None:
        self.collection = db["leases"]

    async def ensure_indexes(self) -> None:
        """Only _id lookups: nothing to create."""

    async def acquire(
        self, name: str, holder: str, ttl: timedelta, now: datetime | None = None
    ) -> bool:
        """Take or renew the lease `name` for `ttl` from `now`; False while another holder's
        lease runs."""
        moment = now or datetime.now(UTC)
        try:
            await self.collection.update_one(
                {"_id": name, "$or": [{"holder": holder}, {"until": {"$lte": moment}}]},
                {"$set": {"holder": holder, "until": moment + ttl}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up (if it is still ours), so that another process need not wait."""
        await self.collection.delete_one({"_id": name, "holder": holder})

    async def get(self, name: str) -> Lease | None:
        doc = await self.collection.find_one({"_id": name})
        return Lease(doc["_id"], doc["holder"], doc["until"]) if doc else None
