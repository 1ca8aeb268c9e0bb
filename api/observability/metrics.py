"""Prometheus metrics of one API process, in a registry of its own (one per app); with several
worker processes on one port, written to files that /metrics adds up (shared.py).

Labels are bounded: an operation is a root field of the schema or "other", a route one of a
fixed few, an error code one of ErrorCode's or "OTHER"; no token name, email or id is a label.
"""

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from api.collector import pauses
from api.db.client import Store
from api.live import LiveHub
from api.mailer import deliveries
from api.observability.shared import forget_dead_workers, forget_worker
from api.services.errors import ErrorCode
from api.writes.commit import commit_stats

CODES = frozenset(code.value for code in ErrorCode) | {"INTERNAL", "GRAPHQL_ERROR"}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
LAG_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# Seconds between copies of a worker's subscribers, stream state and mirrored counters.
SYNC_INTERVAL = 1.0


@dataclass(frozen=True)
class JobProgress:
    kind: str
    done: int
    total: int


class RunningJobs(Collector):
    """The running jobs, read from the database when scraped: the same in every process."""

    def __init__(self, jobs: list[JobProgress]) -> None:
        self.jobs = jobs

    def collect(self) -> Iterable[Metric]:
        done = GaugeMetricFamily(
            "scoring_job_done", "Contacts done by the running job", labels=["kind"]
        )
        total = GaugeMetricFamily(
            "scoring_job_total", "Contacts the running job walks", labels=["kind"]
        )
        for job in self.jobs:
            done.add_metric([job.kind], job.done)
            total.add_metric([job.kind], job.total)
        yield done
        yield total


@dataclass
class Mirrored:
    """A counter kept elsewhere in the process (the hub, the write path, the mailer), copied into
    a metric that the process writes (with several workers, to its file)."""

    counter: Counter
    read: Callable[[], int]
    copied: int = 0

    def sync(self) -> None:
        now = self.read()
        if now > self.copied:
            self.counter.inc(now - self.copied)
            self.copied = now


class Metrics:
    def __init__(self, store: Store, hub: LiveHub, shared: Path | None = None) -> None:
        """`shared`: the directory of the workers' metric files (several processes on one port,
        shared.py), else the values stay in this process's registry."""
        self.store = store
        self.hub = hub
        self.shared = shared
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter(
            "scoring_http_requests",
            "HTTP requests by operation and status",
            ["operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "scoring_http_request_duration_seconds",
            "HTTP request latency by operation",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.websocket_operations = Counter(
            "scoring_websocket_operations",
            "Operations sent over websockets",
            ["operation"],
            registry=self.registry,
        )
        self.errors = Counter(
            "scoring_errors", "Errors answered, by code", ["code"], registry=self.registry
        )
        self.stream_lag = Histogram(
            "scoring_live_stream_lag_seconds",
            "From a ledger entry's write to its delivery by the change stream",
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        # With several workers: the sum over the live ones; 1 only while every one streams.
        self.subscribers = Gauge(
            "scoring_live_subscribers",
            "scoreChanged subscribers",
            multiprocess_mode="livesum",
            registry=self.registry,
        )
        self.stream_up = Gauge(
            "scoring_live_stream_up",
            "1 while the change stream runs (in every process)",
            multiprocess_mode="livemin",
            registry=self.registry,
        )
        mirrored = (
            (
                "scoring_live_fell_behind",
                "Live subscribers told they fell behind (they resume from their last cursor)",
                lambda: hub.fell_behind,
            ),
            (
                "scoring_commit_retries",
                "Commits planned again after contention or a lost connection",
                lambda: commit_stats.retries,
            ),
            ("scoring_emails_sent", "Emails delivered", lambda: deliveries.sent),
            ("scoring_emails_failed", "Emails the server did not take", lambda: deliveries.failed),
        )
        self.mirrored = [
            Mirrored(Counter(name, text, registry=self.registry), read)
            for name, text, read in mirrored
        ]
        collections = Counter(
            "scoring_gc_collections",
            "Garbage collections, by generation",
            ["generation"],
            registry=self.registry,
        )
        self.mirrored += [
            Mirrored(collections.labels(str(g)), lambda g=g: pauses.count[g])  # type: ignore[misc]
            for g in range(3)
        ]
        self.gc_longest = Gauge(
            "scoring_gc_pause_longest_seconds",
            "The longest garbage collection pause so far, by generation (of any process)",
            ["generation"],
            multiprocess_mode="max",
            registry=self.registry,
        )
        hub.on_entry = self.stream_lag.observe

    def count_error(self, code: str) -> None:
        self.errors.labels(code if code in CODES else "OTHER").inc()

    def count_operation(self, operation: str) -> None:
        self.websocket_operations.labels(operation).inc()

    def count_request(self, operation: str, status: int, seconds: float) -> None:
        self.requests.labels(operation, str(status)).inc()
        self.latency.labels(operation).observe(seconds)

    def sync(self) -> None:
        """Copies what this process keeps elsewhere into its metrics."""
        self.subscribers.set(self.hub.subscriber_count)
        self.stream_up.set(1 if self.hub.ready.is_set() else 0)
        for generation, seconds in enumerate(pauses.longest):
            self.gc_longest.labels(str(generation)).set(seconds)
        for value in self.mirrored:
            value.sync()

    async def sync_periodically(self, interval: float = SYNC_INTERVAL) -> None:
        """With several workers, another one answers /metrics: each copies its values often."""
        while True:
            self.sync()
            await asyncio.sleep(interval)

    def close(self) -> None:
        if self.shared is not None:
            forget_worker(self.shared)

    async def render(self) -> bytes:
        """The exposition text: this process's metrics, or every worker's added up, then the
        running jobs (read from the database; none when it is down)."""
        jobs = []
        try:
            for repo in (self.store.resets, self.store.rescores, self.store.field_rule_syncs):
                job = await repo.running()
                if job is not None:
                    jobs.append(JobProgress(job.kind.value, job.done, job.total))
        except Exception:
            jobs = []
        self.sync()
        running = CollectorRegistry(auto_describe=False)
        running.register(RunningJobs(jobs))
        if self.shared is None:
            text = generate_latest(self.registry)
        else:
            text = await asyncio.to_thread(_every_worker, self.shared)
        return text + generate_latest(running)


def _every_worker(path: Path) -> bytes:
    forget_dead_workers(path)
    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry, str(path))  # type: ignore[no-untyped-call]
    return generate_latest(registry)
