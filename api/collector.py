"""Python's garbage collector in a long-lived server: its pauses measured (for /metrics and the
fan-out bench), and tuned after start-up. The objects alive once the app has started (modules,
the schema, caches) never become garbage, yet every full collection walked them all again:
`gc.freeze()` moves them out of the collector's sight, and a higher first threshold makes young
collections rarer while each event's short-lived objects die by reference counting anyway.
Measured with the fan-out bench (docs/benchmarks.md)."""

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
