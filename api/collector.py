"""Python's garbage collector in a long-lived server: its pauses measured (for /metrics and the
fan-out bench), and tuned after start-up. The objects alive once the app has started (modules,
the schema, caches) never become garbage, yet every full collection walked them all again:
`gc.freeze()` moves them out of the collector's sight, and a higher first threshold makes young
collections rarer while each event's short-lived objects die by reference counting anyway.

Objects made later and kept (a burst of websocket connections leaves about 400 per subscriber:
the socket's protocol, the handler, tasks) reach the old generation, and a full collection walked
them all: 0.3 to 0.8 s at 1,000 subscribers. So whenever a collection has promoted objects into
the old generation, `settle_periodically` collects the younger generations (their garbage cycles
are not kept) and freezes again: a full collection then walks only what was promoted since, and
no pause grows with the subscribers. Frozen objects are still freed by reference counting when
they go, but a cycle among them that becomes garbage is kept: a subscriber that leaves leaves
about 85 such objects (uvicorn's protocol and transport, Strawberry's execution context). They
are reclaimed by a thaw (one full collection of the whole heap, a long pause) when the frozen
set has grown by half since the last one, at most once per THAW_EVERY, or at once when it grew
THAW_AT_ONCE times (a storm of reconnections). Measured with the fan-out bench
(docs/benchmarks.md)."""

import asyncio
import gc
import time

# Allocations (net of deallocations) before a young collection; CPython's default is 700.
YOUNG_THRESHOLD = 10_000


class Pauses:
    """How long each collection held the process, by generation."""

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.longest = [0.0, 0.0, 0.0]
        self.total = 0.0
        # Set when a collection moved objects into the old generation (read by the settler).
        self.promoted = False
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = time.perf_counter() - self._started
        generation = info["generation"]
        self.count[generation] += 1
        self.total += took
        self.longest[generation] = max(self.longest[generation], took)
        if generation >= 1:
            self.promoted = True


pauses = Pauses()


def watch_pauses() -> None:
    if pauses not in gc.callbacks:
        gc.callbacks.append(pauses)


def tune_collector() -> None:
    """After start-up: what is alive now is kept out of every later collection."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


# How often the settler looks whether a collection promoted objects (seconds).
SETTLE_EVERY = 0.1
THAW_GROWTH = 1.5
THAW_EVERY = 600.0
THAW_AT_ONCE = 8.0


class Settler:
    def __init__(self) -> None:
        self.thawed_count = gc.get_freeze_count()
        self.thawed_at = time.monotonic()
        self.thaws = 0

    def settle(self) -> None:
        """The younger generations collected, then everything alive frozen; the whole heap
        thawed and collected first when the frozen set has grown enough (see above)."""
        grown = gc.get_freeze_count() / max(self.thawed_count, 1)
        due = time.monotonic() - self.thawed_at >= THAW_EVERY
        thaw = (grown >= THAW_GROWTH and due) or grown >= THAW_AT_ONCE
        if thaw:
            gc.unfreeze()
        gc.collect(2 if thaw else 1)
        gc.freeze()
        pauses.promoted = False  # this collection's own promotions are frozen already
        if thaw:
            self.thaws += 1
            self.thawed_at = time.monotonic()
            self.thawed_count = gc.get_freeze_count()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(SETTLE_EVERY)
            if pauses.promoted:
                self.settle()
