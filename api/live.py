"""Live score changes: one MongoDB change stream per API process, fanned out to subscribers.

Every process watches the ledger, so subscribers connected to any process behind a load balancer
see every change, whichever process wrote it. Every change has a cursor (its position in the
ledger's stream): a subscriber that comes back with its last cursor gets every change after it,
replayed from the stream, then the live ones, with no gap and no duplicate at the seam.

Each listener has a bounded inbox. A listener too slow to keep up is not silently thinned out:
its inbox stops taking events and, once it has read what it holds, it is told that it fell
behind (FellBehind, with the cursor to resume after), and nobody else waits.
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.db.client import Store
from api.db.ledger_stream import (
    CursorExpired,
    CursorInvalid,
    StreamInterrupted,
    committed_by,
    is_cursor,
    now,
    scored_entries,
    scored_entries_after,
)
from api.domain.classification import ClassificationSettings, ContactClass
from api.domain.ledger import Entry
from api.services.classifying import basis_scores

__all__ = [
    "CursorExpired",
    "CursorInvalid",
    "FellBehind",
    "LiveHub",
    "ScoreEvent",
    "StreamInterrupted",
    "committed_by",
    "is_cursor",
]
log = logging.getLogger(__name__)
QUEUE_SIZE = 256
SETTINGS_SECONDS = 1.0


@dataclass(frozen=True)
class ScoreEvent:
    entry: Entry
    previous_score: int
    classification: ContactClass
    previous_classification: ContactClass
    cursor: str

    @property
    def class_changed(self) -> bool:
        return self.classification is not self.previous_classification


class FellBehind(Exception):
    """Changes were missed: resume after `cursor` (None: no change was seen yet to resume at)."""

    def __init__(self, cursor: str | None) -> None:
        super().__init__(f"fell behind; resume after {cursor}")
        self.cursor = cursor


class Inbox:
    """A listener's events waiting to be read, at most `size`. When full it takes no more:
    `get` hands out what it holds, then raises FellBehind with the cursor of the last one.
    Events committed no later than its `floor` (replayed already) are left out: this process's
    stream may publish them after the replay read them."""

    __slots__ = ("_wake", "behind", "events", "floor", "last", "size")

    def __init__(self, size: int, last: str | None) -> None:
        self.size = size
        self.events: deque[ScoreEvent] = deque()
        self.behind = False
        # The cursor of the last event read (or of the position the listener started at).
        self.last = last
        self.floor: str | None = None
        self._wake = asyncio.Event()

    def put(self, event: ScoreEvent) -> bool:
        if self.floor is not None and committed_by(event.cursor, self.floor):
            return True
        if self.behind or len(self.events) >= self.size:
            self.fall_behind()
            return False
        self.events.append(event)
        self._wake.set()
        return True

    def fall_behind(self) -> None:
        self.behind = True
        self._wake.set()

    async def get(self) -> ScoreEvent:
        while not self.events:
            if self.behind:
                raise FellBehind(self.last)
            self._wake.clear()
            await self._wake.wait()
        event = self.events.popleft()
        self.last = event.cursor
        return event

    def restart(self, last: str | None) -> None:
        """Forget what it holds (being replayed) and take events again."""
        self.events.clear()
        self.behind = False
        self.last = self.floor = last

    def skip_through(self, cursor: str) -> None:
        """Drop held events committed no later than `cursor` (replayed, or older still), and
        take none of them later."""
        self.floor = cursor
        self.events = deque(e for e in self.events if not committed_by(e.cursor, cursor))


class LiveHub:
    def __init__(
        self, store: Store, queue_size: int = QUEUE_SIZE, max_replay: int = 10_000
    ) -> None:
        self.store = store
        self.queue_size = queue_size
        # The most changes one resuming subscriber is replayed: further back, it reloads instead.
        self.max_replay = max_replay
        # Each queue and how many subscribers it feeds: one, or a shared subscription's members
        # (graphql_schema/live/shared.py).
        self.subscribers: dict[Inbox, int] = {}
        self.ready = asyncio.Event()
        # Times a listener fell behind (its inbox was full, or the stream lost its place).
        self.fell_behind = 0
        # The cursor of the last change published (or where the stream opened).
        self.cursor: str | None = None
        # Told the seconds from each entry's write to its arrival here (metrics).
        self.on_entry: Callable[[float], None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._resume_token: Any = None
        self._settings = ClassificationSettings()
        self._settings_at = -SETTINGS_SECONDS

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

    def listen(self, subscribers: int = 1, size: int | None = None) -> Inbox:
        """An inbox of `size` (default: the hub's queue size) that gets every score change from
        now on, until `unlisten`."""
        inbox = Inbox(size or self.queue_size, self.cursor)
        self.subscribers[inbox] = subscribers
        return inbox

    def unlisten(self, inbox: Inbox) -> None:
        self.subscribers.pop(inbox, None)

    async def events(self, after: str | None = None) -> AsyncIterator[ScoreEvent]:
        """Every score change after the cursor `after` (None: from now on), until the caller
        stops iterating; FellBehind when the caller was too slow."""
        inbox = self.listen()
        try:
            if after is not None:
                async for event in self.caught_up(inbox, after):
                    yield event
            while True:
                yield await inbox.get()
        finally:
            self.unlisten(inbox)

    async def caught_up(self, inbox: Inbox, after: str) -> AsyncIterator[ScoreEvent]:
        """The changes after `after` replayed from the ledger while `inbox` collects the live
        ones; on return, the inbox holds only the live changes committed after the last one
        replayed (the replay read every change committed until it stopped). An inbox that filled
        up meanwhile is emptied and the replay goes on from where it got to."""
        cursor = after
        while True:
            inbox.restart(cursor)
            async for event in self.replay(cursor):
                cursor = event.cursor
                yield event
            if not inbox.behind:
                inbox.skip_through(cursor)
                inbox.last = cursor
                return

    async def replay(self, after: str) -> AsyncIterator[ScoreEvent]:
        """The changes after the cursor `after` written so far, in order, as they are read;
        CursorInvalid or CursorExpired when it cannot be done (CursorExpired also after
        `max_replay` changes: the subscriber reloads, what it was sent does no harm)."""
        settings = await self.store.sheet.classification()
        async with scored_entries_after(self.store.ledger, after) as stream:
            replayed = 0
            async for entry, cursor in stream.until_now():
                replayed += 1
                if replayed > self.max_replay:
                    raise CursorExpired(after)
                yield await self.event_of(entry, cursor, settings)

    def publish(self, event: ScoreEvent) -> None:
        self.cursor = event.cursor
        for inbox in list(self.subscribers):
            if not inbox.behind and not inbox.put(event):
                self.fell_behind += 1

    def lost_place(self) -> None:
        """The stream could not resume where it was: every listener missed changes."""
        for inbox in list(self.subscribers):
            if not inbox.behind:
                inbox.fall_behind()
                self.fell_behind += 1

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
                    self.lost_place()
            except Exception:
                log.exception("live hub failed; restarting")
                self.ready.clear()
                await asyncio.sleep(delay)

    async def _watch(self) -> None:
        start = None
        if self._resume_token is None:  # from now: a moment listeners can resume after
            start = await now(self.store.ledger)
        async with scored_entries(self.store.ledger, self._resume_token, start) as stream:
            if start is not None:  # the first start, or a place lost: listeners resume here
                self.cursor = start
            self.ready.set()
            async for entry, cursor in stream:
                self._resume_token = stream.resume_token
                if self.on_entry is not None:
                    self.on_entry((datetime.now(UTC) - entry.at).total_seconds())
                if self.subscribers:
                    self.publish(await self.event_of(entry, cursor))
                else:
                    self.cursor = cursor

    async def _classification(self) -> ClassificationSettings:
        """The thresholds, read at most once a SETTINGS_SECONDS rather than once per change: a
        change of thresholds shows in live changes within that time."""
        if time.monotonic() - self._settings_at > SETTINGS_SECONDS:
            self._settings = await self.store.sheet.classification()
            self._settings_at = time.monotonic()
        return self._settings

    async def now(self) -> str:
        """The cursor of this moment (changes after it are replayed to `after:` it)."""
        return await now(self.store.ledger)

    async def event_of(
        self, entry: Entry, cursor: str, settings: ClassificationSettings | None = None
    ) -> ScoreEvent:
        settings = settings or await self._classification()
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
            cursor=cursor,
        )
