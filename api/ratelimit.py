"""A token bucket per caller, in process memory: `rate` requests a second, bursts up to `burst`."""

import time
from collections.abc import Callable

# Callers remembered at most; the longest unseen is forgotten first (it comes back with a full
# bucket), so memory stays bounded whatever the number of callers.
MAX_CALLERS = 10_000


class RateLimiter:
    def __init__(
        self,
        rate: float,
        burst: float,
        max_callers: int = MAX_CALLERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self.max_callers = max_callers
        self.clock = clock
        # caller -> (tokens left, when counted); in order of last use.
        self.buckets: dict[str, tuple[float, float]] = {}

    def waiting(self, caller: str) -> float:
        """The seconds until the caller may go on (0: now), taking nothing."""
        found = self.buckets.get(caller)
        if self.rate <= 0 or found is None:
            return 0.0
        tokens = min(self.burst, found[0] + (self.clock() - found[1]) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def refund(self, caller: str) -> None:
        """Give back the token of a request that turned out not to count."""
        found = self.buckets.get(caller)
        if found is not None:
            self.buckets[caller] = (min(self.burst, found[0] + 1), found[1])

    def take(self, caller: str) -> float:
        """0 when the caller may go on (one token taken), else the seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        found = self.buckets.pop(caller, None)
        tokens = self.burst
        if found is not None:
            tokens = min(self.burst, found[0] + (now - found[1]) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self.buckets[caller] = (tokens, now)
        if len(self.buckets) > self.max_callers:
            del self.buckets[next(iter(self.buckets))]
        return wait
