"""The cost of durability: activities recorded on the embedded database as it runs by default
(its log synced on every commit, writes journaled) and without (as before), in one run."""

import contextlib
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from api.db.client import Store
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.embedded import free_port, server_command
from api.services.activities import ActivityInput, record_activities

SYNC_FLAG = "--sync-on-commit"


@contextlib.contextmanager
def database(storage: Path, synced: bool) -> Iterator[str]:
    """A database server on its own storage; yields its URI (unsynced: w 1, no journal)."""
    port = free_port()
    command = [arg for arg in server_command(storage, port) if synced or arg != SYNC_FLAG]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not _listening(port):
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the database did not start")
            time.sleep(0.1)
        options = "" if synced else "&w=1&journal=false"
        yield f"mongodb://127.0.0.1:{port}/?directConnection=true&retryWrites=false{options}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def ingest_rate(uri: str, contacts: int, count: int, batch: int) -> float:
    """Activities per second recorded by the service (scored, explained, idempotent)."""
    store = Store(uri, f"bench_sync_{uuid.uuid4().hex[:8]}")
    try:
        await store.ensure_indexes()
        emails = [f"d{i}@example.com" for i in range(contacts)]
        for email in emails:
            await store.contacts.upsert(email, ContactDetails())
        kinds = [ActivityType.OPEN, ActivityType.CLICK, ActivityType.OPEN]
        items = [
            ActivityInput(emails[i % contacts], kinds[i % 3], f"c{i % 7}", idempotency_key=str(i))
            for i in range(count)
        ]
        started = time.perf_counter()
        for start in range(0, count, batch):
            await record_activities(store, items[start : start + batch])
        return count / (time.perf_counter() - started)
    finally:
        await store.client.drop_database(store.db.name)
        store.close()


async def measure_sync_cost(contacts: int, count: int) -> dict[int, tuple[float, float]]:
    """Per batch size (500 and 1): (synced, unsynced) activities per second, each the mean of two
    runs in the order synced, unsynced, unsynced, synced (so that warming up favours neither)."""
    rates: dict[int, tuple[float, float]] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        database(Path(tmp) / "synced", True) as synced,
        database(Path(tmp) / "unsynced", False) as unsynced,
    ):
        for batch, n in ((500, count), (1, max(1, count // 20))):
            runs = [await ingest_rate(uri, contacts, n, batch) for uri in (synced, unsynced)]
            runs += [await ingest_rate(uri, contacts, n, batch) for uri in (unsynced, synced)]
            rates[batch] = ((runs[0] + runs[3]) / 2, (runs[1] + runs[2]) / 2)
    return rates
