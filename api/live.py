"""Live score changes: one MongoDB change stream per API process, fanned out to subscribers.

Every process watches the ledger, so subscribers connected to any process behind a load balancer
see every change, whichever process wrote it. Each subscriber has a bounded queue; when a slow
subscriber falls behind, its oldest events are dropped (each event carries the absolute score, so
the newest one is always right) and nobody else waits.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.db.client import Store
from api.db.ledger_stream import StreamInterrupted, scored_entries
from api.domain.classification import ContactClass
from api.domain.ledger import Entry
from api.services.classifying import basis_scores

log = logging.getLogger(__name__)
QUEUE_SIZE = 256


@dataclass(frozen=True)
class ScoreEvent:
    entry: Entry
    previous_score: int
    classification: ContactClass
    previous_classification: ContactClass

    @property
    def class_changed(self) -> bool:
        return self.classification is not self.previous_classification


class LiveHub:
    def __init__(self, store: Store, queue_size: int = QUEUE_SIZE) -> None:
        self.store = store
        self.queue_size = queue_size
        # Each queue and how many subscribers it feeds: one, or a shared subscription's members
        # (graphql_schema/live/shared.py).
        self.subscribers: dict[asyncio.Queue[ScoreEvent], int] = {}
        self.ready = asyncio.Event()
        self.dropped = 0
        # Told the seconds from each entry's write to its arrival here (metrics).
        self.on_entry: Callable[[float], None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._resume_token: Any = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._watch_forever(), name="live-hub")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), timeout=10)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self.ready.clear()

    @property
    def running(self) -> bool:
        """Whether the change stream is open (not reconnecting, not stopped)."""
        return self.ready.is_set() and self._task is not None and not self._task.done()

    @property
    def subscriber_count(self) -> int:
        return sum(self.subscribers.values())

    def listen(self, subscribers: int = 1) -> asyncio.Queue[ScoreEvent]:
        """A queue that gets every score change from now on, until `unlisten`."""
        queue: asyncio.Queue[ScoreEvent] = asyncio.Queue(self.queue_size)
        self.subscribers[queue] = subscribers
        return queue

    def unlisten(self, queue: asyncio.Queue[ScoreEvent]) -> None:
        self.subscribers.pop(queue, None)

    async def events(self) -> AsyncIterator[ScoreEvent]:
        """Every score change from now on, until the caller stops iterating."""
        queue = self.listen()
        try:
            while True:
                yield await queue.get()
        finally:
            self.unlisten(queue)

    def publish(self, event: ScoreEvent) -> None:
        for queue in list(self.subscribers):
            if queue.full():
                queue.get_nowait()
                self.dropped += 1
            queue.put_nowait(event)

    async def _watch_forever(self) -> None:
        delay = 0.1
        while True:
            try:
                await self._watch()
            except asyncio.CancelledError:
                raise
            except StreamInterrupted as error:
                log.warning("change stream interrupted (%s); reconnecting", error)
                self.ready.clear()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                if "resume" in str(error).lower():
                    self._resume_token = None
            except Exception:
                log.exception("live hub failed; restarting")
                self.ready.clear()
                await asyncio.sleep(delay)

    async def _watch(self) -> None:
        async with scored_entries(self.store.ledger, self._resume_token) as stream:
            self.ready.set()
            async for entry in stream:
                self._resume_token = stream.resume_token
                if self.on_entry is not None:
                    self.on_entry((datetime.now(UTC) - entry.at).total_seconds())
                if self.subscribers:
                    self.publish(await self._event(entry))

    async def _event(self, entry: Entry) -> ScoreEvent:
        settings = await self.store.sheet.classification()
        previous = entry.total_after - entry.points
        [basis_now] = await basis_scores(
            self.store, settings, [(entry.contact_id, entry.total_after)]
        )
        basis_before = basis_now - entry.points
        return ScoreEvent(
            entry=entry,
            previous_score=previous,
            classification=settings.classify(basis_now),
            previous_classification=settings.classify(basis_before),
        )
